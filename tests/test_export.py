"""The generated script runs on its own and reproduces the test metrics computed in-process."""

import ast
import dataclasses
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstmlab import config as config_module
from lstmlab.baselines import detect_season
from lstmlab.config import Cell, DataSpec, ModelConfig, Optimizer, Scaling, TrainConfig, Transform, WindowConfig
from lstmlab.data import read_table
from lstmlab.export import _literal, file_stem, make_script
from lstmlab.metrics import evaluate_run
from lstmlab.model import SimpleRNN
from lstmlab.persist import save_model
from lstmlab.pipeline import build_run, train_run
from lstmlab.prepare import infer_spec, prepare_series
from lstmlab.runs import Run
from lstmlab.safetext import visible
from lstmlab.train import fit
from lstmlab.windows import scale_series, window_splits
from tests.hostile import HOSTILE_FILE, HOSTILE_NAMES, hostile_frame

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
    script.write_text(make_script(run), encoding="utf-8")
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
        numbers = r"(\d+) test windows, test MAE ([\d.]+), RMSE ([\d.]+), MAPE ([\d.]+)%, MASE ([\d.]+)"
        pattern = rf"{re.escape(visible(name))}: {numbers}"
        found = re.match(pattern, line)
        assert found, line
        assert int(found[1]) == expected[name]["windows"] == len(splits["test"])
        assert float(found[2]) == pytest.approx(expected[name]["MAE"], abs=1e-6)
        assert float(found[3]) == pytest.approx(expected[name]["RMSE"], abs=1e-6)
        assert float(found[5]) == pytest.approx(expected[name]["MASE"], abs=1e-4)


# ---- names from the user's file are data: literals in the script, never code ------------------------------------

PLAIN_FILE = "plain.csv"


def _readable_hostile_frame() -> pd.DataFrame:
    """The hostile series, 60 rows: enough windows for a short run."""
    return hostile_frame(rows=60)


@pytest.fixture(scope="module")
def hostile_and_plain_runs():
    """One trained run on the hostile columns (every one a target), and the same run under plain names.

    The values are the same, so the weights serve both; only the names (file, columns, spec) differ.
    """
    frame = _readable_hostile_frame()
    data = frame.to_csv(index=False).encode()
    table = read_table(data, HOSTILE_FILE)
    names = tuple(table.columns[1:])  # as the app reads them: "" and "   " become "Unnamed: k"
    spec = DataSpec(time_columns=("month",), features=names, targets=names)
    series = prepare_series(table, spec)
    trained = train_run(build_run(series, WindowConfig(window=6), ModelConfig(h_size=4),
                                  TrainConfig(epochs=2, seed=1, device="cpu"), spec, (HOSTILE_FILE, "d")))  # fmt: skip
    run = trained.run
    plain_names = tuple(f"c{k}" for k in range(len(names)))
    plain_frame = frame.set_axis(["month", *plain_names], axis=1)
    plain_spec = DataSpec(time_columns=("month",), features=plain_names, targets=plain_names)
    plain = dataclasses.replace(run, source_name=PLAIN_FILE, data_spec=plain_spec, columns=plain_names)
    return (run, data), (plain, plain_frame.to_csv(index=False).encode())


def _data_default(source: str) -> object:
    """The file name the script reads when given none: the literal in ``DATA = Path(argv[1] if ... else NAME)``."""
    call = next(n for n in ast.parse(source).body if isinstance(n, ast.Assign) and n.targets[0].id == "DATA").value
    return ast.literal_eval(call.args[0].orelse)


