"""The Train page driven by widget key: training on the built-in data, the runs table, picking a run."""

from __future__ import annotations

import copy
import json

import pytest
from streamlit.testing.v1 import AppTest

from lstmlab.config import Optimizer
from lstmlab.runs import RUNS_DATA, RUNS_SHOWN, loss_texts
from tests.app_support import TRAINED, open_app

EPOCHS = TRAINED["epochs"]


@pytest.fixture(scope="module")
def trained(trained_session) -> AppTest:
    assert TRAINED["h_size"] == 16  # the parameter count below
    return trained_session


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
    assert trained.success[0].value.startswith(f"Run 1: H=16, {EPOCHS} epochs on airline-passengers.csv")
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
    first, *_, last = trained.session_state.runs
    assert last.history.train_loss == first.history.train_loss


def test_stop_keeps_the_model_trained_so_far(trained):
    """Stop's callback turns the in-progress checkpoint into a run (here the checkpoint is planted)."""
    trained.switch_page("pages/train.py").run()
    run = trained.session_state.runs[0]
    in_progress = type(run)(**{**vars(run), "number": 99, "history": copy.copy(run.history)})
    trained.session_state.training = (in_progress, trained.session_state.run_sources[run.source_digest])
    trained.button(key="train_stop").click().run()
    assert not trained.exception
    stopped = trained.session_state.runs[-1]
    assert stopped.number == 99 and "Stopped by the user" in stopped.history.stopped
    assert "training" not in trained.session_state


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
    assert not trained.exception
    first, *_, last = trained.session_state.runs
    assert (last.train_config.optimizer, last.train_config.momentum) == (Optimizer.SGD, 0.5)
    assert last.model_config == first.model_config and first.train_config.optimizer is Optimizer.ADAM
    assert last.history.train_loss != first.history.train_loss  # same seed and model: only the optimizer differs
    trained.selectbox(key="optimizer").set_value(Optimizer.ADAM).run()
