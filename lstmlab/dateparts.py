"""Timestamps from the ways people write time that pandas does not read by itself.

- date parts spread over columns: ``year`` with ``quarter``, ``month`` (numbers or names), ``week`` (ISO
  week, Monday) or ``day of year``, and on down to ``second``;
- period text in one column: ``1959Q1``, ``1959-Q1``, ``Q1 1959``, ``1959-01``, ``1-01`` (year 1, month 1),
  ``Jan 1959``, ``2020-W05`` and plain years;
- whole numbers in one column: years (``1885``), ``yyyymm`` and ``yyyymmdd``.

Each value that cannot be read becomes NaT, so the caller can count and report them.
"""

from __future__ import annotations

import calendar
import re
import warnings

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pandas.tseries.api import guess_datetime_format

PARTS = ("year", "quarter", "month", "week", "dayofyear", "day", "hour", "minute", "second")
# Date parts that make a time axis together, finest last; any prefix of one of these works.
CHAINS = (
    ("year", "month", "day", "hour", "minute", "second"),
    ("year", "dayofyear", "hour", "minute", "second"),
    ("year", "week"),
    ("year", "quarter"),
)
_ALIASES = {
    "year": ("year", "years", "yr", "yyyy"),
    "quarter": ("quarter", "quarters", "qtr", "q"),
    "month": ("month", "months", "mon", "mo", "monthname"),
    "week": ("week", "weeks", "wk", "weekofyear", "weeknumber", "weekno", "isoweek", "woy"),
    "dayofyear": ("dayofyear", "doy", "yday", "julianday", "dayyear"),
    "day": ("day", "days", "dd", "dayofmonth", "dom"),
    "hour": ("hour", "hours", "hr", "hh"),
    "minute": ("minute", "minutes", "min"),
    "second": ("second", "seconds", "sec", "ss"),
}
_PART_OF_NAME = {alias: part for part, aliases in _ALIASES.items() for alias in aliases}
RANGES = {
    "year": (1, 9999),
    "quarter": (1, 4),
    "month": (1, 12),
    "week": (1, 53),
    "dayofyear": (1, 366),
    "day": (1, 31),
    "hour": (0, 23),
    "minute": (0, 59),
    "second": (0, 59),
}
# "jan", "janu", ..., "january", "sept": every prefix of at least three letters of an English month name.
_MONTHS = {name[:n]: m for m, name in enumerate(calendar.month_name) if m for n in range(3, len(name) + 1)}
_MONTHS = {k.lower(): v for k, v in _MONTHS.items()}
_MONTH_WORD = r"(?P<mname>[A-Za-z]{3,9})\.?"
# (in words, pattern) per way of writing a period in one text column; named groups are date parts.
PERIOD_FORMS = (
    ("year and quarter", r"(?P<year>\d{1,4})\s*[-/ .]?\s*Q(?P<quarter>[1-4])"),  # 1959Q1, 1959-Q1, 1959 Q1
    ("quarter and year", r"Q(?P<quarter>[1-4])\s*[-/ .]?\s*(?P<year>\d{4})"),  # Q1 1959
    ("year and ISO week", r"(?P<year>\d{4})\s*-?\s*W(?P<week>\d{1,2})"),  # 2020-W05
    ("year and month", r"(?P<year>\d{4})\s*M(?P<month>\d{1,2})"),  # 1959M01, 1959m1 (statistics offices, Stata)
    ("year-month", r"(?P<year>\d{1,4})[-/.](?P<month>\d{1,2})"),  # 1959-01, and 1-01 (year 1, month 1)
    ("month/year", r"(?P<month>\d{1,2})[-/.](?P<year>\d{4})"),  # 01/1959
    ("month name and year", _MONTH_WORD + r"[\s\-/,]*(?P<year>\d{4})"),  # Jan 1959, January-1959
    ("year and month name", r"(?P<year>\d{4})[\s\-/]*" + _MONTH_WORD),  # 1959 Jan
    ("years", r"(?P<year>\d{4})"),  # plain years
)
_MIN_READ = 0.9  # share of a column's values a way of writing must read to be the column's
SAMPLE = 200  # values tried when guessing whether a text column holds dates


def part_of_name(name: object) -> str | None:
    """The date part a column name says it holds (``"Day of year"`` → ``"dayofyear"``), or None."""
    return _PART_OF_NAME.get(re.sub(r"[\s_\-.]", "", str(name).strip().lower()))


