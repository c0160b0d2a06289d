"""The first Data page waits for the browser's idle report, then warms the Windows page's element kinds unseen."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from pages.common import warmup
from tests.app_support import open_app


def keyed(elements) -> list[str]:
    return [e.key for e in elements if getattr(e, "key", None)]


def scene_axes(chart) -> dict:
    """Each 3D axis of a Plotly chart element: its title and tick labels (what the browser turns into triangles)."""
    scene = json.loads(chart.proto.spec)["layout"]["scene"]
    return {axis: (scene[axis]["title"]["text"], scene[axis].get("ticktext")) for axis in ("xaxis", "yaxis", "zaxis")}


def warm_up_after_the_report():
    """A session whose Data page has prepared the default sample, after the browser's idle report."""
    import streamlit as st

    from pages.common import state, warmup

    source = state.current_source()
    st.session_state.spec = state.current_spec(state.load_table(source))
    state.load_series(source, st.session_state.spec)
    st.session_state[warmup.IDLE] = True  # what the component's report sets (its callback)
    warmup.when_browser_idle()


def warm_up_keys(at: AppTest) -> list[str]:
    return [key for key in keyed(at.sidebar) + keyed(at.main) if key.startswith("warmup")]


def test_the_first_data_run_asks_the_browser_and_draws_nothing_yet():
    at = open_app()
    assert "browser_idle" in keyed(at.sidebar)  # the component that reports the browser idle
    assert not warm_up_keys(at) and at.session_state[warmup.STARTED] and warmup.IDLE not in at.session_state
    at.run()  # a second run before any report: the component is gone, nothing is drawn, the import starts
    assert "browser_idle" not in keyed(at.sidebar) and not warm_up_keys(at)


@pytest.fixture
def warmed(monkeypatch) -> AppTest:
    monkeypatch.setenv("LSTMLAB_PRELOAD", "0")  # the background import is tested in test_preload.py
    at = AppTest.from_function(warm_up_after_the_report, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def test_after_the_report_each_new_element_kind_is_drawn_once_and_disabled(warmed):
    charts = {chart.proto.id.rsplit("-", 1)[-1]: chart for chart in warmed.get("plotly_chart")}
    assert sorted(charts) == ["warmup_cube", "warmup_heatmap"]
    assert json.loads(charts["warmup_cube"].proto.spec)["data"][0]["type"] == "scatter3d"
    assert json.loads(charts["warmup_heatmap"].proto.spec)["data"][0]["type"] == "heatmap"
    assert [latex.value for latex in warmed.latex] == [f"$$\n{warmup.FORMULA}\n$$"]
    assert warmed.number_input(key="warmup_number").disabled and warmed.slider(key="warmup_slider").disabled
    assert len(warmed.tabs) == 1
    assert "browser_idle" not in keyed(warmed.main)  # the report is not asked for twice


def test_the_warm_up_cube_has_the_labels_the_windows_page_draws(warmed):
    page = open_app()
    page.switch_page("pages/windows.py").run()
    assert not page.exception, page.exception
    drawn = next(c for c in page.get("plotly_chart") if c.proto.id.endswith("-batch_cube"))
    warm = next(c for c in warmed.get("plotly_chart") if c.proto.id.endswith("-warmup_cube"))
    assert scene_axes(warm) == scene_axes(drawn)
    assert scene_axes(drawn)["yaxis"][1] == ["Passengers"]  # the series' feature, not a placeholder
