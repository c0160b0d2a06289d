"""Window sweep: per-setting runs scored like the Predictions page, in a pool or one after another."""

import math
import threading
from importlib import resources

import numpy as np
import pytest

from lstmlab.config import ModelConfig, TrainConfig, Transform, WindowConfig
from lstmlab.data import read_table
from lstmlab.metrics import evaluate_run
from lstmlab.model import SimpleRNN, predict
from lstmlab.prepare import infer_spec, prepare_series
from lstmlab.runs import Run
from lstmlab.sweep import run_sweep, why_skipped
from lstmlab.sweep_pool import pool_size
from lstmlab.sweep_run import Setting, Status
from lstmlab.train import fit
from lstmlab.windows import scale_series, window_splits

WINDOW, MODEL = WindowConfig(), ModelConfig(h_size=8)
TRAIN = TrainConfig(epochs=3, patience=0, seed=2)


@pytest.fixture(scope="module")
def airline():
    data = resources.files("lstmlab").joinpath("samples", "airline-passengers.csv").read_bytes()
    table = read_table(data, "airline-passengers.csv")
    return prepare_series(table, infer_spec(table))


def _reference(series, window: int, h_size: int, season: int, transform: Transform = Transform.AUTO):
    """The same run trained and scored the app's way: fit, then metrics.evaluate_run on a Run."""
    config = WindowConfig(window=window, transform=transform)
    model_config = ModelConfig(h_size=h_size)
    scaled = scale_series(series.values, series.targets, config)
    splits = window_splits(scaled, config)
    model = SimpleRNN.from_config(1, window, 1, model_config, seed=TRAIN.seed)
    history = fit(model, splits["train"].x, splits["train"].y, TRAIN, val=(splits["validation"].x,
                                                                         splits["validation"].y))
    run = Run(1, "a", "d", None, config, model_config, TRAIN, series.columns, series.targets, scaled.scaler, model,
              history)
    table = evaluate_run(run, series.values, splits, season).set_index(["split", "forecast"])["MASE"]
    return table, model, splits


def test_one_after_another_scores_like_the_app_and_skips_with_a_reason(airline):
    seen = []
    result = run_sweep(airline.values, airline.targets, WINDOW, MODEL, TRAIN, [4, 30, 9], on_progress=seen.append,
                       workers=0, season=12)
    assert [r.status for r in result.runs] == [Status.DONE, Status.SKIPPED, Status.DONE]
    assert "leaves the validation split (22 rows) without a window" in result.runs[1].reason
    for run, window in ((result.runs[0], 4), (result.runs[2], 9)):
        table, model, splits = _reference(airline, window, 8, 12)
        assert run.metrics["model val"] == pytest.approx(table["validation", "model"], rel=1e-6)
        assert run.metrics["model test"] == pytest.approx(table["test", "model"], rel=1e-6)
        assert run.metrics["naive test"] == pytest.approx(table["test", "naive"], rel=1e-12)
        assert run.metrics["seasonal naive val"] == pytest.approx(table["validation", "seasonal naive (m=12)"])
        rebuilt = run.model(1, 1)  # the weights came back: the same predictions as the reference model
        np.testing.assert_allclose(predict(rebuilt, splits["test"].x, 1), predict(model, splits["test"].x, 1),
                                   rtol=1e-6)
        assert run.history.epochs_run == 3 and run.window_config.window == window
    epochs = [(p.index, p.epoch) for p in seen if p.run is None]
    assert epochs == [(0, 1), (0, 2), (0, 3), (2, 1), (2, 2), (2, 3)]
    assert [p.index for p in seen if p.run is not None] == [1, 0, 2]  # the skip is reported at once
    table = result.table()
    assert list(table.window) == [4, 30, 9] and list(table.status) == ["done", "skipped", "done"]
    assert math.isnan(table["model val MASE"][1]) and result.workers == 0 and result.season == 12


@pytest.mark.parametrize("transform", [Transform.LEVELS, Transform.WINDOW, Transform.DIFFERENCE])
def test_the_model_is_scored_in_original_units_for_every_transform(airline, transform):
    result = run_sweep(airline.values, airline.targets, WindowConfig(transform=transform), MODEL, TRAIN, [6],
                       workers=0, season=12)
    table, _, _ = _reference(airline, 6, 8, 12, transform)
    assert result.runs[0].window_config.transform is transform
    assert result.runs[0].metrics["model val"] == pytest.approx(table["validation", "model"], rel=1e-6)
    assert result.runs[0].metrics["model test"] == pytest.approx(table["test", "model"], rel=1e-6)


def test_the_pool_gives_the_same_runs_and_reports_every_epoch(airline):
    seen = []
    windows, sizes = [3, 6], [4, 8]
    pooled = run_sweep(airline.values, airline.targets, WINDOW, MODEL, TRAIN, windows, sizes, on_progress=seen.append,
                       workers=2, season=12)
    alone = run_sweep(airline.values, airline.targets, WINDOW, MODEL, TRAIN, windows, sizes, workers=0, season=12)
    assert pooled.workers == 2 and pooled.threads_per_worker >= 1
    assert [r.setting for r in pooled.runs] == [Setting(3, 4), Setting(3, 8), Setting(6, 4), Setting(6, 8)]
    for a, b in zip(pooled.runs, alone.runs, strict=True):
        assert a.status is Status.DONE
        assert a.metrics == pytest.approx(b.metrics, rel=1e-4)  # thread counts may reorder float sums
    for i in range(4):
        assert sorted(p.epoch for p in seen if p.index == i and p.run is None) == [1, 2, 3]
        assert sum(1 for p in seen if p.index == i and p.run is not None) == 1


