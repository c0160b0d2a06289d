"""Driving the app as a user does: ``streamlit run`` on a free local port and headless chromium.

Chromium is Debian's (/usr/bin/chromium) with the arguments from shared/BROWSER-TESTS.md; Playwright
must never download its own browser here.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "lstmlab" / "samples"
CHROMIUM = "/usr/bin/chromium"
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
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


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


class Server:
    """``streamlit run`` on a free local port, in its own process group."""

    def __init__(self, script: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false"],
            cwd=script.parent, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def wait_healthy(self, timeout: float = 60) -> float:
        """Seconds from the start until /_stcore/health answers ``ok``."""
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1).read() == b"ok":
                    return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.02)
            if self.process.poll() is not None:
                break
        raise RuntimeError(f"streamlit did not answer within {timeout:.0f} s (log: {self.log.name})")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser):
    return browser.new_page(viewport={"width": 1400, "height": 1800})


def settle(page, timeout: float = 120_000) -> None:
    """Wait for the script run to finish; an exception on the page is a failed benchmark."""
    page.wait_for_timeout(300)  # let a rerun begin before waiting for its end
    page.locator(IDLE).wait_for(timeout=timeout)
    if page.get_by_test_id("stException").count():
        raise RuntimeError("the app raised: " + page.get_by_test_id("stException").first.inner_text()[:500])
