"""The Tour in a real browser: every step in both languages, on a built-in series and on an upload, after training."""

from __future__ import annotations

from pathlib import Path

import pytest

from lstmlab.config import WindowConfig
from lstmlab.data import read_table
from lstmlab.model import SimpleLSTM, count_parameters
from lstmlab.prepare import infer_spec, prepare_series
from lstmlab.tour_text import STEP_KEYS, TEXTS
from lstmlab.window_fit import settings_for_series
from lstmlab.windows import count_windows, split_bounds
from tests.browser_support import go_to, settle, upload

pytestmark = pytest.mark.browser
DATA = Path(__file__).resolve().parent / "data"


def train(page, epochs: int = 2) -> None:
    go_to(page, "Train")
    field = page.get_by_test_id("stNumberInput").filter(has_text="Epochs").locator("input")
    field.fill(str(epochs))
    field.press("Enter")
    settle(page)
    page.get_by_role("button", name="Start training").click()
    page.get_by_test_id("stAlertContentSuccess").filter(has_text="Run 1").wait_for(timeout=120_000)
    settle(page)


def walk(page, language: str, first_step_shows: str = "") -> str:
    """Every step of the tour in ``language`` by the Next button; all the Markdown read on the way.

    ``first_step_shows``: text the first step must show, waited for (the step's body can arrive after its
    heading on a busy machine)."""
    page.locator(".st-key-tour_lang").get_by_text("中文" if language == "zh" else "English").click()
    settle(page)
    page.locator(".st-key-tour_step").click()
    page.get_by_role("option").first.click()  # back to step 1
    settle(page)
    seen = []
    for index in range(len(STEP_KEYS)):
        title = TEXTS[language][f"{STEP_KEYS[index]}.title"]
        page.get_by_role("heading", name=f"{index + 1}. {title}").wait_for()
        if index == 0 and first_step_shows:
            page.get_by_test_id("stMarkdown").filter(has_text=first_step_shows).first.wait_for()
        settle(page)  # the heading can show before the rest of the step's run has arrived
        seen.append(page.get_by_test_id("stMarkdown").all_inner_texts())
        if index + 1 < len(STEP_KEYS):
            page.locator(".st-key-tour_next button").click()
            settle(page)
    return "\n".join("\n".join(texts) for texts in seen)


def expected_windows(rows: int) -> int:
    config = WindowConfig()  # the app's defaults: window 12, horizon 1, 15% validation, 15% test
    start, stop = split_bounds(rows, config)["train"]
    return count_windows(stop - start, config.window, config.horizon, config.stride)


def test_the_tour_on_the_builtin_series_before_and_after_training(page, app_url):
    page.goto(app_url)
    settle(page)
    go_to(page, "Tour")
    shape = f"[{expected_windows(144)}, 12, 1]"
    before = walk(page, "en", shape)
    assert shape in before and TEXTS["en"]["needs_run"] in before
    train(page)
    go_to(page, "Tour")
    params = f"{count_parameters(SimpleLSTM(1, 12, 1, 64).lstm):,}"
    for language in ("zh", "en"):
        read = walk(page, language, shape)
        if not (params in read and "index_select" in read):  # under CI load a step's text once came in late
            read = walk(page, language, shape)
        assert shape in read, language
        assert params in read, language  # the parameter count at W (step 2)
        assert "index_select" in read, language  # the tutorial's CPU index (step 9)


def test_the_tour_on_an_upload(page, app_url):
    page.goto(app_url)
    settle(page)
    upload(page, DATA / "monthly-car-sales.csv")
    train(page)
    go_to(page, "Tour")
    data = (DATA / "monthly-car-sales.csv").read_bytes()
    table = read_table(data, "monthly-car-sales.csv")
    series = prepare_series(table, infer_spec(table))
    config = settings_for_series(series.length, series.time).config  # the window the app opens this series at
    start, stop = split_bounds(series.length, config)["train"]
    shape = f"[{count_windows(stop - start, config.window, config.horizon, config.stride)}, {config.window}, 1]"
    for language in ("en", "zh"):
        read = walk(page, language, shape)
        assert "monthly-car-sales.csv" in read and shape in read
    page.locator(".st-key-tour_step").click()
    page.get_by_role("option").nth(4).click()
    settle(page)
    page.locator(".st-key-tour_lang").get_by_text("English").click()  # the language changes, the step stays
    settle(page)
    page.get_by_role("heading", name=f"5. {TEXTS['en']['handover.title']}").wait_for()
