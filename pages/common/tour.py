"""What the Tour page walks on: the active run and its data, or before any training the current series."""

from __future__ import annotations

import streamlit as st

from lstmlab.config import Cell, ModelConfig
from lstmlab.safetext import md_text
from lstmlab.tour_steps import TourContext
from pages.common import runs, state


def tour_context() -> TourContext | None:
    """The tour's context (window 0, last time step), or None after showing why there is none."""
    run = runs.active_run()
    if run is not None and run.model_config.cell is not Cell.LSTM:
        st.info(f"The tour walks the tutorial's LSTM, and {md_text(run.label)} is a {run.model_config.cell.name}: its "
                "gates and states differ. Pick an LSTM run on the Train page for the tour; see this run on Inspect, "
                "or set it beside an LSTM on Compare.")
        st.page_link("pages/compare.py", label="Compare cells", icon=":material/compare_arrows:")
        return None
    if run is not None:
        try:
            data = runs.run_data(run)
        except ValueError as err:
            st.error(md_text(f"The data of {run.label} cannot be rebuilt: {err}"))
            return None
        return TourContext(run.source_name, data.series, data.scaled, run.window_config, data.splits,
                           run.model_config, run)
    loaded = state.load_current_series()
    if loaded is None:
        return None
    from lstmlab.windows import window_splits

    source, spec, series = loaded
    config = state.current_window_config()
    try:
        scaled = state.load_scaled(source, spec, config)
    except ValueError as err:
        st.error(md_text(err))
        st.page_link("pages/windows.py", label="Fix it on the Windows page", icon=":material/view_week:")
        return None
    model_config = st.session_state.get("model_config", ModelConfig())  # what the Train page would build
    return TourContext(source.name, series, scaled, config, window_splits(scaled, config), model_config)


def move(delta: int, steps: int) -> None:
    """Previous/Next (a button's callback): the step picker moves, and the place is kept."""
    place = min(max(st.session_state.get("tour_step", 0) + delta, 0), steps - 1)
    st.session_state.tour_step = st.session_state.tour_place = place
