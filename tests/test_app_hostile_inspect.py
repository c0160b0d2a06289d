"""Inspect, What if, Predictions and Tour after training on the hostile file (AppTest): every Markdown body, alert,
heading and widget label shows the file's and columns' names as text (no link, image or HTML), option labels of
select boxes are visible plain text, LaTeX runs no command from a name, and the pages' charts hold no tag a name
brought in."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from lstmlab.config import WindowConfig
from lstmlab.persist import save_model, write_bundle
from lstmlab.safetext import visible
from tests.app_support import open_app, train
from tests.hostile import HOSTILE_FILE, HOSTILE_NAMES, hostile_csv
from tests.hostile_checks import markdown_read, markdown_texts, page_problems

TARGETS = [HOSTILE_NAMES[1], HOSTILE_NAMES[0]]  # an <a href> first: it names the Inspect errata and the Tour


def check_page(at: AppTest, where: str) -> None:
    """Nothing the page sends turns a name into markup (``page_problems``), its LaTeX stays one ``$$`` block, and
    select box options are plain text with no character hidden and no two labels alike."""
    assert not at.exception, [e.value for e in at.exception]
    assert page_problems(at, where) == []
    for kind, text in markdown_texts(at._tree):
        if kind == "latex":  # a name cannot close the block
            assert text.count("$$") == 2, text
    for box in (*at.selectbox, *at.multiselect):
        assert all(visible(option, None) == option for option in box.proto.options), box.key
        assert len(set(box.proto.options)) == len(box.proto.options), box.key


@pytest.fixture(scope="module")
def hostile_run() -> AppTest:
    """A session on the hostile file, two hostile targets, one small run trained (window 6, 2 steps ahead)."""
    at = open_app()
    at.file_uploader(key="upload").set_value((HOSTILE_FILE, hostile_csv(), "text/csv")).run()
    assert not at.error, [e.value for e in at.error]
    at.multiselect(key="targets").set_value(TARGETS).run()
    assert not at.exception
    at.session_state["window_config"] = WindowConfig(window=6, horizon=2)
    return train(at, h_size=4, epochs=2)


def test_inspect_shows_the_names_as_text(hostile_run):
    at = hostile_run.switch_page("pages/inspect.py").run()
    check_page(at, "inspect")
    assert len(at.get("plotly_chart")) >= 9 and not at.error
    caption = next(c.value for c in at.caption if "next step" in c.value)
    assert visible(TARGETS[0]) in markdown_read(caption)[0]
    assert at.selectbox(key="inspect_target").options == [visible(f"step {s} · {n}") for s in (1, 2) for n in TARGETS]
    errata = next(m.value for m in at.markdown if m.value.startswith("**Random initial states.**"))
    assert visible(TARGETS[0]) in markdown_read(errata)[0]


def test_whatif_shows_the_names_as_text(hostile_run):
    at = hostile_run.switch_page("pages/whatif.py").run()
    check_page(at, "what if")
    features = at.selectbox(key="whatif_feature").options
    assert features[19] == features[18] + " (2)" and features[21] == features[20] + " (2)"  # alike once shortened
    at.selectbox(key="whatif_feature").set_value(11)  # the right-to-left override, written out
    at.number_input(key="whatif_size").set_value(1e6)
    at.button(key="whatif_apply").click().run()
    check_page(at, "what if, a far value applied")
    flag = next(w.value for w in at.warning if "far outside the training range" in w.value)
    assert visible(HOSTILE_NAMES[11]) in markdown_read(flag)[0] and "\u202e" not in flag
    assert visible(TARGETS[0]) in markdown_read(at.metric[0].proto.label)[0]


def test_predictions_show_the_names_as_text(hostile_run):
    at = hostile_run.switch_page("pages/predictions.py").run()
    check_page(at, "predictions")
    assert at.selectbox(key="pred_target").options == [visible(n) for n in TARGETS]
    at.selectbox(key="pred_target").set_value(1).run()
    check_page(at, "predictions, the second target")
    script = next(c.value for c in at.caption if c.value.startswith("The script rebuilds"))
    assert visible(HOSTILE_FILE) in markdown_read(script)[0]


def test_a_model_file_naming_hostile_columns_loads_or_is_refused_as_text(hostile_run):
    at = hostile_run.switch_page("pages/predictions.py").run()
    weights, config = save_model(at.session_state["runs"][0])
    at.file_uploader(key="model_upload").set_value(("m.zip", write_bundle(weights, config), "application/zip")).run()
    check_page(at, "predictions, a model file loaded")
    loaded = next(markdown_read(s.value)[0] for s in at.success if "Loaded as run 2" in s.value)
    assert loaded.count(visible(HOSTILE_FILE)) == 2  # on the current data, trained on the same file

    other = json.loads(config)
    other["source"]["name"] = HOSTILE_NAMES[3]
    other["columns"] = [*HOSTILE_NAMES[11:13], *other["columns"][2:]]  # a bidi override; a zero-width space and a bell
    at.file_uploader(key="model_upload").set_value(
        ("other.zip", write_bundle(weights, json.dumps(other).encode()), "application/zip")).run()
    check_page(at, "predictions, a model file refused")
    refused = markdown_read(next(e.value for e in at.error if "Model not loaded" in e.value))[0]
    assert all(visible(name) in refused for name in HOSTILE_NAMES[11:13])
    assert "\\u202e" in refused and "\u202e" not in refused  # the override written out, never in force


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_tour_step_shows_the_names_as_text(hostile_run, language):
    at = hostile_run.switch_page("pages/tour.py").run()
    at.radio(key="tour_lang").set_value(language).run()
    for step in range(9):
        at.selectbox(key="tour_step").set_value(step).run()
        check_page(at, f"tour step {step} ({language})")
    at.selectbox(key="tour_step").set_value(0).run()
    body = next(m.value for m in at.markdown if "T = 96" in markdown_read(m.value)[0])
    assert visible(HOSTILE_FILE) in markdown_read(body)[0] and visible(TARGETS[0]) in markdown_read(body)[0]
