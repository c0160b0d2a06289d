"""The Inspect page driven headless (AppTest) after training on the built-in airline series."""

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_support import open_app, train_session

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
    assert len(at.latex) == 6  # i, f, g, o, c_t, h_t with the numbers filled in
    assert "Passengers" in at.caption[0].value
    assert at.segmented_control(key="inspect_stage").value == "LSTM output"
    stage = next(m.value for m in at.markdown if m.value.startswith("**LSTM output**"))
    n_train = int(at.number_input(key="inspect_sample").max) + 1
    assert f"({n_train}, 12, 16)" in stage  # (B, window, H) as the module produced it


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
