"""read_table's pyarrow path against pandas.read_csv (C engine), and the fallback where the two would differ."""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lstmlab.data
from lstmlab.arrow_reader import PANDAS_NA, read_with_arrow
from lstmlab.data import DataError, read_table
from lstmlab.sniff import NA_VALUES

DATA = Path(__file__).parent / "data"
REAL = [resources.files("lstmlab").joinpath("samples", name) for name in ("airline-passengers.csv", "pollution.csv")]
REAL += sorted(DATA.glob("*.csv"))[:3]

# Read by pyarrow: (bytes, the dtypes pandas.read_csv gives them)
FAST = {
    "integers stay int64": (b"t,a,b\n1,10,-3\n2,20,4\n", ["int64", "int64", "int64"]),
    "an integer column with a gap becomes float64": (b"t,a\n1,10\n2,\n3,30\n", ["int64", "float64"]),
    "NA tokens, default and ours": (b"t,a,b\n1,NA,x\n2,?,null\n3,-,\n4,1.5,#N/A\n", ["int64", "float64", "str"]),
    "timestamps stay text": (b"time,v\n2000-01-01 00:00:00,1.5\n2000-01-01 01:00:00,2\n", ["str", "float64"]),
    "dates and times stay text": (b"d,t,v\n2000-01-01,12:30,1\n2000-01-02,13:30,2\n", ["str", "str", "int64"]),
    "quoted delimiters and quotes": (b'name,v\n"a,b",1\n"say ""hi""",2\n', ["str", "int64"]),
    "quoted numbers": (b'a,b\n"1.5","2"\n"3",4\n', ["float64", "int64"]),
    "infinities and overflow": (b"a,b\ninf,1e400\n-inf,2\n", ["float64", "float64"]),
    "tabs and CRLF": (b"a\tb\r\n1.5\tx\r\n2.5\ty\r\n", ["float64", "str"]),
    "semicolons, decimal points": (b"a;b\n1.5;2\n2.5;3\n", ["float64", "int64"]),
    "text late in a numeric column": (b"a,b\n" + b"1,2\n" * 5000 + b"x,3\n", ["str", "int64"]),
}
# Read by the C engine: what pyarrow would read otherwise, or refuse
FALLBACK = {
    "ragged row": b"a,b\n1,2\n3\n4,5\n",
    "too many fields": b"a,b\n1,2,3\n4,5,6\n",
    "decimal commas": b"a;b\n1,5;2,5\n3,5;4,5\n",
    "space after the delimiter": b"a, b\n1, 2\n3, 4\n",
    "trailing delimiter": b"a,b,\n1,2,\n3,4,\n",
    "one column": b"a\n1\n   \n3\n",
    "no header": b"1,2\n3,4\n",
    "an empty header name": b"a,,c\n1,,3\n2,,4\n",
    "true/false": b"a,b\nTrue,1\nfalse,2\n,3\n",
    "a quote never closed": b'a,b\n1,"2\n3,4\n5,6\n',
    "latin-1 bytes": "a,b\nété,1\nhiver,2\n".encode("latin-1"),
    "an integer beyond int64": b"a,b\n18446744073709551615,1\n2,2\n",
}


@pytest.fixture
def arrow_results(monkeypatch) -> list:
    """What read_table's calls of read_with_arrow returned (None: it fell back)."""
    results = []

    def spy(*args):
        frame = read_with_arrow(*args)
        results.append(None if frame is None else frame.copy())  # read_table goes on to edit its frame
        return frame

    monkeypatch.setattr(lstmlab.data, "read_with_arrow", spy)
    return results


@pytest.fixture
def small_sample(monkeypatch) -> list:
    """read_table's pyarrow path typing columns on a 16-byte head sample; what each call returned (None: fell back)."""
    results = []

    def spy(*args):
        frame = read_with_arrow(*args, sample_bytes=16)
        results.append(None if frame is None else frame.copy())
        return frame

    monkeypatch.setattr(lstmlab.data, "read_with_arrow", spy)
    return results


def reference(data: bytes, **options) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), na_values=NA_VALUES, **options)


def test_the_na_list_is_pandas_own():
    from pandas._libs.parsers import STR_NA_VALUES

    assert set(STR_NA_VALUES) == PANDAS_NA


