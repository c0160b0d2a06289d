"""Reading an uploaded table (CSV, TSV, Parquet) into a DataFrame, or a ``DataError`` a user can act on.

Text is sniffed on a small head sample only (encoding, delimiter, decimal comma), then parsed once: by
pyarrow's multithreaded reader where it gives the same frame (``lstmlab.arrow_reader``), else by pandas'
C engine, whose messages every error carries. Size guards run before parsing.
Anything the reader changed (numbers read from text, a header made up) is listed in ``df.attrs["notes"]``.
"""

from __future__ import annotations

import codecs
import io
import re
import warnings

import pandas as pd

from lstmlab.arrow_reader import read_with_arrow, text_columns
from lstmlab.errors import DataError, TooLargeError
from lstmlab.notes import listed, quoted
from lstmlab.safetext import visible
from lstmlab.sniff import (
    NA_VALUES,
    SAMPLE_BYTES,
    estimate_rows,
    head_text,
    is_number,
    numbers_from_text,
    sniff_decimal,
    sniff_delimiter,
    trailing_delimiter,
)

MAX_CELLS = 20_000_000  # rows x columns; about 160 MB as float64, a sane share of a small cloud machine
MAX_COLUMNS = 10_000
MAX_LINE_BYTES = 1 << 20  # a header line longer than 1 MB is not a table's header
_BINARY_MAGIC = {
    b"PK\x03\x04": "an Excel workbook or a zip archive: open it and save the sheet as CSV",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) workbook: open it and save the sheet as CSV",
    b"\x1f\x8b": "a gzip-compressed file: decompress it first",
    b"%PDF": "a PDF document, not a table: upload the data as CSV, TSV or Parquet",
    b"\x89PNG": "a PNG image, not a table: upload the data as CSV, TSV or Parquet",
    b"\xff\xd8\xff": "a JPEG image, not a table: upload the data as CSV, TSV or Parquet",
}
_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def keep_last_rows(data: bytes, rows: int) -> bytes:
    """The header line and the last ``rows`` lines of a text table, so a recent part can be read.

    Scans from the end only; UTF-16 is first re-encoded as UTF-8, whose newline is one byte.
    """
    data, _ = _decode_prefix(data, "the table")
    end = len(data.rstrip())
    header_end = data.find(b"\n")
    if rows < 1 or header_end < 0:
        raise DataError("There is nothing after the header line to keep.")
    start = end
    for _ in range(rows):
        start = data.rfind(b"\n", header_end, start)
        if start <= header_end:
            start = header_end
            break
    return data[: header_end + 1] + data[start + 1 : end] + b"\n"


def read_table(data: bytes, filename: str, fast: bool = True) -> pd.DataFrame:
    """Parse uploaded bytes into a DataFrame with numeric columns as numbers (raises ``DataError``).

    ``fast=False`` parses text with pandas' C engine only (the reference the fast path is tested against).
    """
    if not data or data.isspace():  # isspace scans without copying a large upload
        raise DataError(f"{visible(filename)} is empty. Upload a CSV, TSV or Parquet file with a header row and data.")
    if data[:4] == b"PAR1":
        df = _read_parquet(data, filename)
    elif filename.lower().endswith((".parquet", ".pq")):
        raise DataError(
            f"{visible(filename)} is named like a Parquet file but is not one (no PAR1 signature). "
            "Upload a valid Parquet file, or a CSV with a .csv name."
        )
    else:
        df = _read_text(data, filename, fast)
    return _finish(df, filename)


# --- Parquet -------------------------------------------------------------------------------------


