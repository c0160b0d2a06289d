"""While the learner reads the first Data page: get the browser and the server ready for the Windows page.

Measured in chromium (benchmark row 5d), the first visit of the Windows page took 0.7 s longer than later ones,
almost all of it in the browser meeting element kinds the Data page does not use: Plotly's first 3D chart (it
compiles its WebGL code and shaders and turns every axis label into triangles, kept per label) and first
heatmap, KaTeX's first formula and its fonts, the first number box, slider and tabs (their code compiled and
run, their styles added to the page). Importing torch as soon as the first page had run also held the GIL
(0.17 s at a time, loading libtorch) while that page's element code was still being served (row 5a).

So the session's first Data run ends with a component, with no content, that reports once the page is drawn and
the browser has nothing left to do. The fragment around it then starts the background import (preload.py) and
draws each of those kinds once, out of sight and disabled: the Windows page's cube and heatmap for this series,
made of zeros with the same axis labels, a formula, a number box, a slider and tabs (style.py lays the container
out at full size and shows it at none). Drawn earlier, in the page's own run, the same elements delayed the
first page by a second.

Any move of the learner's (a click, a key, a file chosen) before the report cancels it for good: sent after a
click on another page but before that page's run started, the report would be merged with the click's request,
and Streamlit keeps the later request's page, so the click would be lost. Any later run starts the import itself.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import streamlit as st

from pages.common import journey, preload, state

STARTED = "warmup_started"  # the session's first Data run has asked the browser to report when idle
IDLE = "warmup_browser_idle"  # the browser has reported
BATCH = 8  # windows in the Windows page's cube at first (its "Batch size shown")
# After the page is drawn, the report waits this long, then for an idle turn, so that a learner's first move (which
# cancels it) almost always comes first. Sent just before a file was chosen, the report's run raced the upload (in
# CI, an upload that never showed, once a later page back on the sample): a full run's start drops the replies
# still queued for the browser, the upload's address among them (Streamlit's ForwardMsgQueue.clear).
REPORT_DELAY_MS = 1000
FORMULA = r"N = \left\lfloor \frac{T - \text{window} - \text{horizon}}{\text{stride}} \right\rfloor + 1"

# Drawn: the script has finished and no element is still loading its code (a skeleton stands in until then).
BROWSER_IDLE_JS = """
export default function ({ data, setTriggerValue }) {
  let stopped = false;  // the learner moved first, or the page is gone: never report
  const stop = () => { stopped = true; };
  const moves = ["pointerdown", "mousedown", "touchstart", "keydown", "input", "change", "dragenter", "drop",
                 "popstate"];
  moves.forEach((kind) => window.addEventListener(kind, stop, { capture: true }));
  const drawn = () => document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']") !== null
    && document.querySelector("[data-testid='stSkeleton']") === null;
  const idle = window.requestIdleCallback ?? ((then) => setTimeout(then, 200));
  const report = () => { if (!stopped) { stop(); setTriggerValue("idle", true); } };
  const later = () => setTimeout(() => idle(report), data.delay_ms);
  const wait = () => { if (!stopped) (drawn() ? later() : setTimeout(wait, 100)); };
  wait();
  return () => { stop(); moves.forEach((kind) => window.removeEventListener(kind, stop, { capture: true })); };
}
"""


@cache
def _browser_idle():
    return st.components.v2.component("lstmlab_browser_idle", js=BROWSER_IDLE_JS)


def start(title: str) -> None:
    """After the page has run. The session's first Data run: the component that reports the browser idle. The run
    its report asks for: the background import (once per server) and the warm-up. Any other run: the import."""
    ss = st.session_state
    if STARTED not in ss and title == journey.JOURNEY[0].title:
        ss[STARTED] = True
        _browser_idle()(key="browser_idle", data={"delay_ms": REPORT_DELAY_MS}, on_idle_change=_mark_idle)
        return
    ss[STARTED] = True
    preload.preload_later_pages()
    if ss.pop(IDLE, False):
        draw_warmup(title)


def _mark_idle() -> None:
    st.session_state[IDLE] = True


def draw_warmup(title: str) -> None:
    """Each chart of the Windows page, drawn from the head of the session's series with its own labels (Plotly
    keeps the labels it has drawn, and compiles each code path once), and each element kind the Windows page
    adds to the Data page's; all in the container style.py hides. Nothing when the series does not prepare."""
    from lstmlab.errors import DataError
    from lstmlab.figures import windows as figures  # not on the first run: this runs once the page is drawn

    spec = st.session_state.get("spec")  # set by the Data page once the series prepares
    if title != journey.JOURNEY[0].title or spec is None:
        return
    try:
        series = state.load_series(state.current_source(), spec)  # memoised by the Data page: no work
    except DataError:
        return
    config = state.current_window_config()
    w, h, columns = config.window, config.horizon, list(series.columns)
    if series.length < w + h:
        return
    values, steps, target = series.values[: w + h], series.time[: w + h], series.targets[0]  # (W + H, F)
    batch = np.zeros((BATCH, w, len(columns)))  # (B, W, F)
    with st.container(key="warmup"):
        st.plotly_chart(figures.plot_window_on_series(series.time[: 4 * w], series.values[: 4 * w, target],
                                                      columns[target], 0, w, h, {"train": (0, 4 * w)}),
                        key="warmup_series")  # fmt: skip
        st.plotly_chart(figures.plot_window_grid(values[:w], values[:w], columns, steps[:w]), key="warmup_grid")
        st.plotly_chart(figures.plot_window_transform(steps, values[:, target], values[:, target], w,
                                                      columns[target], str(config.transform)),
                        key="warmup_transform")  # fmt: skip
        st.plotly_chart(figures.plot_batch_cube(batch, columns, 0), key="warmup_cube")
        st.plotly_chart(figures.plot_batch_slices(batch, columns[0], 0, 0), key="warmup_heatmap")
        st.latex(FORMULA)
        st.number_input("warm-up number", key="warmup_number", disabled=True, label_visibility="collapsed")
        st.slider("warm-up slider", key="warmup_slider", disabled=True, label_visibility="collapsed")
        st.tabs(["warm-up tab"])
