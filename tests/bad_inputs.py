"""A corpus of hostile and messy uploads, each with what the app must do with it.

``python -m tests.bad_inputs OUTDIR`` writes the files; ``make_corpus(folder)`` writes them and returns
``{filename: Expect}`` for the tests. Everything is generated from a fixed seed, so the corpus is the
same on every machine and nothing large is kept in the repository.
"""

from __future__ import annotations

import codecs
import functools
import gzip
import io
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 6


@dataclass(frozen=True)
class Expect:
    """What must happen to one file: a ``DataError`` (at reading or preparing), or a load with notes."""

    about: str
    error: str = ""  # a phrase of the DataError message; "" when the file must load
    stage: str = "read"  # "read": read_table refuses it; "prepare": prepare_series on the detected defaults does
    notes: tuple[str, ...] = ()  # phrases the notes must hold when it loads (what was done to the data)
    rows: int | None = None  # rows T of the prepared series, when it loads
    columns: tuple[str, ...] = ()  # columns of the prepared series, when it loads (checked when given)

    @property
    def loads(self) -> bool:
        return not self.error


def _csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def _daily(n: int, start: str = "2021-01-01") -> list[str]:
    return [str(d.date()) for d in pd.date_range(start, periods=n, freq="D")]


def _series_csv(n: int = 40, extra: Callable[[int], str] | None = None, header: str = "date,value") -> bytes:
    lines = [header]
    for i, day in enumerate(_daily(n)):
        lines.append(f"{day},{10 + i % 7}" + (f",{extra(i)}" if extra else ""))
    return ("\n".join(lines) + "\n").encode()


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


