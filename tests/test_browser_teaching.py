"""Every page and tab in chromium at real sizes: window 52 on the 13-column pollution table, window 4 on airline.

What a learner would see is checked where a test can see it: no two tick labels, colour-bar labels or
annotations of a rendered Plotly chart overlap, every axis that lists features lists all of them, no
exception; the runs table fits its width; one click on the last chip's × removes it.
"""

from __future__ import annotations

import pytest

from lstmlab.data import read_table
from lstmlab.prepare import infer_spec, prepare_series
from tests.browser_support import go_to, settle
from tests.conftest import SAMPLES

pytestmark = pytest.mark.browser

INSPECT_TABS = ["Shapes", "Cells", "Heatmaps & units", "Gate saturation", "Attribution", "Tutorial errata"]
WINDOWS_TABS = ["[batch, window, feature] cube", "one feature across the batch"]

# Per visible chart: its title, the boxes of its labels that overlap, and the tick texts of each axis.
CHARTS_JS = """() => {
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const out = [];
  for (const chart of document.querySelectorAll('[data-testid=stPlotlyChart]')) {
    if (!visible(chart) || !chart.querySelector('.main-svg')) continue;
    const boxes = [];
    const add = (el, kind) => {
      const text = (el.textContent || '').trim();
      const r = el.getBoundingClientRect();
      if (text && r.width * r.height >= 1) boxes.push({kind, text, l: r.left, t: r.top, r: r.right, b: r.bottom});
    };
    chart.querySelectorAll('.xtick text').forEach(e => add(e, 'xtick'));
    chart.querySelectorAll('.ytick text').forEach(e => add(e, 'ytick'));
    chart.querySelectorAll('.annotation-text-g').forEach(e => add(e, 'annotation'));
    chart.querySelectorAll('.colorbar .cbaxis text, .colorbar text.ytick').forEach(e => add(e, 'colorbar'));
    const overlaps = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], c = boxes[j];
      const w = Math.min(a.r, c.r) - Math.max(a.l, c.l), h = Math.min(a.b, c.b) - Math.max(a.t, c.t);
      if (w > 1 && h > 1) overlaps.push(`${a.kind} "${a.text}" × ${c.kind} "${c.text}"`);
    }
    const axes = [];
    chart.querySelectorAll('.xaxislayer-above, .yaxislayer-above').forEach(layer => {
      axes.push([...layer.querySelectorAll('.xtick text, .ytick text')].map(e => e.textContent.trim()));
    });
    const title = chart.querySelector('.gtitle');
    const kinds = {};
    boxes.forEach(b => { kinds[b.kind] = (kinds[b.kind] || 0) + 1; });
    out.push({title: title ? title.textContent : '(untitled)', overlaps, axes, kinds});
  }
  return out;
}"""

PLOTS_DRAWN = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
  .filter(e => e.getBoundingClientRect().width > 0).every(e => e.querySelector('.main-svg'))"""


def names_of(filename: str) -> tuple[list[str], list[str]]:
    """The table's columns (the Data page's axes list them) and the series' features (every later page's)."""
    table = read_table((SAMPLES / filename).read_bytes(), filename)
    return list(table.columns), list(prepare_series(table, infer_spec(table)).columns)


def check_charts(page, features: list[str], where: str) -> int:
    """The visible charts' labels do not overlap and feature axes name every feature; returns the labels seen."""
    page.wait_for_function(PLOTS_DRAWN, timeout=60_000)
    page.wait_for_timeout(400)  # Plotly's second layout pass (automargin) after the first draw
    charts = page.evaluate(CHARTS_JS)
    for chart in charts:
        assert not chart["overlaps"], f"{where}, {chart['title']}: {chart['overlaps'][:5]}"
        for ticks in chart["axes"]:
            if set(ticks) & set(features):  # an axis that lists features lists all of them
                assert set(features) <= set(ticks), f"{where}, {chart['title']}: missing {set(features) - set(ticks)}"
    return sum(sum(chart["kinds"].values()) for chart in charts)


def set_number(page, label: str, value: int) -> None:
    box = page.get_by_test_id("stNumberInput").filter(has_text=label).locator("input")
    box.fill(str(value))
    box.press("Enter")
    settle(page)


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    settle(page)


def one_click_removes_the_last_chip(page, label: str) -> None:
    """Click the last chip's right end, just beside its small ×: the chip goes, the list stays shut."""
    field = page.get_by_test_id("stMultiSelect").filter(has_text=label)
    chips = field.locator("[data-tag]")
    before = chips.count()
    last = chips.nth(before - 1).bounding_box()
    page.mouse.click(last["x"] + last["width"] - 2, last["y"] + last["height"] / 2 + 6)
    settle(page)
    assert chips.count() == before - 1 and page.get_by_role("listbox").count() == 0


def runs_table_fits(page) -> None:
    grid = page.get_by_test_id("stDataFrame").filter(has_text="best val loss").locator(".dvn-scroller").first
    overflow = grid.evaluate("e => e.scrollWidth - e.clientWidth")
    assert overflow <= 1, f"the runs table is {overflow} px wider than the page"


@pytest.mark.parametrize(("sample", "filename", "window"), [
    ("Airline", "airline-passengers.csv", 4),
    ("Beijing", "pollution.csv", 52),
])
def test_every_page_and_tab_reads_cleanly(page, app_url, sample, filename, window):
    columns, features = names_of(filename)
    page.goto(app_url)
    settle(page)
    if sample != "Airline":
        page.get_by_test_id("stSelectbox").filter(has_text="Built-in sample").click()
        page.get_by_role("option", name=sample).click()
        settle(page)
        page.get_by_text(f"{filename} ·").first.wait_for()
        one_click_removes_the_last_chip(page, "Columns to plot")
    seen = check_charts(page, columns, "Data")

    go_to(page, "Windows")
    set_number(page, "Window size", window)
    page.get_by_test_id("stMarkdown").filter(has_text=f", {window}, {len(features)}]").first.wait_for()
    for tab in WINDOWS_TABS:
        open_tab(page, tab)
        seen += check_charts(page, features, f"Windows, {tab}")

    go_to(page, "Train")
    set_number(page, "Epochs", 1)
    set_number(page, "Windows per epoch", 512)
    page.get_by_role("button", name="Start training").click()
    page.get_by_text("Run used by the Inspect and Predictions pages").wait_for(timeout=180_000)
    settle(page, timeout=180_000)
    runs_table_fits(page)
    seen += check_charts(page, features, "Train")

    go_to(page, "Inspect")
    for tab in INSPECT_TABS:
        open_tab(page, tab)
        seen += check_charts(page, features, f"Inspect, {tab}")

    go_to(page, "Predictions")
    settle(page, timeout=180_000)
    seen += check_charts(page, features, "Predictions")
    page.get_by_role("link", name="Next: train another run").wait_for()
    assert seen >= 150  # the checks looked at real labels (about 200 for airline, 400 for pollution)
