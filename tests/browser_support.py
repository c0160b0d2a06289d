"""Browser-test support: a `streamlit run` server on a free loopback port, chromium settings, page helpers.

Registered as a pytest plugin in conftest.py, so its fixtures serve every browser test module.
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks.browser import CHROMIUM_ARGS, IDLE  # one set of chromium flags for tests and benchmarks

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

HAS_CHROMIUM = Path(CHROMIUM).exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(*extra: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run the app on a free loopback port until the block ends; yields its URL and process."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *extra,
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not is_healthy(url):
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start within 60 s")
            time.sleep(0.2)
        yield url, server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def is_healthy(url: str) -> bool:
    try:
        return urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok"
    except OSError:
        return False


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    if not HAS_CHROMIUM:
        pytest.skip("Debian's chromium is not installed (bash .ci/run installs it)")
    with streamlit_server() as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1800}}


def settle(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished its run, then check that nothing raised."""
    page.wait_for_timeout(300)  # let a rerun begin before waiting for its end
    page.locator(IDLE).wait_for(timeout=timeout)
    assert page.get_by_test_id("stException").count() == 0, page.get_by_test_id("stException").first.inner_text()


def go_to(page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    page.get_by_role("heading", name=name).first.wait_for()
    settle(page)


def upload(page, path: Path) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    page.get_by_test_id("stFileChipName").wait_for()
    settle(page)
    page.get_by_test_id("stMarkdown").filter(has_text=f"{path.name} ·").first.wait_for()
