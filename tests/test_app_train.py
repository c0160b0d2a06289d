"""The Train page driven by widget key: training on the built-in data (in the background), the runs table,
picking a run, Stop and a second Start while a run trains, and the other pages mid-training."""

from __future__ import annotations

import json
import time

import pytest
import torch
from streamlit.testing.v1 import AppTest

from lstmlab.config import Optimizer
from lstmlab.runs import RUNS_DATA, RUNS_SHOWN, loss_texts
from lstmlab.safetext import md_text
from tests.app_support import TRAINED, finish_training, open_app, training_worker
from tests.hostile_checks import rendered

EPOCHS = TRAINED["epochs"]


@pytest.fixture(scope="module")
def trained(trained_session) -> AppTest:
    assert TRAINED["h_size"] == 16  # the parameter count below
    return trained_session


def run_caption(at) -> str:
    """The caption naming the run shown, as a reader sees it (the first caption is the journey line)."""
    return next(rendered(c.value) for c in at.caption if c.value.startswith("**Run"))


def test_the_page_shows_the_model_before_training():
    at = open_app()
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert at.info[0].value.startswith("No run yet")
    assert any("SimpleLSTM(" in code.value and "nn.LSTM" not in code.value for code in at.code)
    # H=64, F=1: 4H(F+H) + 8H LSTM weights and biases, then the Linear layer 64 -> 1
    assert "17,217 parameters" in at.expander[0].label
    assert at.selectbox(key="device").value == "cpu"


def test_training_keeps_a_run_and_reports_it(trained):
    runs = trained.session_state.runs
    assert len(runs) == 1 and runs[0].history.epochs_run == EPOCHS
    assert trained.success[0].value.startswith(md_text(f"Run 1: H=16, {EPOCHS} epochs on airline-passengers.csv"))
    frame = next(df for df in trained.dataframe if "best val loss" in df.value.columns)
    table, row = frame.value, frame.value.iloc[0]
    assert tuple(table.columns) == RUNS_SHOWN + RUNS_DATA
    assert row["model"] == "LSTM H 16 × 1, zeros" and row["time"].endswith(" s, cpu")
    assert row["best / epochs"] == f"{runs[0].history.best_epoch} / {EPOCHS}"
    best = min(runs[0].history.val_loss)
    assert row["best val loss"] == loss_texts([best])[0] and float(row["best val loss"]) == pytest.approx(best, 1e-3)
    config = json.loads(frame.proto.columns)
    widths = [config[name]["width"] for name in RUNS_SHOWN]
    assert sum(widths) <= 818  # the page's width in a 1280 px window beside the sidebar (measured in chromium)
    assert any(c.proto.id.endswith("loss_chart") for c in trained.get("plotly_chart"))


def test_a_second_run_becomes_active_and_the_first_can_be_picked(trained):
    trained.select_slider(key="h_size").set_value(8)
    trained.number_input(key="epochs").set_value(2).run()
    trained.button(key="train_start").click().run()
    finish_training(trained)
    assert [run.number for run in trained.session_state.runs] == [1, 2]
    assert trained.selectbox(key="active_run_pick").value == 2
    trained.selectbox(key="active_run_pick").set_value(1).run()
    assert trained.session_state.active_run == 1
    trained.switch_page("pages/predictions.py").run()
    assert not trained.exception
    assert any("Run 1" in c.value for c in [*trained.caption, *trained.markdown])


def test_same_seed_same_run(trained):
    trained.switch_page("pages/train.py").run()
    trained.select_slider(key="h_size").set_value(16)
    trained.number_input(key="epochs").set_value(EPOCHS).run()
    trained.button(key="train_start").click().run()
    finish_training(trained)
    first, *_, last = trained.session_state.runs
    assert last.history.train_loss == first.history.train_loss


