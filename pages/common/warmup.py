"""While the learner reads the first Data page, the browser draws once, out of sight, what the Windows page needs.

Measured in chromium (benchmark row 5d), the first visit of the Windows page took twice as long as later ones, almost
all of it in the browser meeting element kinds the Data page does not use: Plotly's first 3D chart (its WebGL code and
shaders compiled, every axis label turned into triangles, kept per label) and first heatmap, KaTeX's first formula and
fonts, the first number box, slider and tabs (their code fetched, compiled and run, their styles added to the page).

So the session's first run, when it is the Data page's, ends with each of them, drawn from the head of the series
with its own labels, inside a popover nobody sees (style.py hides its button and its body). A popover's content comes
with the run but is drawn only while the popover is open, so the first page costs what it did (row 5a). Once the page
is drawn and the learner has been still for a moment, a small component opens the popover in the browser, waits for
its charts, and closes it, which takes them off the page again. Nothing of this reaches the server: an earlier design
that asked for a run instead lost learners' first clicks and uploads under load, by racing them.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import streamlit as st

from pages.common import journey, state

ASKED = "warmup_asked"  # set on the session's first run: only that run may carry the warm-up
KEY = "warmup"  # the container (style.py: .st-key-warmup)
LABEL = "The Windows page, drawn once out of sight"  # the popover's label, its body's aria-label (style.py)
BATCH = 8  # windows in the Windows page's cube at first (its "Batch size shown")
STILL_MS = 1000  # the learner has not moved for this long (and the browser is idle): open the popover
FORMULA = r"N = \left\lfloor \frac{T - \text{window} - \text{horizon}}{\text{stride}} \right\rfloor + 1"

# Opens the popover once the app is drawn and idle and the learner has been still for STILL_MS, with no field focused
# and no list open; closes it once every chart inside is drawn (or after 20 s). A move (a file chosen or dropped
# too: its upload is under way before the run that shows it) before it opens restarts the wait; one while it is open
# closes it. It sends nothing to the server: a popover opens and closes in the browser.
OPEN_ONCE_JS = """
export default function ({ data }) {
  const { key, label, charts, still_ms: stillMs } = data;
  let state = "waiting", timer = null, turn = 0;
  const button = () => document.querySelector(`.st-key-${key} [data-testid='stPopoverButton']`);
  const body = () => [...document.querySelectorAll("[data-testid='stPopoverBody']")]
    .find((element) => element.getAttribute("aria-label") === label);
  const appIdle = () => document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']")
    && !document.querySelector("[data-testid='stSkeleton']");
  // A field has the focus or a list, menu or dialog is open: the learner is busy there, and opening would disturb it.
  const busy = () => (document.activeElement && document.activeElement !== document.body)
    || document.querySelector("[data-baseweb='popover'], [role='dialog'], [role='listbox']");
  const idle = window.requestIdleCallback ?? ((then) => setTimeout(then, 50));
  const close = () => {
    if (state !== "open") return;
    state = "done";
    if (body()) button()?.click();
  };
  const plotted = (root) => [...root.querySelectorAll(".js-plotly-plot")]
    .filter((plot) => plot.querySelector(".main-svg"));
  const drawn = () => {
    const root = body();
    return root !== undefined && !root.querySelector("[data-testid='stSkeleton']")
      && plotted(root).length >= charts && root.querySelector(".katex") !== null;
  };
  const watch = (started) => {
    if (state !== "open") return;
    if (drawn() || performance.now() - started > 20000) idle(close);
    else setTimeout(() => watch(started), 100);
  };
  const open = () => {
    if (state !== "waiting") return;
    if (!appIdle() || busy() || !button()) { wait(); return; }
    state = "open";
    button().click();
    watch(performance.now());
  };
  const wait = () => {  // a new turn: a turn a move has replaced never opens
    clearTimeout(timer);
    const mine = ++turn;
    if (state === "waiting") timer = setTimeout(() => idle(() => mine === turn && open()), stillMs);
  };
  const moved = () => (state === "open" ? close() : wait());
  const moves = ["pointerdown", "keydown", "wheel", "touchstart", "input", "change", "dragenter", "drop"];
  moves.forEach((kind) => window.addEventListener(kind, moved, { capture: true, passive: true }));
  wait();
  return () => {
    clearTimeout(timer);
    close();
    state = "done";
    moves.forEach((kind) => window.removeEventListener(kind, moved, { capture: true }));
  };
}
"""


@cache
def _open_once():
    return st.components.v2.component("lstmlab_open_once", js=OPEN_ONCE_JS)


def draw(title: str) -> None:
    """After the page has run: on the session's first run, if it is the Data page's and its series prepares, the
    Windows page's charts and other new element kinds in the hidden popover, and the component that opens it once."""
    ss = st.session_state
    first = ASKED not in ss
    ss[ASKED] = True
    spec = ss.get("spec")  # set by the Data page once the series prepares
    if not first or title != journey.JOURNEY[0].title or spec is None:
        return
    from lstmlab.errors import DataError
    from lstmlab.figures import windows as figures  # plotly only: torch is not imported on the first run

    try:
        series = state.load_series(state.current_source(), spec)  # memoised by the Data page: no work
    except DataError:
        return
    config = state.current_window_config()
    w, h, columns = config.window, config.horizon, list(series.columns)
    if series.length < w + h:
        return
    values, steps, target = series.values[: w + h], series.time[: w + h], series.targets[0]  # (W + H, F)
    batch = np.zeros((BATCH, w, len(columns)))  # (B, W, F): the labels are what Plotly keeps, not the values
    charts = {  # by the key's suffix
        "series": figures.plot_window_on_series(series.time[: 4 * w], series.values[: 4 * w, target], columns[target],
                                                0, w, h, {"train": (0, 4 * w)}),
        "grid": figures.plot_window_grid(values[:w], values[:w], columns, steps[:w]),
        "transform": figures.plot_window_transform(steps, values[:, target], values[:, target], w, columns[target],
                                                   str(config.transform)),
        "cube": figures.plot_batch_cube(batch, columns, 0),
        "slices": figures.plot_batch_slices(batch, columns[0], 0, 0),
    }  # fmt: skip
    with st.container(key=KEY):
        _open_once()(key="warmup_opener", data={"key": KEY, "label": LABEL, "charts": len(charts),
                                                "still_ms": STILL_MS})  # fmt: skip
        with st.popover(LABEL):
            for name, figure in charts.items():
                st.plotly_chart(figure, key=f"warmup_{name}")
            st.latex(FORMULA)
            st.number_input("warm-up number", key="warmup_number", disabled=True, label_visibility="collapsed")
            st.slider("warm-up slider", key="warmup_slider", disabled=True, label_visibility="collapsed")
            st.tabs(["warm-up tab"])
