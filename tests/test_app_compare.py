"""The Compare page: an LSTM, a GRU and an RNN trained on the same windows, side by side; Inspect per cell."""

from __future__ import annotations

import pytest

from lstmlab.config import Cell, Transform, WindowConfig
from lstmlab.model import count_parameters
from tests.app_support import finish_training, train_session

SMALL = {"h_size": 8, "epochs": 2}


def table_with(at, column: str):
    """The page's dataframe that has ``column`` (AppTest finds dataframes by content, not by key)."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


@pytest.fixture(scope="module")
def three_cells():
    """One session with an LSTM (run 1), a GRU (run 2) and an RNN (run 3), all on the same windows."""
    at = train_session(WindowConfig(transform=Transform.LEVELS), **SMALL)  # levels: every page reads them back
    for cell in (Cell.GRU, Cell.RNN):
        at.selectbox(key="cell").set_value(cell)
        at.button(key="train_start").click().run()
        assert not at.exception, at.exception
        finish_training(at)
    return at


def test_compare_shows_three_cells_with_their_parameter_counts(three_cells):
    at = three_cells
    runs = at.session_state["runs"]
    assert [run.model_config.cell for run in runs] == [Cell.LSTM, Cell.GRU, Cell.RNN]
    at.switch_page("pages/compare.py").run()
    assert not at.exception, at.exception
    assert at.multiselect(key="compare_runs").value == [1, 2, 3]
    params = table_with(at, "matrices per layer")
    assert list(params["cell"]) == ["LSTM", "GRU", "RNN"]
    assert list(params["matrices per layer"]) == [4, 3, 1]
    assert list(params["parameters (counted)"]) == [count_parameters(run.model) for run in runs]
    # H=8, one feature: 4·(8·(1+8) + 2·8) = 352 for the LSTM, 3/4 and 1/4 of it, + Linear 8 + 1
    assert list(params["parameters (counted)"]) == [352 + 9, 264 + 9, 88 + 9]
    reach = table_with(at, "steps back")
    window = runs[0].window_config.window
    assert reach.groupby("run").size().tolist() == [window] * 3
    assert (reach[reach["steps back"] == 0]["relative to the last step"] == 1).all()
    metrics = table_with(at, "MASE")
    assert list(metrics["forecast"][:3]) == ["run 1 (LSTM)", "run 2 (GRU)", "run 3 (RNN)"]
    assert (metrics["split"] == "test").all()


def test_compare_refuses_runs_on_other_windows(three_cells):
    at = three_cells
    runs = at.session_state["runs"]
    at.switch_page("pages/compare.py").run()
    at.multiselect(key="compare_runs").set_value([1]).run()
    assert "at least two" in at.warning[0].value
    from dataclasses import replace

    runs[2].window_config = replace(runs[2].window_config, window=runs[2].window_config.window + 1)
    try:
        at.multiselect(key="compare_runs").set_value([1, 3]).run()
        assert not at.exception, at.exception
        assert "window settings differ" in at.warning[0].value
    finally:
        runs[2].window_config = runs[0].window_config


@pytest.mark.parametrize("number", [1, 2, 3])
def test_inspect_adapts_to_each_cell(three_cells, number):
    at = three_cells
    at.session_state["active_run"] = number
    at.switch_page("pages/inspect.py").run()
    assert not at.exception, at.exception
    cell = at.session_state["runs"][number - 1].model_config.cell
    states = at.selectbox(key="inspect_path_state").options
    assert ("c" in states) == (cell is Cell.LSTM)
    assert states[0] == "h"
    latex = " ".join(e.value for e in at.latex)
    assert ("c_t" in latex) == (cell is Cell.LSTM)
    if cell is Cell.RNN:
        assert any("no gates" in i.value for i in at.info)
    else:
        gates = set(table_with(at, "gate")["gate"])
        assert gates == ({"i", "f", "o"} if cell is Cell.LSTM else {"r", "z"})


@pytest.mark.parametrize("number", [2, 3])
def test_whatif_predictions_and_tour_work_for_gru_and_rnn(three_cells, number):
    at = three_cells
    at.session_state["active_run"] = number
    for page in ("pages/whatif.py", "pages/predictions.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    at.switch_page("pages/tour.py").run()
    assert not at.exception, at.exception
    assert any("tour walks the tutorial's LSTM" in i.value for i in at.info)


def test_a_sweep_of_three_windows_finishes_draws_and_opens_a_run(three_cells):
    at = three_cells
    at.switch_page("pages/compare.py").run()
    at.slider(key="sweep_range").set_value((4, 72))  # 38 and 72 leave a split without a window: skipped
    at.number_input(key="sweep_count").set_value(3)
    at.number_input(key="sweep_epochs").set_value(2)
    at.button(key="sweep_start").click().run()
    assert not at.exception, at.exception
    job = at.session_state["sweep"]
    job.thread.join(300)
    assert not job.running and not job.error, job.error
    at.run()
    assert not at.exception, at.exception
    table = job.result.table()
    assert list(table["window"]) == [4, 38, 72]
    assert list(table["status"]) == ["done", "skipped", "skipped"]
    assert all("without a window" in reason for reason in table["reason"][1:])
    assert at.get("plotly_chart")  # the sweep chart among the page's charts
    assert any("Window 72, H=8: skipped" in c.value for c in at.caption)
    before = len(at.session_state["runs"])
    at.selectbox(key="sweep_open_pick").set_value(0)
    at.button(key="sweep_open").click().run()
    assert not at.exception, at.exception
    kept = at.session_state["runs"]
    assert len(kept) == before + 1 and kept[-1].window_config.window == 4
    assert at.session_state["active_run"] == kept[-1].number
    at.switch_page("pages/inspect.py").run()
    assert not at.exception, at.exception


def test_a_stopped_sweep_keeps_what_finished_and_says_what_did_not_run(three_cells):
    at = three_cells
    at.switch_page("pages/compare.py").run()
    at.slider(key="sweep_range").set_value((4, 12))
    at.number_input(key="sweep_count").set_value(12)  # 9 window sizes: more than the pool takes at once
    at.number_input(key="sweep_epochs").set_value(200)
    at.button(key="sweep_start").click().run()
    job = at.session_state["sweep"]
    assert job.running
    at.button(key="sweep_stop").click().run()
    assert job.stop.is_set()
    job.thread.join(300)
    assert not job.running and not job.error, job.error
    at.run()
    assert not at.exception, at.exception
    statuses = {str(run.status) for run in job.result.runs}
    reasons = [(str(run.status), run.reason) for run in job.result.runs]
    assert statuses <= {"stopped", "not run", "done"} and statuses & {"stopped", "not run"}, reasons
    stopped = [run for run in job.result.runs if str(run.status) == "stopped"]
    assert all(run.history is None or run.history.epochs_run < 200 for run in stopped)  # None: torn down first
