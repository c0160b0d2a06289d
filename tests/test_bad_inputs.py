"""Every file of the bad-input corpus: refused with a message a user can act on, or loaded and explained.

The library is checked directly (read_table, then prepare_series on the detected defaults); the Data page
in AppTest (an error or the notes, never an exception, and the data loaded before still usable on the
Windows page); and a few of the files in a real browser.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lstmlab.config import WindowConfig
from lstmlab.data import DataError, read_table
from lstmlab.prepare import infer_spec, prepare_series
from tests.bad_inputs import Expect, expectations, make_corpus
from tests.browser_support import go_to, settle, upload
from tests.conftest import ROOT, SAMPLES
from tests.hostile_checks import rendered

NAMES = list(expectations())
# verbs that tell the user what to do next; every refusal must hold at least one
ACTION = re.compile(
    r"\b(upload|save|export|choose|pick|use|check|fix|give|add|remove|close|decompress|open|try|resample|"
    r"deselect|shorten)\b",
    re.IGNORECASE,
)
PREVIOUS = "previous.csv"  # the airline series, uploaded under another name before each bad file
PREVIOUS_SHAPES = "X_train [88, 12, 1]"  # T = 144: train 144 - 22 - 22 = 100 rows, (100 - 12 - 1) // 1 + 1 = 88


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, Expect]]:
    folder = tmp_path_factory.mktemp("bad_inputs")
    return folder, make_corpus(folder)


def test_corpus_covers_the_issue(corpus):
    folder, expected = corpus
    assert len(expected) >= 30 and sorted(p.name for p in folder.iterdir()) == sorted(expected)
    for needed in (
        "empty.csv", "header_only.csv", "text_columns_only.csv", "binary_garbage.csv", "csv_named.parquet",
        "utf16.csv", "latin1_accents.csv", "semicolon_decimal_comma.csv", "ragged_rows.csv",
        "duplicate_columns.csv", "duplicate_timestamps.csv", "unsorted_timestamps.csv", "unparseable_dates.csv",
        "all_nan_column.csv", "constant_column.csv", "infinities.csv", "single_row.csv",
        "fewer_rows_than_window.csv", "million_columns_header.csv", "long_line.csv", "truncated.parquet",
    ):  # fmt: skip
        assert needed in expected, needed
    assert (folder / "long_line.csv").stat().st_size > 5 << 20  # a line of several MB
    assert (folder / "million_columns_header.csv").read_bytes().split(b"\n")[0].count(b",") == 999_999
    assert sum(e.loads for e in expected.values()) >= 10 and sum(not e.loads for e in expected.values()) >= 20


def run_library(data: bytes, name: str):
    """(series, None) when the file loads and prepares on the detected defaults, else (stage, DataError)."""
    try:
        table = read_table(data, name)
    except DataError as err:
        return "read", err
    try:
        return prepare_series(table, infer_spec(table)), None
    except DataError as err:
        return "prepare", err


@pytest.mark.parametrize("name", NAMES)
def test_library_refuses_or_explains(corpus, name):
    folder, expected = corpus
    expect = expected[name]
    series, err = run_library((folder / name).read_bytes(), name)  # anything but DataError fails the test
    if not expect.loads:
        assert err is not None, f"{name} loaded, but should be refused: {expect.about}"
        message = str(err)
        assert series == expect.stage and expect.error in message, message
        assert ACTION.search(message), f"no action for the user in: {message}"
        assert 30 < len(message) < 400 and "Traceback" not in message
        if expect.stage == "read":
            assert name in message  # the user sees which file is meant
        return
    assert err is None, f"{name} was refused ({series}): {err}"
    notes = "\n".join(series.notes)
    for phrase in expect.notes:
        assert phrase in notes, f"{phrase!r} not in the notes:\n{notes}"
    if expect.rows is not None:
        assert series.length == expect.rows
    if expect.columns:
        assert series.columns == expect.columns
    assert series.values.dtype == np.float32 and np.isfinite(series.values).all()  # nothing non-finite gets through


def test_details_of_the_loaded_files(corpus):
    """The values themselves, against hand-written ones, for the encodings and dialects."""
    folder, _ = corpus

    def prepared(name):
        return run_library((folder / name).read_bytes(), name)[0]

    assert prepared("utf16.csv").values[:, 0].tolist() == [1.5, 2.5, 3.5]
    latin = prepared("latin1_accents.csv")
    assert latin.values[:, 0].tolist() == [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]
    european = prepared("semicolon_decimal_comma.csv")
    assert european.values[:3, 0].tolist() == [0.25, 1.25, 2.25] and set(european.values[:, 1]) == {1234.5}
    dup = prepared("duplicate_timestamps.csv")
    assert dup.values[:12, 0].tolist() == list(range(12)) and 999 not in dup.values  # the first of the pair kept
    ordered = prepared("unsorted_timestamps.csv")
    assert ordered.values[:, 0].tolist() == list(range(30)) and ordered.time.is_monotonic_increasing
    infinite = prepared("infinities.csv")
    assert infinite.values[5, 1] == pytest.approx(5.0) and infinite.values[9, 1] == pytest.approx(9.0)  # interpolated
    assert prepared("beyond_float32.csv").values[4, 1] == pytest.approx(4.0)


@pytest.fixture(scope="module")
def session() -> AppTest:
    """One user's session for the whole corpus, as a person trying file after file would have."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    return at.run()


