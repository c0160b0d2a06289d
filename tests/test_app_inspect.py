"""The Inspect page driven headless (AppTest) after training on the built-in airline series."""

import json
import re

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from lstmlab.config import Transform, WindowConfig
from lstmlab.data import read_table
from lstmlab.metrics import model_predictions
from lstmlab.prepare import prepare_series
from lstmlab.windows import window_splits
from tests.app_support import open_app, train_session
from tests.conftest import SAMPLES

PAGE = "pages/inspect.py"
CHARTS = {"inspect_pipeline", "inspect_chain", "inspect_cell_bars", "inspect_heatmaps", "inspect_paths",
          "inspect_saturation", "inspect_attribution", "inspect_gradient_norm", "inspect_errata_random"}


def _ok(at: AppTest) -> float:
    """No exception or error; returns the trace check's max difference shown on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    check = next(s.value for s in at.success if "vs nn.LSTM in full fp32" in s.value)
    assert "trace on cpu" in check and check.endswith("(tolerance 1e-05)")
    return float(re.search(r"= ([0-9.e+-]+) \(tolerance", check).group(1))


def _chart_keys(at: AppTest) -> set[str]:
    return {chart.proto.id.split("-")[-1] for chart in at.get("plotly_chart")}


def test_without_a_run_points_to_train():
    at = open_app()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "train a model first" in at.info[0].value
    assert at.get("page_link")[0].proto.page == "train"


@pytest.fixture(scope="module")
def one_layer(trained_session) -> AppTest:
    return trained_session.switch_page(PAGE).run()


def test_page_after_training(one_layer):
    at = one_layer
    assert _ok(at) < 1e-5
    assert _chart_keys(at) == CHARTS
    assert len(at.latex) == 9  # i, f, g, o, c_t, h_t, then summary → Linear → scaled → original units
    assert "Passengers" in at.caption[1].value  # under the journey line
    assert at.segmented_control(key="inspect_stage").value == "LSTM output"
    stage = next(m.value for m in at.markdown if m.value.startswith("**LSTM output**"))
    n_train = int(at.number_input(key="inspect_sample").max) + 1
    assert f"({n_train}, 12, 16)" in stage  # (B, window, H) as the module produced it


def _first_window(run) -> np.ndarray:
    """The rows the run's first training window covers, in original units, rebuilt from the sample file."""
    series = prepare_series(read_table((SAMPLES / "airline-passengers.csv").read_bytes(), "airline-passengers.csv"),
                            run.data_spec)
    return series.values[: run.window_config.window]  # the train split starts at row 0, stride 1


def test_prediction_equation_numbers_are_the_models_prediction(one_layer):
    at = one_layer
    run = at.session_state["runs"][-1]
    scaled_series = next(iter(at.session_state["_memo"]["scaled"].values()))
    train = window_splits(scaled_series, run.window_config)["train"]  # the run's windows, as the app builds them
    with torch.no_grad():
        scaled = float(run.model(train.x[:1])[0, 0, 0])  # (1, horizon, K) → first output, scaled
    original = float(model_predictions(run, {"train": train})["train"][0, 0, 0])  # the app's, original units
    assert run.scaler.target_transform is Transform.WINDOW  # auto on the airline series: the last value is added
    assert original == pytest.approx(float(_first_window(run)[-1, 0]) + scaled * run.scaler.scale[0], rel=1e-6)
    lines = [m.value.strip("$\n ") for m in at.latex]  # st.latex wraps its body in $$ … $$
    assert r"W_{\text{Linear}}" in lines[6] and r"\text{Passengers}" in lines[8]
    assert float(lines[7].rsplit("= ", 1)[1]) == pytest.approx(scaled, rel=1e-3, abs=1e-4)
    assert float(lines[8].rsplit("= ", 1)[1]) == pytest.approx(original, rel=1e-3)
    table = next(df for df in at.dataframe if "c_t" in df.value.columns)
    labels = {name: column.get("label") for name, column in json.loads(table.proto.columns).items()}
    assert labels["f"] == "f · forget gate" and labels["g"] == "g · cell candidate"  # the columns say which gate
    gates = next(m.value for m in at.markdown if "**forget gate**" in m.value)
    assert all(f"**{name}**" in gates for name in ("input gate", "forget gate", "cell candidate", "output gate"))


def _stage_table(at: AppTest):
    """The Shapes tab's value table: the one whose rows are named (a keyed st.dataframe has no id to find)."""
    return next(df.value for df in at.dataframe if str(df.value.index[0]).startswith(("t=", "row ", "window ")))