def test_stop_keeps_finished_runs_and_leaves_the_rest(airline):
    stop = threading.Event()

    def on_progress(p):
        if p.index == 1 and p.epoch == 2:
            stop.set()

    train = TrainConfig(epochs=5, patience=0)
    result = run_sweep(airline.values, airline.targets, WINDOW, MODEL, train, [3, 4, 5, 6], on_progress=on_progress,
                       stop=stop, workers=0, season=12)
    assert [r.status for r in result.runs] == [Status.DONE, Status.STOPPED, Status.NOT_RUN, Status.NOT_RUN]
    assert result.runs[0].history.epochs_run == 5 and result.runs[1].history.epochs_run == 2
    assert result.runs[1].state is not None and result.runs[2].state is None
    with pytest.raises(ValueError, match="no weights"):
        result.runs[2].model(1, 1)


def test_a_stopped_pool_ends_early(airline):
    stop = threading.Event()
    stop.set()  # stopped before anything finished: in-flight runs end after one epoch, the rest never start
    train = TrainConfig(epochs=50, patience=0)
    result = run_sweep(airline.values, airline.targets, WINDOW, MODEL, train, [3, 4, 5, 6, 7, 8], stop=stop,
                       workers=2, season=12)
    assert all(r.status in (Status.STOPPED, Status.NOT_RUN) for r in result.runs)
    assert all(r.history.epochs_run < 50 for r in result.runs if r.history)


def test_a_diverging_run_is_marked_and_the_sweep_goes_on(airline):
    wild = TrainConfig(epochs=4, patience=0, lr=1e30, clip=0)
    result = run_sweep(airline.values, airline.targets, WINDOW, MODEL, wild, [3, 5], workers=0, season=12)
    assert [r.status for r in result.runs] == [Status.DIVERGED, Status.DIVERGED]
    assert all("loss became" in r.reason for r in result.runs)


def test_skip_reasons_and_pool_size():
    assert why_skipped(144, WindowConfig(window=12)) == ""
    assert "train split (100 rows)" in why_skipped(144, WindowConfig(window=100))
    assert "the test split (22 rows)" in why_skipped(144, WindowConfig(window=22, val_fraction=0.3))
    assert "fractions" in why_skipped(144, WindowConfig(val_fraction=0.6, test_fraction=0.4))
    assert "below 1" in why_skipped(144, WindowConfig(window=0))
    assert pool_size(8, cores=2) == 2 and pool_size(1, cores=16) == 1 and pool_size(20, cores=16) == 16


def test_workers_do_not_run_the_parents_main_script(tmp_path, monkeypatch):
    """Under Streamlit (and after an AppTest) ``__main__`` is the app or a page: a worker must not rerun it."""
    import sys
    import types

    script = tmp_path / "page.py"
    marker = tmp_path / "ran"
    script.write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    values = np.sin(np.arange(80, dtype=np.float32) / 4)[:, None]
    result = run_sweep(values, [0], WindowConfig(), ModelConfig(h_size=4), TrainConfig(epochs=1, device="cpu"),
                       [4, 5], workers=2)
    assert [run.status for run in result.runs] == [Status.DONE, Status.DONE]
    assert not marker.exists() and sys.modules["__main__"] is main


def test_the_app_s_main_module_is_skipped_by_workers(monkeypatch):
    """Streamlit installs a new ``__main__`` per run, outside the sweep's guard (another session's run, or the
    next AppTest run): the router names it ``__main__`` by its spec, so a worker started then skips it."""
    import sys
    from multiprocessing import spawn

    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])  # the run's module goes with the test
    monkeypatch.setenv("LSTMLAB_PRELOAD", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    assert sys.modules["__main__"].__file__ == str(ROOT / "app.py")  # the module the app's run made
    data = spawn.get_preparation_data("worker")
    assert data["init_main_from_name"] == "__main__" and "init_main_from_path" not in data


def test_a_run_the_pool_hands_over_after_stop_ends_at_once(monkeypatch):
    """Stop cancels no future (Python 3.11's pool, breaking after a cancel, leaves the other futures pending for
    good): a queued run still reaches a worker, which ends it before any training."""
    import queue

    from lstmlab import sweep_pool

    progress, stop = queue.Queue(), threading.Event()
    stop.set()
    monkeypatch.setattr(sweep_pool, "_worker", {"ctx": None, "progress": progress, "stop": stop})
    run = sweep_pool._pool_job(3, Setting(5, 4))
    assert run.status is Status.NOT_RUN and run.history is None and "stopped first" in run.reason
    assert progress.get_nowait() == (3, 0, 0, None) and progress.empty()  # its last report, as after a run
