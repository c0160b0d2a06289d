"""The whole journey in a real browser: Playwright driving Debian's chromium against `streamlit run`."""

import pytest

from tests.browser_support import go_to, set_number, settle, upload
from tests.conftest import SAMPLES

pytestmark = pytest.mark.browser


def test_first_page_then_the_table_preview(page, app_url):
    page.goto(app_url)
    settle(page)
    page.locator(".st-key-data_chart .main-svg").first.wait_for()
    assert page.locator(".st-key-plotly_request").count() == 0  # the early request chart is gone
    assert page.get_by_test_id("stMain").get_by_test_id("stPlotlyChart").count() == 1  # not the warm-up's popover
    page.get_by_text("The table as read (first 100 rows)").click()
    settle(page)
    page.get_by_test_id("stDataFrame").nth(1).wait_for()  # the summary, then the preview, sent on opening


def test_pollution_upload_windows_to_tensor_shapes(page, app_url):
    page.goto(app_url)
    settle(page)
    upload(page, SAMPLES / "pollution.csv")
    assert page.get_by_text("pm2.5").count() > 0
    # pick the columns: drop DEWP from the features
    features = page.get_by_test_id("stMultiSelect").filter(has_text="Features")
    features.get_by_role("button", name="Remove DEWP").click()
    settle(page)
    go_to(page, "Windows")
    set_number(page, "Window size", 12)  # the app opens hourly data at two days (48): the formula at 12
    # 43,800 rows after the 24 leading NAs; 10 features (pm2.5, TEMP, PRES, Iws, Is, Ir + 4 wind directions)
    page.get_by_test_id("stMarkdown").filter(has_text="X_train [30648, 12, 10]").wait_for()
    assert page.get_by_test_id("stPlotlyChart").count() >= 2


def test_airline_train_predict_and_inspect(page, app_url):
    page.goto(app_url)
    settle(page)
    upload(page, SAMPLES / "airline-passengers.csv")
    go_to(page, "Windows")
    page.get_by_test_id("stMarkdown").filter(has_text="X_train [88, 12, 1]").wait_for()
    go_to(page, "Train")
    set_number(page, "Epochs", 15)
    page.get_by_role("button", name="Start training").click()
    page.get_by_test_id("stAlertContentSuccess").filter(has_text="Run 1").wait_for()
    settle(page)
    assert page.get_by_test_id("stDataFrame").count() >= 1

    go_to(page, "Predictions")
    page.get_by_test_id("stPlotlyChart").locator(".main-svg").first.wait_for()
    metrics = page.get_by_test_id("stDataFrame").first
    metrics.wait_for()
    assert page.get_by_text("seasonal naive").count() + page.get_by_text("Seasonal naive").count() > 0

    go_to(page, "Inspect")
    page.get_by_text("max abs difference").first.wait_for()
    set_number(page, "Sample", 5)
    page.get_by_role("tab", name="Cells").click()
    cell = page.get_by_test_id("stSlider").filter(has_text="Cell (time step)")
    cell.get_by_role("slider").press("Home")  # the first cell, t = 0
    settle(page)
    assert cell.get_by_test_id("stSliderThumbValue").inner_text() == "0"
    page.get_by_role("tab", name="Heatmaps & units").click()
    heatmaps = page.locator("[data-testid='stPlotlyChart'] .heatmaplayer")
    heatmaps.first.wait_for()
    assert heatmaps.count() >= 1
