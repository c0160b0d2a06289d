"""The Train and Compare pages with a hostile file: its name and column names show as text, never as markup.

A file named with a Markdown image, HTML and LaTeX, whose targets are a Markdown image link and an ``<a href>``,
is uploaded on the Data page and trained twice (an LSTM and a GRU). Every Markdown the two pages send (bodies of
markdown, captions, alerts, headings and toasts, widget labels and help, option labels that render Markdown,
``st.table`` cells) is parsed by a CommonMark parser: no link, image or HTML; every chart's text holds no tag.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from lstmlab.safetext import visible
from tests.app_support import finish_training, open_app
from tests.hostile import HOSTILE_FILE, HOSTILE_NAMES, hostile_frame
from tests.test_safetext import rendered_inline

TARGETS = [HOSTILE_NAMES[1], HOSTILE_NAMES[0]]  # an <a href>, then a Markdown image and link
MARKUP = {"link_open", "image", "html_inline", "html_block"}
MARKDOWN_FIELDS = {"body", "label", "help"}  # what Streamlit renders as Markdown in an element's proto
MARKDOWN_OPTIONS = {"radio", "button_group"}  # option labels rendered as Markdown (radio, pills, segmented control)


def hostile_upload() -> bytes:
    """The corpus as a CSV, less the column whose name holds a NUL byte: the Data page's sniffer refuses a file
    with one as binary (a Data page matter; every other name, the file's own included, is kept)."""
    frame = hostile_frame()
    buffer = io.StringIO()
    frame[[c for c in frame.columns if "\x00" not in c]].to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def markdown_texts(node, kind: str = "") -> list[tuple[str, str]]:
    """(element type, text) for every Markdown-rendered string under ``node`` of the AppTest tree."""
    found = []
    if isinstance(proto := getattr(node, "proto", None), Message):
        found += [(getattr(node, "type", kind), text) for text in _proto_texts(proto, getattr(node, "type", kind))]
    if getattr(node, "type", "") == "table":
        frame = node.value
        found += [("table", str(text)) for text in [*frame.columns, *frame.to_numpy().ravel()]]
    for child in getattr(node, "children", {}).values():
        found += markdown_texts(child)
    return found


def _proto_texts(proto: Message, kind: str) -> list[str]:
    texts = []
    for field, value in proto.ListFields():
        if field.name in MARKDOWN_FIELDS and isinstance(value, str):
            texts.append(value)
        elif field.name == "options" and kind in MARKDOWN_OPTIONS:
            texts += [v if isinstance(v, str) else getattr(v, "content", "") for v in value]
        elif isinstance(value, Message):
            texts += _proto_texts(value, kind)
    return texts


def chart_texts(at: AppTest) -> list[str]:
    """Every string in every Plotly chart's spec on the page."""

    def strings(value) -> list[str]:
        if isinstance(value, str):
            return [value]
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
        return [s for v in items for s in strings(v)]

    return [s for chart in at.get("plotly_chart") for s in strings(json.loads(chart.proto.spec))]


def assert_text_only(at: AppTest) -> list[tuple[str, str]]:
    """No Markdown on the page renders a link, image or HTML, and no chart text holds a tag; the texts checked."""
    texts = markdown_texts(at._tree)
    marked = [(kind, text[:120]) for kind, text in texts if rendered_inline(text)[1] & MARKUP]
    assert not marked, marked
    tagged = [s[:120] for s in chart_texts(at) if re.search(r"<[A-Za-z/!]", s)]
    assert not tagged, tagged
    return texts


def read(markdown: str) -> str:
    """What a reader sees of a Markdown string."""
    return rendered_inline(markdown)[0]


@pytest.fixture(scope="module")
def hostile_runs() -> AppTest:
    """A session on the hostile file with two runs (an LSTM, then a GRU) predicting two hostile targets."""
    at = open_app()
    at.file_uploader(key="upload").set_value((HOSTILE_FILE, hostile_upload(), "text/csv")).run()
    at.multiselect(key="targets").set_value(TARGETS).run()
    assert not at.exception, at.exception
    at.switch_page("pages/train.py").run()
    at.select_slider(key="h_size").set_value(4)
    at.number_input(key="epochs").set_value(2)
    for cell in ("LSTM", "GRU"):
        at.selectbox(key="cell").set_value(next(c for c in at.selectbox(key="cell").options if c.startswith(cell)))
        at.button(key="train_start").click().run()
        assert not at.exception, at.exception
        finish_training(at)  # the run that keeps the trained run, and says so in a toast
        number = len(at.session_state.runs)
        assert [read(t.value) for t in at.toast] == [
            f"Run {number}: H=4, 2 epochs on {visible(HOSTILE_FILE)}: training ended; the run is kept."]
        assert_text_only(at)
    assert [run.target_names for run in at.session_state.runs] == [tuple(TARGETS)] * 2
    return at


def test_train_page_shows_the_file_and_targets_as_written(hostile_runs):
    at = hostile_runs
    at.switch_page("pages/train.py").run()
    texts = assert_text_only(at)
    assert len(texts) > 20
    caption = next(c.value for c in at.caption if "training and" in c.value)
    assert read(caption).startswith(f"{visible(HOSTILE_FILE)}: ")
    assert read(at.success[0].value).startswith(f"Run 2: H=4, 2 epochs on {visible(HOSTILE_FILE)}: best validation")
    table = next(df.value for df in at.dataframe if "data" in df.value.columns)
    assert list(table["data"]) == [f"{visible(HOSTILE_FILE)}: {', '.join(map(visible, TARGETS))}"] * 2
    picked = at.selectbox(key="active_run_pick")
    assert picked.options == [run.label for run in at.session_state.runs]  # plain text: shown as written
    assert all(visible(HOSTILE_FILE) in label for label in picked.options)


def test_compare_page_shows_the_runs_and_target_as_written(hostile_runs):
    at = hostile_runs
    at.switch_page("pages/compare.py").run()
    assert not at.exception, at.exception
    assert at.multiselect(key="compare_runs").value == [1, 2]
    assert_text_only(at)
    window = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("compare_window"))
    unit = json.loads(window.proto.spec)["layout"]["yaxis"]["title"]["text"]
    assert unit == "&lt;a href=\"https://example.invalid\"&gt;evil&lt;/a&gt;"  # the first target, tags as text


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_a_sweep_run_that_failed_on_a_hostile_name_is_listed_as_text(name: str):
    """A run's reason can quote a worker's exception, and so a column name: the progress list keeps it text."""
    from lstmlab.sweep import Progress, Setting, Status, SweepRun
    from pages.common.sweep_view import SweepJob, progress_lines

    settings = [Setting(4, 8), Setting(8, 8)]
    reason = f"KeyError: {name!r} [see](https://example.invalid)"
    job = SweepJob(source=None, spec=None, settings=settings, train=None,
                   progress={0: Progress(0, settings[0], run=SweepRun(settings[0], Status.FAILED, reason))})
    text, kinds = rendered_inline("\n".join(progress_lines(job)))
    assert not kinds & MARKUP
    assert text == f"window 4, H=8: failed ({visible(reason, None)})window 8, H=8: waiting"
