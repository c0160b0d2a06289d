"""Load: eight browser sessions at once upload, window and train on one server; none sees another's data.

Run on its own (it is left out of the default run): ``python -m pytest -m load tests/test_load.py -s``.
It prints the server's peak resident memory and the slowest session's time.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    QUIET,
    VIEWPORT,
    go_to_async,
    is_healthy,
    set_number_async,
    settle_async,
    streamlit_server,
    upload_async,
    watch,
)
from benchmarks.common import peak_rss_bytes
from lstmlab.window_fit import settings_for_series
from lstmlab.windows import count_windows, split_bounds
from tests.browser_support import HAS_CHROMIUM

pytestmark = [pytest.mark.load, pytest.mark.skipif(not HAS_CHROMIUM, reason="Debian's chromium is not installed")]
SESSIONS = 8
EPOCHS = 3
TIMEOUT_MS = 300_000  # per step; a session on a loaded 2-core machine may wait for the others


def write_series(folder: Path, k: int) -> tuple[Path, str, int]:
    """Session k's own file: a column name and a length no other session has."""
    rows = 120 + 12 * k
    rng = np.random.default_rng(k)
    column = f"series_{k}_only"
    values = 20 + 5 * np.sin(np.arange(rows) / 3 + k) + rng.normal(0, 0.5, rows)
    path = folder / f"user_{k}.csv"
    frame = pd.DataFrame({"when": pd.date_range("2020-01-01", periods=rows, freq="D"), column: values.round(3)})
    frame.to_csv(path, index=False)
    return path, column, rows


def x_train(rows: int) -> str:
    """The training tensor under the window the app opens this daily series at (window_fit), by the formula."""
    config = settings_for_series(rows, pd.date_range("2020-01-01", periods=rows, freq="D")).config
    start, stop = split_bounds(rows, config)["train"]
    return f"X_train [{count_windows(stop - start, config.window, config.horizon, config.stride)}, {config.window}, 1]"


async def session(browser, url: str, k: int, folder: Path, others: list[str]) -> float:
    path, column, rows = write_series(folder, k)
    context = await browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    started = time.monotonic()
    try:
        page = watch(await context.new_page())
        await page.goto(url)
        await settle_async(page, TIMEOUT_MS)
        await upload_async(page, path, TIMEOUT_MS)
        await go_to_async(page, "Windows", TIMEOUT_MS)
        await page.get_by_test_id("stMarkdown").filter(has_text=x_train(rows)).wait_for()
        await go_to_async(page, "Train", TIMEOUT_MS)
        await set_number_async(page, "Epochs", EPOCHS, TIMEOUT_MS)
        await page.get_by_role("button", name="Start training").click()
        done = page.get_by_test_id("stAlert").filter(has_text=f"Run 1: H=64, {EPOCHS} epochs on {path.name}")
        try:
            await done.wait_for()
        except Exception as err:  # say what the page showed instead
            text = await page.get_by_test_id("stMain").inner_text()
            raise AssertionError(f"session {k} never finished training; the page shows:\n{text[-1500:]}") from err
        await settle_async(page, TIMEOUT_MS)
        elapsed = time.monotonic() - started
        for name in ("Train", "Windows", "Data"):
            if name != "Train":
                await go_to_async(page, name, TIMEOUT_MS)
            text = await page.get_by_test_id("stMain").inner_text()
            assert path.name in text or column in text, (k, name)
            assert not [other for other in others if other in text], (k, name)
        return elapsed
    finally:
        await context.close()


async def run_sessions(url: str, folder: Path) -> list[float]:
    from playwright.async_api import async_playwright

    names = [f"user_{k}.csv" for k in range(SESSIONS)] + [f"series_{k}_only" for k in range(SESSIONS)]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(
                *(
                    session(
                        browser, url, k, folder, [n for n in names if n not in (f"user_{k}.csv", f"series_{k}_only")]
                    )
                    for k in range(SESSIONS)
                )
            )
        finally:
            await browser.close()


def test_eight_sessions_at_once(tmp_path, capsys, record_property):
    with streamlit_server(*QUIET) as (url, server):
        started = time.monotonic()
        times = asyncio.run(run_sessions(url, tmp_path))
        wall = time.monotonic() - started
        assert server.poll() is None and is_healthy(url)
        peak = peak_rss_bytes(server.pid) / 2**20  # MiB
    record_property("server_peak_rss_mb", round(peak))
    record_property("slowest_session_s", round(max(times), 1))
    with capsys.disabled():
        print(
            f"\n{SESSIONS} sessions: slowest {max(times):.1f} s, fastest {min(times):.1f} s, all done in {wall:.1f} s; "
            f"server peak RSS {peak:.0f} MB"
        )
    assert len(times) == SESSIONS
    assert peak < 2_700  # Community Cloud's largest memory limit
