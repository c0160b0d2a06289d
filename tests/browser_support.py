"""Browser-test fixtures over ``benchmarks/browser.py`` (the one browser helper module): a server, chromium, pages.

Registered as a pytest plugin in conftest.py, so its fixtures serve every browser test module. One
``streamlit run`` server per pytest process (per xdist worker) serves every browser journey that does not
need a server of its own; each test gets its own browser context, so its own Streamlit session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE,
    QUIET,
    STEP_MS,
    VIEWPORT,
    browser_missing,
    go_to,
    is_healthy,
    messages_sent,
    set_number,
    settle,
    streamlit_server,
    upload,
    watch,
)

# what test modules import from here (the page helpers live in benchmarks/browser.py)
__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "HAS_CHROMIUM",
    "IDLE",
    "QUIET",
    "STEP_MS",
    "VIEWPORT",
    "go_to",
    "is_healthy",
    "messages_sent",
    "new_user",
    "set_number",
    "settle",
    "streamlit_server",
    "upload",
    "watch",
]

HAS_CHROMIUM = Path(CHROMIUM).exists()


def new_user(browser):
    """A browser context of its own (its own Streamlit session) and its page, watched for script runs."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(STEP_MS)
    return context, watch(context.new_page())


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> Iterator[str]:
    """The URL of this worker's server, started on first use; its output goes to server.log in pytest's temp folder."""
    if why := browser_missing():
        pytest.skip(why)
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with streamlit_server(*QUIET, log=log) as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT}


@pytest.fixture
def page(context):
    """pytest-playwright's page, watched for script runs (see benchmarks.browser.settle), one step's timeout."""
    context.set_default_timeout(STEP_MS)
    page = watch(context.new_page())
    yield page
    page.close()
