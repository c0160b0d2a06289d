"""Compare page: runs side by side on the same windows (LSTM, GRU, RNN), and a window-size sweep."""

import streamlit as st

from pages.common import compare_view, runs, sweep_view, training


def compare_page() -> None:
    st.title("Compare")
    st.caption("Why an LSTM? Set an LSTM, a GRU and a plain RNN trained on the same windows side by side; or sweep "
               "the window size to see which suits the series.")
    side, sweep = st.tabs(["Runs side by side", "Window sweep"])
    with side:
        compare_view.side_by_side(runs.runs())
    with sweep:
        sweep_view.sweep_section()


compare_page()
training.sidebar_progress()  # every page: the background training's progress and Stop