def _shape_of(source: str) -> str:
    """The script's syntax tree with every string emptied: the code it runs, whatever the names."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return ast.dump(tree)


def _assert_names_are_only_literals(run: Run, plain: Run) -> None:
    script, reference = make_script(run), make_script(plain)
    compile(script, "lstmlab_run.py", "exec")  # a SyntaxError here is a name that broke out of its string
    assert ast.get_docstring(ast.parse(script)) == ast.get_docstring(ast.parse(reference))  # no name in the docs
    assert _shape_of(script) == _shape_of(reference)  # the same statements and calls: nothing injected
    assert _data_default(script) == run.source_name  # each name reads back exactly
    assert _constant(script, "SPEC") == run.data_spec


@pytest.mark.parametrize("name", [*HOSTILE_NAMES, HOSTILE_FILE], ids=range(len(HOSTILE_NAMES) + 1))
def test_any_file_or_column_name_enters_the_script_as_a_literal(hostile_and_plain_runs, name):
    _, (plain, _) = hostile_and_plain_runs
    spec = plain.data_spec
    named = dataclasses.replace(spec, time_columns=(name,), features=(name, *spec.features[1:]),
                                targets=(*spec.targets[:-1], name))  # fmt: skip
    _assert_names_are_only_literals(dataclasses.replace(plain, source_name=name, data_spec=named), plain)


names = st.text(st.characters(exclude_categories=()), max_size=40)  # surrogates and controls included


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=names, columns=st.lists(names, min_size=1, max_size=3))
def test_generated_names_compile_to_the_same_code(hostile_and_plain_runs, source, columns):
    _, (plain, _) = hostile_and_plain_runs
    spec = DataSpec(time_columns=(columns[0],), features=tuple(columns), targets=tuple(columns[::-1]))
    reference = DataSpec(time_columns=("t",), features=tuple(f"c{k}" for k in range(len(columns))),
                         targets=tuple(f"c{k}" for k in reversed(range(len(columns)))))  # fmt: skip
    _assert_names_are_only_literals(
        dataclasses.replace(plain, source_name=source, data_spec=spec), dataclasses.replace(plain, data_spec=reference)
    )


def _run_script(folder: Path, run: Run, data_path: Path, data: bytes) -> tuple[list[str], set[Path]]:
    """The script's output lines and the files it created, run with no arguments from ``folder``."""
    (folder / data_path).parent.mkdir(parents=True, exist_ok=True)
    (folder / data_path).write_bytes(data)
    (folder / f"{file_stem(run)}.safetensors").write_bytes(save_model(run)[0])
    (folder / f"{file_stem(run)}.py").write_text(make_script(run), encoding="utf-8")
    before = set(folder.rglob("*"))
    done = subprocess.run([sys.executable, f"{file_stem(run)}.py"], cwd=folder, capture_output=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})  # fmt: skip
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done.stdout.decode().splitlines(), set(folder.rglob("*")) - before


def test_the_script_for_hostile_names_runs_and_prints_the_plain_names_metrics(hostile_and_plain_runs, tmp_path):
    (run, data), (plain, plain_data) = hostile_and_plain_runs
    # the script's default path is the upload's name, "/" and all: the data lies where that path points
    hostile_lines, hostile_created = _run_script(tmp_path / "hostile", run, Path(HOSTILE_FILE), data)
    plain_lines, plain_created = _run_script(tmp_path / "plain", plain, Path(PLAIN_FILE), plain_data)
    assert hostile_created == plain_created == set()  # no name wrote a file: nothing ran but the script
    assert len(hostile_lines) == len(plain_lines) == len(run.target_names) == len(HOSTILE_NAMES)
    for k, (line, plain_line, name) in enumerate(zip(hostile_lines, plain_lines, run.target_names, strict=True)):
        assert line.startswith(f"{visible(name)}: ") and plain_line.startswith(f"c{k}: ")  # one line per name
        assert line.removeprefix(f"{visible(name)}: ") == plain_line.removeprefix(f"c{k}: ")
        assert re.fullmatch(r"\d+ test windows, test MAE [\d.]+, RMSE [\d.]+, MAPE [\d.]+%, MASE [\d.]+",
                            plain_line.removeprefix(f"c{k}: "))  # fmt: skip


def test_settings_become_plain_literals_or_are_refused():
    assert _literal(np.str_("a'b")) == repr("a'b") and _literal(np.int64(3)) == "3"
    assert _literal(np.float64(0.25)) == "0.25" and _literal(("x",)) == "('x',)" and _literal(()) == "()"
    assert _literal(Transform.LEVELS) == "Transform.LEVELS"
    for value in (float("nan"), object(), [1]):
        with pytest.raises(TypeError, match="no literal"):
            _literal(value)
