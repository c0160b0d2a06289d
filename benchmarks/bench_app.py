"""Row 5: the app as a user meets it, under ``streamlit run`` and in a real browser.

- 5a: from ``streamlit run`` to /_stcore/health answering, then to the first Data page rendered in
  headless chromium (script finished, a Plotly chart drawn), against a minimal one-chart Streamlit app
  started and loaded the same way.
- 5b: the server-side time of the rerun when the window slider moves on pollution.csv (AppTest),
  against a rerun of the same page with nothing changed; 5c the same move seen from the browser.
- 5d: the first visit of the Windows page after the Data page (the first page to use torch), against
  later visits, in one server and one browser.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from benchmarks.browser import ROOT, SAMPLES, Server, browser_missing, chromium, new_page, settle
from benchmarks.common import Row, cpu_seconds, fmt_seconds, median, not_available

# Rendered: the script finished, a Plotly chart is drawn, and no element is still loading its code
# (a skeleton stands in until then); LSTM Lab's early request chart is gone.
RENDERED_JS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  const chart = document.querySelector("[data-testid='stPlotlyChart'] .main-svg");
  return app !== null && app.getAttribute("data-test-script-state") === "notRunning" && chart !== null
    && chart.getBoundingClientRect().width > 0 && document.querySelector("[data-testid='stSkeleton']") === null
    && document.querySelector(".st-key-plotly_request") === null;
}"""
MINIMAL_APP = """import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="reference", layout="wide")
st.title("Reference")
st.plotly_chart(go.Figure(go.Scatter(y=list(range(100)))), key="chart", width="stretch")
"""
FIRST_PAGE_TARGET = 3.0
RERUN_TARGET = 0.2


def first_page(browser, script: Path, workdir: Path) -> tuple[float, float, float]:
    """Seconds until healthy, then from healthy until the page loaded (HTML, JS) and until it is rendered."""
    server = Server(script, workdir / f"{script.stem}-{time.monotonic_ns()}.log")
    try:
        healthy = server.wait_healthy()
        answered = time.perf_counter()
        page = new_page(browser)
        page.goto(server.url)  # returns at the load event
        loaded = time.perf_counter() - answered
        page.wait_for_function(RENDERED_JS, polling=20, timeout=60_000)
        rendered = time.perf_counter() - answered
        page.close()
    finally:
        server.stop()
    return healthy, loaded, rendered


def bench_first_page(repeats: int = 3, workdir: Path | None = None) -> Row:
    name = "5a. first Data page in the browser, after the server answers"
    target = f"< {FIRST_PAGE_TARGET:g} s"
    if why := browser_missing():
        return not_available(name, target, why)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tmp = Path(tmp)
        minimal = tmp / "minimal_app.py"
        minimal.write_text(MINIMAL_APP)
        results: dict[str, list[tuple[float, float, float]]] = {"app": [], "minimal": []}
        with chromium() as browser:
            first_page(browser, minimal, tmp)  # warm-up: the OS file cache and the browser
            for _ in range(repeats):
                results["app"].append(first_page(browser, ROOT / "app.py", tmp))
                results["minimal"].append(first_page(browser, minimal, tmp))
    app_health, app_load, app_render = (median(list(col)) for col in zip(*results["app"], strict=True))
    ref_health, ref_load, ref_render = (median(list(col)) for col in zip(*results["minimal"], strict=True))
    return Row(
        name,
        fmt_seconds(app_render),
        f"{fmt_seconds(ref_render)} one-chart app",
        app_render / ref_render,
        target,
        app_render < FIRST_PAGE_TARGET,
        [
            f"A fresh `streamlit run` per repeat, median of {repeats}: the server answered /_stcore/health after "
            f"{fmt_seconds(app_health)} (one-chart app: {fmt_seconds(ref_health)}); then chromium opened the page "
            f"(loaded after {fmt_seconds(app_load)}; one-chart app {fmt_seconds(ref_load)}) until the script "
            "finished, a Plotly chart was drawn and no element was still loading (no skeleton left). The reference "
            "is a one-chart Streamlit app, so the ratio is what LSTM Lab adds to Streamlit's own start."
        ],
    )