def _read_parquet(data: bytes, filename: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if len(data) < 12 or data[-4:] != b"PAR1":
        raise DataError(f"{visible(filename)} is a truncated or damaged Parquet file. Export it again and re-upload.")
    try:
        file = pq.ParquetFile(io.BytesIO(data))
        rows, cols = file.metadata.num_rows, file.metadata.num_columns
        _check_size(rows, cols, filename, can_keep_recent=False)
        table = file.read()
        nested = [f.name for f in table.schema if pa.types.is_nested(f.type)]
        df = table.drop_columns(nested).to_pandas()
    except DataError:
        raise
    except Exception as err:  # pyarrow raises many types for damaged files
        raise DataError(
            f"{visible(filename)} could not be read as Parquet ({type(err).__name__}: {str(err)[:200]}). "
            "Export it again, or upload it as CSV."
        ) from err
    if not isinstance(df.index, pd.RangeIndex):
        df = df.reset_index()  # a pandas-written index (e.g. the dates) is a column to the user
    df.columns = [str(c) for c in df.columns]
    if nested:  # lists, structs, maps: not a value per time step
        df.attrs["notes"] = [f"Ignored {listed(nested)}: nested values (lists or records), not numbers."]
    return df


# --- Text --------------------------------------------------------------------------------------


def _read_text(data: bytes, filename: str, fast: bool = True) -> pd.DataFrame:
    data, encoding = _decode_prefix(data, filename)
    header_end = data.find(b"\n", 0, MAX_LINE_BYTES)
    if header_end < 0 and len(data) > MAX_LINE_BYTES:
        raise DataError(
            f"The first line of {visible(filename)} is longer than {MAX_LINE_BYTES // 2**20} MB: that is not a table "
            "header. Check the file is a CSV with one row per line."
        )
    head = head_text(data, encoding, max(header_end, 0) + SAMPLE_BYTES)  # the whole header, and then some
    _refuse_binary(data[:8], head, filename)
    lines = [line for line in head.splitlines() if line.strip()][:50]
    sep, n_header, header = sniff_delimiter(lines)
    if n_header > MAX_COLUMNS:
        raise DataError(
            f"{visible(filename)} has {n_header:,} columns; at most {MAX_COLUMNS:,} are supported. "
            "Upload only the columns you need."
        )
    _check_size(estimate_rows(data), n_header, filename)
    notes: list[str] = []
    no_header = bool(header) and all(is_number(name) for name in header)
    # a headerless first row may repeat values; empty names become "Unnamed: i" (e.g. a sheet's blank columns)
    duplicates = sorted({name for name in header if name and header.count(name) > 1}) if not no_header else []
    if duplicates:
        raise DataError(
            f"Column names repeat in {visible(filename)}: {', '.join(map(quoted, duplicates))}. "
            "Give every column a unique name and upload again."
        )
    if no_header:
        notes.append(
            f"The first row holds only numbers, so it was read as data; the columns are named "
            f"column 1 to column {n_header}."
        )
    decimal = sniff_decimal(lines[1:], sep)
    kwargs = dict(
        sep=sep,
        decimal=decimal,
        na_values=NA_VALUES,
        skipinitialspace=any(sep + " " in line for line in lines),  # costs ~15%: only when needed
        engine="c",
        header=None if no_header else "infer",
        names=[f"column {i + 1}" for i in range(n_header)] if no_header else None,
    )
    if trailing_delimiter(lines, sep, n_header):
        kwargs["index_col"] = False  # every data row ends with the delimiter: drop that empty field
        notes.append("Each row ends with a delimiter; the empty last field was ignored.")
    simple = not (no_header or kwargs["skipinitialspace"] or "index_col" in kwargs or decimal != ".")
    text = text_columns(lines, sep, NA_VALUES) if fast and simple else None
    df = read_with_arrow(data, sep, NA_VALUES, text) if text is not None else None
    for enc in (encoding, "cp1252", "latin-1") if df is None else ():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                df = pd.read_csv(io.BytesIO(data), encoding=enc, **kwargs)
            break
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError as err:
            raise DataError(f"{visible(filename)} holds no table. Upload a CSV with a header row and data.") from err
        except pd.errors.ParserError as err:
            raise DataError(_ragged_message(str(err), filename)) from err
        except (ValueError, OverflowError, MemoryError) as err:
            raise DataError(
                f"{visible(filename)} could not be read as a table ({str(err)[:200]}). "
                "Check that it is a CSV/TSV with one header row."
            ) from err
    if df is None:
        raise DataError(f"{visible(filename)} could not be decoded as text. Save it as UTF-8 CSV and upload again.")
    if not df.index.equals(pd.RangeIndex(len(df))):  # pandas took the first field as an index
        raise DataError(
            f"The rows of {visible(filename)} have more values than the header has names. "
            "Add the missing column names to the header (or remove the extra values) and upload again."
        )
    df.attrs["notes"] = notes
    return df


def _decode_prefix(data: bytes, filename: str) -> tuple[bytes, str]:
    """Bytes in an encoding pandas reads fast, and that encoding; UTF-16 is re-encoded as UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :], "utf-8"
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and len(data) >= 4 and data[1:4:2] == b"\x00\x00" and b"\x00" not in data[0:4:2]:
        utf16 = True  # UTF-16-LE text without a BOM: every second byte of ASCII is zero
    if utf16:
        try:
            text = data.decode("utf-16" if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-16-le")
        except UnicodeDecodeError as err:
            raise DataError(
                f"{visible(filename)} looks like UTF-16 text but does not decode. Save it as UTF-8 CSV."
            ) from err
        return text.encode("utf-8"), "utf-8"
    return data, "utf-8"


def _refuse_binary(raw: bytes, head: str, filename: str) -> None:
    for magic, what in _BINARY_MAGIC.items():
        if raw.startswith(magic):
            raise DataError(f"{visible(filename)} looks like {what}.")
    control = sum(1 for ch in head[:4096] if ord(ch) < 32 and ch not in "\t\r\n\f\v")
    if "\x00" in head or control > max(2, len(head[:4096]) // 100):
        raise DataError(
            f"{visible(filename)} looks like a binary file, not a text table. "
            "Upload a CSV, TSV or Parquet file (export spreadsheets as CSV)."
        )


def _check_size(rows: int, cols: int, filename: str, can_keep_recent: bool = True) -> None:
    if cols > MAX_COLUMNS:
        raise DataError(
            f"{visible(filename)} has {cols:,} columns; at most {MAX_COLUMNS:,} are supported. "
            "Upload only the columns you need."
        )
    if rows * max(cols, 1) > MAX_CELLS:
        raise TooLargeError(
            f"{visible(filename)} holds about {rows:,} rows x {cols:,} columns, more than the "
            f"{MAX_CELLS:,} cells this app can hold in memory. "
            + ("Use its most recent rows, or upload " if can_keep_recent else "Upload ")
            + "fewer rows or columns (e.g. resample to a coarser time step).",
            fits_rows=MAX_CELLS // max(cols, 1) * 9 // 10 if can_keep_recent else 0,  # 10 % margin: rows are estimated
        )


def _ragged_message(message: str, filename: str) -> str:
    match = _RAGGED.search(message)
    if match:
        expected, line, saw = match.groups()
        return (
            f"Line {line} of {visible(filename)} has {saw} fields but the header has {expected}. "
            "Fix that row (or quote values that contain the delimiter) and upload again."
        )
    if "EOF inside string" in message:
        return (
            f'A quoted value in {visible(filename)} is never closed (a " with no closing "), so the rest of the file '
            "reads as one value. Close or remove that quote and upload again."
        )
    return f"{visible(filename)} could not be parsed as a table ({message.strip()[:200]}). Check the file is a CSV."


# --- Common ----------------------------------------------------------------------------------------


def _finish(df: pd.DataFrame, filename: str) -> pd.DataFrame:
    """Clean names, read numbers held as text, drop empty unnamed columns, check there is data."""
    notes = list(df.attrs.get("notes", []))
    df.columns = [str(c).strip() or f"column {i + 1}" for i, c in enumerate(df.columns)]
    if len(set(df.columns)) < len(df.columns):
        raise DataError(
            f"Column names repeat in {visible(filename)}. Give every column a unique name and upload again."
        )
    if df.shape[1] == 0:
        raise DataError(f"{visible(filename)} holds no columns. Upload a table with a header row and data.")
    if len(df) == 0:
        raise DataError(f"{visible(filename)} has a header but no data rows. Upload a file with data below the header.")
    empty = [c for c in df.columns if c.startswith("Unnamed:") and df[c].isna().all()]
    if empty:
        df = df.drop(columns=empty)
        notes.append(f"Ignored {len(empty)} unnamed empty column(s) ({listed(empty)}).")
    for name in df.columns:
        column = df[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            converted, note = numbers_from_text(column)
            if converted is not None:
                df[name] = converted
                if note:
                    notes.append(note)
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c].dtype) and df[c].notna().any()]
    if not numeric:
        raise DataError(
            f"{visible(filename)} has no column of numbers (columns: {listed(df.columns[:10])}"
            f"{', ...' if df.shape[1] > 10 else ''}). A time series needs at least one numeric column; "
            "check the delimiter and the decimal mark, or upload another file."
        )
    df.attrs["notes"] = notes
    return df