@pytest.mark.parametrize("case", FAST)
def test_pyarrow_gives_pandas_read_csv_frame(case, arrow_results):
    data, dtypes = FAST[case]
    sep = ";" if b";" in data else "\t" if b"\t" in data else ","
    expected = reference(data, sep=sep)
    assert [str(t) for t in expected.dtypes] == dtypes  # the C engine's own typing, as the case says
    table = read_table(data, "x.csv")
    assert len(arrow_results) == 1 and arrow_results[0] is not None  # pyarrow really read it
    pd.testing.assert_frame_equal(arrow_results[0], expected, check_exact=True)
    pd.testing.assert_frame_equal(table, read_table(data, "x.csv", fast=False), check_exact=True)
    assert table.attrs == read_table(data, "x.csv", fast=False).attrs


@pytest.mark.parametrize("case", FALLBACK)
def test_where_pyarrow_would_differ_the_c_engine_reads(case, arrow_results):
    data = FALLBACK[case]
    try:
        expected = read_table(data, "x.csv", fast=False)
    except DataError as err:
        with pytest.raises(DataError) as raised:
            read_table(data, "x.csv")
        assert str(raised.value) == str(err)
    else:
        table = read_table(data, "x.csv")
        pd.testing.assert_frame_equal(table, expected, check_exact=True)
        assert table.attrs == expected.attrs
    assert all(result is None for result in arrow_results)


def test_text_after_the_first_megabyte_reads_as_the_c_engine_reads_it(arrow_results):
    # The C engine reads in chunks: a column of integers with text after the first holds both (object), where
    # pyarrow holds text; read_table reads numbers from text, so the tables agree.
    data = b"a,b\n" + b"1,2\n" * 400_000 + b"2000-01-01,3\n"
    table = read_table(data, "x.csv")
    assert arrow_results[0] is not None
    pd.testing.assert_frame_equal(table, read_table(data, "x.csv", fast=False), check_exact=True)
    assert table["a"].dtype == np.float64 and np.isnan(table["a"].iloc[-1]) and table["a"].iloc[0] == 1
    assert "1 value(s) that are not numbers ('2000-01-01')" in table.attrs["notes"][0]


def test_pyarrow_alone_would_differ_on_the_fallback_cases():
    # The fallback is needed: read directly, pyarrow types these otherwise than pandas.read_csv.
    import pyarrow.csv as pa_csv

    late = pa_csv.read_csv(io.BytesIO(b"d,v\n2000-01-01,1\n2000-01-02,2\n")).to_pandas()
    assert late["d"].dtype == object and str(reference(b"d,v\n2000-01-01,1\n")["d"].dtype) == "str"
    unclosed = pa_csv.read_csv(io.BytesIO(FALLBACK["a quote never closed"])).to_pandas()
    assert len(unclosed) == 1  # the C engine refuses the file
    big = pa_csv.read_csv(io.BytesIO(FALLBACK["an integer beyond int64"])).to_pandas()
    assert big["a"].dtype == np.float64 and reference(FALLBACK["an integer beyond int64"])["a"].dtype == np.uint64


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_series_read_by_pyarrow_as_by_pandas(path, arrow_results):
    data = path.read_bytes()
    table = read_table(data, path.name)
    assert arrow_results[0] is not None
    pd.testing.assert_frame_equal(arrow_results[0], reference(data), check_exact=True)
    pd.testing.assert_frame_equal(table, read_table(data, path.name, fast=False), check_exact=True)


CELLS = st.sampled_from(
    ["1", "-2.5", "007", "1e999", "-inf", "NaN", "", "NA", "?", "-", "x", "é", '"q"', '"a,b"', "2024-01-31",
     "12:00", "2024-01-31 12:00:00", "True", "0", "1.5 ", " 7", "9223372036854775808", "null", "#N/A"]
)  # fmt: skip


def assert_generated_table_reads_the_same(n_columns: int, cells: list[str], sep: str) -> None:
    """``cells`` laid out as a table of ``n_columns`` under a header: the fast reader gives the C engine's frame
    (or its very error)."""
    rows = [cells[i : i + n_columns] for i in range(0, len(cells) - n_columns + 1, n_columns)]
    data = "\n".join(sep.join(row) for row in [[f"c{i}" for i in range(n_columns)], *rows]).encode()
    try:
        expected = read_table(data, "g.csv", fast=False)
    except DataError as err:
        with pytest.raises(DataError) as raised:
            read_table(data, "g.csv")
        assert str(raised.value) == str(err)
        return
    table = read_table(data, "g.csv")
    pd.testing.assert_frame_equal(table, expected, check_exact=True)
    assert table.attrs == expected.attrs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_columns=st.integers(2, 4),
    cells=st.lists(CELLS, min_size=4, max_size=60),
    sep=st.sampled_from([",", ";", "\t", "|"]),
)
def test_generated_tables_read_the_same_either_way(n_columns, cells, sep):
    assert_generated_table_reads_the_same(n_columns, cells, sep)


