"""Live exploration in a real browser: train in the background, watch it from Inspect, edit a window, stop elsewhere."""

import re

import pytest

from tests.browser_support import go_to, settle

pytestmark = pytest.mark.browser


def sidebar_epoch(page) -> int:
    """The epoch the sidebar's progress says is finished."""
    text = page.get_by_test_id("stSidebar").get_by_test_id("stProgress").inner_text()
    return int(re.search(r"epoch (\d+) of 1000", text).group(1))


def test_train_in_the_background_watch_inspect_edit_and_stop_from_predictions(page, app_url):
    page.goto(app_url)
    settle(page)
    go_to(page, "Train")  # the built-in airline series
    for label, value in (("Epochs", "1000"), ("Early-stopping patience", "0")):
        box = page.get_by_test_id("stNumberInput").filter(has_text=label).locator("input")
        box.fill(value)
        box.press("Enter")
        settle(page)
    page.get_by_role("button", name="Start training").click()
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text(re.compile(r"epoch [2-9]\d* of 1000")).first.wait_for(timeout=60_000)

    go_to(page, "Inspect")  # mid-training: the latest finished epoch, labelled
    page.get_by_text(re.compile(r"epoch \d+ of 1000, training…")).first.wait_for()
    first = sidebar_epoch(page)
    page.wait_for_function(  # the sidebar fragment keeps counting while the learner reads Inspect
        """(first) => /epoch (\\d+) of 1000/.test(document.querySelector("[data-testid='stSidebar']").innerText)
             && Number(document.querySelector("[data-testid='stSidebar']").innerText
                       .match(/epoch (\\d+) of 1000/)[1]) > first""",
        arg=first, timeout=60_000,
    )

    go_to(page, "What if")
    page.get_by_role("button", name="Apply").click()
    settle(page)
    page.get_by_text("Edited from step").first.wait_for()

    go_to(page, "Predictions")
    sidebar.get_by_role("button", name="Stop").click()
    settle(page)
    page.get_by_text(re.compile(r"Run 1: H=64, \d+ epochs on")).first.wait_for(timeout=60_000)
    assert sidebar.get_by_test_id("stProgress").count() == 0  # nothing trains any more
    go_to(page, "Train")
    page.get_by_text("Stopped by the user").first.wait_for()
