"""pages/common/warmup.py in chromium: the hidden popover opens once the learner is still, draws the Windows page's
element kinds out of sight, closes, and tells the server nothing; a move postpones it, a click closes it."""

import pytest

from pages.common import warmup
from tests.browser_support import STEP_MS, go_to, messages_sent, settle

pytestmark = pytest.mark.browser

# What happens to the popover's body, watched from the page's first moment: opened, the most charts drawn in it at
# once, a formula typeset, ever visible, closed again (gone after it was there).
WATCH_JS = """
window.warmSeen = { opened: false, plots: 0, katex: false, visible: false, closed: false };
new MutationObserver(() => {
  const seen = window.warmSeen;
  const body = [...document.querySelectorAll("[data-testid='stPopoverBody']")]
    .find((element) => element.getAttribute("aria-label") === LABEL);
  if (body === undefined) { seen.closed = seen.opened; return; }
  seen.opened = true;
  const plots = [...body.querySelectorAll(".js-plotly-plot")].filter((plot) => plot.querySelector(".main-svg"));
  seen.plots = Math.max(seen.plots, plots.length);
  seen.katex ||= body.querySelector(".katex") !== null;
  seen.visible ||= getComputedStyle(body).visibility !== "hidden";
}).observe(document, { childList: true, subtree: true });
""".replace("LABEL", repr(warmup.LABEL))
# Idle turns held until the test lets them go: the component opens (and closes) the popover only in one.
HELD_IDLE_JS = "window.heldIdle = []; window.requestIdleCallback = (then) => window.heldIdle.push(then);"
RELEASE_JS = "() => window.heldIdle.splice(0).forEach((then) => then())"


def test_the_first_page_draws_the_windows_page_once_out_of_sight(page, app_url):
    page.add_init_script(WATCH_JS)
    page.goto(app_url)
    settle(page)
    sent = messages_sent(page)
    page.wait_for_function("() => window.warmSeen.closed", timeout=STEP_MS)
    seen = page.evaluate("() => window.warmSeen")
    assert seen == {"opened": True, "plots": 5, "katex": True, "visible": False, "closed": True}
    assert messages_sent(page) == sent  # opened and closed in the browser: nothing reached the server
    assert page.get_by_test_id("stPlotlyChart").count() == 1  # the Data page's chart; the popover's are gone
    assert not page.locator(".st-key-warmup").is_visible()
    assert page.evaluate("() => document.activeElement === document.body")  # the focus was never moved
    go_to(page, "Windows")
    assert page.locator(".st-key-warmup").count() == 0 and page.get_by_role("slider").count() >= 3


@pytest.mark.parametrize("moved", [True, False])
def test_a_move_before_the_popover_opens_postpones_it(page, app_url, moved):
    """A key pressed while the component waits for its idle turn spends that turn: it opens on the next one, a still
    learner's second later. Without the key, the first turn opens it."""
    page.add_init_script(HELD_IDLE_JS + WATCH_JS)
    page.goto(app_url)
    settle(page)
    page.wait_for_function("() => window.heldIdle.length > 0")  # the learner was still: it waits for an idle turn
    if moved:
        page.keyboard.press("Shift")
    page.evaluate(RELEASE_JS)
    if moved:
        page.wait_for_function("() => window.heldIdle.length > 0")  # a still second after the key: the next turn
        assert not page.evaluate("() => window.warmSeen.opened")
        page.evaluate(RELEASE_JS)
    page.wait_for_function("() => window.warmSeen.opened")
    settle(page)


def test_a_click_while_the_popover_is_open_closes_it_and_goes_where_clicked(page, app_url):
    page.add_init_script(HELD_IDLE_JS + WATCH_JS)
    page.goto(app_url)
    settle(page)
    page.wait_for_function("() => window.heldIdle.length > 0")
    page.evaluate(RELEASE_JS)  # opens; its close waits for an idle turn, held
    page.wait_for_function("() => window.warmSeen.plots === 5 && window.heldIdle.length > 0")
    assert not page.evaluate("() => window.warmSeen.closed")
    go_to(page, "Windows")
    assert page.evaluate("() => window.warmSeen.closed")
    assert page.get_by_test_id("stPlotlyChart").count() == 5  # the Windows page's own