# --- The first page after Data ------------------------------------------------------------------------

FIRST_VISIT_TARGET = 1.3


def _visit(page, name: str) -> float:
    """Seconds from the sidebar click until the page named ``name`` is rendered (as RENDERED_JS says)."""
    started = time.perf_counter()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    page.get_by_role("heading", name=name).first.wait_for(timeout=120_000)
    page.wait_for_function(RENDERED_JS, polling=20, timeout=120_000)
    if page.get_by_test_id("stException").count():
        raise RuntimeError(page.get_by_test_id("stException").first.inner_text()[:300])
    return time.perf_counter() - started


def bench_first_visit(pause: float = 5.0, later: int = 2, workdir: Path | None = None) -> Row:
    """The Windows page's first visit, after the Data page, against later visits, in one server."""
    name = "5d. first Windows page after Data vs a later visit (browser)"
    target = f"≤ {FIRST_VISIT_TARGET:g}×"
    if why := browser_missing():
        return not_available(name, target, why)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp, chromium() as browser:
        server = Server(ROOT / "app.py", Path(tmp) / "server.log")
        try:
            server.wait_healthy()
            page = new_page(browser)
            page.goto(server.url)
            page.wait_for_function(RENDERED_JS, polling=20, timeout=120_000)
            page.wait_for_timeout(pause * 1e3)  # the user reads the Data page
            first = _visit(page, "Windows")
            again = []
            for _ in range(later):
                _visit(page, "Data")
                page.wait_for_timeout(pause * 1e3)
                again.append(_visit(page, "Windows"))
        finally:
            server.stop()
    later_visit = median(again)
    return Row(
        name,
        fmt_seconds(first),
        f"{fmt_seconds(later_visit)} later visit",
        first / later_visit,
        target,
        first / later_visit <= FIRST_VISIT_TARGET,
        [
            f"One `streamlit run`, chromium: the first Data page rendered, {pause:g} s on it (a user reading it), "
            "then a click on Windows until that page is rendered (script finished, a chart drawn, no skeleton); "
            f"then Data and Windows again, {later} times, each after the same pause (median). The first visit is "
            "the first page to use torch and the first with a 3D chart, sliders and a formula; the app imports torch "
            "in a background thread from 1.5 s after the first page's run (pages/common/preload.py), and the browser "
            "draws the Windows page's charts and element kinds once, out of sight, in a hidden popover that opens "
            "once the reader has been still for a second (pages/common/warmup.py)."
        ],
    )


# --- The window slider -------------------------------------------------------------------------------


def _sample_label(filename: str) -> str:
    from pages.common.state import SAMPLES as LABELS

    return next(label for label, name in LABELS.items() if name == filename)


def bench_slider_apptest(moves: int = 8, sample: str = "pollution.csv") -> Row:
    """The Windows page's rerun when ``window_index`` moves, against a rerun with nothing changed."""
    from streamlit.testing.v1 import AppTest

    name = f"5b. window-slider rerun on {sample} (server, AppTest)"
    target = f"< {RERUN_TARGET * 1e3:.0f} ms"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the pages import `pages.common`
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.selectbox(key="sample").set_value(_sample_label(sample)).run()
    at.switch_page("pages/windows.py").run()
    if at.exception:
        return not_available(name, target, f"the Windows page raised: {at.exception[0].value[:200]}")
    slider = at.slider(key="window_index")
    top = int(slider.max)
    positions = [round(top * (i + 1) / (moves + 2)) for i in range(moves + 1)]  # spread over the split
    move_times, plain_times = [], []
    at.slider(key="window_index").set_value(positions[0]).run()  # warm-up
    for k in positions[1:]:
        start = time.perf_counter()
        at.slider(key="window_index").set_value(k).run()
        move_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        at.run()
        plain_times.append(time.perf_counter() - start)
    if at.exception:
        return not_available(name, target, f"the Windows page raised: {at.exception[0].value[:200]}")
    move, plain = median(move_times), median(plain_times)
    return Row(
        name,
        fmt_seconds(move),
        f"{fmt_seconds(plain)} unchanged rerun",
        move / plain,
        target,
        move < RERUN_TARGET,
        [
            f"{sample} picked with the Data page's `sample` box, then `at.slider(key='window_index')"
            f".set_value(k).run()` for {moves} positions spread over the split (0..{top:,}), each followed by an "
            "`at.run()` with nothing changed (the reference); medians. A ratio near 1 means the move re-reads, "
            "re-scales and re-windows nothing."
        ],
    )


