"""read_table: real files, the common dialects against hand-written frames, and bad input."""

from __future__ import annotations

import codecs
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstmlab import data as data_module
from lstmlab import sniff
from lstmlab.data import MAX_COLUMNS, DataError, TooLargeError, keep_last_rows, read_table
from tests.conftest import MORE_FILES, REAL_FILES, real_file

EXPECTED = pd.DataFrame({"when": ["2020-01-01", "2020-01-02", "2020-01-03"], "temp": [1.5, -2.25, 3.0], "n": [1, 2, 3]})


def check(df: pd.DataFrame, expected: pd.DataFrame = EXPECTED) -> None:
    pd.testing.assert_frame_equal(df, expected, check_dtype=False, check_column_type=False)
    for name in expected.columns:  # numbers must arrive as numbers, not text
        assert pd.api.types.is_numeric_dtype(df[name]) == pd.api.types.is_numeric_dtype(expected[name]), name


@pytest.mark.parametrize("name", [*REAL_FILES, *MORE_FILES])
def test_real_files_exact_shape(name):
    path = real_file(name)
    df = read_table(path.read_bytes(), name)
    reference = pd.read_csv(path)  # all twelve are plain CSV: pandas itself is the reference
    assert df.shape == {**REAL_FILES, **MORE_FILES}[name]
    pd.testing.assert_frame_equal(df, reference, check_dtype=False)


def test_pollution_details(samples):
    df = read_table((samples / "pollution.csv").read_bytes(), "pollution.csv")
    assert int(df["pm2.5"].isna().sum()) == 2067  # the README's count of NA
    assert df["pm2.5"].iloc[:24].isna().all()
    assert sorted(df["cbwd"].unique()) == ["NE", "NW", "SE", "cv"]
    assert all(pd.api.types.is_numeric_dtype(df[c]) for c in df.columns if c != "cbwd")


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("when,temp,n\n2020-01-01,1.5,1\n2020-01-02,-2.25,2\n2020-01-03,3.0,3\n", "utf-8"),
        ('"when","temp","n"\n"2020-01-01","1.5","1"\n"2020-01-02","-2.25","2"\n"2020-01-03","3.0",3\n', "utf-8"),
        ("when;temp;n\n2020-01-01;1,5;1\n2020-01-02;-2,25;2\n2020-01-03;3,0;3\n", "utf-8"),
        ("when\ttemp\tn\n2020-01-01\t1.5\t1\n2020-01-02\t-2.25\t2\n2020-01-03\t3.0\t3\n", "utf-8"),
        ("when|temp|n\n2020-01-01|1.5|1\n2020-01-02|-2.25|2\n2020-01-03|3.0|3\n", "utf-8"),
        ("when, temp, n\n2020-01-01, 1.5, 1\n2020-01-02, -2.25, 2\n2020-01-03, 3.0, 3\n", "utf-8"),
        ("when,temp,n\r\n2020-01-01,1.5,1\r\n2020-01-02,-2.25,2\r\n2020-01-03,3.0,3\r\n", "utf-8"),
        ("when,temp,n\n2020-01-01,1.5,1\n2020-01-02,-2.25,2\n2020-01-03,3.0,3\n", "utf-8-sig"),
        ("when;temp;n\n2020-01-01;1,5;1\n2020-01-02;-2,25;2\n2020-01-03;3,0;3\n", "utf-16"),
        ("when\ttemp\tn\n2020-01-01\t1.5\t1\n2020-01-02\t-2.25\t2\n2020-01-03\t3.0\t3\n", "utf-16-be"),
    ],
    ids=["comma", "quoted", "semicolon-decimal-comma", "tsv", "pipe", "spaces", "crlf", "bom", "utf16", "utf16be"],
)
def test_dialects(text, encoding):
    raw = text.encode(encoding)
    if encoding == "utf-16-be":
        raw = codecs.BOM_UTF16_BE + raw
    check(read_table(raw, "table.csv"))


def test_latin1_with_accents():
    text = "Température;Région\n1,5;Zürich\n-2,25;Besançon\n3,0;Orléans\n"
    df = read_table(text.encode("latin-1"), "météo.csv")
    expected = pd.DataFrame({"Température": [1.5, -2.25, 3.0], "Région": ["Zürich", "Besançon", "Orléans"]})
    check(df, expected)


