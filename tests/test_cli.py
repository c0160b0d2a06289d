"""``python -m lstmlab fit``: the same numbers as the library pipeline, and status 2 on a file it cannot use."""

import io
import json
import math
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from lstmlab.cli import main
from lstmlab.config import ModelConfig, TrainConfig, Transform, WindowConfig
from lstmlab.data import DataError, read_table
from lstmlab.metrics import evaluate_run, forecasts, model_predictions
from lstmlab.pipeline import build_run, season_for, train_run
from lstmlab.prepare import infer_spec, prepare_series
from lstmlab.safetext import visible
from tests.hostile import HOSTILE_NAMES, hostile_frame

ROOT = Path(__file__).resolve().parents[1]
AIRLINE = resources.files("lstmlab").joinpath("samples", "airline-passengers.csv")


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


def test_json_equals_evaluate_run_for_the_same_settings(tmp_path):
    path = tmp_path / "airline-passengers.csv"
    path.write_bytes(AIRLINE.read_bytes())
    status, out, err = run_cli("fit", str(path), "--epochs", "3", "--window", "6", "--horizon", "2", "--json")
    assert status == 0, err
    assert "epoch 3/3" in err  # the progress bar went to stderr
    got = json.loads(out)
    # the same pipeline, called directly with the app's defaults
    table = read_table(path.read_bytes(), path.name)
    series = prepare_series(table, infer_spec(table))
    window = WindowConfig(window=6, horizon=2)
    trained = train_run(build_run(series, window, ModelConfig(), TrainConfig(epochs=3)))
    run, splits = trained.run, trained.splits
    season = season_for(series, run)
    expected = evaluate_run(
        run,
        series.values,
        splits,
        season,
        table=forecasts(run, series.values, splits, season, model_predictions(run, splits)),
    )
    assert got["rows"] == 144 and got["targets"] == ["Passengers"]
    assert got["settings"]["window"] == 6 and got["settings"]["transform"] == "auto"
    assert got["settings"]["transform_used"] == run.scaler.target_transform.name.lower() == "window"
    assert got["settings"]["transform_reason"] == run.scaler.reason
    assert len(got["metrics"]) == len(expected) == 12
    forecasts_seen = [m["forecast"] for m in got["metrics"][:4]]
    assert forecasts_seen == ["model", "naive", "drift", f"seasonal naive (m={season})"]
    for row, (_, want) in zip(got["metrics"], expected.iterrows(), strict=True):
        assert (row["split"], row["forecast"], row["windows"]) == (want["split"], want["forecast"], want["windows"])
        for ours, theirs in (("MAE", "MAE"), ("RMSE", "RMSE"), ("MAPE", "MAPE %"), ("MASE", "MASE")):
            assert row[ours] == pytest.approx(want[theirs], rel=1e-12) or (
                row[ours] is None and math.isnan(want[theirs])
            )


def test_table_on_stdout_and_explicit_columns(tmp_path):
    path = tmp_path / "load.csv"
    path.write_text("date,load,temp\n" + "".join(f"2001-01-{d:02d},{50 + d % 7},{10 + d % 3}\n" for d in range(1, 31)))
    status, out, _ = run_cli("fit", str(path), "--target", "temp", "--features", "load", "--window", "4",
                             "--transform", "levels", "--epochs", "1")  # fmt: skip
    assert status == 0
    assert "auto" not in out.splitlines()[0] and "levels" in out.splitlines()[0]
    for split in ("train", "validation", "test"):
        assert split in out
    assert "drift" in out and "seasonal naive" in out and "temp" in out