def chain_order(parts: set[str]) -> tuple[str, ...] | None:
    """The parts in time-axis order (year first, finest last), or None when they make no time axis."""
    for chain in CHAINS:
        if set(chain[: len(parts)]) == parts:
            return chain[: len(parts)]
    return None


def part_values(col: pd.Series, part: str) -> pd.Series:
    """A column as whole numbers of one date part (float64, NaN where not one): month names and ``Q1`` read."""
    if ptypes.is_bool_dtype(col.dtype):
        return pd.Series(np.nan, index=col.index)
    if ptypes.is_numeric_dtype(col.dtype):
        values = pd.to_numeric(col, errors="coerce").astype("float64")
    else:
        text = col.astype("string").str.strip().str.lower()
        if part == "month":
            names = text.str.rstrip(".").map(_MONTHS, na_action="ignore")
            text = text.where(names.isna(), names.astype("string"))
        elif part == "quarter":
            text = text.str.removeprefix("q")
        values = pd.to_numeric(text, errors="coerce").astype("float64")
    low, high = RANGES[part]
    whole = (values == np.round(values)) & (values >= low) & (values <= high)
    return values.where(whole)


def is_part_column(col: pd.Series, part: str) -> bool:
    """Every value of the column is a valid value of this date part."""
    return len(col) > 0 and bool(part_values(col, part).notna().all())


