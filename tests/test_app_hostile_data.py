"""The Data and Windows pages with hostile file and column names (tests/hostile.py), driven by widget key: no
Markdown body, label or help renders a link, an image or HTML, no chart holds a tag from a name, every name reads
back as its visible text, and names that look alike once shortened can still be told apart and picked."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lstmlab.safetext import visible
from tests.app_support import APP, open_app
from tests.hostile import HOSTILE_FILE, HOSTILE_NAMES, OUTSIDE, hostile_csv
from tests.hostile_checks import markdown_texts, page_problems, rendered

HTML, IMG, FIELDS = HOSTILE_NAMES[1], HOSTILE_NAMES[2], HOSTILE_NAMES[16]
LONG, LONG_TOO = HOSTILE_NAMES[18], HOSTILE_NAMES[19]  # both shorten to the same visible text
RTL, RTL_WRITTEN = HOSTILE_NAMES[20], HOSTILE_NAMES[21]  # "a\u202eb" and "a\\u202eb" read the same once visible
TARGETS = [HTML, RTL, RTL_WRITTEN]


def assert_shown_as_text(at: AppTest, where: str) -> None:
    """The page sends Markdown, and nothing it sends turns a name into markup (``page_problems``)."""
    assert not at.exception, at.exception
    assert markdown_texts(at._tree)
    assert page_problems(at, where) == []


@pytest.fixture(scope="module")
def hostile() -> AppTest:
    """One session on the hostile file: three hostile targets, and look-alike names plotted together."""
    at = open_app()
    at.file_uploader(key="upload").set_value((HOSTILE_FILE, hostile_csv(), "text/csv")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.multiselect(key="targets").set_value(TARGETS)
    at.multiselect(key="plot_columns").set_value([LONG, LONG_TOO, FIELDS, IMG]).run()
    return at


def test_the_data_page_shows_every_name_as_written(hostile):
    assert_shown_as_text(hostile, "data")
    heading = next(rendered(m.value) for m in hostile.markdown if "rows ×" in m.value)
    assert heading == f"{visible(HOSTILE_FILE)} · 96 rows × {len(HOSTILE_NAMES) + 1} columns"
    assert hostile.session_state.spec.targets == tuple(TARGETS)  # the raw names, not what was shown
    assert hostile.session_state.plot_columns == [LONG, LONG_TOO, FIELDS, IMG]
    options = hostile.multiselect(key="features").options
    assert len(set(options)) == len(options)
    assert {visible(LONG), f"{visible(LONG)} (2)", visible(RTL), f"{visible(RTL)} (2)"} <= set(options)
    summary = hostile.dataframe[0].value
    assert summary.index.is_unique and summary.loc[visible(HTML), "role"] == "target"
    assert summary.loc[f"{visible(RTL)} (2)", "role"] == "target"  # RTL_WRITTEN, the second of the look-alikes


def test_the_windows_page_names_its_targets_and_features_as_written(hostile):
    hostile.switch_page("pages/windows.py").run()
    assert_shown_as_text(hostile, "windows")
    caption = next(rendered(c.value) for c in hostile.caption if "T = 96 rows" in c.value)
    assert caption.startswith(f"{visible(HOSTILE_FILE)}: T = 96 rows")
    assert f"target: {', '.join(map(visible, TARGETS))}. The splits" in caption
    hostile.selectbox(key="slice_feature").set_value(LONG_TOO).run()
    assert_shown_as_text(hostile, "windows, a look-alike sliced")
    assert hostile.selectbox(key="slice_feature").value == LONG_TOO  # picked by its numbered label
    options = hostile.selectbox(key="slice_feature").options
    assert len(set(options)) == len(options) and f"{visible(LONG)} (2)" in options
    scaler = next(df.value for df in hostile.dataframe if "shift" in df.value.index)
    assert scaler.columns.is_unique and visible(HTML) in scaler.columns


def test_a_refused_file_is_named_as_written_in_the_error():
    at = open_app()
    at.file_uploader(key="upload").set_value((HOSTILE_FILE, b"PK\x03\x04" + bytes(64), "text/csv")).run()
    assert_shown_as_text(at, "a refused file")
    assert len(at.error) == 1
    assert rendered(at.error[0].value) == (
        f"{visible(HOSTILE_FILE)} looks like an Excel workbook or a zip archive: open it and save the sheet as CSV.\n"
        "Still using airline-passengers.csv."
    )


def test_a_hostile_link_is_quoted_as_text_in_its_messages():
    name = f"![t](https:{OUTSIDE}.png) <img src=x onerror=alert(1)> [c](javascript:alert(1)).csv"
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"src": f"upload:{name}", "window.window": f"![w](https:{OUTSIDE}.png)",
                            f"<img src=https:{OUTSIDE}>": "1"})  # fmt: skip
    at.run()
    assert_shown_as_text(at, "a hostile link")
    assert any(rendered(i.value).startswith(f"This link was made on the file {name}: upload") for i in at.info)
    warnings = [rendered(w.value) for w in at.warning]
    assert any(f"The link's window.window = '![w](https:{OUTSIDE}.png)'" in w for w in warnings), warnings
    assert any(f"<img src=https:{OUTSIDE}>" in w for w in warnings), warnings
