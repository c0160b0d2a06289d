"""Users kept apart, in a real browser: two contexts at once, and a tab closed in the middle of training.

Each browser context is a separate user (its own cookies and websocket, so its own Streamlit session).
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks.common import cpu_seconds
from lstmlab.background import HEARTBEAT_SECONDS
from lstmlab.window_fit import settings_for_series
from lstmlab.windows import count_windows, split_bounds
from tests.browser_support import (
    HAS_CHROMIUM,
    QUIET,
    go_to,
    is_healthy,
    new_user,
    set_number,
    settle,
    streamlit_server,
    upload,
)

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not HAS_CHROMIUM, reason="Debian's chromium is not installed")]
PAGES = ("Data", "Windows", "Train", "Inspect", "Predictions")


@dataclass(frozen=True)
class User:
    """One user's own data: a file, a column name nobody else has, and its row count."""

    file: str
    column: str
    rows: int
    freq: str

    def write(self, folder: Path, seed: int) -> Path:
        rng = np.random.default_rng(seed)
        t = np.arange(self.rows)
        values = 50 + 10 * np.sin(t / 4) + rng.normal(0, 1, self.rows)
        frame = pd.DataFrame({"when": pd.date_range("2022-01-01", periods=self.rows, freq=self.freq)})
        path = folder / self.file
        frame.assign(**{self.column: values.round(3)}).to_csv(path, index=False)
        return path

    @property
    def x_train(self) -> str:
        """The training tensor's shape under the app's default window for this series (window_fit), by the formula."""
        time = pd.date_range("2022-01-01", periods=self.rows, freq=self.freq)
        config = settings_for_series(self.rows, time).config
        start, stop = split_bounds(self.rows, config)["train"]
        n = count_windows(stop - start, config.window, config.horizon, config.stride)
        return f"X_train [{n}, {config.window}, 1]"


ALPHA = User("alpha_only.csv", "alpha_level", 60, "D")
BETA = User("beta_only.csv", "beta_flow", 96, "h")


def main_text(page) -> str:
    return page.get_by_test_id("stMain").inner_text()


def start_training(page, epochs: int, patience: int | None = None) -> None:
    go_to(page, "Train")
    set_number(page, "Epochs", epochs)
    if patience is not None:
        set_number(page, "Early-stopping patience", patience)
    page.get_by_role("button", name="Start training").click()


def wait_trained(page, run: int = 1) -> None:
    page.get_by_test_id("stAlert").filter(has_text=f"Run {run}:").wait_for()
    settle(page)


def download(page, label: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=label).click()
    return Path(info.value.path()).read_bytes()


def test_two_users_each_see_only_their_own(browser, app_url, tmp_path):
    users = {ALPHA: new_user(browser), BETA: new_user(browser)}
    pages = {user: page for user, (_, page) in users.items()}
    try:
        for seed, (user, page) in enumerate(pages.items()):
            page.goto(app_url)
            settle(page)
            upload(page, user.write(tmp_path, seed))
        for page in pages.values():  # both train at the same time
            start_training(page, epochs=2)
        for page in pages.values():
            wait_trained(page)
        for user, page in pages.items():
            other = BETA if user is ALPHA else ALPHA
            for name in PAGES:
                go_to(page, name)
                if name == "Predictions":
                    page.get_by_test_id("stDownloadButton").first.wait_for()
                text = main_text(page)
                assert other.file not in text and other.column not in text, (user.file, name)
                if name in ("Windows", "Train", "Predictions"):
                    assert user.file in text, (user.file, name)
                if name == "Windows":
                    assert user.x_train in text
            predictions = download(page, "Predictions (CSV)").decode()
            config = download(page, "Model config").decode()
            script = download(page, "Python script").decode()
            for content in (predictions, config, script):
                assert other.column not in content and other.file not in content
            assert user.file in config and user.column in config
            table = pd.read_csv(io.StringIO(predictions))
            assert set(table["target"]) == {user.column}
            own = pd.read_csv(tmp_path / user.file, parse_dates=["when"]).set_index("when")[user.column]
            actual = table.set_index(pd.to_datetime(table["time"]))["actual"]
            np.testing.assert_allclose(actual, own.loc[actual.index], rtol=1e-5)  # the user's own numbers
    finally:
        for context, _ in users.values():
            context.close()


def cores_used(pid: int, seconds: float = 1.5) -> float:
    before, started = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / (time.monotonic() - started)


def test_tab_closed_mid_training(browser):
    """A user leaves during a long training run; another keeps working, and the run does not go on burning CPU."""
    with streamlit_server(*QUIET) as (url, process):
        (leaver_context, leaver), (_, stayer) = users = new_user(browser), new_user(browser)
        try:
            stayer.goto(url)
            settle(stayer)
            leaver.goto(url)  # both on the built-in airline series
            settle(leaver)
            start_training(leaver, epochs=1000, patience=0)  # minutes of work: no early stop
            finished_an_epoch = re.compile(r"epoch \d+ of 1000 · train loss")  # the sidebar's progress
            leaver.get_by_test_id("stProgress").filter(has_text=finished_an_epoch).wait_for()
            training = cores_used(process.pid)  # the long run alone
            start_training(stayer, epochs=2)  # trains while the other run is still going
            leaver_context.close()  # the tab closes in the middle of training
            wait_trained(stayer)
            go_to(stayer, "Predictions")
            stayer.get_by_test_id("stDownloadButton").first.wait_for()
            assert process.poll() is None and is_healthy(url, timeout=5)

            # the closed tab's training stops, not left running on the server's cores: nothing touches its
            # heartbeat any more, so the worker ends itself within HEARTBEAT_SECONDS
            deadline = time.monotonic() + HEARTBEAT_SECONDS + 60
            while (idle := cores_used(process.pid)) >= training / 4 and time.monotonic() < deadline:
                time.sleep(5)
            assert idle < training / 4, f"{idle:.2f} cores busy after the tab closed, {training:.2f} while training"
        finally:
            for context, _ in users:
                context.close()