def test_quoted_delimiters_and_thousands():
    text = 'place,value\n"Paris, FR","1,234.5"\n"Rome, IT",7\n'
    check(read_table(text.encode(), "q.csv"), pd.DataFrame({"place": ["Paris, FR", "Rome, IT"], "value": [1234.5, 7]}))
    euro = "a;b\n1.234,5;1\n2.000,25;2\n"
    check(read_table(euro.encode(), "e.csv"), pd.DataFrame({"a": [1234.5, 2000.25], "b": [1, 2]}))


def test_na_tokens_become_nan():
    text = "a,b,c\n1,NA,x\n2,,y\n3,?,z\n4,NaN,x\n5,null,y\n6,7.5,z\n"
    df = read_table(text.encode(), "na.csv")
    assert df["b"].isna().tolist() == [True] * 5 + [False]
    assert df["b"].iloc[-1] == 7.5
    assert df["c"].tolist() == ["x", "y", "z", "x", "y", "z"]


def test_mostly_numbers_read_as_numbers_and_said():
    rows = "\n".join(f"{i},{'n.d.' if i == 4 else i * 10}" for i in range(20))
    df = read_table(f"t,v\n{rows}\n".encode(), "lab.csv")
    assert pd.api.types.is_numeric_dtype(df["v"])
    assert np.isnan(df["v"].iloc[4]) and df["v"].iloc[5] == 50
    assert any("'n.d.'" in note for note in df.attrs["notes"])


def test_headerless_numbers_get_names():
    df = read_table(b"1,2.5\n2,3.5\n3,4.5\n", "raw.csv")
    check(df, pd.DataFrame({"column 1": [1, 2, 3], "column 2": [2.5, 3.5, 4.5]}))
    assert "read as data" in df.attrs["notes"][0]


def test_trailing_delimiter_and_empty_unnamed_column():
    df = read_table(b"a;b\n1;2;\n3;4;\n", "t.csv")
    check(df, pd.DataFrame({"a": [1, 3], "b": [2, 4]}))
    df = read_table(b"a,b,\n1,2,\n3,4,\n", "t.csv")
    check(df, pd.DataFrame({"a": [1, 3], "b": [2, 4]}))
    assert any("unnamed" in note for note in df.attrs["notes"])


@pytest.mark.parametrize("name", ["table.parquet", "table.bin", "table.csv"])
def test_parquet_round_trip_by_magic_bytes(name):
    frame = pd.DataFrame(
        {
            "time": pd.date_range("2021-01-01", periods=5, freq="h"),
            "x": np.linspace(0, 1, 5),
            "k": list("abcab"),
        }
    )
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    df = read_table(buffer.getvalue(), name)
    check(df, frame)
    assert pd.api.types.is_datetime64_any_dtype(df["time"])


def test_parquet_index_becomes_a_column():
    frame = pd.DataFrame({"x": [1.0, 2.0]}, index=pd.Index(pd.date_range("2021", periods=2, freq="D"), name="day"))
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    assert list(read_table(buffer.getvalue(), "p.parquet").columns) == ["day", "x"]


def _parquet_bytes() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"x": np.arange(100.0)}).to_parquet(buffer)
    return buffer.getvalue()