def test_shapes_table_names_its_rows_and_columns(one_layer):
    at = one_layer
    run = at.session_state["runs"][-1]
    at.segmented_control(key="inspect_stage").set_value("windows").run()
    table = _stage_table(at)
    assert list(table.columns) == list(run.columns)[:6]  # airline: one feature, "Passengers"
    assert list(table.index) == [f"t={t}" for t in range(len(table))]
    rows = _first_window(run)
    at.segmented_control(key="inspect_stage").set_value("series").run()
    series_table = _stage_table(at)
    assert list(series_table.columns) == ["Passengers"]
    np.testing.assert_allclose(series_table["Passengers"].to_numpy(), rows[: len(series_table), 0])
    text = " ".join(m.value for m in at.markdown)
    assert "traced batch, not a training batch" in text and f"batches of {run.train_config.batch_size}" in text
    assert "**summary** is the hidden state h of the last time step" in text
    at.segmented_control(key="inspect_stage").set_value("LSTM output").run()
    assert list(_stage_table(at).columns)[:2] == ["unit 0", "unit 1"]


def test_default_threshold_finds_units_and_resets_for_other_numbers(one_layer):
    at = one_layer
    for state in ("h", "c", "o"):
        at.selectbox(key="inspect_path_state").set_value(state).run()
        threshold = at.number_input(key="inspect_threshold").value
        found = next(c.value for c in at.caption if c.value.startswith("Units found:"))
        assert not found.startswith("Units found: none"), (state, threshold, found)
        units = [int(u) for u in re.findall(r"\d+", found.split(".")[0])]
        assert units and all(0 <= u < 16 for u in units)
    at.number_input(key="inspect_threshold").set_value(0.99).run()  # kept while the numbers stay the same
    assert at.number_input(key="inspect_threshold").value == 0.99
    at.selectbox(key="inspect_path_state").set_value("h").run()  # other numbers: the default again
    assert at.number_input(key="inspect_threshold").value != 0.99
    assert not next(c.value for c in at.caption if c.value.startswith("Units found:")).startswith("Units found: none")


def test_picking_sample_stage_and_cell(one_layer):
    at = one_layer
    windows = at.number_input(key="inspect_sample").max
    at.number_input(key="inspect_sample").set_value(windows).run()  # the last training window
    at.selectbox(key="inspect_split").set_value("test").run()  # fewer windows: the sample must be refitted
    assert _ok(at) < 1e-5
    assert at.number_input(key="inspect_sample").value <= at.number_input(key="inspect_sample").max
    at.slider(key="inspect_cell").set_value(0).run()
    at.segmented_control(key="inspect_stage").set_value("h_n").run()
    at.radio(key="inspect_attr_method").set_value("integrated gradients").run()
    at.slider(key="inspect_range").set_value((0, 2)).run()
    at.number_input(key="inspect_threshold").set_value(-1.0).run()
    assert _ok(at) < 1e-5
    n_test = int(at.number_input(key="inspect_sample").max) + 1
    assert any(f"(1, {min(n_test, 256)}, 16)" in m.value for m in at.markdown)  # h_n: (layers × D, B, H)
    assert "16 unit(s)" in next(c for c in at.get("plotly_chart") if c.proto.id.endswith("inspect_paths")).proto.spec


def test_two_layer_bidirectional():
    at = train_session(n_layers=2, bidirectional=True, h_size=8).switch_page(PAGE).run()
    assert _ok(at) < 1e-5
    assert at.selectbox(key="inspect_direction").options == ["forward", "backward"]
    at.selectbox(key="inspect_layer").set_value(1)
    at.selectbox(key="inspect_direction").set_value(1).run()
    assert _ok(at) < 1e-5
    assert _chart_keys(at) == CHARTS
    text = " ".join(m.value for m in at.markdown)
    assert "1 step of its own recurrence" in text and "forward half of the layer below" in text


@pytest.mark.parametrize("transform", [Transform.LEVELS, Transform.DIFFERENCE])
def test_predictions_on_the_page_are_the_apps_for_other_transforms(transform):
    """Caption and Linear-step equation in original units against metrics.model_predictions; the errata tab
    (rendered with the others) runs on the windows' last values without an error."""
    at = train_session(WindowConfig(transform=transform), epochs=2).switch_page(PAGE).run()
    assert _ok(at) < 1e-5
    run = at.session_state["runs"][-1]
    assert run.scaler.target_transform is transform
    scaled_series = next(iter(at.session_state["_memo"]["scaled"].values()))
    train = window_splits(scaled_series, run.window_config)["train"]
    original = float(model_predictions(run, {"train": train})["train"][0, 0, 0])  # window 0, next step
    actual = float(scaled_series.original[run.window_config.window, run.targets[0]])  # the raw series
    caption = next(c.value for c in at.caption if c.value.startswith("**Run"))
    assert f"predicted {original:.4g}, actual {actual:.4g}" in caption
    lines = [m.value.strip("$\n ") for m in at.latex]
    assert float(lines[8].rsplit("= ", 1)[1]) == pytest.approx(original, rel=1e-3)
    assert ("last value" in lines[8]) == (transform is Transform.DIFFERENCE)
    assert "inspect_errata_random" in _chart_keys(at)
