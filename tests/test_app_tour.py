"""The Tour page driven by AppTest: every step in both languages, before and after training; the place is kept."""

from __future__ import annotations

import pytest

from lstmlab.tour import step_titles
from lstmlab.tour_text import LANGUAGES, STEP_KEYS, TEXTS
from tests.app_support import open_app

TOUR = "pages/tour.py"


def walk(at, language: str) -> list[str]:
    """Pick ``language``, go to step 1, press Next to the last step; the subheaders seen on the way."""
    at.radio(key="tour_lang").set_value(language).run()
    at.selectbox(key="tour_step").set_value(0).run()
    seen = [at.subheader[0].value]
    for _ in STEP_KEYS[1:]:
        at.button(key="tour_next").click().run()
        assert not at.exception, at.exception
        seen.append(at.subheader[0].value)
    assert at.button(key="tour_next").disabled and at.selectbox(key="tour_step").value == len(STEP_KEYS) - 1
    return seen


def text_of(at) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_tour_before_training(language):
    at = open_app()
    at.switch_page(TOUR).run()
    assert not at.exception, at.exception
    assert walk(at, language) == step_titles(language)
    assert TEXTS[language]["needs_run"] in text_of(at)  # the last steps say to train first
    at.selectbox(key="tour_step").set_value(0).run()
    # airline, 144 rows: 100 training rows at the default 15% + 15%, window 12: (100 - 12 - 1) // 1 + 1 = 88
    assert "[88, 12, 1]" in text_of(at)


def test_the_tour_after_training_in_both_languages_keeps_the_place(trained_session):
    at = trained_session
    at.switch_page(TOUR).run()
    assert not at.exception, at.exception
    for language in LANGUAGES:
        assert walk(at, language) == step_titles(language)
        assert "index_select" in text_of(at)
    at.selectbox(key="tour_step").set_value(3).run()
    at.radio(key="tour_lang").set_value("en").run()
    assert at.selectbox(key="tour_step").value == 3 and at.subheader[0].value == step_titles("en")[3]
    at.radio(key="tour_lang").set_value("zh").run()  # switching language keeps the step
    assert at.selectbox(key="tour_step").value == 3 and at.subheader[0].value == step_titles("zh")[3]
    assert len(at.latex) == 6  # the gate equations with this window's numbers
    at.button(key="tour_previous").click().run()
    assert at.selectbox(key="tour_step").value == 2
    at.switch_page("pages/data.py").run()  # leave and come back: the place and the language are kept
    at.switch_page(TOUR).run()
    assert at.selectbox(key="tour_step").value == 2 and at.radio(key="tour_lang").value == "zh"
