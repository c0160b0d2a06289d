"""A 1,000,000-row upload through the whole journey in the browser: Data, Windows, a short run, Predictions."""

import numpy as np
import pandas as pd
import pytest

from tests.browser_support import go_to, set_number, settle, upload

pytestmark = pytest.mark.browser
ROWS = 1_000_000


@pytest.fixture(scope="module")
def million_rows(tmp_path_factory):
    rng = np.random.default_rng(0)
    t = np.arange(ROWS)
    frame = pd.DataFrame({"time": pd.date_range("2000-01-01", periods=ROWS, freq="min")})
    frame["load"] = np.sin(2 * np.pi * t / 1440) * 10 + rng.normal(0, 1, ROWS)
    for k in range(7):
        frame[f"sensor_{k}"] = rng.normal(k, 1, ROWS).round(4)
    path = tmp_path_factory.mktemp("large") / "million.csv"
    frame.to_csv(path, index=False, float_format="%.4f")
    return path


def test_a_million_rows_end_to_end(page, app_url, million_rows):
    page.goto(app_url)
    settle(page)
    upload(page, million_rows)
    page.get_by_text("1,000,000 rows").first.wait_for()
    page.get_by_text("10,000 of 1,000,000 points").wait_for()  # the chart says it is downsampled
    settle(page)
    go_to(page, "Windows")
    set_number(page, "Window size", 12)  # whatever the series' default, the formula at window 12
    # 700,000 training rows: (700000 - 12 - 1) // 1 + 1 windows of 12 steps and 8 features
    page.get_by_test_id("stMarkdown").filter(has_text="X_train [699988, 12, 8]").wait_for()
    go_to(page, "Train")
    set_number(page, "Epochs", 1)
    set_number(page, "Windows per epoch", 20_000)
    page.get_by_role("button", name="Start training").click()
    page.get_by_test_id("stAlertContentSuccess").filter(has_text="Run 1").wait_for()
    settle(page)
    go_to(page, "Predictions")
    page.get_by_test_id("stPlotlyChart").locator(".main-svg").first.wait_for()
    settle(page)
    assert page.get_by_test_id("stDataFrame").count() >= 1
