"""In a browser: an LSTM and a GRU on the same windows, side by side on Compare; the page's URL reopens the settings."""

import re

import pytest

from tests.browser_support import go_to, new_user, set_number, settle

pytestmark = pytest.mark.browser


def train(page, cell: str) -> None:
    """Pick ``cell`` on the Train page, start, and wait for the run to be kept."""
    page.get_by_test_id("stSelectbox").filter(has_text="Cell").click()
    page.get_by_role("option", name=cell, exact=True).click()
    settle(page)
    page.get_by_role("button", name="Start training").click()
    page.get_by_test_id("stAlertContentSuccess").filter(has_text=re.compile(r"best validation loss")).first.wait_for(
        timeout=120_000)
    settle(page)


def test_lstm_and_gru_side_by_side_then_the_link_reopens_the_settings(page, app_url, browser):
    page.goto(app_url)
    settle(page)
    go_to(page, "Train")  # the built-in airline series
    set_number(page, "Epochs", 3)
    train(page, "LSTM")
    train(page, "GRU")
    go_to(page, "Compare")
    page.get_by_text("matrices per layer").or_(page.get_by_test_id("stDataFrame")).first.wait_for()
    page.get_by_test_id("stPlotlyChart").locator(".main-svg").first.wait_for()
    page.wait_for_function("() => location.search.includes('model.cell=GRU')")
    assert "train.epochs=3" in page.url

    context, other = new_user(browser)  # another person opening the copied link
    try:
        other.goto(page.url)
        settle(other)
        go_to(other, "Train")
        cell = other.get_by_test_id("stSelectbox").filter(has_text="Cell")
        assert "GRU" in cell.inner_text() + cell.locator("input").input_value(), cell.inner_html()[:2000]
        epochs = other.get_by_test_id("stNumberInput").filter(has_text="Epochs").locator("input")
        assert epochs.input_value() == "3"
        assert not other.get_by_test_id("stException").count()
    finally:
        context.close()