BAD_INPUTS = [
    (b"", "empty.csv", "empty"),
    (b"   \n\n\t\n", "blank.csv", "empty"),
    (b"a,b,c\n", "header.csv", "no data rows"),
    (b"name,city\nann,paris\nbob,rome\n", "text.csv", "no column of numbers"),
    (bytes(range(256)) * 8, "garbage.csv", "binary"),
    (np.random.default_rng(0).bytes(4096), "noise.txt", "binary"),
    (b"PK\x03\x04" + bytes(200), "book.csv", "Excel"),
    (b"\x89PNG\r\n\x1a\n" + bytes(100), "table.csv", "PNG"),
    (b"a,b\n1,2\n", "table.parquet", "not one"),
    (_parquet_bytes()[:-40], "cut.parquet", "truncated"),
    (_parquet_bytes()[:60] + _parquet_bytes()[-8:], "mangled.parquet", "could not be read as Parquet"),
    (b"a,b\n1,2\n3,4,5,6\n7,8\n", "ragged.csv", "Line 3"),
    (b"a,b,a\n1,2,3\n", "dup.csv", "repeat"),
    (b"a,b\n1,2,3\n4,5,6\n", "shifted.csv", "more values than the header"),
    (("c" * (2 << 20) + "\n1\n").encode(), "wide.csv", "longer than 1 MB"),
    (
        (",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)) + "\n" + "1," * MAX_COLUMNS + "1\n").encode(),
        "w.csv",
        "columns",
    ),
    (b"a,b\n" + b"x,\n" * 50, "allnan.csv", "no column of numbers"),
    ((",".join(f"c{i}" for i in range(50_000)) + "\n" + "1," * 49_999 + "1\n").encode(), "wide2.csv", "50,000"),
]


@pytest.mark.parametrize("raw, name, words", BAD_INPUTS, ids=[b[1] for b in BAD_INPUTS])
def test_bad_input_raises_a_useful_data_error(raw, name, words):
    with pytest.raises(DataError) as info:
        read_table(raw, name)
    message = str(info.value)
    assert words.lower() in message.lower()
    assert isinstance(info.value, ValueError)
    assert len(message) > 40 and "." in message  # a sentence saying what to do, not a bare code


def test_size_guard_refuses_before_parsing(monkeypatch):
    monkeypatch.setattr(data_module, "MAX_CELLS", 1_000)

    def no_parse(*args, **kwargs):
        raise AssertionError("parsed before the size check")

    monkeypatch.setattr(pd, "read_csv", no_parse)
    rows = b"".join(b"%d,%d\n" % (i, i) for i in range(600))
    with pytest.raises(DataError, match="cells"):
        read_table(b"a,b\n" + rows, "big.csv")


def test_row_estimate_for_big_files_is_close():
    raw = ("a\n" + "\n".join(map(str, range(1_500_000)))).encode()  # lines grow from 2 to 8 bytes
    assert len(raw) > sniff.EXACT_COUNT_BYTES  # the sampled path
    assert abs(sniff.estimate_rows(raw) - 1_500_001) < 0.05 * 1_500_001


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=300), name=st.sampled_from(["x.csv", "x.parquet", "x.txt", "x"]))
def test_arbitrary_bytes_raise_only_data_error(raw, name):
    try:
        df = read_table(raw, name)
    except DataError:
        return
    assert isinstance(df, pd.DataFrame) and len(df) > 0


@settings(max_examples=100, deadline=None)
@given(
    cells=st.lists(
        st.lists(st.sampled_from(["1", "2.5", "", "NA", "x", '"q"', "1,5", "-", "inf", "é"]), min_size=1, max_size=4),
        min_size=1,
        max_size=6,
    ),
    sep=st.sampled_from([",", ";", "\t", "|"]),
)
def test_arbitrary_small_tables_raise_only_data_error(cells, sep):
    text = "\n".join(sep.join(row) for row in cells)
    try:
        df = read_table(text.encode(), "t.csv")
    except DataError:
        return
    assert len(df) > 0 and any(pd.api.types.is_numeric_dtype(df[c]) and df[c].notna().any() for c in df.columns)


def test_keep_last_rows_keeps_the_header_and_the_tail():
    data = b"t,v\n" + b"".join(f"{i},{i * 2}\n".encode() for i in range(10))
    assert keep_last_rows(data, 3) == b"t,v\n7,14\n8,16\n9,18\n"
    assert keep_last_rows(data + b"\n\n", 2) == b"t,v\n8,16\n9,18\n"  # trailing blank lines ignored
    assert keep_last_rows(data, 50) == data  # more rows than there are: everything
    utf16 = "\ufeff".encode("utf-16-le") + data.decode().encode("utf-16-le")
    assert keep_last_rows(utf16, 1) == b"t,v\n9,18\n"


def test_a_table_too_large_offers_its_recent_rows(monkeypatch):
    monkeypatch.setattr(data_module, "MAX_CELLS", 100)
    data = b"t,v\n" + b"".join(f"{i},{i * 2}\n".encode() for i in range(200))
    with pytest.raises(TooLargeError, match="most recent rows") as info:
        read_table(data, "big.csv")
    assert info.value.fits_rows == 45  # 100 cells / 2 columns, less a 10 % margin for the row estimate
    recent = read_table(keep_last_rows(data, info.value.fits_rows), "big.csv")
    assert recent["t"].tolist() == list(range(155, 200))