def stamps_from_parts(parts: dict[str, pd.Series]) -> pd.Series:
    """Timestamps from date parts (float Series keyed by part name, a prefix of a chain); NaT where invalid."""
    index = next(iter(parts.values())).index
    year = parts["year"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if "quarter" in parts:
            frame = pd.DataFrame({"year": year, "month": 3 * parts["quarter"] - 2, "day": 1})
            return pd.to_datetime(frame, errors="coerce")
        if "week" in parts:
            return _iso_week_mondays(year, parts["week"])
        clock = [p for p in ("hour", "minute", "second") if p in parts]
        if "dayofyear" in parts:
            jan1 = pd.to_datetime(pd.DataFrame({"year": year, "month": 1, "day": 1}), errors="coerce")
            days_in_year = np.where(jan1.dt.is_leap_year, 366, 365)
            doy = parts["dayofyear"].where(parts["dayofyear"] <= days_in_year)
            stamps = jan1 + pd.to_timedelta(doy - 1, unit="D")
            for p in clock:
                stamps = stamps + pd.to_timedelta(parts[p], unit={"hour": "h", "minute": "min", "second": "s"}[p])
            return stamps
        frame = pd.DataFrame({p: parts.get(p, pd.Series(1.0, index=index)) for p in ("year", "month", "day")})
        for p in clock:
            frame[p] = parts[p]
        return pd.to_datetime(frame, errors="coerce")


def _iso_week_mondays(year: pd.Series, week: pd.Series) -> pd.Series:
    """The Monday of ISO week ``week`` of ``year``; NaT for week 53 of a year that has 52."""
    jan4 = pd.to_datetime(pd.DataFrame({"year": year, "month": 1, "day": 4}), errors="coerce")
    dec28 = pd.to_datetime(pd.DataFrame({"year": year, "month": 12, "day": 28}), errors="coerce")
    weeks_in_year = dec28.dt.isocalendar().week.astype("float64")  # Dec 28 is always in the last ISO week
    monday1 = jan4 - pd.to_timedelta(jan4.dt.weekday, unit="D")  # Jan 4 is always in ISO week 1
    return monday1 + pd.to_timedelta(7 * (week.where(week <= weeks_in_year) - 1), unit="D")


def stamps_from_period_text(col: pd.Series) -> tuple[pd.Series, str] | None:
    """Timestamps from period text (see ``PERIOD_FORMS``) when one way of writing reads ≥90% of the values,
    with that way in words."""
    sample = col.iloc[: 2 * SAMPLE].dropna().astype("string").str.strip()  # the head: never copy a long column
    sample = sample[sample != ""].iloc[:SAMPLE]
    forms = [(w, p) for w, p in PERIOD_FORMS if len(sample) and sample.str.fullmatch(p, case=False).mean() >= _MIN_READ]
    if not forms:
        return None  # a cheap look first: a long column of other dates is never copied or extracted
    text = col.astype("string").str.strip()
    known = text.notna() & (text != "")
    for words, pattern in forms:
        found = text.str.extract(f"^(?:{pattern})$", flags=re.IGNORECASE)
        if found.notna().all(axis=1)[known].mean() < _MIN_READ:
            continue
        parts = {("month" if name == "mname" else name): found[name] for name in found.columns}
        parts = {part: part_values(values, part) for part, values in parts.items()}
        stamps = stamps_from_parts({p: parts[p] for p in chain_order(set(parts)) or ()})
        if stamps.notna()[known].mean() >= _MIN_READ:
            return stamps, words
    return None


def stamps_from_numbers(col: pd.Series) -> pd.Series | None:
    """Whole numbers read as years (1000-9999), ``yyyymm`` or ``yyyymmdd``; None when they are none of these."""
    if not ptypes.is_numeric_dtype(col.dtype) or ptypes.is_bool_dtype(col.dtype):
        return None
    values = pd.to_numeric(col, errors="coerce").astype("float64")
    known = values.dropna()
    if known.empty or not np.all(known == np.round(known)):
        return None
    low, high = known.min(), known.max()
    if low >= 1000 and high <= 9999:
        parts = {"year": values}
    elif low >= 100_001 and high <= 999_912:
        parts = {"year": values // 100, "month": part_values(values % 100, "month")}
    elif low >= 10_000_101 and high <= 99_991_231:
        parts = {"year": values // 10_000, "month": part_values(values // 100 % 100, "month")}
        parts["day"] = part_values(values % 100, "day")
    else:
        return None
    stamps = stamps_from_parts(parts)
    return stamps if stamps.notna()[values.notna()].mean() >= _MIN_READ else None


def guess_parts(df: pd.DataFrame, columns: tuple[str, ...]) -> dict[str, str] | None:
    """Date part per picked column: by name, else (two columns) a year and a quarter/month/week/day of year."""
    named = {c: part_of_name(c) for c in columns}
    if all(named.values()):
        return named  # type: ignore[return-value]
    if len(columns) != 2:
        return None
    years = [c for c in columns if named[c] == "year" or _looks_like_years(df[c])]
    if len(years) != 1:
        return None
    other = next(c for c in columns if c != years[0])
    if named[other]:
        return {years[0]: "year", other: named[other]}
    for part in ("quarter", "month", "week", "dayofyear"):  # the narrowest range the values fit
        if is_part_column(df[other], part):
            return {years[0]: "year", other: part}
    return None


def _looks_like_years(col: pd.Series) -> bool:
    values = part_values(col, "year")
    return bool(values.notna().all()) and values.min() >= 1000


def is_text(col: pd.Series) -> bool:
    return col.dtype == object or ptypes.is_string_dtype(col.dtype) or isinstance(col.dtype, pd.CategoricalDtype)


def text_to_datetime(values: pd.Series) -> pd.Series:
    """Parse a text column as timestamps (NaT where it fails), trying the likely formats fast."""
    if ptypes.is_datetime64_any_dtype(values.dtype):
        return values
    text = values.astype("string")
    text = text.where(text.str.len() <= 64)  # no date is longer; dateutil is slow on huge strings
    first = text.dropna().iloc[0] if text.notna().any() else ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "parsing dates in %d/%m/%Y format when dayfirst=False": both are tried
        tries = [guess_datetime_format(first, dayfirst=d) for d in (False, True)]
    tries = [f for f in dict.fromkeys([*tries, "ISO8601"]) if f]
    if len(text) <= 100_000:
        tries.append("mixed")  # dateutil per value: slow, so small tables only
    best, best_score = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]"), (-1, -1)
    sample = text.dropna().iloc[:SAMPLE]
    for fmt in tries:
        if len(text) > SAMPLE and _parse_times(sample, fmt).notna().mean() < 0.5:
            continue  # a format that fails on the first values is not worth a pass over them all
        parsed = _parse_times(text, fmt)
        ok = parsed.dropna()
        score = (len(ok), int((ok.diff().dropna() >= pd.Timedelta(0)).sum()))  # most parsed, then in order
        if score > best_score:
            best, best_score = parsed, score
        if score[0] == text.notna().sum() and score[1] == max(score[0] - 1, 0):
            break  # everything parsed, in order: no better format to find
    return best


def _parse_times(text: pd.Series, fmt: str) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pd.to_datetime(text, format=fmt, errors="coerce")
        except (ValueError, TypeError, OverflowError):  # mixed time zones: compare them in UTC
            try:
                return pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
            except (ValueError, TypeError, OverflowError):
                return pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
