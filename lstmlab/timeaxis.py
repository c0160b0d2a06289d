"""The time axis of a table: which columns hold time (one column, or date parts spread over several),
the timestamps they make, and the step between rows.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pandas.tseries.api import guess_datetime_format

from lstmlab.errors import DataError

DATE_PARTS = ("year", "month", "day", "hour", "minute", "second")
_PART_NAMES = {
    **{p: p for p in DATE_PARTS},
    **{p + "s": p for p in DATE_PARTS},
    "yr": "year", "mon": "month", "mo": "month", "dd": "day", "hr": "hour", "min": "minute", "sec": "second",
}  # fmt: skip
_PART_RANGES = {"month": (1, 12), "day": (1, 31), "hour": (0, 23), "minute": (0, 59), "second": (0, 59)}
_TIME_WORDS = ("date", "time", "month", "period", "stamp", "day", "week", "ds")
_SAMPLE = 200  # values tried when guessing whether a text column holds dates


def detect_time_columns(df: pd.DataFrame) -> tuple[str, ...]:
    """A datetime column, date parts spread over columns (year, month[, day[, hour...]]), or ()."""
    parts = _date_part_columns(df)
    if len(parts) >= 2:
        return parts
    for name in df.columns:
        if ptypes.is_datetime64_any_dtype(df[name].dtype):
            return (name,)
    texts = [c for c in df.columns if is_text(df[c])]
    texts.sort(key=lambda c: not any(w in c.lower() for w in _TIME_WORDS))  # stable: names first
    for name in texts:
        sample = df[name].dropna().iloc[:_SAMPLE]
        if len(sample) and sample.nunique() >= 0.5 * len(sample):  # a time axis has mostly distinct stamps
            parsed = _to_datetime(sample)
            if parsed.notna().mean() >= 0.9:
                return (name,)
    return parts  # a lone year column, or ()


def _date_part_columns(df: pd.DataFrame) -> tuple[str, ...]:
    found: dict[str, str] = {}
    for name in df.columns:
        part = _PART_NAMES.get(str(name).strip().lower())
        if part and part not in found and _whole_numbers_in(df[name], *_PART_RANGES.get(part, (1, 9999))):
            found[part] = name
    out = []
    for part in DATE_PARTS:  # a prefix: hour without day means nothing
        if part not in found:
            break
        out.append(found[part])
    return tuple(out)


def _whole_numbers_in(col: pd.Series, low: int, high: int) -> bool:
    if not ptypes.is_numeric_dtype(col.dtype) or ptypes.is_bool_dtype(col.dtype) or col.isna().any():
        return False
    values = col.to_numpy(dtype=np.float64)
    return (
        bool(len(values)) and bool(np.all(values == np.round(values))) and low <= values.min() <= values.max() <= high
    )


def is_text(col: pd.Series) -> bool:
    return col.dtype == object or ptypes.is_string_dtype(col.dtype) or isinstance(col.dtype, pd.CategoricalDtype)


def _to_datetime(values: pd.Series) -> pd.Series:
    """Parse a text column as timestamps (NaT where it fails), trying the likely formats fast."""
    if ptypes.is_datetime64_any_dtype(values.dtype):
        return values
    text = values.astype("string")
    text = text.where(text.str.len() <= 64)  # no date is longer; dateutil is slow on huge strings
    first = text.dropna().iloc[0] if text.notna().any() else ""
    tries = [guess_datetime_format(first, dayfirst=d) for d in (False, True)]
    tries = [f for f in dict.fromkeys([*tries, "ISO8601"]) if f]
    if len(text) <= 100_000:
        tries.append("mixed")  # dateutil per value: slow, so small tables only
    best, best_score = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]"), (-1, -1)
    sample = text.dropna().iloc[:_SAMPLE]
    for fmt in tries:
        if len(text) > _SAMPLE and _parse_times(sample, fmt).notna().mean() < 0.5:
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


def time_axis(df: pd.DataFrame, time_columns: tuple[str, ...], notes: list[str]) -> tuple[pd.DataFrame, pd.Index]:
    if not time_columns:
        return df.reset_index(drop=True), pd.RangeIndex(len(df))
    stamps = _stamps(df, time_columns)
    bad = stamps.isna().to_numpy()
    if bad.mean() > 0.5:
        example = df.loc[bad, list(time_columns)].iloc[0].tolist()
        raise DataError(
            f"Most values of {', '.join(time_columns)} are not dates or times (e.g. {example}). "
            "Pick another time column, or none to use the row order."
        )
    if bad.any():
        notes.append(f"Dropped {int(bad.sum()):,} row(s) whose time could not be read.")
    kept = np.flatnonzero(~bad)
    times = pd.DatetimeIndex(stamps.iloc[kept])
    order = np.argsort(times.asi8, kind="stable")  # stable: equal stamps keep their file order
    if np.any(np.diff(order) != 1):
        notes.append("Sorted by time (the rows were not in time order).")
    time = times[order]
    first = ~time.duplicated(keep="first")
    if not first.all():
        notes.append(f"{int((~first).sum()):,} duplicate timestamps (kept the first of each).")
    rows = kept[order][first]
    label = ", ".join(time_columns)
    notes.insert(0, f"Time axis from {label}.")
    if len(rows) == len(df) and (np.diff(rows) == 1).all():  # already in order: no copy of the table
        return df.reset_index(drop=True), time[first]
    return df.iloc[rows].reset_index(drop=True), time[first]


def _stamps(df: pd.DataFrame, time_columns: tuple[str, ...]) -> pd.Series:
    parts = {_PART_NAMES.get(str(c).strip().lower()): c for c in time_columns}
    if len(time_columns) == 1 and parts.keys() != {"year"}:
        col = df[time_columns[0]]
        if ptypes.is_numeric_dtype(col.dtype):
            raise DataError(
                f"Column {time_columns[0]!r} holds numbers, not dates. Pick a date column, date parts "
                "(year, month, day, hour), or no time column to use the row order."
            )
        return _to_datetime(col).reset_index(drop=True)
    if None in parts or "year" not in parts:
        raise DataError(
            f"Time columns {', '.join(time_columns)}: several time columns must be date parts named "
            "year, month, day, hour, minute, second. Pick one date column or those parts."
        )
    frame = pd.DataFrame({p: pd.to_numeric(df[c], errors="coerce") for p, c in parts.items()})
    frame = frame.assign(**{p: 1 for p in ("month", "day") if p not in frame})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(frame[[p for p in DATE_PARTS if p in frame]], errors="coerce").reset_index(drop=True)


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
