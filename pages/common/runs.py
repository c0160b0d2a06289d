"""This session's training runs: kept as they train, picked for the Inspect and Predictions pages.

Runs live in ``st.session_state`` only, never in a cache shared between users.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import streamlit as st

from lstmlab.runs import Run, keep_on_cpu
from pages.common import state

if TYPE_CHECKING:  # torch loads with the pages that train or predict
    from lstmlab.prepare import PreparedSeries
    from lstmlab.windows import ScaledSeries, SplitWindows


def runs() -> list[Run]:
    """This session's finished training runs, oldest first (a run still training is in ``training.current``)."""
    from pages.common import training

    training.collect()  # a background training that ended is kept before anyone reads the runs
    return st.session_state.setdefault("runs", [])


def add_run(run: Run, source: state.Source) -> None:
    """Keep a finished run (its weights on the CPU) and the data it was trained on; it becomes the active run."""
    runs().append(keep_on_cpu(run))
    st.session_state.setdefault("run_sources", {})[run.source_digest] = source
    st.session_state.active_run = run.number


def active_run() -> Run | None:
    """The run the Inspect and Predictions pages show, or None before any training."""
    by_number = {run.number: run for run in runs()}
    if not by_number:
        return None
    return by_number.get(st.session_state.get("active_run"), runs()[-1])


class RunData(NamedTuple):
    """A run's data as its model sees it."""

    series: PreparedSeries
    scaled: ScaledSeries  # scaled with the run's own scaler
    splits: dict[str, SplitWindows]
    rescaled: bool  # the data is not the model's training data: its scaler was not refitted on it


def run_data(run: Run) -> RunData:
    """The run's series, scaled and windowed as its model was trained (raises ``ValueError`` if it cannot be)."""
    from lstmlab.attach import scaled_for_run
    from lstmlab.windows import window_splits

    source = st.session_state.run_sources[run.source_digest]
    series = state.load_series(source, run.data_spec)
    fitted = state.load_scaled(source, run.data_spec, run.window_config)
    scaled, rescaled = scaled_for_run(series.values, fitted, run)
    return RunData(series, scaled, window_splits(scaled, run.window_config), rescaled)


def run_predictions(run: Run, splits: dict) -> dict:
    """The run's model on every window of ``splits`` (``metrics.model_predictions``), once per run and epoch.

    Keyed on the run's number, unique in a session (``next_run_number``), its data's digest, and the epoch
    of a run shown mid-training or replayed (``lstmlab.runs.RunAtEpoch``; None for the finished run).
    """
    from lstmlab.metrics import model_predictions

    return state.memo(
        "predictions", (run.number, run.source_digest, getattr(run, "epoch", None), getattr(run, "training", False)),
        lambda: model_predictions(run, splits),
        "Running the model on every window…",
    )  # fmt: skip


def runs_table_config() -> dict:
    """Column widths for the runs table (``describe_runs``) that add up to 815 px, the page's width in a
    1280 px window beside the sidebar: nothing is cut off on the right; a long text ends in "…"."""
    col = st.column_config
    return {
        "run": col.NumberColumn(width=40),
        "data": col.TextColumn(width=120, help="The table and the target column(s)"),
        "window": col.TextColumn(width=75, help="Window → horizon (steps in → steps ahead), and the stride"),
        "model": col.TextColumn(width=105, help="Hidden size H × layers, bidirectional, initial states"),
        "lr · batch · loss": col.TextColumn(width=115, help="Learning rate, batch size, loss"),
        "best / epochs": col.TextColumn(width=90, help="The epoch with the best validation loss / epochs run"),
        "best val loss": col.TextColumn(width=95, help="4 significant digits, more where two runs would read the "
                                                       "same; scientific below 0.001"),
        "time": col.TextColumn(width=80, help="Training time in seconds, and the device"),
        "note": col.TextColumn(width=95, help="Why training ended before its last epoch"),
    }
