"""While the learner reads the first Data page: get the browser and the server ready for the Windows page.

Measured in chromium (benchmark row 5d), the first visit of the Windows page took 0.7 s longer than later ones.
The server's share was 0.13 s (a full garbage collection after torch's import: see preload.py); the rest was the
browser meeting element kinds the Data page does not use: Plotly's first 3D chart (it compiles its WebGL code and
shaders and turns every axis label into triangles, kept per label) and first heatmap, KaTeX's first formula and
its fonts, the first number box, slider and tabs (their code compiled and run, their styles added to the page).
Importing torch as soon as the first page had run also held the GIL while that page's last messages and element
code were still being sent (0.3 s of the first page, benchmark row 5a).

So the session's first Data run waits for the browser: a component with no content reports once the page is
drawn and the browser has nothing left to do. The fragment around it then starts the background import
(preload.py) and draws each of those kinds once, out of sight and disabled: the Windows page's cube and heatmap
for this series, made of zeros with the same axis labels, a formula, a number box, a slider and tabs (style.py
lays the container out at full size and shows it at none). Any later run starts the import itself, should the
report never come; the next full run removes what was drawn.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import streamlit as st

from pages.common import journey, preload, state

STARTED = "warmup_started"  # the session's first Data run has asked the browser to report when idle
IDLE = "warmup_browser_idle"  # the browser has reported
BATCH = 8  # windows in the Windows page's cube at first (its "Batch size shown")
FORMULA = r"N = \left\lfloor \frac{T - \text{window} - \text{horizon}}{\text{stride}} \right\rfloor + 1"

# Drawn: the script has finished and no element is still loading its code (a skeleton stands in until then).
BROWSER_IDLE_JS = """
export default function ({ setTriggerValue }) {
  const drawn = () => document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']") !== null
    && document.querySelector("[data-testid='stSkeleton']") === null;
  const idle = window.requestIdleCallback ?? ((then) => setTimeout(then, 200));
  const wait = () => (drawn() ? idle(() => setTriggerValue("idle", true)) : setTimeout(wait, 100));
  wait();
}
"""


@cache
def _browser_idle():
    return st.components.v2.component("lstmlab_browser_idle", js=BROWSER_IDLE_JS)


def start(title: str) -> None:
    """Before the page runs: on the session's first Data run, the component that reports the browser idle (its
    code loads while the page runs); on any other run, the background import (once per server)."""
    ss = st.session_state
    if STARTED not in ss and title == journey.JOURNEY[0].title:
        ss[STARTED] = True
        with st.sidebar:
            when_browser_idle()
    else:
        preload.preload_later_pages()


def _mark_idle() -> None:
    st.session_state[IDLE] = True


@st.fragment
def when_browser_idle() -> None:
    """Before the browser's report: the component that sends it. After: the import, and the warm-up drawn."""
    if not st.session_state.get(IDLE):
        _browser_idle()(key="browser_idle", on_idle_change=_mark_idle)  # no content; style.py hides its box
        return
    preload.preload_later_pages()
    if (labels := cube_labels()) is not None:
        draw_warmup(*labels)


def cube_labels() -> tuple[list[str], int] | None:
    """The labels of the Windows page's cube for the session's series: its columns and the window; None without."""
    from lstmlab.errors import DataError

    spec = st.session_state.get("spec")  # set by the Data page once the series prepares
    if spec is None:
        return None
    try:
        series = state.load_series(state.current_source(), spec)  # memoised by the Data page: no work
    except DataError:
        return None
    return list(series.columns), state.current_window_config().window


def draw_warmup(columns: list[str], window: int) -> None:
    """Each element kind the Windows page adds to the Data page's, once, in the container style.py hides."""
    from lstmlab.figures import windows as figures  # not on the first run: this runs once the page is drawn

    batch = np.zeros((BATCH, window, len(columns)))  # (B, W, F)
    with st.container(key="warmup"):
        st.plotly_chart(figures.plot_batch_cube(batch, columns, 0), key="warmup_cube")
        st.plotly_chart(figures.plot_batch_slices(batch, columns[0], 0, 0), key="warmup_heatmap")
        st.latex(FORMULA)
        st.number_input("warm-up number", key="warmup_number", disabled=True, label_visibility="collapsed")
        st.slider("warm-up slider", key="warmup_slider", disabled=True, label_visibility="collapsed")
        st.tabs(["warm-up tab"])
