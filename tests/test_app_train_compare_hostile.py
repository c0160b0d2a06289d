"""The Train and Compare pages with a hostile file: its name and column names show as text, never as markup.

A file named with a Markdown image, HTML and LaTeX, whose targets are a Markdown image link and an ``<a href>``,
is uploaded on the Data page and trained twice (an LSTM and a GRU). Every string the two pages send is read by
``tests.hostile_checks.page_problems``: no Markdown (bodies, toasts, labels, help, option labels, ``st.table``
cells) holds a link, image, HTML or text-level markup, no chart text a tag from a name, no string a hidden character.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from lstmlab.safetext import visible
from tests.app_support import finish_training, open_app
from tests.hostile import HOSTILE_FILE, HOSTILE_NAMES, hostile_csv
from tests.hostile_checks import FORBIDDEN, markdown_read, markdown_texts, page_problems

TARGETS = [HOSTILE_NAMES[1], HOSTILE_NAMES[0]]  # an <a href>, then a Markdown image and link


def read(markdown: str) -> str:
    """What a reader sees of a Markdown string."""
    return markdown_read(markdown)[0]


@pytest.fixture(scope="module")
def hostile_runs() -> AppTest:
    """A session on the hostile file with two runs (an LSTM, then a GRU) predicting two hostile targets."""
    at = open_app()
    at.file_uploader(key="upload").set_value((HOSTILE_FILE, hostile_csv(), "text/csv")).run()
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
        # Under load the progress fragment may have kept the run (and shown its toast) before this rerun: then
        # there is no toast here, but one that is shown must read the file's name as written.
        assert [read(t.value) for t in at.toast] in ([], [
            f"Run {number}: H=4, 2 epochs on {visible(HOSTILE_FILE)}: training ended; the run is kept."])
        assert page_problems(at, f"train, after the {cell} run") == []
    assert [run.target_names for run in at.session_state.runs] == [tuple(TARGETS)] * 2
    return at


def test_train_page_shows_the_file_and_targets_as_written(hostile_runs):
    at = hostile_runs
    at.switch_page("pages/train.py").run()
    assert page_problems(at, "train") == []
    assert len(markdown_texts(at._tree)) > 20
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
    assert page_problems(at, "compare") == []
    window = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("compare_window"))
    unit = json.loads(window.proto.spec)["layout"]["yaxis"]["title"]["text"]
    assert unit == "&lt;a href=\"https://example.invalid\"&gt;evil&lt;/a&gt;"  # the first target, tags as text


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_a_sweep_run_that_failed_on_a_hostile_name_is_listed_as_text(name: str):
    """A run's reason can quote a worker's exception, and so a column name: the progress list keeps it text."""
    from lstmlab.sweep_run import Progress, Setting, Status, SweepRun
    from pages.common.sweep_view import SweepJob, progress_lines

    settings = [Setting(4, 8), Setting(8, 8)]
    reason = f"KeyError: {name!r} [see](https://example.invalid)"
    job = SweepJob(source=None, spec=None, settings=settings, train=None,
                   progress={0: Progress(0, settings[0], run=SweepRun(settings[0], Status.FAILED, reason))})
    text, kinds = markdown_read("\n".join(progress_lines(job)))
    assert not kinds & FORBIDDEN
    assert text == f"window 4, H=8: failed ({visible(reason, None)})window 8, H=8: waiting"
