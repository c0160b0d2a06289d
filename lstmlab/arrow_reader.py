"""Text tables parsed by pyarrow's multithreaded CSV reader, where it gives exactly pandas' C engine's frame.

``read_table`` tries this first. It returns None, and the C engine reads the file (and words every
error), wherever the two could differ: one column, a header name empty or repeated, true/false values,
a quote never closed, a row whose field count differs from the header's, bytes that are not UTF-8, a
value later in the file that the first block's type cannot hold, or a column pyarrow would type
otherwise (it reads dates and times as such, and integers beyond int64 as floats; the C engine keeps
the first as text and the second as uint64). Columns the head sample shows holding text are read as
text, so pyarrow guesses no dates. The other columns take the types pyarrow gives them on the head
sample, so the whole file is read with every type given: guessing keeps every parsed block until the
last is typed (about 80 MB more per million rows). Where a later value does not fit, pyarrow reads the
file again, guessing.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd

from lstmlab.sniff import SAMPLE_BYTES

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


def _quote_left_open(data: bytes) -> bool:
    """An odd number of quotes: pyarrow would read on to the end of a block, the C engine refuses."""
    body = data.find(b"\n") + 1
    if data.find(b'"', body) < 0:  # memchr: quotes in the header only (the usual case) cost no count
        return data.count(b'"', 0, body) % 2 == 1
    return data.count(b'"') % 2 == 1


def read_with_arrow(
    data: bytes, sep: str, na_values: list[str], text: list[str], sample_bytes: int = SAMPLE_BYTES
) -> pd.DataFrame | None:
    """pyarrow's CSV reader set up as the C engine reads (``text`` columns as text), or None where it differs.

    The other columns take the types pyarrow gives them on the first ``sample_bytes`` after the header; where
    a later value does not fit its column's type, the file is read again with pyarrow guessing the types.
    """
    try:
        import pyarrow as pa
        import pyarrow.csv as pa_csv
    except ImportError:
        return None
    if _quote_left_open(data):
        return None
    parse = pa_csv.ParseOptions(delimiter=sep)
    pool = pa.system_memory_pool()  # malloc's, which frees to the OS; pyarrow's own pool keeps ~150 MB per million rows

    def read(part: bytes, types: dict) -> pa.Table:
        convert = pa_csv.ConvertOptions(
            null_values=sorted(PANDAS_NA | set(na_values)), strings_can_be_null=True,
            true_values=["True", "TRUE", "true"], false_values=["False", "FALSE", "false"], column_types=types,
        )  # fmt: skip
        # The whole file at once, its blocks parsed on all cores (open_csv's stream peaks 70 MB lower per million
        # rows but parses one block at a time: twice as slow).
        return pa_csv.read_csv(pa.BufferReader(part), parse_options=parse, convert_options=convert, memory_pool=pool)

    guessed = dict.fromkeys(text, pa.string())  # the other columns typed by pyarrow as it reads
    fractional: set[str] = set()  # float columns whose sample holds a fraction: the C engine reads them as floats
    try:
        table = None
        header_end = data.find(b"\n") + 1
        sample_end = data.rfind(b"\n", header_end, header_end + sample_bytes) + 1
        if sample_end and len(data) > 2 * sample_bytes:  # small files are typed on the whole file, in one block
            sample = read(data[:sample_end], guessed)
            declared = _declared_types(sample.schema)
            if declared is None:
                return None
            try:
                table, fractional = read(data, declared), _with_fractions(sample)
            except pa.ArrowInvalid as err:  # a value the sample's type cannot hold, e.g. a decimal among integers
                if "conversion error" not in str(err):
                    raise
        if table is None:
            table = read(data, guessed)
        df = table.to_pandas(memory_pool=pool, split_blocks=True, self_destruct=True)  # frees each column as it goes
        del table
    except (pa.ArrowException, ValueError, MemoryError):  # ragged rows, bad UTF-8, a late value: the C engine decides
        return None
    return df if _typed_as_the_c_engine(df, fractional) else None


def _declared_types(schema) -> dict | None:
    """Each column's type for the whole file from the head sample's; None for a type the C engine gives otherwise."""
    import pyarrow as pa

    types = {}
    for field in schema:
        if pa.types.is_null(field.type):  # all missing in the sample: floats, as the C engine reads NaN and numbers
            types[field.name] = pa.float64()
        elif pa.types.is_string(field.type) or pa.types.is_int64(field.type) or pa.types.is_float64(field.type):
            types[field.name] = field.type
        else:  # true/false, dates, times
            return None
    return types


def _with_fractions(sample) -> set[str]:
    """Names of the sample's float columns holding a value with a fraction."""
    import pyarrow as pa

    names = set()
    for field in sample.schema:
        if pa.types.is_float64(field.type):
            values = sample.column(field.name).to_numpy()  # nulls as NaN
            finite = values[np.isfinite(values)]
            if (finite != np.floor(finite)).any():
                names.add(field.name)
    return names


def _typed_as_the_c_engine(df: pd.DataFrame, fractional: set[str]) -> bool:
    """Whether every column has the dtype pandas.read_csv gives the same text (``fractional`` are floats there)."""
    for name in df.columns:
        dtype = df[name].dtype
        if isinstance(dtype, pd.StringDtype) or dtype in (np.int64, np.bool_) or name in fractional:
            continue
        if dtype != np.float64:  # dates, times, a column of nulls: the C engine types them otherwise
            return False
        values = df[name].to_numpy()
        if values.min(initial=0) > -_INT64_LIMIT and values.max(initial=0) < _INT64_LIMIT:
            continue  # the common case, two fast passes; NaN or infinities fail it and are looked at closer
        if np.abs(values[np.isfinite(values)]).max(initial=0) >= _INT64_LIMIT:
            return False
    return True
