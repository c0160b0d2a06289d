"""The time axis of a table: which columns hold time (one column, or date parts spread over several),
the timestamps they make, and the step between rows.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from lstmlab.config import DuplicatePolicy
from lstmlab.dateparts import (
    CHAINS,
    SAMPLE,
    chain_order,
    guess_parts,
    is_part_column,
    is_text,
    part_of_name,
    part_values,
    stamps_from_numbers,
    stamps_from_parts,
    stamps_from_period_text,
    text_to_datetime,
)
from lstmlab.errors import DataError
from lstmlab.notes import Note, listed, quoted, removal_note
from lstmlab.safetext import visible

_TIME_WORDS = ("date", "time", "month", "period", "stamp", "day", "week", "year", "quarter", "ds")
_NUMBER_DATE_WORDS = ("date", "period", "month", "year")  # numbers named "time" are more often elapsed time
_PART_WORDS = {"dayofyear": "day of year", "week": "ISO week"}
_DUPLICATE_WORDS = {
    DuplicatePolicy.FIRST: "kept the first of each",
    DuplicatePolicy.LAST: "kept the last of each",
    DuplicatePolicy.MEAN: "numbers averaged, labels from the first row",
    DuplicatePolicy.SUM: "numbers summed, labels from the first row",
}


def detect_time_columns(df: pd.DataFrame) -> tuple[str, ...]:
    """Date parts spread over columns (year + quarter/month/week/day of year...), a datetime column, a column
    of dates or periods (``1959Q1``, ``Jan 1959``, ``1-01``), numbers named like time (``yyyymm``), a lone
    year column, or ()."""
    parts = _date_part_columns(df)
    if len(parts) >= 2:
        return parts
    for name in df.columns:
        if ptypes.is_datetime64_any_dtype(df[name].dtype):
            return (name,)
    texts = [c for c in df.columns if is_text(df[c])]
    texts.sort(key=lambda c: not _time_named(c))  # stable: names first
    for name in texts:
        sample = df[name].dropna().iloc[:SAMPLE]
        if len(sample) and sample.nunique() >= 0.5 * len(sample):  # a time axis has mostly distinct stamps
            periods = stamps_from_period_text(sample)
            parsed = periods[0] if periods is not None else text_to_datetime(sample)
            if parsed.notna().mean() >= 0.9:
                return (name,)
    for name in df.columns:
        if any(w in str(name).lower() for w in _NUMBER_DATE_WORDS) and not part_of_name(name):
            col = df[name]
            if col.nunique() >= 0.5 * len(col) and stamps_from_numbers(col) is not None:
                return (name,)
    return parts  # a lone year column, or ()


def _time_named(name: object) -> bool:
    return any(w in str(name).lower() for w in _TIME_WORDS)


def _date_part_columns(df: pd.DataFrame) -> tuple[str, ...]:
    """The chain of date-part columns that gives the most distinct stamps (finest first on ties)."""
    found: dict[str, str] = {}
    for name in df.columns:
        part = part_of_name(name)
        if part and part not in found and is_part_column(df[name], part):
            found[part] = name
    best: tuple[str, ...] = ()
    best_distinct = 0
    for chain in CHAINS:
        parts = []
        for part in chain:  # a prefix: hour without day means nothing
            if part not in found:
                break
            parts.append(part)
        if len(parts) < 2:
            best = best or tuple(found[p] for p in parts)
            continue
        stamps = stamps_from_parts({p: part_values(df[found[p]], p) for p in parts})
        distinct = stamps.nunique()
        if distinct > best_distinct or (distinct == best_distinct and len(parts) > len(best)):
            best, best_distinct = tuple(found[p] for p in parts), distinct
    return best


def time_axis(
    df: pd.DataFrame,
    time_columns: tuple[str, ...],
    notes: list[Note],
    duplicates: DuplicatePolicy = DuplicatePolicy.FIRST,
) -> tuple[pd.DataFrame, pd.Index]:
    """The table in time order with its timestamps; rows sharing a timestamp combined as ``duplicates`` says."""
    if not time_columns:
        return df.reset_index(drop=True), pd.RangeIndex(len(df))
    stamps, how = _stamps(df, time_columns)
    bad = stamps.isna().to_numpy()
    if bad.mean() > 0.5:
        example = df.loc[bad, list(time_columns)].iloc[0].tolist()
        raise DataError(
            f"Most values of {listed(time_columns)} are not dates or times (e.g. {listed(example)}). "
            "Pick another time column, or none to use the row order."
        )
    notes.insert(0, Note(f"Time axis from {how}."))
    if bad.any():
        n = int(bad.sum())
        notes.append(removal_note(f"Dropped {n:,} row(s) whose time could not be read.", n, len(df)))
    kept = np.flatnonzero(~bad)
    times = pd.DatetimeIndex(stamps.iloc[kept])
    order = np.argsort(times.asi8, kind="stable")  # stable: equal stamps keep their file order
    if np.any(np.diff(order) != 1):
        notes.append(Note("Sorted by time (the rows were not in time order)."))
    time = times[order]
    rows = kept[order]
    repeated = time.duplicated(keep="first")
    if repeated.any():
        return _combine_duplicates(df.iloc[rows].reset_index(drop=True), time, repeated, duplicates, notes, len(df))
    if len(rows) == len(df) and (np.diff(rows) == 1).all():  # already in order: no copy of the table
        return df.reset_index(drop=True), time
    return df.iloc[rows].reset_index(drop=True), time


def _combine_duplicates(
    df: pd.DataFrame,
    time: pd.DatetimeIndex,
    repeated: np.ndarray,
    policy: DuplicatePolicy,
    notes: list[Note],
    total: int,
) -> tuple[pd.DataFrame, pd.Index]:
    """One row per timestamp (or every row kept, for KEEP), with a note of how many rows were touched."""
    removed = int(repeated.sum())
    shared = time.duplicated(keep=False)
    touched, groups = int(shared.sum()), int(time[shared].nunique())
    where = f"{touched:,} rows share {groups:,} timestamp{'s' if groups != 1 else ''}"
    if policy is DuplicatePolicy.KEEP:
        notes.append(Note(f"{removed:,} duplicate timestamps kept as separate rows in file order: {where}."))
        return df, time
    if policy is DuplicatePolicy.FIRST:
        combined = df.loc[~repeated]
    elif policy is DuplicatePolicy.LAST:
        combined = df.loc[~time.duplicated(keep="last")]
    else:
        groups_of = df.groupby(time.asi8, sort=False)  # sorted by time already: groups in order
        numeric = [c for c in df.columns if ptypes.is_numeric_dtype(df[c].dtype)]
        combined = groups_of.first()  # labels (and anything not a number) from the first row
        if numeric:
            by = groups_of[numeric]
            combined[numeric] = by.mean() if policy is DuplicatePolicy.MEAN else by.sum(min_count=1)
        combined = combined[list(df.columns)]
    sentence = (
        f"{removed:,} duplicate timestamps ({_DUPLICATE_WORDS[policy]}): {where}, so {removed:,} rows were removed "
        "(the duplicate-timestamps setting chooses mean, sum, first, last or keep row order)."
    )
    notes.append(removal_note(sentence, removed, total))
    return combined.reset_index(drop=True), time[~repeated]


def _stamps(df: pd.DataFrame, time_columns: tuple[str, ...]) -> tuple[pd.Series, str]:
    """The timestamp of each row (NaT where unreadable) and how they were read, in words."""
    label = listed(time_columns)
    if len(time_columns) == 1:
        name = time_columns[0]
        col = df[name].reset_index(drop=True)
        if part_of_name(name) == "year" and ptypes.is_numeric_dtype(col.dtype):
            return stamps_from_parts({"year": part_values(col, "year")}), f"{label} (years)"
        if ptypes.is_datetime64_any_dtype(col.dtype):
            return col, label
        if ptypes.is_numeric_dtype(col.dtype):
            stamps = stamps_from_numbers(col)
            if stamps is None:
                raise DataError(
                    f"Column {quoted(name)} holds numbers, not dates (years, yyyymm or yyyymmdd would be read). Pick a "
                    "date column, date parts (year with quarter, month, week or day of year), or no time column "
                    "to use the row order."
                )
            return stamps, f"{label} (numbers read as dates)"
        periods = stamps_from_period_text(col)
        if periods is not None:
            return periods[0], f"{label} (read as {periods[1]})"
        return text_to_datetime(col), label
    parts = guess_parts(df, time_columns)
    order = chain_order(set(parts.values())) if parts and len(set(parts.values())) == len(parts) else None
    if order is None:
        raise DataError(
            f"Time columns {label}: several time columns must be date parts that make a date, such as "
            "year + quarter, year + month (numbers or names), year + week, year + day of year, or "
            "year, month, day, hour, minute, second. Pick one date column or those parts."
        )
    column_of = {part: column for column, part in parts.items()}
    values = {p: part_values(df[column_of[p]].reset_index(drop=True), p) for p in order}
    read_as = ", ".join(
        visible(column_of[p]) + ("" if part_of_name(column_of[p]) == p else f" ({_PART_WORDS.get(p, p)})")
        for p in order
    )
    return stamps_from_parts(values), read_as


def regular_frequency(time: pd.Index, notes: list[str]) -> str | None:
    if not isinstance(time, pd.DatetimeIndex) or len(time) < 3:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3.1 warns that infer_freq will return an offset
        try:
            freq = pd.infer_freq(time)
        except (ValueError, TypeError):
            freq = None
    if freq is not None:
        return getattr(freq, "freqstr", freq)
    steps = pd.Series(time[1:] - time[:-1]).value_counts()
    notes.append(
        f"Time steps are not all equal: {int(steps.iloc[0]):,} of {len(time) - 1:,} are {step_words(steps.index[0])}; "
        "the others differ (gaps or irregular sampling). Windows count rows, not time."
    )
    return None


def step_words(step: pd.Timedelta) -> str:
    for unit, size in (("day", "1D"), ("hour", "1h"), ("minute", "1min"), ("second", "1s")):
        n = step / pd.Timedelta(size)
        if n >= 1 and n == int(n):
            return f"{int(n)} {unit}{'s' if n != 1 else ''}"
    return str(step)


# (shortest step, longest step, steps in one cycle): the cycle a step of this size repeats in.
_CYCLES = (
    (pd.Timedelta(seconds=1), pd.Timedelta(minutes=1), pd.Timedelta(minutes=1)),  # seconds in a minute
    (pd.Timedelta(minutes=1), pd.Timedelta(hours=1), pd.Timedelta(hours=1)),  # minutes in an hour
    (pd.Timedelta(hours=1), pd.Timedelta(days=1), pd.Timedelta(days=1)),  # hours in a day
    (pd.Timedelta(days=1), pd.Timedelta(days=7), pd.Timedelta(days=7)),  # days in a week
)
_CALENDAR_SEASONS = (  # (shortest, longest step in days, season): calendar steps have uneven lengths
    (7, 7, 52),  # weeks in a year
    (14, 14, 26),
    (28, 31, 12),  # months in a year
    (59, 62, 6),
    (89, 92, 4),  # quarters in a year
    (181, 184, 2),
)


def season_from_time(time: pd.Index) -> int | None:
    """Steps in one natural cycle of the time axis: quarterly 4, monthly 12, weekly 52, daily 7, hourly 24,
    every 15 minutes 4 (an hour); None for yearly steps, row order, fewer than 3 stamps or no whole cycle.

    The typical (median) step decides, so a few gaps or a repeated stamp do not change the season.
    """
    if not isinstance(time, pd.DatetimeIndex) or len(time) < 3:
        return None
    steps = pd.Series(time[1:] - time[:-1])
    step = steps[steps > pd.Timedelta(0)].median()
    if pd.isna(step):
        return None
    days = step / pd.Timedelta(days=1)
    for low, high, season in _CALENDAR_SEASONS:
        if low - 0.5 <= days <= high + 0.5:
            return season
    for low, high, cycle in _CYCLES:
        if low <= step < high:
            n = cycle / step
            return int(n) if n == int(n) and n >= 2 else None
    return None
