"""This session's training runs: kept as they train, picked for the Inspect and Predictions pages.

Runs live in ``st.session_state`` only, never in a cache shared between users.
"""

from __future__ import annotations

import streamlit as st

from pages import shared


def runs() -> list:
    """This session's training runs (``lstmlab.runs.Run``), oldest first.

    A run whose training was cut off by leaving the page (not by Stop) is kept too, as it was.
    """
    if checkpoint := st.session_state.pop("training", None):
        run, source = checkpoint
        run.history.stopped = (
            f"Interrupted during epoch {run.history.epochs_run + 1} (the page was left); "
            "the weights are those of that moment."
        )
        run.model.eval()
        add_run(run, source)
    return st.session_state.setdefault("runs", [])


def add_run(run, source: shared.Source) -> None:
    """Keep a finished run and the data it was trained on; it becomes the active run."""
    runs().append(run)
    st.session_state.setdefault("run_sources", {})[run.source_digest] = source
    st.session_state.active_run = run.number


def active_run():
    """The run the Inspect and Predictions pages show, or None before any training."""
    by_number = {run.number: run for run in runs()}
    if not by_number:
        return None
    return by_number.get(st.session_state.get("active_run"), runs()[-1])


def run_data(run):
    """(PreparedSeries, ScaledSeries, windows by split) exactly as the run was trained on."""
    from lstmlab.windows import window_splits

    source = st.session_state.run_sources[run.source_digest]
    series = shared.load_series(source, run.data_spec)
    scaled = shared.load_scaled(source, run.data_spec, run.window_config)
    return series, scaled, window_splits(scaled, run.window_config)
