"""The What-if page and the training replay driven headless (AppTest) after training on the airline series.

The page's numbers are checked against the model run directly on the edited window (its forward pass,
not the trace the page draws), the untouched steps of the drawn chain against the untouched trace, and
the replayed epoch's predictions against the validation loss ``fit`` recorded at that epoch.
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pandas as pd
import pytest
import torch
from streamlit.testing.v1 import AppTest

from lstmlab.config import Transform, WindowConfig
from lstmlab.metrics import model_predictions
from lstmlab.whatif import Edit, ValueRange, read_grid, row_before, window_frame
from lstmlab.windows import SplitWindows, window_input
from pages.common.whatif_view import KEY, Editing, grid_frame
from tests.app_support import train_session
from tests.hostile_checks import markdown_read

PAGE = "pages/whatif.py"


@pytest.fixture(scope="module")
def page(trained_session) -> AppTest:
    at = trained_session.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_caption(at) -> str:
    """The caption naming the run shown (the first caption is the journey line), as a reader sees it."""
    return next(markdown_read(c.value)[0] for c in at.caption if c.value.startswith("**Run"))


def editing(at: AppTest) -> Editing:
    return at.session_state[KEY]


def shown_window(at: AppTest) -> tuple[SplitWindows, int]:
    """The split's windows and the window number the page shows."""
    run = at.session_state.runs[-1]
    windows = run_splits(at, run)[at.selectbox(key="whatif_split").value]
    return windows, int(at.number_input(key="whatif_sample").value)


def predicted(at: AppTest, values: np.ndarray) -> float:
    """The run's model on ``values`` (W, F) in original units: its next-step prediction, in original units.

    The input is built as the run's windows are (``window_input``, from the series row before the window) and
    turned back from the window's own last target value.
    """
    run = at.session_state.runs[-1]
    windows, n = shown_window(at)
    original = next(iter(at.session_state["_memo"]["scaled"].values())).original
    before = row_before(original, int(windows.target_rows[n]), run.window_config.window)
    x = window_input(run.scaler, values, run.targets, before)  # (1, W, F)
    with torch.no_grad():
        out = run.model(x).reshape(-1, len(run.targets))  # zeros initial states: the trained model's mode
    return float(run.scaler.inverse(out, run.targets, values[-1, list(run.targets)])[0, 0])


def chart(at: AppTest, key: str) -> dict:
    return json.loads(next(c.proto.spec for c in at.get("plotly_chart") if c.proto.id.endswith(key)))


def array(values) -> np.ndarray:
    """A trace's values from the chart's JSON (plotly writes numpy arrays as base64 ``bdata``)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def apply(at: AppTest, edit: Edit, **values) -> AppTest:
    at.selectbox(key="whatif_edit").set_value(edit)
    for key, value in values.items():
        at.number_input(key=f"whatif_{key}").set_value(value)
    at.button(key="whatif_apply").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_before_any_edit(page):
    ed = editing(page)
    assert ed.first_changed is None and np.array_equal(ed.values, ed.original)
    assert page.metric[0].value == f"{predicted(page, ed.original):.4g}"
    assert {c.proto.id.split("-")[-1] for c in page.get("plotly_chart")} >= {
        "whatif_prediction", "whatif_states", "whatif_gates", "whatif_attribution_untouched",
        "whatif_attribution_edited"}  # fmt: skip


def untouched_prediction(at: AppTest) -> float:
    """The page's untouched prediction, full precision, from its prediction chart."""
    return float(array(chart(at, "whatif_prediction")["data"][2]["y"])[0])


def test_the_untouched_prediction_is_the_apps_under_auto(page):
    run = page.session_state.runs[-1]
    assert run.scaler.target_transform is Transform.WINDOW  # auto on the airline series
    windows, n = shown_window(page)
    expected = model_predictions(run, {"x": windows})["x"][n, 0, 0]
    assert untouched_prediction(page) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("transform", [Transform.LEVELS, Transform.DIFFERENCE])
