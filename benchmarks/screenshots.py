"""Full-page screenshots of every page and tab, at two sizes, with the tour in both languages.

    python -m benchmarks.screenshots                  # both sizes, into screenshots/ (git ignores it)
    python -m benchmarks.screenshots --only window4   # one size
    python -m benchmarks.screenshots --out /tmp/shots

Sizes: ``window52`` is the built-in 13-column pollution table at window 52, ``window4`` the airline series
at window 4. Each trains a small model first (2 epochs, 2,000 windows per epoch) so Inspect, Predictions
and the tour have a run to show. Runs ``streamlit run`` on a free local port and Debian's chromium
(/usr/bin/chromium) through Playwright, as the browser tests do; about 5½ minutes for both on 2 shared cores.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.browser import ROOT, Server, browser_missing, chromium, settle, watch
from lstmlab.tour_text import LANGUAGES, STEP_KEYS

WIDTH = 1400
TALL = 1800  # the viewport while working; each picture grows it to the page's full height


@dataclass(frozen=True)
class Size:
    name: str
    sample: str  # the Data page's built-in sample label
    window: int


SIZES = {
    "window52": Size("window52", "Beijing PM2.5 pollution (hourly, 2010-2014)", 52),
    "window4": Size("window4", "Airline passengers (monthly, 1949-1960)", 4),
}
PAGES = ("Data", "Windows", "Train", "Inspect", "Predictions")


def shoot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its own container, so the viewport grows to its content first."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stMainBlockContainer]')]"
        ".map(e => e.scrollHeight), 600)"
    )
    page.set_viewport_size({"width": WIDTH, "height": int(height) + 80})
    page.wait_for_timeout(400)  # charts reflow to the new size
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    page.set_viewport_size({"width": WIDTH, "height": TALL})


def go_to(page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    page.get_by_role("heading", name=name).first.wait_for()
    settle(page)
    page.wait_for_timeout(500)  # charts finish drawing


def fill(page, label: str, value: int) -> None:
    field = page.get_by_test_id("stNumberInput").filter(has_text=label).locator("input")
    field.fill(str(value))
    field.press("Enter")
    settle(page)


def prepare(page, size: Size) -> None:
    """Pick the sample, set the window, train a small model."""
    page.get_by_test_id("stSelectbox").filter(has_text="Built-in sample").click()
    page.get_by_role("option", name=size.sample).click()
    settle(page)
    go_to(page, "Windows")
    fill(page, "Window size", size.window)
    go_to(page, "Train")
    fill(page, "Epochs", 2)
    fill(page, "Windows per epoch", 2000)
    page.get_by_role("button", name="Start training").click()
    page.get_by_test_id("stAlertContentSuccess").filter(has_text="Run 1").wait_for(timeout=300_000)
    settle(page)


def shoot_pages(page, folder: Path) -> int:
    """Every page, and every tab of it (the first tab is the page's own picture)."""
    count = 0
    for number, name in enumerate(PAGES, start=1):
        go_to(page, name)
        shoot(page, folder / f"{number}-{name.lower()}.png")
        count += 1
        tabs = page.get_by_role("tab")
        for k in range(1, tabs.count()):
            label = tabs.nth(k).inner_text().strip().lower().replace(" ", "-").replace("&", "and")
            tabs.nth(k).click()
            page.wait_for_timeout(600)
            shoot(page, folder / f"{number}-{name.lower()}-tab{k}-{label[:30]}.png")
            count += 1
    return count


def shoot_tour(page, folder: Path) -> int:
    go_to(page, "Tour")
    count = 0
    for language, label in LANGUAGES.items():
        page.locator(".st-key-tour_lang").get_by_text(label).click()
        settle(page)
        page.locator(".st-key-tour_step").click()
        page.get_by_role("option").first.click()
        settle(page)
        for index, key in enumerate(STEP_KEYS):
            page.wait_for_timeout(400)
            shoot(page, folder / f"6-tour-{language}-{index + 1}-{key}.png")
            count += 1
            if index + 1 < len(STEP_KEYS):
                page.locator(".st-key-tour_next button").click()
                settle(page)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--only", choices=sorted(SIZES), action="append")
    args = parser.parse_args()
    if why := browser_missing():
        raise SystemExit(why)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    server = Server(ROOT / "app.py", args.out / "streamlit.log")
    try:
        server.wait_healthy()
        with chromium() as browser:
            for name in args.only or list(SIZES):
                began = time.perf_counter()
                page = watch(browser.new_page(viewport={"width": WIDTH, "height": TALL}))  # a fresh session per size
                page.goto(server.url)
                settle(page)
                prepare(page, SIZES[name])
                count = shoot_pages(page, args.out / name) + shoot_tour(page, args.out / name)
                page.close()
                print(f"{name}: {count} screenshots in {time.perf_counter() - began:.0f} s → {args.out / name}")
    finally:
        server.stop()
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
