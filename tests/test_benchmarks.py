"""The benchmark suite at toy sizes, so it cannot rot: every row runs, references compute the same thing."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from benchmarks import bench_app, bench_read, bench_sweep, bench_trace, bench_train, bench_windows, browser, run
from benchmarks.common import Row, interleaved, markdown_table
from lstmlab.windows import make_windows

ROOT = Path(__file__).resolve().parents[1]


def _finite(row: Row) -> None:
    assert row.ratio is not None and math.isfinite(row.ratio) and row.ratio >= 0, row
    assert row.passed in (True, False), row


def test_naive_windows_are_what_make_windows_views():
    values = np.random.default_rng(0).standard_normal((40, 3)).astype(np.float32)  # (T, F)
    x, y = make_windows(values, window=5, horizon=2, targets=(2, 0))
    naive_x, naive_y = bench_windows.naive_windows(values, 5, 2, (2, 0))
    np.testing.assert_array_equal(naive_x, x.numpy())
    np.testing.assert_array_equal(naive_y, y.numpy())
    assert not np.shares_memory(naive_x, values)  # the reference really copies


def test_windows_rows_small():
    rows = bench_windows.bench_windows(rows=3_000, features=2, window=8, prefix_rows=500, repeats=2, naive_limit=1e4)
    assert len(rows) == 2
    for row in rows:
        _finite(row)
    assert "extrapolated" in rows[0].reference  # 3,000 rows cost more than the 10 kB allowed


def test_hand_loop_trains_the_same_model():
    x, y = bench_train.synthetic_windows(64, features=3, window=6)
    torch.manual_seed(0)
    model = bench_train.SimpleLSTM(3, 6, 1, 4)
    before = copy.deepcopy(model.state_dict())
    bench_train.hand_loop(model, x.contiguous(), y.contiguous(), epochs=1, batch_size=16, lr=1e-2, clip=1.0)
    assert any(not torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_train_row_small():
    result = bench_train.compare("cpu", n_windows=64, batch_size=16, h_size=4, repeats=1, warmup=0)
    assert result["fit"] > 0 and result["loop"] > 0
    assert result["ratio"] == pytest.approx(result["fit"] / result["loop"])


def test_trace_row_small():
    _finite(bench_trace.bench_trace(batch=4, window=5, features=2, h_size=3, repeats=2))


def test_read_row_small(tmp_path: Path):
    path = bench_read.write_csv(tmp_path / "t.csv", rows=500, columns=4)
    frame = pd.read_csv(path)
    assert frame.shape == (500, 4) and frame.columns[0] == "time"
    assert pd.to_datetime(frame["time"]).diff().iloc[1:].eq(pd.Timedelta(hours=1)).all()
    _finite(bench_read.bench_read(rows=500, columns=4, repeats=1, workdir=tmp_path))


def test_interleaved_alternates_and_skips_warmup():
    calls = []
    candidates = {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}
    times = interleaved(candidates, repeats=2, warmup=1, collect=False)
    assert calls == ["a", "b"] * 3
    assert len(times["a"]) == len(times["b"]) == 2


def test_table_numbers_notes_and_machine():
    rows = [Row("x", "1 ms", "2 ms", 0.5, "< 1", True, ["first"]), Row("y", "n/a", "–", None, "–", None, ["second"])]
    table = markdown_table(rows, {"CPU": "test"}, 1.0, quick=True)
    assert "| x [1] | 1 ms | 2 ms | 0.5 | < 1 | pass |" in table
    assert "| y [2] | n/a | – | – | – | – |" in table
    assert "1. first" in table and "2. second" in table and "- CPU: test" in table


def test_run_writes_the_table_and_survives_a_broken_row(tmp_path: Path, monkeypatch):
    tiny = {
        "3": [lambda: bench_trace.bench_trace(batch=2, window=3, features=2, h_size=2, repeats=1)],
        "7": [lambda: 1 / 0],
    }
    monkeypatch.setattr(run, "suite", lambda quick: tiny)
    out = tmp_path / "latest.md"
    table = run.main(["--quick", "--out", str(out)])
    assert out.read_text() == table
    assert "trace_cells" in table and "ZeroDivisionError" in table
    assert "| 7. (error) [" in table and "| error |" in table  # the broken row is reported, not raised


def test_only_picks_rows_and_their_lettered_rows(tmp_path: Path, monkeypatch):
    ran = []
    def bench(key: str):
        return lambda: ran.append(key) or Row(key, "1 s", "1 s", 1.0, "–", None)

    tiny = {key: [bench(key)] for key in ("3", "5", "5d")}
    monkeypatch.setattr(run, "suite", lambda quick: tiny)
    run.main(["--only", "5", "--out", str(tmp_path / "a.md")])
    run.main(["--only", "5d,3", "--out", str(tmp_path / "b.md")])
    assert ran == ["5", "5d", "3", "5d"]
    with pytest.raises(SystemExit):
        run.main(["--only", "5e", "--out", str(tmp_path / "c.md")])


def test_apptest_slider_row_small():
    row = bench_app.bench_slider_apptest(moves=1, sample="airline-passengers.csv")
    _finite(row)


def test_live_rows_small():
    from benchmarks import bench_live

    small = "airline-passengers.csv"  # 144 rows: a few dozen windows of 48
    (edit,) = bench_live.bench_whatif(edits=1, models=bench_live.MODELS[:1], sample=small)
    assert edit.name.startswith("8a.") and edit.ratio is not None and edit.ratio > 0, edit.notes
    busy = bench_live.bench_rerun_while_training(reruns=1, sample=small)
    assert busy.name.startswith("8c.") and busy.ratio is not None and busy.ratio > 0, busy.notes


@pytest.mark.browser
def test_browser_rows_small(tmp_path: Path):
    if why := browser.browser_missing():
        pytest.skip(why)
    # Its own process: Playwright's sync API refuses to run inside pytest-playwright's event loop.
    code = (
        "import dataclasses, json, sys; from pathlib import Path; from benchmarks import bench_app, bench_memory; "
        "rows = [bench_memory.bench_memory(rows=3_000, train_seconds=0.5, workdir=Path(sys.argv[1])), "
        "bench_app.bench_first_visit(pause=0.5, later=1, workdir=Path(sys.argv[1]))]; "
        "print(json.dumps([dataclasses.asdict(row) for row in rows]))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    for row in (Row(**fields) for fields in json.loads(result.stdout.strip().splitlines()[-1])):
        assert row.measured not in ("failed", "not available"), row.notes
        _finite(row)


def test_sweep_and_device_rows_small():
    row = bench_sweep.bench_sweep(epochs=1, h_size=2, repeats=1, windows=(3, 4))
    _finite(row)
    assert "pool of" in row.name and "torch thread" in row.notes[0]
    rows = bench_sweep.bench_devices(n_windows=64, window=4, features=2, h_size=2, epochs=1, devices=["cpu"])
    assert len(rows) == 1 and rows[0].ratio == pytest.approx(1.0) and "GRU" in rows[0].measured


def test_real_series_row_small():
    from benchmarks import bench_real

    row = bench_real.bench_real(seeds=(0,), series=("tests/data/monthly-shampoo-sales.csv",))
    _finite(row)
    assert row.measured.endswith("×") and "monthly-shampoo-sales.csv: 36 rows" in row.notes[0]
