"""The generated script runs on its own and reproduces the test metrics computed in-process."""

import ast
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstmlab import config as config_module
from lstmlab.baselines import detect_season
from lstmlab.config import Cell, DataSpec, ModelConfig, Optimizer, Scaling, TrainConfig, Transform, WindowConfig
from lstmlab.data import read_table
from lstmlab.export import file_stem, make_script
from lstmlab.metrics import evaluate_run
from lstmlab.model import SimpleRNN
from lstmlab.persist import save_model
from lstmlab.prepare import infer_spec, prepare_series
from lstmlab.runs import Run
from lstmlab.train import fit
from lstmlab.windows import scale_series, window_splits

ROOT = Path(__file__).resolve().parents[1]


def synthetic_csv() -> bytes:
    t = np.arange(160)
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2001-01-01", periods=160, freq="D").strftime("%Y-%m-%d"),
            "load": np.round(50 + 10 * np.sin(2 * np.pi * t / 7) + 0.2 * t, 3),
            "temp": np.round(15 + 5 * np.cos(2 * np.pi * t / 30), 3),
        }
    )
    return frame.to_csv(index=False).encode()


CASES = {
    "airline": ("airline-passengers.csv", None, WindowConfig(), ModelConfig(h_size=16),  # auto: window-relative
                TrainConfig(epochs=3, seed=1)),
    "airline, first differences, horizon 4": (
        "airline-passengers.csv",
        None,
        WindowConfig(horizon=4, transform=Transform.DIFFERENCE),
        ModelConfig(h_size=8),
        TrainConfig(epochs=3, seed=1),
    ),
    "two targets, horizon 3": (
        "load.csv",
        DataSpec(time_columns=("date",), features=("load", "temp"), targets=("temp", "load")),
        WindowConfig(window=10, horizon=3, scaling=Scaling.MINMAX),
        ModelConfig(h_size=8, n_layers=2, bidirectional=True),
        TrainConfig(epochs=3, seed=1, optimizer=Optimizer.SGD, momentum=0.8),
    ),
    "GRU, two layers": ("airline-passengers.csv", None, WindowConfig(window=8),
                        ModelConfig(h_size=8, n_layers=2, cell=Cell.GRU), TrainConfig(epochs=3, seed=1)),
    "RNN, bidirectional, two targets": (
        "load.csv",
        DataSpec(time_columns=("date",), features=("load", "temp"), targets=("temp", "load")),
        WindowConfig(window=10, horizon=2, scaling=Scaling.MINMAX),
        ModelConfig(h_size=8, bidirectional=True, cell=Cell.RNN),
        TrainConfig(epochs=3, seed=1, optimizer=Optimizer.ADAMW),
    ),
}


def _constant(source: str, name: str):
    """The config a top-level ``NAME = Config(key=literal or Enum.MEMBER, ...)`` in ``source`` builds."""
    call = next(n for n in ast.parse(source).body if isinstance(n, ast.Assign) and n.targets[0].id == name).value

    def value(node: ast.expr):
        if isinstance(node, ast.Attribute):  # Optimizer.SGD
            return getattr(getattr(config_module, node.value.id), node.attr)
        return ast.literal_eval(node)

    return getattr(config_module, call.func.id)(**{k.arg: value(k.value) for k in call.keywords})


@pytest.mark.parametrize("case", CASES)
def test_generated_script_reproduces_the_test_metrics(case, tmp_path):
    filename, spec, window_config, model_config, train_config = CASES[case]
    data = resources.files("lstmlab").joinpath("samples", filename).read_bytes() if spec is None else synthetic_csv()
    table = read_table(data, filename)
    spec = spec or infer_spec(table)
    series = prepare_series(table, spec)
    scaled = scale_series(series.values, series.targets, window_config)
    splits = window_splits(scaled, window_config)
    model = SimpleRNN.from_config(
        len(series.columns), window_config.window, window_config.horizon * len(series.targets), model_config
    )
    history = fit(model, splits["train"].x, splits["train"].y, train_config)
    run = Run.create(
        number=7, source_name=filename, source_digest="digest", data_spec=spec, window_config=window_config,
        model_config=model_config, train_config=train_config, columns=series.columns, targets=series.targets,
        scaler=scaled.scaler, model=model, history=history,
    )
    if window_config.transform is not Transform.LEVELS:  # the case exercises a transform, not levels
        assert run.scaler.target_transform is not Transform.LEVELS
    season = detect_season(series.frequency, series.values[:, 0], series.time)
    expected = {}
    for k, name in enumerate(run.target_names):
        table_k = evaluate_run(run, series.values, splits, season, target=k)
        expected[name] = table_k[(table_k.split == "test") & (table_k.forecast == "model")].iloc[0]

    (tmp_path / filename).write_bytes(data)
    (tmp_path / f"{file_stem(run)}.safetensors").write_bytes(save_model(run)[0])
    script = tmp_path / f"{file_stem(run)}.py"
    script.write_text(make_script(run))
    assert f"cell=Cell.{model_config.cell.name}" in script.read_text()  # the script rebuilds the same cell
    assert _constant(script.read_text(), "TRAIN") == train_config  # the optimizer and its settings, carried
    done = subprocess.run(
        [sys.executable, script.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == len(run.target_names)
    for line, name in zip(lines, run.target_names, strict=True):
        pattern = rf"{name}: (\d+) test windows, test MAE ([\d.]+), RMSE ([\d.]+), MAPE ([\d.]+)%, MASE ([\d.]+)"
        found = re.match(pattern, line)
        assert found, line
        assert int(found[1]) == expected[name]["windows"] == len(splits["test"])
        assert float(found[2]) == pytest.approx(expected[name]["MAE"], abs=1e-6)
        assert float(found[3]) == pytest.approx(expected[name]["RMSE"], abs=1e-6)
        assert float(found[5]) == pytest.approx(expected[name]["MASE"], abs=1e-4)
