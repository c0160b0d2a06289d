"""The Predictions page's verdict: whether the model beats the baselines, why not in numbers, and one-click retries.

A retry trains a new run in the background (``training.start``), on the run's own data and settings with
the one change the finding calls for; it is kept like any run and shown here when it ends.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lstmlab.verdict import Retry, explain
from pages.common import runs, state, training


def start_retry(run, retry: Retry) -> None:
    """A retry button's callback: build the run through the shared pipeline and train it in the background."""
    from lstmlab.pipeline import build_run
    from lstmlab.runs import next_run_number

    if training.refuse_second():
        return
    source = st.session_state.run_sources[run.source_digest]
    series = state.load_series(source, run.data_spec)
    trained = build_run(series, retry.window_config, retry.model_config, retry.train_config, run.data_spec,
                        (source.name, source.digest), number=next_run_number(runs.runs()))  # fmt: skip
    training.start(trained.run, source, trained.splits)
    st.session_state.retry_started = (trained.run.number, retry.label)


def show(run, values, splits: dict, metrics: pd.DataFrame, table: dict, target: int = 0) -> None:
    """The verdict on the test split (the validation split when the test split has no windows)."""
    split = "test" if len(splits["test"]) else "validation"
    explanation = explain(run, values, splits, metrics, table, split=split, target=target)
    if explanation.beats is None:
        st.info(explanation.summary)
        return
    (st.success if explanation.beats else st.warning)(explanation.summary)
    mase = metrics[metrics.split == split].set_index("forecast")["MASE"]
    if mase.get("naive", 0) > 0:  # the yardstick: does the model beat repeating the last value?
        st.caption(f"Model / naive {split} MASE: {mase['model'] / mase['naive']:.3f} (below 1 beats repeating the "
                   "window's last value).")  # fmt: skip
    if explanation.findings:
        st.markdown("\n".join(f"- **{f.name}** ({f.value:.3g}): {f.sentence}" for f in explanation.findings))
    started = st.session_state.get("retry_started")
    if started is not None and training.current() is not None:
        st.info(f"Run {started[0]} is training in the background ({started[1].lower()}): follow it in the sidebar "
                "or on the Train page; it shows here when it ends.")  # fmt: skip
        st.page_link("pages/train.py", label="Go to the Train page", icon=":material/model_training:")
        return
    retries = explanation.retries
    for i, (column, retry) in enumerate(zip(st.columns(len(retries)) if retries else [], retries, strict=True)):
        column.button(retry.label, key=f"retry_{i}", on_click=start_retry, args=(run, retry), width="stretch",
                      help=f"Trains a new run with this one change, in the background (answers: {retry.answers}).")
