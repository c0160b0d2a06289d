"""Benchmark row 7 at toy sizes, so it cannot rot: the bytes it reports are the weights' own."""

from benchmarks import bench_replay
from lstmlab.config import ModelConfig
from lstmlab.model import SimpleLSTM, count_parameters


def test_replay_memory_counts_float32_weights_and_thins():
    config = ModelConfig(h_size=4)
    params = count_parameters(SimpleLSTM.from_config(bench_replay.FEATURES, bench_replay.WINDOW, 1, config))
    result = bench_replay.replay_memory(config, epochs=20, budget=5 * 4 * params)
    assert result["per_epoch"] == 4 * params
    assert result["kept"] <= 5 and result["held"] == result["kept"] * 4 * params and result["stride"] > 1


def test_replay_rows_small():
    rows = bench_replay.bench_replay(epochs=(5,), largest_epochs=(2,), budget=200_000)
    assert [row.name[:3] for row in rows] == ["7a.", "7b."]
    assert all(row.passed is True and row.ratio > 0 for row in rows)
    assert "exceed the 200.0 kB budget" in rows[1].notes[1]  # the largest model: first and last only
