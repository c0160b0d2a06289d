"""The router's first run sends its Plotly request before importing pandas, and stays safe beside another session."""

from __future__ import annotations

import sys
import threading
import types

import pandas as pd  # noqa: F401 - imported, as any session's first run leaves it
from streamlit.testing.v1 import AppTest

from pages.common import state
from tests.app_support import first_run_in_a_fresh_process


def plotly_request_only():
    from pages.common import state

    state.request_plotly()


def test_the_plotly_request_waits_for_another_sessions_pandas_import():
    """While one session imports pandas, sys.modules holds a module without its attributes yet; plotly, serialising
    any figure, reads it (pd.Series) and fails. The import and the request share a lock, so the request waits."""
    real = sys.modules["pandas"]
    importing, done = threading.Event(), threading.Event()

    def other_session():
        with state.FIRST_IMPORTS:
            sys.modules["pandas"] = types.ModuleType("pandas")  # half imported
            importing.set()
            done.wait(0.5)
            sys.modules["pandas"] = real

    other = threading.Thread(target=other_session)
    other.start()
    importing.wait()
    try:
        at = AppTest.from_function(plotly_request_only, default_timeout=60).run()
    finally:
        done.set()
        other.join()
        sys.modules["pandas"] = real
    assert not at.exception, at.exception
    assert [chart.proto.id.rsplit("-", 1)[-1] for chart in at.get("plotly_chart")] == ["plotly_request"]


def test_the_router_sends_its_plotly_request_before_importing_pandas():
    """A fresh process, as on a server's first session: the browser is asked for Plotly.js before pandas loads."""
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "from pages.common import state\n"
        "seen, request = [], state.request_plotly\n"
        "state.request_plotly = lambda: seen.append('pandas' in sys.modules) or request()\n"
        "at = AppTest.from_file('app.py', default_timeout=120).run()\n"
        "assert not at.exception, at.exception\n"
        "print(seen, 'pandas' in sys.modules)\n"
    )
    # asked once, with pandas not yet loaded; loaded by the page
    assert first_run_in_a_fresh_process(code) == ["[False]", "True"]