def test_the_untouched_prediction_is_the_apps_for_other_transforms(transform):
    at = train_session(WindowConfig(transform=transform), epochs=2).switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    run = at.session_state.runs[-1]
    assert run.scaler.target_transform is transform
    windows, n = shown_window(at)
    expected = model_predictions(run, {"x": windows})["x"][n, 0, 0]
    assert untouched_prediction(at) == pytest.approx(expected, rel=1e-6)
    at = apply(at, Edit.SPIKE, t=0, size=50.0)  # the first step: for differences, its change from the row before
    assert at.metric[0].value == f"{predicted(at, editing(at).values):.4g}"
    assert untouched_prediction(at) == pytest.approx(expected, rel=1e-6)


def test_a_spike_changes_the_cells_from_its_step_on_only(page):
    at = apply(page, Edit.SPIKE, t=6, size=80.0)
    ed = editing(at)
    changed = np.argwhere(ed.values != ed.original)
    assert changed.tolist() == [[6, 0]] and ed.values[6, 0] == ed.original[6, 0] + 80.0
    after, before = predicted(at, ed.values), predicted(at, ed.original)
    assert after != before and at.metric[0].value == f"{after:.4g}"
    assert at.metric[0].delta == f"{after - before:+.4g} vs untouched"
    states = [array(trace["y"]) for trace in chart(at, "whatif_states")["data"]]  # h, h edited, c, c edited
    for untouched, edited in (states[0], states[1]), (states[2], states[3]):
        assert len(untouched) == len(ed.values) and np.array_equal(untouched[:6], edited[:6])  # bitwise: the
        assert untouched[6] != edited[6]  # cells before the spike never saw it; the spiked one did
    assert "Edited from step **6**" in next(m.value for m in at.markdown if "Edited from" in m.value)


def test_far_out_values_are_kept_and_flagged_with_their_scaled_value(page):
    at = apply(page, Edit.LEVEL_SHIFT, t=10, size=1e4)
    run, ed = at.session_state.runs[-1], editing(at)
    assert ed.values[10, 0] > 1e4 and not at.error
    scaled = (ed.values[10, 0] - run.scaler.shift[0]) / run.scaler.scale[0]
    assert any(f"sees {scaled:.4g} after scaling" in markdown_read(w.value)[0] for w in at.warning)


def test_an_edit_the_model_cannot_hold_changes_nothing(page):
    before = editing(page).values.copy()
    at = apply(page, Edit.SPIKE, t=3, size=1e40)
    assert "Nothing was changed" in at.error[0].value and "overflows float32" in at.error[0].value
    assert np.array_equal(editing(at).values, before)


def test_copy_another_window_then_reset(page):
    at = apply(page, Edit.COPY, other=5)
    ed, run = editing(at), at.session_state.runs[-1]
    train = run_splits(at, run)["train"]
    original = next(iter(at.session_state["_memo"]["scaled"].values())).original  # (T, F) original units
    stop = int(train.target_rows[5])  # window 5 covers the rows just before its first target
    assert np.array_equal(ed.values, original[stop - run.window_config.window : stop])
    assert not np.array_equal(ed.values, ed.original)
    at.button(key="whatif_reset").click().run()
    ed = editing(at)
    assert np.array_equal(ed.values, ed.original) and not at.error
    assert at.metric[0].delta == "+0 vs untouched" and at.metric[0].value == f"{predicted(at, ed.original):.4g}"


@pytest.mark.parametrize("bad", ["abc", "", None, "nan", float("nan"), "inf", float("-inf")])
def test_a_bad_grid_cell_gets_a_message_and_changes_nothing(bad):
    """The grid's on_change path (``st.data_editor`` cannot be typed into from AppTest): edits → frame → check."""
    from lstmlab.config import Scaling
    from lstmlab.windows import Scaler

    original = np.arange(12, dtype=np.float64).reshape(6, 2)  # (W, F)
    scaler = Scaler.fit(Scaling.MINMAX, original)
    ed = Editing(("run", 1), original, original.copy())
    shown = window_frame(ed.values, ["a", "b"])
    ed.use(read_grid(grid_frame(shown, {2: {"b": bad}}), ed.values, scaler, ValueRange.of(original)))
    assert np.array_equal(ed.values, original)
    assert ed.message.startswith("Nothing was changed: Step 2, b:")
    ed.use(read_grid(grid_frame(shown, {2: {"b": "7.5"}}), ed.values, scaler, ValueRange.of(original)))
    assert ed.message == "" and ed.values[2, 1] == 7.5 and ed.first_changed == 2