SLIDER_JS = """() => {
  window.__keydown = null; window.__idle = null;
  document.addEventListener("keydown", (e) => { window.__keydown = performance.now(); }, true);
  const app = document.querySelector("[data-testid='stApp']");
  new MutationObserver(() => {
    const state = app.getAttribute("data-test-script-state");
    if (state === "running") window.__running = performance.now();
    if (state === "notRunning" && window.__keydown !== null) window.__idle = performance.now();
  }).observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""


def bench_slider_browser(moves: int = 6, workdir: Path | None = None) -> Row:
    """The same slider move seen from chromium: key press until the script is idle again."""
    name = "5c. window-slider rerun on pollution.csv (browser)"
    target = "(5b's)"
    if why := browser_missing():
        return not_available(name, target, why)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp, chromium() as browser:
        server = Server(ROOT / "app.py", Path(tmp) / "server.log")
        try:
            server.wait_healthy()
            page = new_page(browser)
            page.goto(server.url)
            settle(page)
            page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(SAMPLES / "pollution.csv"))
            page.get_by_test_id("stFileChipName").filter(has_text="pollution.csv").wait_for()
            settle(page)
            page.get_by_test_id("stSidebarNav").get_by_role("link", name="Windows").click()
            page.get_by_role("heading", name="Windows").first.wait_for()
            settle(page)
            thumb = page.locator(".st-key-window_index").get_by_role("slider")  # a keyed widget's box
            page.evaluate(SLIDER_JS)
            round_trips, runs, server_cpu = [], [], []
            for i in range(moves + 1):
                page.evaluate("() => { window.__keydown = null; window.__idle = null; window.__running = null; }")
                thumb.focus()
                cpu = cpu_seconds(server.process.pid)
                thumb.press("PageUp" if i % 2 == 0 else "PageDown")  # a big step, back and forth
                page.wait_for_function("() => window.__idle !== null", polling=10, timeout=60_000)
                cpu = cpu_seconds(server.process.pid) - cpu
                down, running, idle = page.evaluate("() => [window.__keydown, window.__running, window.__idle]")
                if i and running is not None:  # the first move is a warm-up
                    round_trips.append((idle - down) / 1e3)
                    runs.append((idle - running) / 1e3)
                    server_cpu.append(cpu)
            if page.get_by_test_id("stException").count():
                raise RuntimeError(page.get_by_test_id("stException").first.inner_text()[:300])
        finally:
            server.stop()
    if not round_trips:
        return not_available(name, target, "the slider move did not start a rerun in the browser.")
    round_trip, run, cpu = median(round_trips), median(runs), median(server_cpu)
    return Row(
        name,
        f"{fmt_seconds(cpu)} server CPU",
        f"{fmt_seconds(round_trip)} key to idle",
        cpu / round_trip,
        target,
        None,  # informative: the target is judged on 5b, the script's own rerun
        [
            f"chromium, pollution.csv uploaded, the Windows page's slider moved by PageUp/PageDown {moves} times; "
            "medians. 'server CPU' is the CPU time the streamlit process used for the move (/proc/<pid>/stat, "
            "10 ms ticks, all its threads: the script run plus Streamlit's own work); 'key to idle' is what the "
            "user waits: key press until the page shows the script finished, including the browser drawing the "
            f"charts ({fmt_seconds(run)} of it with the page showing 'running')."
        ],
    )


if __name__ == "__main__":
    start = time.perf_counter()
    for row in (bench_first_page(repeats=1), bench_slider_apptest(moves=4), bench_slider_browser(moves=3)):
        print(row)
    print(f"{time.perf_counter() - start:.1f} s")
