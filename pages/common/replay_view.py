"""The run a page shows: mid-training its last finished epoch, else the picked run at the epoch its replay slider picks.

Inspect, What if and Predictions call ``shown_run(page)`` where they used ``runs.active_run()``: every
chart they draw from ``run.model`` then shows that epoch. Play steps the slider through the kept
epochs from a fragment that reruns the page (the slider's value is set before the slider is drawn).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import streamlit as st

from pages.common import runs, training

if TYPE_CHECKING:
    from lstmlab.runs import Run

FINAL = "trained"  # the slider's last stop: the run's kept weights (the best epoch's, after early stopping)
PLAY_SECONDS = 1.0


def kept_replay(run: Run):
    """The replay recorded while ``run`` trained (kept for the latest trained run only), or None."""
    return st.session_state.get("replays", {}).get(run.number)


def shown_run(page: str) -> Run | None:
    """The run ``page`` shows; draws the epoch slider and Play when the run has a replay."""
    if (live := training.live_run()) is not None:
        return live
    run = runs.active_run()
    replay = None if run is None else kept_replay(run)
    if replay is None or len(replay.epochs) < 2:
        return run
    key, play_key = f"{page}_replay_epoch", f"{page}_replay_play"
    options = [*replay.epochs, FINAL]
    for widget in (key, play_key):  # a step of Play, set before its widget is drawn
        if (pending := st.session_state.pop(f"{widget}_next", None)) is not None:
            st.session_state[widget] = pending
    if st.session_state.get(key) not in options:
        st.session_state[key] = FINAL
    left, right = st.columns([6, 1], vertical_alignment="bottom")
    epoch = left.select_slider(
        "Training replay: epoch", options, key=key,
        format_func=lambda e: f"trained (best epoch {run.history.best_epoch})" if e == FINAL else str(e),
        help="The weights as they were at the end of each kept epoch (0: before training). Thinned evenly "
             "when a long training outgrows the replay's memory budget.",
    )  # fmt: skip
    if right.toggle("Play", key=play_key):
        play(key, play_key, options)
    if epoch == FINAL:
        return run
    from lstmlab.runs import RunAtEpoch

    return RunAtEpoch.of(run, replay.load(epoch), epoch, run.history.epochs_run)


def next_stop(options: list, current) -> object:
    """Where Play goes from ``current``: the next kept epoch, from ``FINAL`` back to the first."""
    at = options.index(current) if current in options else len(options) - 1
    return options[0] if options[at] == FINAL else options[at + 1]


def play(key: str, play_key: str, options: list) -> None:
    """Step the slider one kept epoch every ``PLAY_SECONDS`` (a full rerun each), stopping at the end."""
    st.session_state[f"{key}_drawn"] = time.monotonic()

    @st.fragment(run_every=PLAY_SECONDS)
    def step() -> None:
        if time.monotonic() - st.session_state.get(f"{key}_drawn", 0.0) < 0.8 * PLAY_SECONDS:
            return  # the page's own run, not a tick
        nxt = next_stop(options, st.session_state.get(key, FINAL))
        st.session_state[f"{key}_next"] = nxt
        if nxt == FINAL:
            st.session_state[f"{play_key}_next"] = False
        st.rerun()

    step()
