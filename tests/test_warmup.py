"""The first Data page asks the browser for an idle report; the run it asks for warms the Windows page unseen."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from pages.common import warmup
from tests.app_support import open_app

WINDOWS_CHARTS = {"window_on_series": "warmup_series", "window_grid": "warmup_grid",
                  "window_transform": "warmup_transform", "batch_cube": "warmup_cube",
                  "batch_slices": "warmup_heatmap"}  # fmt: skip


def runs_of_a_session(titles: list[str], reports: list[bool]) -> None:
    """A session on the default sample whose router ends runs of the pages ``titles`` with ``warmup.start``; before
    run i, the browser's report has come when ``reports[i]`` (what the component's callback sets)."""
    import streamlit as st

    from pages.common import state, warmup

    ss = st.session_state
    ss.run = ss.get("run", -1) + 1
    source = state.current_source()
    ss.spec = state.current_spec(state.load_table(source))
    state.load_series(source, ss.spec)
    if reports[ss.run]:
        ss[warmup.IDLE] = True
    warmup.start(titles[ss.run])


def session(titles: list[str], reports: list[bool], runs: int | None = None) -> AppTest:
    """The session after ``runs`` of its runs (all of them by default)."""
    at = AppTest.from_function(runs_of_a_session, args=(titles, reports), default_timeout=60)
    for _ in titles[:runs]:
        at.run()
        assert not at.exception, at.exception
    return at


def keyed(at: AppTest) -> list[str]:
    return [e.key for e in at.main if getattr(e, "key", None)]


def charts(at: AppTest) -> dict[str, dict]:
    """Every Plotly chart the last run sent, by key, as the figure the browser draws."""
    return {chart.proto.id.rsplit("-", 1)[-1]: json.loads(chart.proto.spec) for chart in at.get("plotly_chart")}


def labels(figure: dict) -> list:
    """What Plotly turns into text for a figure: its axes' titles and tick labels (2D and 3D), trace names."""
    layout = figure["layout"]
    axes = {**layout, **layout.get("scene", {})}
    found = [(name, axis.get("title", {}).get("text"), axis.get("ticktext"))
             for name, axis in sorted(axes.items()) if name.startswith(("xaxis", "yaxis", "zaxis"))]  # fmt: skip
    return found + [trace.get("name") for trace in figure["data"]]


@pytest.fixture(autouse=True)
def no_background_import(monkeypatch):
    monkeypatch.setenv("LSTMLAB_PRELOAD", "0")  # the background import is tested in test_preload.py


def test_the_app_s_first_data_run_asks_the_browser_and_draws_nothing_yet():
    at = open_app()
    assert "browser_idle" in keyed(at)  # the component that reports the browser idle, after the page
    assert sorted(charts(at)) == ["data_chart"]
    assert at.session_state[warmup.STARTED] and warmup.IDLE not in at.session_state


def test_the_reported_run_draws_each_windows_element_kind_once_and_disabled():
    at = session(["Data", "Data", "Data"], [False, True, False], runs=2)
    assert at.session_state.run == 1
    assert "browser_idle" not in keyed(at) and warmup.IDLE not in at.session_state  # asked once, used once
    assert sorted(charts(at)) == sorted(WINDOWS_CHARTS.values())
    assert charts(at)["warmup_cube"]["data"][0]["type"] == "scatter3d"
    assert [latex.value for latex in at.latex] == [f"$$\n{warmup.FORMULA}\n$$"]
    assert at.number_input(key="warmup_number").disabled and at.slider(key="warmup_slider").disabled
    assert len(at.tabs) == 1
    at.run()  # the next run: the warm-up is gone
    assert not at.exception and at.session_state.run == 2 and not charts(at) and not at.latex


def test_no_report_no_warm_up_and_no_second_ask():
    """The learner moved first (the component then never reports): the next run asks nothing and draws nothing."""
    at = session(["Data", "Data"], [False, False])
    assert not keyed(at) and not charts(at)


def test_a_session_that_opens_on_another_page_is_never_asked():
    at = session(["Windows", "Data"], [False, False])
    assert not keyed(at) and not charts(at)


def test_a_report_that_lands_on_another_page_draws_nothing():
    at = session(["Data", "Windows"], [False, True])
    assert not charts(at) and warmup.IDLE not in at.session_state


def test_the_warm_up_draws_the_labels_the_windows_page_draws():
    warmed = charts(session(["Data", "Data"], [False, True]))
    page = open_app()
    page.switch_page("pages/windows.py").run()
    assert not page.exception, page.exception
    shown = charts(page)
    for key, warm_key in WINDOWS_CHARTS.items():
        assert labels(warmed[warm_key]) == labels(shown[key]), key
    assert labels(shown["batch_cube"])[1][2] == ["Passengers"]  # the series' feature, not a placeholder