@functools.cache  # built once per process (about a second), shared by the tests that list and write it
def _files() -> dict[str, tuple[bytes, Expect]]:
    rng = np.random.default_rng(SEED)
    good = _series_csv(40)
    frame = pd.DataFrame({"date": pd.date_range("2021-01-01", periods=40, freq="D"), "value": np.arange(40.0)})
    parquet = _parquet(frame)
    unsorted = [f"{d},{i}" for i, d in enumerate(_daily(30))]
    unsorted[3], unsorted[17] = unsorted[17], unsorted[3]
    duplicated = [f"{d},{i}" for i, d in enumerate(_daily(30))]
    duplicated.insert(10, f"{_daily(30)[9]},999")  # the 10th day twice; the first one is kept
    some_bad_dates = [f"{d},{i}" for i, d in enumerate(_daily(30))]
    some_bad_dates[5], some_bad_dates[20] = "not a date,5", "2021-02-30,20"
    wide = ",".join(f"c{i}" for i in range(10_001))
    million = ",".join(f"col{i}" for i in range(1_000_000))  # about 7.9 MB of header
    long_cell = "x" * (6 << 20)  # one line of 6 MB
    files = {
        # --- refused by read_table ---------------------------------------------------------------
        "empty.csv": (b"", Expect("no bytes at all", "is empty")),
        "whitespace_only.csv": (b"  \n\n\t\n   \n", Expect("only blank lines", "is empty")),
        "header_only.csv": (b"date,value,other\n", Expect("a header and no rows", "no data rows")),
        "text_columns_only.csv": (
            _csv("city,country\nParis,FR\nRome,IT\nOslo,NO\n"),
            Expect("no numeric column", "no column of numbers"),
        ),
        "dates_only.csv": (
            _csv("date\n" + "\n".join(_daily(20)) + "\n"),
            Expect("a time axis only", "no column of numbers"),
        ),
        "all_values_missing.csv": (
            _csv("date,value\n" + "".join(f"{d},NA\n" for d in _daily(10))),
            Expect("the only numeric column is all NA", "no column of numbers"),
        ),
        "binary_garbage.csv": (rng.integers(0, 256, 4096, dtype=np.uint8).tobytes(), Expect("random bytes", "binary")),
        "nul_bytes.csv": (b"a,b\n1,2\n3\x00\x00\x004\n5,6\n", Expect("NUL bytes inside text", "binary")),
        "zipped.csv": (_zip("series.csv", good), Expect("a zip archive named .csv", "zip archive")),
        "gzipped.csv": (gzip.compress(good, mtime=0), Expect("a gzip-compressed CSV", "gzip")),
        "image.csv": (b"\x89PNG\r\n\x1a\n" + rng.bytes(512), Expect("a PNG image named .csv", "PNG image")),
        "document.csv": (b"%PDF-1.7\n" + rng.bytes(512), Expect("a PDF named .csv", "PDF")),
        "webpage.csv": (
            _csv("<!DOCTYPE html>\n<html>\n<head><title>Error 404</title></head>\n<body>Not found</body>\n</html>\n"),
            Expect("an HTML error page saved as CSV", "no column of numbers"),
        ),
        "csv_named.parquet": (good, Expect("wrong extension: CSV text named .parquet", "no PAR1 signature")),
        "ragged_rows.csv": (
            _csv("a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n11,12,13\n"),
            Expect("a row with an extra field", "Line 4"),
        ),
        "more_values_than_header.csv": (
            _csv("a,b\n1,2,3\n4,5,6\n7,8,9\n"),
            Expect("every row longer than the header", "more values than the header"),
        ),
        "duplicate_columns.csv": (
            _csv("date,value,value\n2021-01-01,1,2\n2021-01-02,3,4\n"),
            Expect("two columns named alike", "Column names repeat"),
        ),
        "unclosed_quote.csv": (
            _csv('a,b\n1,"2\n3,4\n5,6\n'),
            Expect("a quote never closed", "never closed"),
        ),
        "million_columns_header.csv": (
            (million + "\n" + ",".join("1" * 3) + "\n").encode(),
            Expect("a million columns' worth of header (7.9 MB line)", "longer than 1 MB"),
        ),
        "too_many_columns.csv": (
            (wide + "\n" + ",".join(["1"] * 10_001) + "\n").encode(),
            Expect("10,001 columns", "at most 10,000"),
        ),
        "truncated.parquet": (parquet[: len(parquet) // 2], Expect("a Parquet file cut in half", "truncated")),
        "damaged.parquet": (
            parquet[:4] + rng.bytes(len(parquet) - 8) + parquet[-4:],
            Expect("Parquet magic around garbage", "could not be read as Parquet"),
        ),
        "text_only.parquet": (
            _parquet(pd.DataFrame({"name": ["a", "b", "c"]})),
            Expect("Parquet without numbers", "no column of numbers"),
        ),
        "no_rows.parquet": (
            _parquet(pd.DataFrame({"value": pd.Series([], dtype="float64")})),
            Expect("Parquet with a schema and no rows", "no data rows"),
        ),
        # --- read, then refused when preparing the series ------------------------------------------
        "single_row.csv": (
            _csv("date,value\n2021-01-01,5\n"),
            Expect("one data row", "Only 1 row", stage="prepare"),
        ),
        # --- loads, and the notes say what was done --------------------------------------------------
        "utf16.csv": (
            "date,température\n2021-01-01,1.5\n2021-01-02,2.5\n2021-01-03,3.5\n".encode("utf-16"),
            Expect("UTF-16 with a BOM and an accent", columns=("température",), rows=3, notes=("Time axis from date",)),
        ),
        "utf16le_no_bom.csv": (
            "t\tvalue\n1\t0.5\n2\t0.25\n3\t0.125\n".encode("utf-16-le"),
            Expect("UTF-16-LE without a BOM, tab-separated", rows=3),
        ),
        "latin1_accents.csv": (
            _csv(
                "Date;Température;Ville\n" + "".join(f"{d};{i},5;Besançon\n" for i, d in enumerate(_daily(6))),
                "latin-1",
            ),
            Expect(
                "Latin-1 bytes, accents in names and labels, ';' with decimal commas",
                columns=("Température", "Ville=Besançon"),
                notes=("Time axis from Date", "One-hot encoded Ville"),
                rows=6,
            ),
        ),
        "semicolon_decimal_comma.csv": (
            _csv("Datum;Wert;Menge\n" + "".join(f"{d};{i},25;1.234,5\n" for i, d in enumerate(_daily(8)))),
            Expect("European CSV: ';', decimal comma, '.' thousands", columns=("Wert", "Menge"), rows=8),
        ),
        "utf8_bom.csv": (codecs.BOM_UTF8 + good, Expect("UTF-8 with a BOM", columns=("value",), rows=40)),
        "tab_separated.tsv": (good.replace(b",", b"\t"), Expect("TSV", columns=("value",), rows=40)),
        "parquet_named.csv": (parquet, Expect("wrong extension: Parquet named .csv", columns=("value",), rows=40)),
        "duplicate_timestamps.csv": (
            _csv("date,value\n" + "\n".join(duplicated) + "\n"),
            Expect("one day twice", notes=("1 duplicate timestamps (kept the first of each)",), rows=30),
        ),
        "unsorted_timestamps.csv": (
            _csv("date,value\n" + "\n".join(unsorted) + "\n"),
            Expect("rows out of time order", notes=("Sorted by time",), rows=30),
        ),
        "some_unparseable_dates.csv": (
            _csv("date,value\n" + "\n".join(some_bad_dates) + "\n"),
            Expect("two dates that cannot be read", notes=("Dropped 2 row(s) whose time could not be read",), rows=28),
        ),
        "unparseable_dates.csv": (
            _csv("date,value\n" + "".join(f"day {i} of spring,{i % 5}\n" for i in range(30))),
            Expect("no date can be read: the row order is used", notes=("Ignored date",), rows=30, columns=("value",)),
        ),
        "invalid_date_parts.csv": (
            _csv("year,month,day,value\n2021,2,27,1\n2021,2,28,2\n2021,2,30,3\n2021,3,1,4\n2021,3,2,5\n"),
            Expect("30 February in date parts", notes=("Dropped 1 row(s) whose time could not be read",), rows=4),
        ),
        "all_nan_column.csv": (
            _series_csv(20, lambda i: "", header="date,value,empty"),
            Expect("a column with no values", notes=("Ignored empty",), columns=("value",), rows=20),
        ),
        "constant_column.csv": (
            _series_csv(20, lambda i: "7", header="date,value,flat"),
            Expect("a constant column", notes=("Column flat is constant",), columns=("value", "flat"), rows=20),
        ),
        "infinities.csv": (
            _series_csv(20, lambda i: "inf" if i == 5 else ("-Infinity" if i == 9 else str(i)), header="date,value,x"),
            Expect("inf and -Infinity", notes=("2 infinite value(s) in x treated as missing", "Interpolated"), rows=20),
        ),
        "beyond_float32.csv": (
            _series_csv(20, lambda i: "1e39" if i == 4 else str(i), header="date,value,x"),
            Expect("a value too large for float32", notes=("too large",), rows=20),
        ),
        "missing_markers.csv": (
            _series_csv(20, lambda i: ["NA", "?", "", "-"][i % 4] if i % 3 == 1 else str(i), header="date,value,x"),
            Expect("NA, ?, empty and - as gaps", notes=("Interpolated",), rows=20),
        ),
        "text_among_numbers.csv": (
            _series_csv(40, lambda i: "error" if i == 7 else f"{i / 2}", header="date,value,x"),
            Expect("one word in a numeric column", notes=("1 value(s) that are not numbers ('error')",), rows=40),
        ),
        "no_header.csv": (
            _csv("".join(f"{i},{i * i % 11}\n" for i in range(12))),
            Expect("numbers only, no header row", notes=("read as data",), rows=12),
        ),
        "trailing_delimiter.csv": (
            _csv("date,value,\n" + "".join(f"{d},{i % 4},\n" for i, d in enumerate(_daily(10)))),
            Expect("every line ends with a delimiter", rows=10, columns=("value",)),
        ),
        "trailing_empty_columns.csv": (
            _csv("date,value,,\n" + "".join(f"{d},{i % 4},,\n" for i, d in enumerate(_daily(10)))),
            Expect("two empty unnamed columns (a spreadsheet export)", notes=("unnamed empty column",), rows=10),
        ),
        "ragged_short_rows.csv": (
            _csv("a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11\n"),
            Expect("a row with a field missing", notes=("Interpolated",), rows=4),
        ),
        "fewer_rows_than_window.csv": (
            _series_csv(6),
            Expect("6 rows: fewer than the default window of 12", rows=6),
        ),
        "long_line.csv": (
            _csv(
                "date,value,comment\n"
                + "".join(f"{d},{i},{long_cell if i == 2 else 'ok'}\n" for i, d in enumerate(_daily(10)))
            ),
            Expect("a line of 6 MB", notes=("Ignored comment",), rows=10, columns=("value",)),
        ),
        "nested.parquet": (
            _parquet(pd.DataFrame({"tags": [[1, 2], [3], [], [4]], "value": [1.0, 2.0, 3.0, 4.0]})),
            Expect("a Parquet column of lists", notes=("tags",), rows=4, columns=("value",)),
        ),
        "cr_line_endings.csv": (good.replace(b"\n", b"\r"), Expect("old Mac line endings (CR only)", rows=40)),
    }
    return files


def expectations() -> dict[str, Expect]:
    """What each file of the corpus must do, by file name (nothing is written)."""
    return {name: expect for name, (_, expect) in _files().items()}


def make_corpus(folder: Path | str) -> dict[str, Expect]:
    """Write every file of the corpus into ``folder``; returns what each one must do."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, (data, expect) in _files().items():
        (folder / name).write_bytes(data)
        expected[name] = expect
    return expected


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.bad_inputs OUTDIR", file=sys.stderr)
        return 2
    corpus = make_corpus(argv[0])
    for name, expect in corpus.items():
        outcome = f"refused ({expect.stage}): {expect.error}" if expect.error else "loads"
        print(f"{name:32} {expect.about:60} {outcome}")
    print(f"{len(corpus)} files in {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
