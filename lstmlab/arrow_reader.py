"""Text tables parsed by pyarrow's multithreaded CSV reader, where it gives exactly pandas' C engine's frame.

``read_table`` tries this first. It returns None, and the C engine reads the file (and words every
error), wherever the two could differ: one column, a header name empty or repeated, true/false values,
a quote never closed, a row whose field count differs from the header's, bytes that are not UTF-8, a
value later in the file that the first block's type cannot hold, or a column pyarrow would type
otherwise (it reads dates and times as such, and integers beyond int64 as floats; the C engine keeps
the first as text and the second as uint64). Columns the head sample shows holding text are read as
text, so pyarrow guesses no dates.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd

# read_csv's default na_values (its documentation's list); tests check it against pandas' own.
PANDAS_NA = frozenset(
    ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",
     "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
)  # fmt: skip
_BOOLEAN = frozenset(["true", "false"])  # the C engine's True/TRUE/true; pyarrow's also include 1 and 0
_INT64_LIMIT = 2.0**63  # beyond it the C engine reads integers as uint64, pyarrow as float64


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def text_columns(lines: list[str], sep: str, na_values: list[str]) -> list[str] | None:
    """Header names of the columns whose sample values include text; None where pyarrow should not read.

    ``lines`` are the head sample's non-empty lines, header first.
    """
    try:
        rows = list(csv.reader(lines, delimiter=sep, quotechar='"'))
    except csv.Error:  # e.g. a field longer than the csv module takes
        return None
    names, missing = rows[0] if rows else [], PANDAS_NA | set(na_values)
    if len(names) < 2 or "" in names or len(set(names)) < len(names):
        return None  # one column (pyarrow keeps blank lines there), or names pandas would make up
    text = set()
    for row in rows[1:]:
        for name, value in zip(names, row, strict=False):  # a ragged row fails the parse itself
            if value in missing or _is_float(value):
                continue
            if value.strip().lower() in _BOOLEAN:
                return None
            text.add(name)
    return [name for name in names if name in text]


def read_with_arrow(data: bytes, sep: str, na_values: list[str], text: list[str]) -> pd.DataFrame | None:
    """pyarrow's CSV reader set up as the C engine reads (``text`` columns as text), or None where it differs."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pa_csv
    except ImportError:
        return None
    if b'"' in data and data.count(b'"') % 2:  # a quote never closed: pyarrow reads on to the end, C refuses
        return None
    convert = pa_csv.ConvertOptions(
        null_values=sorted(PANDAS_NA | set(na_values)), strings_can_be_null=True,
        true_values=["True", "TRUE", "true"], false_values=["False", "FALSE", "false"],
        column_types=dict.fromkeys(text, pa.string()),
    )  # fmt: skip
    pool = pa.system_memory_pool()  # malloc's, which frees to the OS; pyarrow's own pool keeps ~150 MB per million rows
    try:
        # The whole file at once, its blocks parsed on all cores (open_csv's stream peaks 70 MB lower per million
        # rows but parses one block at a time: twice as slow).
        table = pa_csv.read_csv(pa.BufferReader(data), parse_options=pa_csv.ParseOptions(delimiter=sep),
                                convert_options=convert, memory_pool=pool)  # fmt: skip
        df = table.to_pandas(memory_pool=pool, split_blocks=True, self_destruct=True)  # frees each column as it goes
        del table
    except (pa.ArrowException, ValueError, MemoryError):  # ragged rows, bad UTF-8, a late value: the C engine decides
        return None
    for name in df.columns:
        dtype = df[name].dtype
        if isinstance(dtype, pd.StringDtype) or dtype in (np.int64, np.bool_):
            continue
        if dtype != np.float64:  # dates, times, a column of nulls: the C engine types them otherwise
            return None
        values = df[name].to_numpy()
        if values.min(initial=0) > -_INT64_LIMIT and values.max(initial=0) < _INT64_LIMIT:
            continue  # the common case, two fast passes; NaN or infinities fail it and are looked at closer
        if np.abs(values[np.isfinite(values)]).max(initial=0) >= _INT64_LIMIT:
            return None
    return df