# Read by pyarrow with every column's type taken from a 16-byte head sample (the header, then a row or two)
TYPED = {
    "floats, integers and text": b"t,a,b\n" + b"".join(b"d%d,%d.5,%d\n" % (i, i, i) for i in range(20)),
    "a column empty in the sample, numbers later": b"a,b\n1,\n2,\n" + b"3,4.5\n" * 20,
    "a decimal late in a column of integers": b"a,b\n" + b"1,2\n" * 20 + b"3,4.5\n",
    "text late in a column of floats": b"a,b\n" + b"1.5,2\n" * 20 + b"x,3\n",
    "an integer beyond int64 late": b"a,b\n" + b"1,2\n" * 20 + b"18446744073709551615,3\n",
    "a date late in a column empty in the sample": b"a,b\n" + b",1\n" * 20 + b"2000-01-01,3\n",
    "integers beyond int64 from the start": b"a,b\n" + b"18446744073709551615,1\n" * 20,
    "an integer beyond int64 among fractions": b"a,b\n" + b"1.5,2\n" * 20 + b"18446744073709551615,3\n",
}


@pytest.mark.parametrize("case", TYPED)
def test_columns_typed_on_the_head_sample_read_as_pandas_reads_them(case, small_sample):
    data = TYPED[case]
    table = read_table(data, "x.csv")
    expected = read_table(data, "x.csv", fast=False)
    pd.testing.assert_frame_equal(table, expected, check_exact=True)
    assert table.attrs == expected.attrs
    if small_sample[0] is not None:  # pyarrow's frame is pandas.read_csv's own, dtypes included
        pd.testing.assert_frame_equal(small_sample[0], reference(data), check_exact=True)


def test_a_file_the_sample_types_is_read_once_with_every_type_given(monkeypatch, small_sample):
    # Guessed types keep every parsed block until the last is typed; given types let each go once converted.
    import pyarrow.csv as pa_csv

    given = []

    def read_csv(source, **options):
        given.append(options["convert_options"].column_types)
        return original(source, **options)

    original = pa_csv.read_csv
    monkeypatch.setattr(pa_csv, "read_csv", read_csv)
    data = TYPED["floats, integers and text"]
    read_table(data, "x.csv")
    assert small_sample[0] is not None
    assert len(given) == 2  # the head sample, then the whole file once
    assert {name: str(kind) for name, kind in given[1].items()} == {"t": "string", "a": "double", "b": "int64"}
    assert small_sample[0].dtypes.astype(str).tolist() == ["str", "float64", "int64"]


@pytest.mark.parametrize(
    "data, read_by_arrow",
    [
        (b'"a","b"\n1,2\n3,4\n', True),  # quotes in the header only
        (b'"a","b"\n"1",2\n3,"4"\n', True),
        (b'"a,b\n1,2\n3,4\n', False),  # the header's quote is never closed
        (b'a,b\n1,"2\n3,4\n', False),
    ],
)
def test_a_quote_never_closed_goes_to_the_c_engine(data, read_by_arrow, arrow_results):
    try:
        expected = read_table(data, "x.csv", fast=False)
    except DataError as err:
        with pytest.raises(DataError) as raised:
            read_table(data, "x.csv")
        assert str(raised.value) == str(err)
    else:
        pd.testing.assert_frame_equal(read_table(data, "x.csv"), expected, check_exact=True)
    assert any(result is not None for result in arrow_results) == read_by_arrow


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    n_columns=st.integers(2, 4),
    cells=st.lists(CELLS, min_size=8, max_size=60),
    sep=st.sampled_from([",", ";", "\t", "|"]),
)
def test_generated_tables_typed_on_a_small_sample_read_the_same(n_columns, cells, sep, small_sample):
    assert_generated_table_reads_the_same(n_columns, cells, sep)