def test_the_edited_window_downloads_as_csv(page):
    at = apply(page, Edit.ZERO)
    button = next(b for b in at.get("download_button") if b.proto.id.endswith("whatif_download"))
    assert button.proto.label.startswith("Download the edited window")
    ed = editing(at)
    frame = window_frame(ed.values, at.session_state.runs[-1].columns)
    assert (frame.iloc[:, 0] == 0).all()
    assert isinstance(pd.read_csv(pd.io.common.StringIO(frame.to_csv())), pd.DataFrame)


def test_the_replay_slider_gives_the_predictions_recorded_at_that_epoch(trained_session):
    at = trained_session.switch_page("pages/predictions.py").run()
    run = at.session_state.runs[-1]
    replay = at.session_state.replays[run.number]
    assert replay.epochs == list(range(run.history.epochs_run + 1))  # every epoch, and the initial weights
    for epoch in (1, 2):
        at.select_slider(key="pred_replay_epoch").set_value(epoch).run()
        assert not at.exception, [e.value for e in at.exception]
        assert any(f"epoch {epoch} of {run.history.epochs_run}, replayed" in markdown_read(c.value)[0]
                   for c in at.caption)
        memo = at.session_state["_memo"]["predictions"][(run.number, run.source_digest, epoch, False)]
        val = memo["validation"]  # (N, horizon, K) original units, from the page's model at that epoch
        validation = run_splits(at, run)["validation"]
        assert run.scaler.target_transform is Transform.WINDOW  # auto on the airline series
        scaled = (val - validation.last[:, None, :]) / run.scaler.scale[list(run.targets)]  # back to offsets
        y = validation.y.numpy().astype(np.float64)  # (N, horizon, K) scaled
        assert math.isclose(float(np.mean((scaled - y) ** 2)), run.history.val_loss[epoch - 1], rel_tol=1e-4)
    at.select_slider(key="pred_replay_epoch").set_value("trained").run()
    assert not any("replayed" in c.value for c in at.caption)


def run_splits(at: AppTest, run) -> dict:
    """The run's windows, rebuilt from the session's scaled series (the built-in data, never rescaled)."""
    from lstmlab.windows import window_splits

    scaled = next(iter(at.session_state["_memo"]["scaled"].values()))
    return window_splits(scaled, run.window_config)


def test_play_steps_through_the_kept_epochs_and_ends_on_the_trained_weights():
    from pages.common.replay_view import FINAL, next_stop

    options = [0, 2, 4, FINAL]
    assert [next_stop(options, e) for e in options] == [2, 4, FINAL, 0]  # from the trained weights: start over
    assert next_stop(options, 3) == 0  # an epoch no longer kept (thinned) counts as the end


def test_inspect_replays_an_epoch_with_that_epochs_weights(trained_session):
    at = trained_session.switch_page("pages/inspect.py").run()
    run = at.session_state.runs[-1]
    replay = at.session_state.replays[run.number]
    final = run_caption(at)
    at.select_slider(key="inspect_replay_epoch").set_value(0).run()  # the initial weights
    assert not at.exception, [e.value for e in at.exception]
    caption = run_caption(at)
    assert caption.startswith(f"Run {run.number}: H=16, epoch 0 of {run.history.epochs_run}, replayed")
    n = int(at.number_input(key="inspect_sample").value)
    x = run_splits(at, run)["train"].x[n : n + 1]  # (1, W, F) the inspected window
    with torch.no_grad():
        last = run_splits(at, run)["train"].last[n]  # (K,) the window's last value, original units
        expected = float(run.scaler.inverse(replay.load(0)(x).reshape(-1, 1), run.targets, last)[0, 0])
    assert f"predicted {expected:.4g}," in caption and caption != final
    assert any("vs nn.LSTM in full fp32" in s.value for s in at.success)  # the trace still checks out
