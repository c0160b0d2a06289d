"""The whole journey in a real browser: Playwright driving Debian's chromium against `streamlit run`."""

import pytest

from tests.browser_support import go_to, runs_asked, set_number, settle, upload
from tests.conftest import SAMPLES

pytestmark = pytest.mark.browser


def test_first_page_then_the_table_preview(page, app_url):
    page.goto(app_url)
    settle(page)
    page.locator(".st-key-data_chart .main-svg").first.wait_for()
    assert page.locator(".st-key-plotly_request").count() == 0  # the early request chart is gone
    assert page.locator("[data-testid='stPlotlyChart']:visible").count() == 1  # the warm-up's are out of sight
    page.get_by_text("The table as read (first 100 rows)").click()
    settle(page)
    page.get_by_test_id("stDataFrame").nth(1).wait_for()  # the summary, then the preview, sent on opening


DRAWN_JS = """() => document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']") !== null
  && document.querySelector("[data-testid='stSkeleton']") === null"""


def test_the_first_page_warms_the_windows_page_unseen_once_drawn(page, app_url):
    """pages/common/warmup.py: once the first page is drawn, each chart of the Windows page and its other new element
    kinds (a WebGL cube, heatmaps, a formula, a number box, a slider, tabs) are drawn out of sight, then gone."""
    page.goto(app_url)
    settle(page)
    warmup = page.locator(".st-key-warmup")
    warmup.locator(".gl-container canvas").first.wait_for(state="attached")  # Plotly's 3D scene was drawn
    warmup.locator(".katex").first.wait_for(state="attached")
    settle(page)
    assert warmup.locator("[data-testid='stPlotlyChart']").count() == 5
    box = warmup.bounding_box()
    assert not warmup.is_visible() and box["width"] == box["height"] == 0  # laid out, shown at no size
    assert page.get_by_role("slider").count() == page.get_by_role("spinbutton").count() == 0  # unseen by a reader
    assert page.locator("[data-testid='stPlotlyChart']:visible").count() == 1
    go_to(page, "Windows")
    assert warmup.count() == 0 and page.get_by_role("slider").count() >= 3


# Idle turns held until the test lets them go: the component's report waits for one.
HELD_IDLE_JS = "window.heldIdle = []; window.requestIdleCallback = (then) => window.heldIdle.push(then);"


@pytest.mark.parametrize("moved", [True, False])
def test_a_move_before_the_report_cancels_it(page, app_url, moved):
    """A key pressed once the component waits for its idle turn: it never reports. Without the key, the same turn
    sends the report. Counted from the page's websocket, up to a run asked for after that turn (the preview)."""
    page.add_init_script(HELD_IDLE_JS)
    page.goto(app_url)
    settle(page)
    page.wait_for_function("() => window.heldIdle.length > 0")  # drawn: the component waits for the idle turn
    asked = runs_asked(page)
    if moved:
        page.keyboard.press("Shift")
    page.evaluate("() => window.heldIdle.splice(0).forEach((then) => then())")
    page.get_by_text("The table as read (first 100 rows)").click()  # a run asked for after the idle turn
    settle(page)
    assert runs_asked(page) - asked == (1 if moved else 2)  # the preview's run, and the report unless moved
    page.get_by_test_id("stDataFrame").nth(1).wait_for()


@pytest.mark.parametrize("attempt", range(3))
def test_a_click_to_windows_right_after_the_first_page_is_never_lost(page, app_url, attempt):
    """The report and a click can leave the browser in either order; the learner's page always wins."""
    page.goto(app_url)
    page.wait_for_function(DRAWN_JS, polling=10)
    go_to(page, "Windows")
    page.get_by_role("heading", name="Windows").first.wait_for()
    assert page.locator(".st-key-warmup").count() == 0


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
