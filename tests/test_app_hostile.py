"""A file whose name and every column header are hostile, explored through every page with AppTest.

Every string each page sends is read from the element protos themselves (``tests.hostile_checks.page_problems``):
Markdown must hold no link, image or HTML, no page may send an invisible or right-to-left control character or a
10,000-character name, charts hold no tag from a name, LaTeX no command from a name.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from lstmlab.safetext import visible
from tests.app_support import APP, open_app, train
from tests.hostile import HOSTILE_FILE, HOSTILE_NAMES, hostile_csv
from tests.hostile_checks import page_problems, rendered

TARGET, *FEATURES = (HOSTILE_NAMES[k] for k in (1, 0, 3, 6, 7, 11, 16, 18))
PAGES = ["pages/data.py", "pages/windows.py", "pages/train.py", "pages/inspect.py", "pages/whatif.py",
         "pages/predictions.py", "pages/tour.py", "pages/compare.py"]


@pytest.fixture(scope="module")
def hostile_session():
    """A session that uploaded the hostile file, picked hostile target and features, and trained a tiny run."""
    at = open_app()
    at.file_uploader(key="upload").set_value((HOSTILE_FILE, hostile_csv(), "text/csv")).run()
    assert not at.exception and not at.error, (at.exception, at.error)
    at.multiselect(key="targets").set_value([TARGET]).run()
    at.multiselect(key="features").set_value(FEATURES).run()
    assert not at.exception, at.exception
    return train(at)


def test_the_file_name_reads_back_as_written_on_the_data_page(hostile_session):
    at = hostile_session.switch_page("pages/data.py").run()
    shown = [rendered(m.value) for m in [*at.markdown, *at.subheader, *at.title, *at.caption]]
    assert any(visible(HOSTILE_FILE) in text for text in shown), shown


@pytest.mark.parametrize("page", PAGES)
def test_no_page_turns_a_name_into_markup(hostile_session, page):
    at = hostile_session.switch_page(page).run()
    assert not at.exception, at.exception
    assert page_problems(at, page) == []


def test_a_hostile_link_shows_its_names_as_text():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"src": f"upload:{HOSTILE_FILE}", "data.targets": json.dumps(HOSTILE_NAMES[:8]),
                            HOSTILE_NAMES[1]: HOSTILE_NAMES[0], "window.window": HOSTILE_NAMES[6]})
    at.run()
    assert not at.exception, at.exception
    assert at.warning and at.info  # the refused parts, and the file the link asks for
    assert page_problems(at, "link") == []


def test_the_checks_find_what_an_unescaped_name_does():
    """The checker itself, on a page that shows the names raw: it must report each kind of fault."""
    at = AppTest.from_function(_raw_page, args=(HOSTILE_NAMES,)).run()
    found = "\n".join(page_problems(at, "raw"))
    for kind in ("'image'", "'link_open'", "html_inline", "text-level markup", "hidden character",
                 "10,000-character", "chart text", "LaTeX command"):
        assert kind in found, kind


def _raw_page(names):
    import plotly.graph_objects as go
    import streamlit as st

    for name in names:
        st.caption(f"target: {name}")
    st.latex(names[6])
    st.plotly_chart(go.Figure(go.Scatter(y=[1, 2], name=names[1])), key="raw_chart")
