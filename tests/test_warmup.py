"""The session's first Data run carries the Windows page's element kinds in a hidden popover, and no later run does."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from pages.common import style, warmup
from tests.app_support import open_app

WINDOWS_CHARTS = {"window_on_series": "warmup_series", "window_grid": "warmup_grid",
                  "window_transform": "warmup_transform", "batch_cube": "warmup_cube",
                  "batch_slices": "warmup_slices"}  # fmt: skip


def runs_of_a_session(titles: list[str]) -> None:
    """A session on the default sample whose router ends run i, on the page ``titles[i]``, with ``warmup.draw``."""
    import streamlit as st

    from pages.common import state, warmup

    ss = st.session_state
    ss.run = ss.get("run", -1) + 1
    source = state.current_source()
    ss.spec = state.current_spec(state.load_table(source))
    state.load_series(source, ss.spec)
    warmup.draw(titles[ss.run])


def session(titles: list[str]) -> AppTest:
    """The session after one run per title."""
    at = AppTest.from_function(runs_of_a_session, args=(titles,), default_timeout=60)
    for _ in titles:
        at.run()
        assert not at.exception, at.exception
    return at


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


def popovers(at: AppTest) -> list:
    return list(at.get("popover"))


@pytest.fixture(autouse=True)
def no_background_import(monkeypatch):
    monkeypatch.setenv("LSTMLAB_PRELOAD", "0")  # the background import is tested in test_preload.py


def test_the_app_s_first_run_carries_each_windows_element_kind_in_the_hidden_popover():
    at = open_app()
    assert sorted(charts(at)) == sorted(["data_chart", *WINDOWS_CHARTS.values()])
    (popover,) = popovers(at)
    assert popover.proto.popover.label == warmup.LABEL
    inside = {chart.proto.id.rsplit("-", 1)[-1] for chart in popover.get("plotly_chart")}
    assert inside == set(WINDOWS_CHARTS.values())  # drawn only while the component holds the popover open
    assert charts(at)["warmup_cube"]["data"][0]["type"] == "scatter3d"
    assert [latex.value for latex in popover.get("latex")] == [f"$$\n{warmup.FORMULA}\n$$"]
    assert at.number_input(key="warmup_number").disabled and at.slider(key="warmup_slider").disabled
    assert len(popover.get("tab")) == 1
    (opener,) = at.get("bidi_component")  # opens the popover once the learner is still, closes it once drawn
    assert opener.proto.component_name == "lstmlab_open_once"
    assert json.loads(opener.proto.json) == {"key": warmup.KEY, "label": warmup.LABEL, "charts": 5,
                                             "still_ms": warmup.STILL_MS}  # fmt: skip


def test_the_warm_up_draws_the_labels_the_windows_page_draws():
    warmed = charts(open_app())
    page = open_app()
    page.switch_page("pages/windows.py").run()
    assert not page.exception, page.exception
    shown = charts(page)
    assert not set(shown) & set(WINDOWS_CHARTS.values())  # the next run has no warm-up
    for key, warm_key in WINDOWS_CHARTS.items():
        assert labels(warmed[warm_key]) == labels(shown[key]), key
    assert labels(shown["batch_cube"])[1][2] == ["Passengers"]  # the series' feature, not a placeholder


def test_only_the_session_s_first_run_carries_it():
    at = session(["Data", "Data"])
    assert not charts(at) and not popovers(at)


def test_a_session_that_opens_on_another_page_never_carries_it():
    at = session(["Windows", "Data"])
    assert not charts(at) and not popovers(at)
    assert not charts(session(["Windows"]))


def test_the_style_sheet_hides_the_container_and_the_popover_s_body_by_their_names():
    assert f".st-key-{warmup.KEY} {{" in style.STYLE
    assert f'[data-testid="stPopoverBody"][aria-label="{warmup.LABEL}"] {{' in style.STYLE