def test_the_optimizer_box_trains_with_sgd_and_keeps_its_momentum(trained):
    trained.switch_page("pages/train.py").run()
    assert trained.selectbox(key="optimizer").value is Optimizer.ADAM
    assert trained.number_input(key="momentum").disabled and trained.number_input(key="weight_decay").disabled
    trained.selectbox(key="optimizer").set_value(Optimizer.SGD).run()
    assert not trained.number_input(key="momentum").disabled and trained.number_input(key="weight_decay").disabled
    trained.select_slider(key="h_size").set_value(16)
    trained.number_input(key="epochs").set_value(4)
    trained.number_input(key="momentum").set_value(0.5).run()
    trained.button(key="train_start").click().run()
    finish_training(trained)
    assert not trained.exception
    first, *_, last = trained.session_state.runs
    assert (last.train_config.optimizer, last.train_config.momentum) == (Optimizer.SGD, 0.5)
    assert last.model_config == first.model_config and first.train_config.optimizer is Optimizer.ADAM
    assert last.history.train_loss != first.history.train_loss  # same seed and model: only the optimizer differs
    trained.selectbox(key="optimizer").set_value(Optimizer.ADAM).run()


def wait_for_epoch(at: AppTest, epoch: int, timeout: float = 120) -> int:
    """Wait until the session's background training has finished ``epoch``; returns its latest epoch."""
    worker, deadline = training_worker(at), time.monotonic() + timeout
    while (worker.latest is None or worker.latest.epoch < epoch) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker.latest is not None and worker.latest.epoch >= epoch, "training did not reach that epoch"
    return worker.latest.epoch


@pytest.fixture
def long_training() -> AppTest:
    """A session training a small model for up to 1000 epochs (no early stopping), past its second epoch."""
    at = open_app()
    at.switch_page("pages/train.py").run()
    at.select_slider(key="h_size").set_value(8)
    at.number_input(key="epochs").set_value(1000)
    at.number_input(key="patience").set_value(0)
    at.button(key="train_start").click().run()
    assert not at.exception and training_worker(at) is not None
    wait_for_epoch(at, 2)
    yield at
    if (worker := training_worker(at)) is not None:  # never leave a thread behind
        worker.stop()
        worker.join(60)


def test_training_runs_in_the_background_and_a_second_start_is_refused(long_training):
    at = long_training
    worker = training_worker(at)
    assert not worker.done and worker.thread_name.startswith("lstmlab-training-")
    assert "Training in the background" in at.info[0].value
    at.button(key="train_start").click().run()  # a second Start while the first trains
    assert not at.exception
    assert "still training: one training at a time" in at.warning[0].value
    assert training_worker(at) is worker and not at.session_state.runs
    progress = list(at.sidebar.get("progress"))
    assert progress and "epoch" in progress[0].proto.text and "s left" in progress[0].proto.text


def test_other_pages_show_the_latest_epoch_and_stop_there_keeps_the_run(long_training):
    at = long_training
    worker = training_worker(at)
    at.switch_page("pages/inspect.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = run_caption(at)
    epoch = int(shown.split("epoch ")[1].split(" of")[0])
    assert "of 1000, training…" in shown and 2 <= epoch <= worker.latest.epoch
    assert not any("failed" in e.value for e in at.error)
    at.switch_page("pages/predictions.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("of 1000, training…" in rendered(c.value) for c in at.caption)
    at.sidebar.button(key="sidebar_stop").click().run()  # Stop from another page
    assert not at.exception, [e.value for e in at.exception]
    assert worker.done and training_worker(at) is None
    run = at.session_state.runs[-1]
    assert 2 <= run.history.epochs_run < 1000
    assert run.history.stopped.startswith("Stopped by the user")
    replay = at.session_state.replays[run.number]
    assert replay.epochs[-1] == run.history.epochs_run  # every finished epoch kept, none after
    kept = replay.state(run.history.best_epoch)  # Stop keeps the weights fit keeps: the best finished epoch's
    assert all(torch.equal(value, kept[name]) for name, value in run.model.state_dict().items())
    assert not any("training…" in rendered(c.value) for c in at.caption)  # the page now shows the kept run