@pytest.fixture
def app(session) -> AppTest:
    """The session on the Data page with a good upload in use: its Windows page shows the airline shapes."""
    session.switch_page("pages/data.py").run()
    if session.session_state.source.name != PREVIOUS:
        session.session_state["window_config"] = WindowConfig()  # a short file before may have shrunk the window
        airline = (SAMPLES / "airline-passengers.csv").read_bytes()
        session.file_uploader(key="upload").set_value((PREVIOUS, airline, "")).run()
    assert session.session_state.source.name == PREVIOUS and not session.exception
    return session


def page_text(at: AppTest) -> str:
    return "\n".join(rendered(e.value) for kind in ("info", "caption", "warning", "error") for e in getattr(at, kind))




@pytest.mark.parametrize(
    "name",
    NAMES,
)
def test_upload_on_the_data_page(app, corpus, name):
    folder, expected = corpus
    expect = expected[name]
    app.file_uploader(key="upload").set_value((name, (folder / name).read_bytes(), "")).run()
    assert not app.exception
    if expect.loads:
        assert app.session_state.source.name == name and not app.error
        for phrase in expect.notes:  # the page says what was done
            assert phrase in page_text(app)
        app.switch_page("pages/windows.py").run()
        assert not app.exception
        assert app.error or any("X_train [" in m.value for m in app.markdown)
        return
    assert len(app.error) == 1 and expect.error in rendered(app.error[0].value)
    assert f"Still using {PREVIOUS}." in rendered(app.error[0].value)
    assert app.session_state.source.name == PREVIOUS
    app.switch_page("pages/windows.py").run()  # the data loaded before is still the one in use
    assert not app.exception and not app.error
    assert any(PREVIOUS_SHAPES in m.value for m in app.markdown)


BROWSER_FILES = ["binary_garbage.csv", "ragged_rows.csv", "truncated.parquet", "million_columns_header.csv"]


@pytest.mark.browser
def test_bad_uploads_in_the_browser(page, app_url, corpus, tmp_path):
    folder, expected = corpus
    previous = tmp_path / PREVIOUS
    previous.write_bytes((SAMPLES / "airline-passengers.csv").read_bytes())
    page.goto(app_url)
    settle(page)
    upload(page, previous)
    for name in BROWSER_FILES:
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(folder / name))
        alert = page.get_by_test_id("stAlertContentError").filter(has_text=expected[name].error)
        alert.wait_for()
        settle(page)
        assert f"Still using {PREVIOUS}" in alert.inner_text()
    go_to(page, "Windows")
    page.get_by_test_id("stMarkdown").filter(has_text=PREVIOUS_SHAPES).wait_for()
