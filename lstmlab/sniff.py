"""Guessing how a text table is written, from a small sample: delimiter, decimal mark, header, row count,
and numbers stored as text (thousands separators, decimal commas).
"""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd

from lstmlab.notes import quoted
from lstmlab.safetext import visible

SAMPLE_BYTES = 1 << 16  # head sample used for sniffing
NA_VALUES = ["?", "-", "--", ".", "NAN", "Nan", "Null", "none", "na", "missing", "#VALUE!", "#DIV/0!"]
_NA_TEXT = frozenset([*NA_VALUES, "", "NA", "NaN", "nan", "null", "NULL", "None", "N/A", "n/a", "<NA>"])
EXACT_COUNT_BYTES = 8 << 20  # above this, rows are estimated from samples: counting costs ~10% of a parse
DELIMITERS = (",", ";", "\t", "|")
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+(?:[eE][-+]?\d+)?\s*$")
_DECIMAL_DOT = re.compile(r"^\s*[-+]?\d*\.\d+(?:[eE][-+]?\d+)?\s*$")
_EUROPEAN_NUMBER = re.compile(r"^\s*[-+]?\d{1,3}(?:\.\d{3})*(?:,\d+)?\s*$|^\s*[-+]?\d+(?:,\d+)?\s*$")
_US_NUMBER = re.compile(r"^\s*[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?\s*$|^\s*[-+]?\d*\.?\d+\s*$")
_US_EVIDENCE = re.compile(r"\d,\d{3}\.\d|\d,\d{3},\d{3}")  # only thousands commas look like this


def head_text(data: bytes, encoding: str, size: int) -> str:
    head = data[:size]
    if len(data) > size and b"\n" in head:
        head = head[: head.rfind(b"\n")]  # whole lines only
    try:
        return head.decode(encoding)
    except UnicodeDecodeError:
        return head.decode("latin-1")


def sniff_delimiter(lines: list[str]) -> tuple[str, int, list[str]]:
    """The delimiter whose field count is the same on the most lines, with the header's fields."""
    best = None
    for rank, sep in enumerate(DELIMITERS):
        try:
            rows = list(csv.reader(lines, delimiter=sep, quotechar='"', skipinitialspace=True))
        except csv.Error:
            continue
        if not rows:
            continue
        n = len(rows[0])
        agree = sum(len(row) in (n, n + 1) for row in rows) / len(rows)
        score = (n > 1, agree, n, -rank)
        if best is None or score > best[0]:
            best = (score, sep, n, [cell.strip() for cell in rows[0]])
    if best is None:
        return ",", 0, []
    _, sep, n, header = best
    if n == 1:  # a single column: pick a delimiter the sample never uses, so "1,5" stays one field
        sep = next((s for s in DELIMITERS if not any(s in line for line in lines)), ",")
    return sep, n, header


def sniff_decimal(rows: list[str], sep: str) -> str:
    if sep == ",":
        return "."
    fields = [f.strip().strip('"') for line in rows for f in line.split(sep)]
    commas = sum(bool(_DECIMAL_COMMA.match(f)) for f in fields)
    dots = sum(bool(_DECIMAL_DOT.match(f)) for f in fields)
    return "," if commas > dots else "."


def trailing_delimiter(lines: list[str], sep: str, n_header: int) -> bool:
    data = lines[1:]
    return (
        bool(data)
        and all(line.rstrip("\r\n").endswith(sep) for line in data)
        and all(line.count(sep) == n_header for line in data)
    )


def is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return bool(text.strip())


def estimate_rows(data: bytes) -> int:
    """Row count: exact for small files, from 32 evenly spread samples for big ones (cheap)."""
    if len(data) <= EXACT_COUNT_BYTES:
        return data.count(b"\n") + 1
    step = len(data) // 32
    chunk = SAMPLE_BYTES // 2
    seen = sum(data.count(b"\n", i * step, i * step + chunk) for i in range(32))
    return int(len(data) * seen / (32 * chunk)) + 1


def numbers_from_text(column: pd.Series) -> tuple[pd.Series | None, str]:
    """A text column as numbers when (nearly) all its values are numbers; else ``(None, "")``."""
    try:
        text = column.dropna().astype(str)
    except (TypeError, ValueError):
        return None, ""
    if as_numbers(text.iloc[:1000]) is None:  # a cheap look first: most text columns are not numbers
        return None, ""
    found = as_numbers(text)
    if found is None:
        return None, ""
    numbers, bad = found
    out = pd.Series(np.nan, index=column.index, dtype="float64")
    out[numbers.index] = numbers.astype("float64")
    if not bad.any():
        return out, ""
    examples = ", ".join(quoted(v) for v in text[bad.index[bad]].str.strip().unique()[:3])
    return (
        out,
        f"Column {visible(column.name)}: {int(bad.sum()):,} value(s) that are not numbers ({examples}) were read "
        "as missing.",
    )


def as_numbers(text: pd.Series) -> tuple[pd.Series, pd.Series] | None:
    """(numbers, which failed) when at most 10% of the non-missing values are not numbers, else None."""
    text = text.str.strip()
    text = text[~text.isin(_NA_TEXT)]
    if text.empty:
        return None
    candidates = [text]
    if text.str.match(_US_NUMBER).all() and text.str.contains(_US_EVIDENCE).any():
        candidates.append(text.str.replace(",", "", regex=False))  # "1,234.5"
    if text.str.match(_EUROPEAN_NUMBER).all():
        candidates.append(text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))  # "1.234,5"
    for candidate in candidates:
        numbers = pd.to_numeric(candidate, errors="coerce")
        bad = numbers.isna()
        if bad.mean() <= 0.1 and not bad.all():
            return numbers, bad
    return None