@pytest.mark.parametrize("content", [b"a,b\n", b"", b"x;y\nfoo;bar\n"])
def test_a_file_it_cannot_use_exits_2_with_the_apps_message(tmp_path, content):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(DataError) as app_error:
        read_table(content, "bad.csv")
    done = subprocess.run([sys.executable, "-m", "lstmlab", "fit", str(path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert str(app_error.value) in done.stderr


def test_settings_the_series_cannot_take_exit_2(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("v\n" + "\n".join(str(i * i % 7) for i in range(10)) + "\n")
    status, out, err = run_cli("fit", str(path), "--window", "30")
    assert status == 2 and out == "" and "no training windows" in err
    status, _, err = run_cli("fit", str(path), "--target", "nope")
    assert status == 2 and "'nope'" in err


def test_transform_names_map_to_the_enum():
    from lstmlab.cli import TRANSFORMS

    assert set(TRANSFORMS.values()) == set(Transform)


def test_json_equals_the_predictions_pages_table_for_the_same_file_and_settings(tmp_path):
    from tests.app_support import finish_training, open_app

    data = (ROOT / "tests" / "data" / "monthly-shampoo-sales.csv").read_bytes()
    path = tmp_path / "monthly-shampoo-sales.csv"
    path.write_bytes(data)
    status, out, err = run_cli("fit", str(path), "--epochs", "3", "--json")  # the default window: the app's
    assert status == 0, err
    got = json.loads(out)
    at = open_app()
    at.file_uploader(key="upload").set_value((path.name, data, "text/csv")).run()
    at.switch_page("pages/windows.py").run()
    assert at.number_input(key="window").value == got["settings"]["window"]  # CLI and app pick the same default
    at.switch_page("pages/train.py").run()
    at.number_input(key="epochs").set_value(3)
    at.button(key="train_start").click().run()
    finish_training(at)
    at.switch_page("pages/predictions.py").run()
    assert not at.exception, at.exception
    page = next(df.value for df in at.dataframe if "forecast" in df.value.columns)  # the page's metrics table
    assert got["rows"] == 36 and len(got["metrics"]) == len(page) == 12
    assert got["settings"]["transform_used"] == at.session_state["runs"][0].scaler.target_transform.name.lower()
    for row, (_, want) in zip(got["metrics"], page.iterrows(), strict=True):
        assert (row["split"], row["forecast"], row["windows"]) == (want["split"], want["forecast"], want["windows"])
        for ours, theirs in (("MAE", "MAE"), ("RMSE", "RMSE"), ("MAPE", "MAPE %"), ("MASE", "MASE")):
            same = row[ours] == pytest.approx(want[theirs], rel=1e-9)
            assert same or (row[ours] is None and math.isnan(want[theirs]))


def test_the_default_window_is_the_apps_for_the_series(tmp_path):
    from lstmlab.window_fit import settings_for_series

    path = tmp_path / "quarterly.csv"
    years, quarters = [1990 + i // 4 for i in range(51)], [1 + i % 4 for i in range(51)]
    path.write_text("year,quarter,gdp\n" + "".join(f"{y},{q},{100 + 2 * i}\n" for i, (y, q) in
                                                  enumerate(zip(years, quarters, strict=True))))  # fmt: skip
    status, out, err = run_cli("fit", str(path), "--epochs", "1", "--json")
    assert status == 0, err
    got = json.loads(out)
    table = read_table(path.read_bytes(), path.name)
    series = prepare_series(table, infer_spec(table))
    assert got["rows"] == series.length == 51 and got["targets"] == ["gdp"]
    # quarterly (season 4), but 8 test rows leave a handful of windows (8 - 3 - 1 + 1 = 5) only up to window 3
    assert got["settings"]["window"] == settings_for_series(51, series.time).config.window == 3
    assert got["metrics"][3]["forecast"] == "seasonal naive (m=4)"  # the season from the quarterly time axis


def _hostile_file(folder: Path) -> Path:
    """The hostile series under a name with bidi and escape codes."""
    path = folder / "\u202eevil\x1b[2J <b>f $x$ \\N.csv"  # no "/": a file name
    path.write_bytes(hostile_frame(rows=60).to_csv(index=False).encode())
    return path


TARGETS = ("\u202eevil.csv\u202c", '"""\nopen("pwned", "w").write("x")\n"""', "a\u202eb")  # from HOSTILE_NAMES


def test_names_reach_the_terminal_visible_and_the_json_exact(tmp_path):
    path = _hostile_file(tmp_path)
    assert set(TARGETS) <= set(HOSTILE_NAMES)
    args = ("fit", str(path), "--target", *TARGETS, "--window", "4", "--epochs", "1")
    status, out, err = run_cli(*args)
    assert status == 0, err
    assert all(line.isprintable() for line in out.splitlines())  # no escape code, bidi mark or stray line break
    bar = err.replace("\x1b[K", "").replace("\r", "\n")  # the progress bar's own codes aside
    assert "epoch 1/1" in bar and all(line.isprintable() for line in bar.splitlines())
    first = out.splitlines()[0]
    assert first.startswith(f"{visible(path.name)}: 60 rows, targets {', '.join(map(visible, TARGETS))};")
    for name in TARGETS:
        assert sum(line.lstrip().startswith(visible(name)) for line in out.splitlines()[2:]) == 12  # its table rows
    status, out, _ = run_cli(*args, "--json")
    assert status == 0 and out.isascii()  # JSON escapes every name
    assert json.loads(out)["targets"] == list(TARGETS)  # names are data: exact in the JSON


def test_a_refused_file_is_named_visibly(tmp_path):
    path = tmp_path / "\u202eevil\x1b[2J.csv"
    path.write_bytes(b"")
    status, out, err = run_cli("fit", str(path))
    assert status == 2 and out == ""
    assert err.startswith(f"{visible(path.name)}: ") and "\\x1b[2J" in err and "\x1b" not in err
    status, _, err = run_cli("fit", str(tmp_path / "missing\u202e.csv"))
    assert status == 2 and "cannot be read" in err and err.rstrip("\n").isprintable()
