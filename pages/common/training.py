"""Training in the background: one worker per session, its progress on every page, Stop from any page.

The worker (``lstmlab.train.start_fit``) lives in this session's ``st.session_state`` only, never in a
cache shared between sessions. Pages read it; only the worker changes the model. The sidebar fragment
refreshes itself while a worker runs, says the session is still watched (``touch``: a closed tab stops
the worker after the heartbeat) and hands the finished run to ``runs.add_run`` on the next full run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import streamlit as st

from lstmlab.safetext import md_text
from pages.common import state

if TYPE_CHECKING:  # torch loads with the pages that train (every page imports this module)
    from lstmlab.background import Training
    from lstmlab.replay import Replay
    from lstmlab.runs import Run, RunAtEpoch

KEY = "background"  # this session's Background, while its worker has not been collected
REFRESH_SECONDS = 1.5  # how often the progress fragment redraws itself while a worker runs
STOP_WAIT_SECONDS = 30.0  # a Stop waits this long for the current batch to end before the fragment takes over


@dataclass
class Background:
    """A run being trained off the script thread, with the replay recording its epochs."""

    run: Run  # its model belongs to the worker until the run is collected
    source: state.Source
    training: Training
    replay: Replay
    started: float = field(default_factory=time.monotonic)
    shown: tuple[int, object] | None = None  # (epoch, CPU model) last handed to a page


def current() -> Background | None:
    """This session's training, while it runs (or until its end is collected)."""
    return st.session_state.get(KEY)


def running() -> Background | None:
    """This session's training while it runs; one that has ended is kept (``collect``) and gives None."""
    collect()
    return current()


def refuse_second() -> bool:
    """True, with a message, when this session already trains a run (one training at a time)."""
    if (busy := running()) is None:
        return False
    st.warning(f"Run {busy.run.number} is still training: one training at a time per session. Stop it first "
               "(the Stop button here or in the sidebar), or wait for it to finish.")  # fmt: skip
    return True


def start(run: Run, source: state.Source, splits: dict) -> None:
    """Train ``run`` in the background (``refuse_second`` first: one training per session)."""
    from lstmlab.replay import Replay
    from lstmlab.train import start_fit

    replay = Replay(run.model)
    train_split, val_split = splits["train"], splits["validation"]
    training = start_fit(run.model, train_split.x, train_split.y, run.train_config,
                         val=(val_split.x, val_split.y), replay=replay)  # fmt: skip
    st.session_state[KEY] = Background(run, source, training, replay)
    st.session_state.setdefault("run_sources", {})[source.digest] = source  # pages rebuild its data mid-training
    st.session_state.pop("training_note", None)


def collect() -> Run | None:
    """Once the worker has ended: keep its run as the foreground path did, with its replay; else None."""
    background = current()
    if background is None:
        return None
    background.training.touch()  # every full run says the session is still there
    if not background.training.done:
        return None
    from pages.common import runs

    del st.session_state[KEY]
    run = background.run
    if (error := background.training.error) is not None:
        st.session_state.training_note = ("error", f"Run {run.number} failed and was not kept: {error}")
        return None
    run.history = background.training.result()
    runs.add_run(run, background.source)  # its weights move to the CPU
    st.session_state.replays = {run.number: background.replay}  # the latest run's only: memory
    best = run.history.best_loss
    kind = "warning" if "loss became" in run.history.stopped else "success"
    st.session_state.training_note = (
        kind, f"{run.label}: best validation loss {best:.4g} at epoch {run.history.best_epoch}. {run.history.stopped}"
    )
    st.toast(md_text(f"{run.label}: training ended; the run is kept."), icon=":material/check:")
    return run


def show_note() -> None:
    """How the last training ended (the Train page shows it until the next Start): plain text, shown as such."""
    if note := st.session_state.get("training_note"):
        kind, text = note
        {"success": st.success, "warning": st.warning, "error": st.error}[kind](md_text(text))


def stop() -> None:
    """Stop's callback: ask the worker to stop, wait for its batch to end, keep the run as of its finished epochs."""
    if (background := current()) is not None:
        background.training.stop()
        background.training.join(STOP_WAIT_SECONDS)
        collect()


def live_run() -> RunAtEpoch | None:
    """The run being trained as of its last finished epoch (a CPU copy), or None when nothing trains."""
    background = current()
    if background is None or background.training.done:
        return None
    snapshot = background.training.snapshot()
    if background.shown is None or background.shown[0] != snapshot.epoch:  # one copy per epoch, not per rerun
        background.shown = (snapshot.epoch, background.training.snapshot_model())
    from lstmlab.runs import RunAtEpoch

    latest = background.training.latest
    run = RunAtEpoch.of(background.run, background.shown[1], snapshot.epoch, background.run.train_config.epochs, True)
    if latest is not None:
        run.history = latest.history
    return run


def progress_text(background: Background) -> tuple[float, str]:
    """(fraction done, one line: epoch, losses, elapsed and an estimate of the time left)."""
    latest, total = background.training.latest, background.run.train_config.epochs
    elapsed = time.monotonic() - background.started
    if latest is None:
        return 0.0, f"Run {background.run.number}: epoch 1 of {total} running · {elapsed:.0f} s"
    val = f"{latest.val_loss:.4g}" if latest.val_loss is not None else "–"
    left = elapsed / latest.epoch * (total - latest.epoch)
    return latest.epoch / total, (
        f"Run {background.run.number}: epoch {latest.epoch} of {total} · train loss {latest.train_loss:.4g} · "
        f"validation {val} · {elapsed:.0f} s, about {left:.0f} s left"
    )


def sidebar_progress() -> None:
    """The training's progress and Stop in the sidebar, redrawn every ``REFRESH_SECONDS`` while it runs."""
    collect()  # a training that ended since the last run is kept (else the fragment would rerun forever)

    @st.fragment(run_every=REFRESH_SECONDS if current() is not None else None)
    def progress() -> None:
        background = current()
        if background is None:
            return
        background.training.touch()
        if background.training.done:
            st.rerun()  # a full run collects the run, so every page sees it
        fraction, text = progress_text(background)
        st.markdown("**Training**" + (" (stopping…)" if background.training.stopping else ""))
        st.progress(fraction, text=text)
        if (latest := background.training.latest) is not None:
            from lstmlab.figures.train import plot_losses

            history = latest.history
            fig = plot_losses(history.train_loss, history.val_loss, total_epochs=background.run.train_config.epochs)
            fig.update_layout(height=200, margin={"l": 0, "r": 0, "t": 10, "b": 0}, showlegend=False)
            st.plotly_chart(fig, key="sidebar_loss", width="stretch")
        stop_col, show_col = st.columns(2)
        stop_col.button("Stop", key="sidebar_stop", on_click=stop, width="stretch",
                        help="Ends training at once and keeps the run with the weights of its best finished "
                             "epoch, the ones training keeps; an epoch cut short is discarded.")
        if show_col.button("Show latest", key="sidebar_show", width="stretch",
                           help="Redraw this page with the latest finished epoch."):
            st.rerun()

    with st.sidebar:
        progress()
