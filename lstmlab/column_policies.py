"""A table's columns on their way to features: what each can be used as, and the two policies for them.

``column_roles`` sorts a table's columns into numeric, categorical, row counters and the rest;
``feature_columns`` applies the categorical policy (one-hot or drop) and ``fill_missing`` the
missing-value policy (drop rows, forward-fill, interpolate in time). Every column left out and every
value changed is written as a sentence in the caller's notes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from lstmlab.config import CategoricalPolicy, DataSpec, MissingPolicy
from lstmlab.errors import DataError
from lstmlab.notes import Note, listed, quoted, removal_note
from lstmlab.safetext import visible

MAX_LEVELS = 20  # more distinct labels than this is free text or an id, not a category
MAX_LABEL = 40  # characters; a longer label is text, and would make an unreadable one-hot column name
COUNTER_NAMES = {"no", "no.", "nr", "index", "idx", "id", "row", "rownum", "#", "unnamed: 0"}


# --- What each column can be used as ----------------------------------------------------------


@dataclass(frozen=True)
class ColumnRoles:
    """What each column of a table can be used as (time columns excluded)."""

    numeric: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    counters: tuple[str, ...] = ()  # row numbers such as No, id, Unnamed: 0
    other: tuple[str, ...] = ()  # empty columns, free text, extra date columns: not usable


def column_roles(df: pd.DataFrame, time_columns: tuple[str, ...] = ()) -> ColumnRoles:
    numeric, categorical, counters, other = [], [], [], []
    for name in df.columns:
        if name in time_columns:
            continue
        col = df[name]
        if ptypes.is_numeric_dtype(col.dtype):
            if col.notna().sum() == 0:
                other.append(name)
            elif _is_counter(name, col):
                counters.append(name)
            else:
                numeric.append(name)
        elif ptypes.is_datetime64_any_dtype(col.dtype) or ptypes.is_timedelta64_dtype(col.dtype):
            other.append(name)
        else:
            try:
                labels = col.dropna().unique()
            except TypeError:  # lists or dicts from a nested Parquet column
                labels = ()
            short = all(len(str(label)) <= MAX_LABEL for label in labels[: MAX_LEVELS + 1])
            (categorical if 1 <= len(labels) <= MAX_LEVELS and short else other).append(name)
    return ColumnRoles(tuple(numeric), tuple(categorical), tuple(counters), tuple(other))


def _is_counter(name: str, col: pd.Series) -> bool:
    if ptypes.is_bool_dtype(col.dtype) or col.isna().any() or len(col) < 2:
        return False
    values = col.to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
        return False
    step_one = len(values) >= 3 and bool(np.all(np.diff(values) == 1))
    named = str(name).strip().lower() in COUNTER_NAMES or str(name).startswith("Unnamed:")
    return step_one or (named and col.is_unique)


def missing_counts(df: pd.DataFrame) -> pd.Series:
    return df.isna().sum().astype(np.int64)


def numeric_columns(df: pd.DataFrame) -> list[str]:
    """The columns a model can read as they are (numeric dtypes), in table order."""
    return [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c].dtype)]


# --- The categorical and missing-value policies ------------------------------------------------


def feature_columns(df: pd.DataFrame, spec: DataSpec, notes: list[Note]) -> dict[str, np.ndarray]:
    """The features as {name: (T,) float64}: numeric columns as they are, categorical ones one-hot encoded or
    left out (``spec.categorical``). Raises ``DataError`` for unusable choices; notes every column left out."""
    roles = column_roles(df, spec.time_columns)
    chosen_categorical = [c for c in spec.features if not ptypes.is_numeric_dtype(df[c].dtype)]
    bad = [c for c in chosen_categorical if c not in roles.categorical]
    if bad:
        raise DataError(
            f"Column(s) {listed(bad)} hold text with too many different values to be features "
            f"(more than {MAX_LEVELS}) or no values: deselect them."
        )
    numeric = [c for c in spec.features if c not in chosen_categorical]
    empty = [c for c in numeric if df[c].isna().all()]
    if empty:
        if set(empty) & set(spec.targets):
            raise DataError(f"Target {quoted(empty[0])} has no values at all: choose another target.")
        notes.append(Note(f"Left out {listed(empty)}: no values at all."))
    out = {c: as_floats(df[c]) for c in numeric if c not in empty}
    used = set(spec.time_columns) | set(spec.features) | set(spec.targets)
    categorical = chosen_categorical + [c for c in roles.categorical if c not in used]
    if categorical and spec.categorical is CategoricalPolicy.ONE_HOT:
        for name in categorical:
            dummies = pd.get_dummies(df[name], prefix=name, prefix_sep="=", dtype=np.float64)
            out.update({c: dummies[c].to_numpy() for c in dummies.columns})
            gaps = int(df[name].isna().sum())
            extra = f"; {gaps:,} missing label(s) are all zeros" if gaps else ""
            into = f"{dummies.shape[1]} columns: {listed(dummies.columns)}{extra}"
            notes.append(Note(f"One-hot encoded {visible(name)} into {into}."))
    elif categorical:
        notes.append(Note(f"Left out categorical column(s) {listed(categorical)} (policy: drop)."))
    unused_counters = [c for c in roles.counters if c not in used]
    if unused_counters:
        notes.append(Note(f"Left out {listed(unused_counters)}: row counter(s), not measurements."))
    unused_other = [c for c in roles.other if c not in used and c not in empty]
    if unused_other:
        notes.append(Note(f"Ignored {listed(unused_other)}: not numbers, categories or the time axis."))
    if not out:
        raise DataError("No feature columns: choose at least one numeric column as a feature.")
    return out


def as_floats(column: pd.Series) -> np.ndarray:
    """A column as float64 with NaN for gaps: a view for a plain float column, else a converted copy."""
    if isinstance(column.dtype, np.dtype) and column.dtype == np.float64:
        return column.to_numpy()
    return column.to_numpy(dtype=np.float64, na_value=np.nan)


def fill_missing(
    values: np.ndarray, time: pd.Index, policy: MissingPolicy, columns: tuple[str, ...], notes: list[Note]
) -> tuple[np.ndarray, pd.Index]:
    """``values`` (T, F) and ``time`` after ``policy``: rows with gaps dropped, or gaps filled forward or linearly in
    time (leading gaps, with nothing before them, then dropped). Fills ``values`` in place; notes what it did."""
    gaps = np.isnan(values)  # (T, F)
    if not gaps.any():
        return values, time
    if policy is MissingPolicy.DROP:
        keep = ~gaps.any(1)
        n = int((~keep).sum())
        notes.append(removal_note(f"Dropped {n:,} rows with missing values.", n, len(values)))
        return values[keep], time[keep]
    rows = np.arange(len(values))
    x = time.asi8.astype(np.float64) if isinstance(time, pd.DatetimeIndex) else rows.astype(np.float64)
    filled = {}  # values is the caller's own copy: fill in place
    for j in np.flatnonzero(gaps.any(0)):
        col, known = values[:, j], ~gaps[:, j]
        if not known.any():
            continue
        todo = gaps[:, j] & (rows > np.argmax(known))  # leading gaps have nothing before them
        if policy is MissingPolicy.FFILL:
            col[todo] = col[np.maximum.accumulate(np.where(known, rows, 0))[todo]]
        else:  # linear in time; after the last known value np.interp repeats it
            col[todo] = np.interp(x[todo], x[known], col[known])
        filled[columns[j]] = int(todo.sum())
    if any(filled.values()):
        how = "Forward-filled" if policy is MissingPolicy.FFILL else "Interpolated (linearly in time)"
        where = ", ".join(f"{visible(name)}: {n:,}" for name, n in filled.items() if n)
        notes.append(Note(f"{how} {sum(filled.values()):,} missing values ({where})."))
    keep = ~np.isnan(values).any(1)
    if not keep.all():
        n = int((~keep).sum())
        sentence = f"Dropped the first {n:,} rows: missing values with nothing before them."
        notes.append(removal_note(sentence, n, len(values)))
    return values[keep], time[keep]
