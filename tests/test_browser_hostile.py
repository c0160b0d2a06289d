"""Issue 16 in a real browser: a file whose name and columns hold Markdown, HTML and links, explored end to end.

Every request the pages make is recorded (and any to another host aborted). Along the whole journey none may
leave for a host other than the app's own, no chart may hold an ``<a>`` element, no ``<img>`` may point outside,
no link may lead to the corpus' outside host or run ``javascript:``, and no page may show an exception.
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlsplit

import pytest

from tests.browser_support import go_to, new_user, set_number, settle
from tests.hostile import HOSTILE_FILE, HOSTILE_NAMES, OUTSIDE, hostile_csv

pytestmark = pytest.mark.browser
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
INSPECT_TABS = ("Shapes", "Cells", "Heatmaps & units", "Gate saturation", "Attribution", "Tutorial errata")

# What the page shows, read in one go: the offending elements' markup, shortened.
FINDINGS_JS = """(outside) => {
  const url = (text) => new URL(text, location.href);
  const local = (text) => !['http:', 'https:'].includes(url(text).protocol) || ['127.0.0.1', 'localhost']
    .includes(url(text).hostname);
  const brief = (e) => e.outerHTML.slice(0, 160);
  return {
    'an <a> inside a chart': [...document.querySelectorAll('.js-plotly-plot svg a')].map(brief),
    'an <img> from outside': [...document.querySelectorAll('img')].filter((i) => !local(i.src)).map(brief),
    'a link to the outside host or to javascript': [...document.querySelectorAll('a[href]')]
      .filter((a) => url(a.href).hostname.endsWith(outside) || url(a.href).protocol === 'javascript:').map(brief),
    'a Streamlit exception': [...document.querySelectorAll("[data-testid='stException']")]
      .map((e) => e.innerText.slice(0, 300)),
  };
}"""


class Journey:
    """The browser's requests and each step's findings, as ``where: what: markup`` lines."""

    def __init__(self, context, page) -> None:
        self.page, self.where, self.found = page, "start", []
        context.on("request", self._request)
        context.route("**/*", lambda route: route.continue_() if self._local(route.request.url) else route.abort())

    @staticmethod
    def _local(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in {"data", "blob", "about"} or parts.hostname in LOCAL_HOSTS

    def _request(self, request) -> None:
        if not self._local(request.url):
            self.found.append(f"{self.where}: a request to another host: {request.method} {request.url[:160]}")

    def step(self, where: str, action) -> None:
        """Do ``action`` (which settles), wait for its charts to be drawn, then record what the page shows."""
        self.where = where
        with suppress(AssertionError):  # settle() saw an exception element: recorded below with the rest
            action()
        for chart in self.page.get_by_test_id("stPlotlyChart").all():
            if chart.is_visible():
                chart.locator(".main-svg").first.wait_for()
        for what, items in self.page.evaluate(FINDINGS_JS, OUTSIDE).items():
            self.found += [f"{where}: {what}: {item}" for item in dict.fromkeys(items)]


def _upload(page, data: bytes, shows) -> None:
    """Upload ``data`` as HOSTILE_FILE (a name with "/" in it: no file on disk can have it) and wait until the page
    ``shows`` the upload's result, so that the next step starts from it."""
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": HOSTILE_FILE, "mimeType": "text/csv", "buffer": data}]
    )
    shows.first.wait_for()
    settle(page)


def _described(page, rows: int, columns: int):
    return page.get_by_test_id("stMarkdown").filter(has_text=f"{rows} rows × {columns} columns")


def _train(page) -> None:
    go_to(page, "Train")
    set_number(page, "Epochs", 2)
    page.locator(".st-key-h_size").get_by_role("slider").press("Home")  # H = 4: the smallest
    settle(page)
    page.get_by_role("button", name="Start training").click()
    page.get_by_test_id("stAlertContentSuccess").filter(has_text="Run 1").wait_for()
    settle(page)


def _click(page, role: str, name: str) -> None:
    page.get_by_role(role, name=name, exact=True).click()
    settle(page)


def test_a_hostile_file_explored_end_to_end_stays_text(browser, app_url):
    context, page = new_user(browser)
    try:
        journey = Journey(context, page)
        journey.step("Data (opened)", lambda: (page.goto(app_url), settle(page)))
        journey.step("Data (the hostile file)", lambda: _upload(page, hostile_csv(), _described(page, 96, 25)))
        targets = page.get_by_test_id("stMultiSelect").filter(has_text="Target(s) to predict")
        targets.get_by_text(HOSTILE_NAMES[0], exact=True).wait_for(timeout=30_000)  # the app's default: a hostile one
        journey.step("Windows", lambda: go_to(page, "Windows"))
        journey.step("Train (a tiny run)", lambda: _train(page))
        journey.step("Inspect", lambda: go_to(page, "Inspect"))
        for tab in INSPECT_TABS:
            journey.step(f"Inspect, {tab}", lambda tab=tab: _click(page, "tab", tab))
        journey.step("What if", lambda: go_to(page, "What if"))
        journey.step("What if (an edit applied)", lambda: _click(page, "button", "Apply"))
        journey.step("Predictions", lambda: go_to(page, "Predictions"))
        journey.step("Tour, step 1", lambda: go_to(page, "Tour"))
        for step in range(2, 10):
            journey.step(f"Tour, step {step}", lambda: (page.locator(".st-key-tour_next button").click(), settle(page)))
        journey.step("Compare", lambda: go_to(page, "Compare"))
        journey.step("Compare, Window sweep", lambda: _click(page, "tab", "Window sweep"))
    finally:
        context.close()
    assert not journey.found, f"{len(journey.found)} findings:\n" + "\n".join(journey.found)
