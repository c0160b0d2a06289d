"""Driving the app as a user does: ``streamlit run`` on a free local port and headless chromium.

The one browser helper module of the project: the benchmarks use it directly, the tests through the
pytest plugin ``tests/browser_support.py``. Chromium is Debian's (/usr/bin/chromium); Playwright must
never download its own browser here.

Waits follow Streamlit's own signals, never a fixed sleep: every page made by :func:`new_page` (or
given to :func:`watch`) counts, from its websocket, the script runs it asked for (``rerun_script``) and
the runs the server started (``new_session``) and finished (``script_finished``); :func:`settle` returns
once every run asked for has finished and the app says its script is ``notRunning``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "lstmlab" / "samples"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1800}
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
STEP_MS = 300_000  # one step (a page, a rerun, a short run) on a 2-core machine loaded six times over
QUIET = ("--server.fileWatcherType", "none")  # files edited during a run must not reload modules under the sessions


def browser_missing() -> str | None:
    """Why the browser rows cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)."
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium; never `playwright install`)."
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_healthy(url: str, timeout: float = 1) -> bool:
    try:
        return urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout).read() == b"ok"
    except OSError:
        return False


class Server:
    """``streamlit run`` of ``script`` on a free local port, in its own process group.

    ``log`` takes the server's output (discarded where None); ``extra`` are more ``streamlit run`` options;
    ``env`` are environment variables set for the server on top of this process's.
    """

    def __init__(self, script: Path = ROOT / "app.py", log: Path | None = None, extra: tuple[str, ...] = (),
                 env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w") if log is not None else None
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", *extra],
            cwd=script.parent, stdout=self.log or subprocess.DEVNULL, stderr=subprocess.STDOUT,
            start_new_session=True, env={**os.environ, **(env or {})},
        )  # fmt: skip

    def wait_healthy(self, timeout: float = STEP_MS / 1e3) -> float:
        """Seconds from the start until /_stcore/health answers ``ok``."""
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if is_healthy(self.url):
                return time.perf_counter() - self.started
            if self.process.poll() is not None:
                break
            time.sleep(0.02)  # polling the health endpoint: no signal reaches us before the port opens
        where = f" (log: {self.log.name})" if self.log else ""
        raise RuntimeError(f"streamlit did not answer within {timeout:.0f} s{where}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.log:
            self.log.close()


@contextmanager
def streamlit_server(*extra: str, log: Path | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """The app (app.py) served until the block ends, answering its health check; yields its URL and process."""
    server = Server(ROOT / "app.py", log, extra)
    try:
        server.wait_healthy()
        yield server.url, server.process
    finally:
        server.stop()


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# --- Script runs, from the websocket ----------------------------------------------------------------


class ScriptRuns:
    """What a page's websocket says about script runs: asked for, started, finished (sync and async API)."""

    def __init__(self) -> None:
        self.asked = 0  # rerun_script messages the page sent
        self.sent = 0  # every message the page sent
        self.started_for = 0  # the number asked when the latest run started
        self.answered = 0  # the number asked when the latest run that started after them finished
        self.socket = None  # the latest websocket, to wait on its next frame

    @property
    def pending(self) -> bool:
        return self.answered < self.asked

    def on_websocket(self, socket) -> None:
        self.socket = socket
        socket.on("framesent", self._sent)
        socket.on("framereceived", self._received)

    def _sent(self, payload: str | bytes) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if not isinstance(payload, bytes):
            return
        self.sent += 1
        if BackMsg.FromString(payload).WhichOneof("type") == "rerun_script":
            self.asked += 1

    def _received(self, payload: str | bytes) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if not isinstance(payload, bytes):
            return
        message = ForwardMsg.FromString(payload)
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.started_for = self.asked
        elif kind == "script_finished" and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self.answered = max(self.answered, self.started_for)


_RUNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # page -> ScriptRuns


def watch(page):
    """Count the page's script runs from now on (before its first ``goto``); returns the page."""
    if page not in _RUNS:
        _RUNS[page] = runs = ScriptRuns()
        page.on("websocket", runs.on_websocket)
    return page


def messages_sent(page) -> int:
    """How many messages the page has sent the server so far (run requests, widget values, uploads' requests...)."""
    return _RUNS[page].sent


def new_page(browser):
    return watch(browser.new_page(viewport=VIEWPORT))


def _waiting(page, timeout: float) -> tuple[ScriptRuns, float]:
    if page not in _RUNS:
        raise RuntimeError("settle() needs a page made by new_page() or passed to watch() before its goto()")
    return _RUNS[page], time.monotonic() + timeout / 1e3


def _remaining_ms(deadline: float, runs: ScriptRuns) -> float:
    left = (deadline - time.monotonic()) * 1e3
    if left <= 0:
        raise TimeoutError(f"script runs pending past the step's timeout: {runs.asked} asked, {runs.answered} done")
    return left


def _raised(text: str) -> AssertionError:
    return AssertionError("the app raised: " + text[:1500])


def settle(page, timeout: float = STEP_MS) -> None:
    """Wait until every script run the page asked for has finished, then check that nothing raised."""
    runs, deadline = _waiting(page, timeout)
    while runs.pending:
        runs.socket.wait_for_event("framereceived", timeout=_remaining_ms(deadline, runs))
    page.locator(IDLE).wait_for(timeout=_remaining_ms(deadline, runs))
    if page.get_by_test_id("stException").count():
        raise _raised(page.get_by_test_id("stException").first.inner_text())


async def settle_async(page, timeout: float = STEP_MS) -> None:
    """:func:`settle` for Playwright's async API."""
    runs, deadline = _waiting(page, timeout)
    while runs.pending:
        await runs.socket.wait_for_event("framereceived", timeout=_remaining_ms(deadline, runs))
    await page.locator(IDLE).wait_for(timeout=_remaining_ms(deadline, runs))
    if await page.get_by_test_id("stException").count():
        raise _raised(await page.get_by_test_id("stException").first.inner_text())


# --- A user's moves -----------------------------------------------------------------------------------


def go_to(page, name: str, timeout: float = STEP_MS) -> None:
    """Open a page from the sidebar and wait for its script run."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    page.get_by_role("heading", name=name).first.wait_for(timeout=timeout)
    settle(page, timeout)


async def go_to_async(page, name: str, timeout: float = STEP_MS) -> None:
    await page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    await page.get_by_role("heading", name=name).first.wait_for(timeout=timeout)
    await settle_async(page, timeout)


def upload(page, path: Path, timeout: float = STEP_MS) -> None:
    """Upload a file on the Data page and wait until the page describes it (``<name> · …``)."""
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    page.get_by_test_id("stMarkdown").filter(has_text=f"{path.name} ·").first.wait_for(timeout=timeout)
    settle(page, timeout)


async def upload_async(page, path: Path, timeout: float = STEP_MS) -> None:
    await page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    await page.get_by_test_id("stMarkdown").filter(has_text=f"{path.name} ·").first.wait_for(timeout=timeout)
    await settle_async(page, timeout)


def set_number(page, label: str, value: int | float, timeout: float = STEP_MS) -> None:
    """Type a value into the number box labelled ``label`` and wait for the rerun it starts."""
    box = page.get_by_test_id("stNumberInput").filter(has_text=label).locator("input")
    box.fill(str(value))
    box.press("Enter")
    settle(page, timeout)


async def set_number_async(page, label: str, value: int | float, timeout: float = STEP_MS) -> None:
    box = page.get_by_test_id("stNumberInput").filter(has_text=label).locator("input")
    await box.fill(str(value))
    await box.press("Enter")
    await settle_async(page, timeout)
