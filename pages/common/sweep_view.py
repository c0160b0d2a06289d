"""The window sweep on the Compare page: one short run per window size (and hidden size), in the background.

The sweep (``lstmlab.sweep.run_sweep``) runs in a thread kept in this session's ``st.session_state``
(one per session), stopped through a ``threading.Event``; a fragment redraws its progress while it runs.
A finished point's run can be opened: it is kept as a session run, so Inspect and Predictions show it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from lstmlab.safetext import md, md_text
from pages.common import controls, runs, state

if TYPE_CHECKING:
    from lstmlab.sweep import SweepResult
    from lstmlab.sweep_run import Progress

KEY = "sweep"
REFRESH_SECONDS = 1.0
OPENABLE = ("done", "stopped", "diverged")


@dataclass
class SweepJob:
    """A sweep running (or ended) in a thread; the thread writes ``progress``, ``result`` and ``error`` only."""

    source: state.Source
    spec: object
    settings: list
    train: object  # the TrainConfig every run used
    stop: threading.Event = field(default_factory=threading.Event)
    progress: dict[int, Progress] = field(default_factory=dict)
    result: SweepResult | None = None
    error: str = ""
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


def window_sizes(low: int, high: int, count: int) -> list[int]:
    """``count`` window sizes spread evenly from ``low`` to ``high`` (fewer when the range is short)."""
    return sorted({int(v) for v in np.linspace(low, high, count).round()})


def start(job: SweepJob, values, targets, window, model, train, sizes, h_sizes) -> None:
    """Run the sweep in a daemon thread; its outcome lands on ``job`` (never raises in the thread)."""
    from lstmlab.sweep import run_sweep

    def work() -> None:
        try:
            job.result = run_sweep(values, targets, window, model, train, sizes, h_sizes or None,
                                   on_progress=lambda p: job.progress.__setitem__(p.index, p), stop=job.stop)
        except Exception as error:  # shown on the page; the session goes on
            job.error = f"{type(error).__name__}: {error}"

    job.thread = threading.Thread(target=work, name="lstmlab-sweep", daemon=True)
    job.thread.start()


def stop_sweep() -> None:
    if (job := st.session_state.get(KEY)) is not None:
        job.stop.set()


def sweep_form(length: int) -> tuple[list[int], list[int], int] | None:
    """The sweep's settings: window sizes, optional hidden sizes, epochs per run; None until Start."""
    top = max(2, min(length // 2, 400))
    left, middle, right = st.columns(3)
    low, high = left.slider("Window sizes from … to", 1, top, (min(4, top), min(24, top)), key="sweep_range")
    count = middle.number_input("How many window sizes", 2, 12, 3, key="sweep_count")
    epochs = right.number_input("Epochs per run", 1, 500, 10, key="sweep_epochs")
    h_sizes = st.multiselect("Hidden sizes (optional; empty = the Train page's)", controls.HIDDEN_SIZES,
                             key="sweep_h_sizes")
    sizes = window_sizes(int(low), int(high), int(count))
    st.caption(f"Window sizes: {', '.join(map(str, sizes))}; other settings as on the Windows and Train pages.")
    job = st.session_state.get(KEY)
    busy = job is not None and job.running
    pressed = st.button("Start the sweep", key="sweep_start", type="primary", disabled=busy)
    return (sizes, list(h_sizes), int(epochs)) if pressed else None


def launch(sizes: list[int], h_sizes: list[int], epochs: int) -> None:
    """Start a sweep on the session's data and settings (one per session)."""
    from lstmlab.config import ModelConfig, TrainConfig
    from lstmlab.sweep import settings_for

    if (job := st.session_state.get(KEY)) is not None and job.running:
        st.warning("A sweep is running: one per session. Stop it first.")
        return
    loaded = state.load_current_series()
    if loaded is None:
        return
    source, spec, series = loaded
    model = st.session_state.get("model_config", ModelConfig())
    train = replace(st.session_state.get("train_config", TrainConfig()), epochs=epochs)
    job = SweepJob(source, spec, settings_for(sizes, h_sizes, model), train)
    st.session_state[KEY] = job
    start(job, series.values, series.targets, state.current_window_config(), model, train, sizes, h_sizes)


def progress_lines(job: SweepJob) -> list[str]:
    """One line per setting: its window (and hidden size), then its outcome or the epoch it reached."""
    lines = []
    for i, setting in enumerate(job.settings):
        p = job.progress.get(i)
        name = f"window {setting.window}, H={setting.h_size}"
        if p is None:
            lines.append(f"- {name}: waiting")
        elif p.run is not None:
            lines.append(f"- {name}: **{p.run.status}**" + (f" ({md(p.run.reason, None)})" if p.run.reason else ""))
        else:
            val = f", validation loss {p.val_loss:.4g}" if p.val_loss is not None else ""
            lines.append(f"- {name}: epoch {p.epoch} of {p.epochs}{val}")
    return lines


def open_run(job: SweepJob, index: int) -> None:
    """Keep the sweep's run ``index`` as a session run (a button's callback): Inspect and Predictions show it."""
    from lstmlab.runs import Run, next_run_number

    swept = job.result.runs[index]
    series = state.load_series(job.source, job.spec)
    scaled = state.load_scaled(job.source, job.spec, swept.window_config)
    output_size = swept.window_config.horizon * len(series.targets)
    train = replace(job.train, epochs=swept.history.epochs_run)
    run = Run.create(
        number=next_run_number(runs.runs()), source_name=job.source.name, source_digest=job.source.digest,
        data_spec=job.spec, window_config=swept.window_config, model_config=swept.model_config, train_config=train,
        columns=series.columns, targets=series.targets, scaler=scaled.scaler,
        model=swept.model(len(series.columns), output_size), history=swept.history,
    )  # fmt: skip
    runs.add_run(run, job.source)
    st.session_state.sweep_opened = run.number


def show_result(job: SweepJob) -> None:
    """The MASE-against-window figure, skipped and failed settings with their reasons, and a point to open."""
    from lstmlab.figures.compare import sweep_figure

    table = job.result.table()
    st.caption(f"{len(table)} settings in {job.result.seconds:.1f} s, {job.result.workers or 1} worker(s) × "
               f"{job.result.threads_per_worker} thread(s) on {job.result.device}; seasonal naive with m = "
               f"{job.result.season}.")
    if table["status"].isin(OPENABLE).any():
        st.plotly_chart(sweep_figure(table), key="sweep_chart", width="stretch")
    st.dataframe(table, hide_index=True, key="sweep_table")
    for status in ("skipped", "failed", "not run", "diverged"):
        for _, row in table[table["status"] == status].iterrows():
            st.caption(f"Window {row['window']}, H={row['hidden']}: {status}. {md_text(row['reason'])}")
    openable = [i for i, r in enumerate(job.result.runs) if str(r.status) in OPENABLE and r.state is not None]
    if not openable:
        return
    pick_col, open_col = st.columns([3, 1], vertical_alignment="bottom")
    settings = job.result.runs
    index = pick_col.selectbox("Open a point's run", openable, key="sweep_open_pick", format_func=lambda i: (
        f"window {settings[i].setting.window}, H={settings[i].setting.h_size} ({settings[i].status})"))
    open_col.button("Open as a run", key="sweep_open", on_click=open_run, args=(job, index), width="stretch")
    if (number := st.session_state.get("sweep_opened")) is not None:
        st.success(f"Run {number} is kept from the sweep; it is the active run.")
        st.page_link("pages/inspect.py", label=f"Inspect run {number}", icon=":material/troubleshoot:")


def sweep_section() -> None:
    """Settings, Start/Stop, the progress (refreshed while running) and the result."""
    loaded = state.load_current_series()
    if loaded is None:
        return
    st.markdown("Train one short run per window size on the current data and settings, in parallel on this "
                "machine's cores, and see which window suits the series: validation and test MASE against the "
                "window, with the baselines as lines (below 1: better than the naive forecast on training).")
    if (picked := sweep_form(loaded[2].length)) is not None:
        launch(*picked)

    job = st.session_state.get(KEY)
    if job is not None and not job.running:
        st.session_state.sweep_shown = job  # this full run shows its result: the fragment need not rerun

    @st.fragment(run_every=REFRESH_SECONDS if job is not None and job.running else None)
    def progress() -> None:
        if job is None:
            return
        if job.running:
            st.markdown("**Sweep running**" + (" (stopping…)" if job.stop.is_set() else ""))
            st.markdown("\n".join(progress_lines(job)))
            st.button("Stop the sweep", key="sweep_stop", on_click=stop_sweep, disabled=job.stop.is_set(),
                      help="Runs not started are left out; runs in flight stop after their epoch; finished runs "
                           "are kept.")  # fmt: skip
            return
        if job.result is None and not job.error:
            return
        if st.session_state.get("sweep_shown") is not job:  # the sweep just ended: redraw the page with it
            st.session_state.sweep_shown = job
            st.rerun()

    progress()
    if job is not None and not job.running:
        if job.error:
            st.error(md_text(f"The sweep failed: {job.error}"))
        elif job.result is not None:
            show_result(job)
