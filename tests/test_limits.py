"""Size limits: Streamlit refuses an upload over ``server.maxUploadSize``; the app refuses, before parsing,
a file under that limit whose table would not fit in memory.
"""

from __future__ import annotations

import io
import tracemalloc

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from lstmlab.data import MAX_CELLS, DataError, read_table
from tests.browser_support import HAS_CHROMIUM, QUIET, new_user, settle, streamlit_server
from tests.conftest import ROOT, SAMPLES
from tests.hostile_checks import rendered

ROWS = 12_000_000  # x 2 columns = 24 M cells > MAX_CELLS; 48 MB of CSV, under the 200 MB upload limit


@pytest.fixture(scope="module")
def tall_csv() -> bytes:
    assert ROWS * 2 > MAX_CELLS
    return b"a,b\n" + b"1,2\n" * ROWS


@pytest.fixture(scope="module")
def tall_parquet() -> bytes:
    """A few kilobytes of Parquet that would decompress to 25 million rows."""
    buffer = io.BytesIO()
    pq.write_table(pa.table({"y": pa.array([0] * 25_000_000, pa.int8())}), buffer, compression="zstd")
    return buffer.getvalue()


def test_tall_csv_refused_before_parsing(tall_csv, monkeypatch):
    def no_parse(*args, **kwargs):
        raise AssertionError("the table was parsed before the size check")

    monkeypatch.setattr(pd, "read_csv", no_parse)
    tracemalloc.start()
    try:
        with pytest.raises(DataError) as info:
            read_table(tall_csv, "tall.csv")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert "more than the 20,000,000 cells" in message and "fewer rows or columns" in message
    assert "12,0" in message or "11,9" in message  # the row estimate from samples, within 1%
    assert peak < 2 << 20  # no copy of the 48 MB upload was made to decide


def test_tiny_parquet_of_millions_of_rows_refused_from_its_metadata(tall_parquet, monkeypatch):
    assert len(tall_parquet) < 1 << 20

    def no_read(*args, **kwargs):
        raise AssertionError("the row groups were read before the size check")

    monkeypatch.setattr(pq.ParquetFile, "read", no_read)
    with pytest.raises(DataError, match="25,000,000 rows"):
        read_table(tall_parquet, "tall.parquet")


def test_the_data_page_refuses_a_tall_upload_and_keeps_the_data(tall_csv):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    before = at.session_state.source.name
    at.file_uploader(key="upload").set_value(("tall.csv", tall_csv, "text/csv")).run()
    assert not at.exception
    shown = rendered(at.error[0].value)  # the message is escaped Markdown: read it as a reader does
    assert len(at.error) == 1 and "cells this app can hold in memory" in shown
    assert shown.endswith(f"Still using {before}.") and at.session_state.source.name == before


@pytest.mark.browser
@pytest.mark.skipif(not HAS_CHROMIUM, reason="Debian's chromium is not installed")
def test_upload_over_max_upload_size_is_refused_by_streamlit(browser, tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" + b"1,2\n" * 400_000)  # 1.6 MB
    small = tmp_path / "small.csv"
    small.write_bytes((SAMPLES / "airline-passengers.csv").read_bytes())
    with streamlit_server("--server.maxUploadSize", "1", *QUIET) as (url, _):
        context, page = new_user(browser)
        try:
            uploads = []
            page.on("request", lambda r: uploads.append(r) if r.method == "PUT" and "upload_file" in r.url else None)
            page.goto(url)
            settle(page)
            dropzone = page.get_by_test_id("stFileUploaderDropzoneInput")
            dropzone.set_input_files(str(big))
            page.get_by_text("File must be 1.0MB or smaller.").wait_for()  # Streamlit's own message
            settle(page)
            assert page.get_by_test_id("stMarkdown").filter(has_text="airline-passengers.csv ·").count() == 1
            assert not uploads  # the browser never sent it

            # a client that skips the browser's check: the server itself answers 413
            dropzone.set_input_files(str(small))
            page.get_by_test_id("stMarkdown").filter(has_text="small.csv ·").wait_for()
            request = uploads[0]
            target = request.url.rsplit("/", 1)[0] + "/forged-file-id"
            token = request.headers.get("x-xsrftoken", "")
            files = {"file": {"name": "big.csv", "mimeType": "text/csv", "buffer": big.read_bytes()}}
            response = page.request.put(target, multipart=files, headers={"X-Xsrftoken": token})
            assert response.status == 413
            settle(page)
        finally:
            context.close()
