"""From a parsed table to the numeric series a model sees: time axis, columns, categories and gaps.

Every change made to the user's data (rows sorted, dropped or filled, columns encoded or left out)
is written as a sentence in ``PreparedSeries.notes``: nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from lstmlab.config import CategoricalPolicy, DataSpec, MissingPolicy
from lstmlab.dateparts import part_of_name
from lstmlab.errors import DataError
from lstmlab.notes import Note, Severity, listed, quoted, removal_note
from lstmlab.safetext import visible
from lstmlab.timeaxis import detect_time_columns, regular_frequency, step_words, time_axis

MAX_LEVELS = 20  # more distinct labels than this is free text or an id, not a category
MAX_LABEL = 40  # characters; a longer label is text, and would make an unreadable one-hot column name
COUNTER_NAMES = {"no", "no.", "nr", "index", "idx", "id", "row", "rownum", "#", "unnamed: 0"}
_CALENDAR = {"M": "monthly", "Q": "quarterly", "Y": "yearly", "A": "yearly", "W": "weekly"}  # alias letter


@dataclass(frozen=True)
class ColumnRoles:
    """What each column of a table can be used as (time columns excluded)."""

    numeric: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    counters: tuple[str, ...] = ()  # row numbers such as No, id, Unnamed: 0
    other: tuple[str, ...] = ()  # empty columns, free text, extra date columns: not usable


@dataclass(frozen=True, eq=False)  # eq=False: hash by identity, an array has no value hash
class PreparedSeries:
    """The series as the model sees it, with its time axis and what was done to get there."""

    values: np.ndarray  # (T, F) float32
    columns: tuple[str, ...]
    targets: tuple[int, ...]  # indices into columns
    time: pd.Index  # (T,) DatetimeIndex, or RangeIndex when the row order is the time
    notes: tuple[str, ...] = ()  # every sentence about what was done, in order
    frequency: str | None = None  # pandas offset alias when the steps are regular ("MS", "D", "h")
    missing: tuple[int, ...] = ()  # per column, missing values before the missing-value policy
    warnings: tuple[str, ...] = ()  # the notes to show as warnings (rows lost): each is also in notes

    @property
    def messages(self) -> tuple[Note, ...]:
        """The notes with their severity: ``st.warning`` for ``Severity.WARNING``, ``st.info`` for the rest."""
        warned = set(self.warnings)
        return tuple(Note(n, Severity.WARNING if n in warned else Severity.INFO) for n in self.notes)

    @property
    def length(self) -> int:
        return int(self.values.shape[0])

    @property
    def target_names(self) -> tuple[str, ...]:
        return tuple(self.columns[i] for i in self.targets)


# --- Detecting columns -----------------------------------------------------------------------


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


def infer_spec(df: pd.DataFrame) -> DataSpec:
    """Detected defaults: numeric non-counter columns as features; the target is the first of them that is
    not a date part (month, quarter...) or constant, else the first feature."""
    time_columns = detect_time_columns(df)
    roles = column_roles(df, time_columns)
    features = roles.numeric or roles.counters  # a lone 1, 2, 3, ... column is still a series
    measured = next((c for c in roles.numeric if not part_of_name(c) and _varies(df[c])), None)
    return DataSpec(
        time_columns=time_columns,
        features=features,
        targets=(measured,) if measured is not None else features[:1],
        categorical=CategoricalPolicy.ONE_HOT,
        missing=MissingPolicy.INTERPOLATE,
    )


def _varies(col: pd.Series) -> bool:
    return bool(col.max() > col.min())  # NaN-skipping; False for an empty or constant column


def missing_counts(df: pd.DataFrame) -> pd.Series:
    return df.isna().sum().astype(np.int64)


def numeric_columns(df: pd.DataFrame) -> list[str]:
    """The columns a model can read as they are (numeric dtypes), in table order."""
    return [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c].dtype)]


def plot_columns(series: PreparedSeries, most: int = 4) -> list[str]:
    """The columns to plot first: the targets, then the other features, at most ``most``."""
    targets = [series.columns[i] for i in series.targets]
    return (targets + [c for c in series.columns if c not in targets])[:most]


# --- Preparing ---------------------------------------------------------------------------------


def prepare_series(df: pd.DataFrame, spec: DataSpec) -> PreparedSeries:
    """Apply ``spec`` to the table: time axis, features, categories, gaps. Raises ``DataError``."""
    notes = [Note(str(n)) for n in df.attrs.get("notes", ())]
    unknown = [c for c in (*spec.time_columns, *spec.features, *spec.targets) if c not in df.columns]
    if unknown:
        raise DataError(f"Column(s) {', '.join(map(quoted, unknown))} are not in this table: pick others.")
    df, time = time_axis(df, spec.time_columns, notes, spec.duplicates)
    features = _feature_columns(df, spec, notes)  # name -> (T,) float64
    for name in spec.targets:
        if name not in features:
            if not ptypes.is_numeric_dtype(df[name].dtype) or df[name].isna().all():
                raise DataError(f"Target {quoted(name)} holds no numbers: choose a column of numbers as the target.")
            features[name] = _floats(df[name])
            notes.append(Note(f"Added the target {visible(name)} to the features."))
    if not spec.targets:
        raise DataError("Choose at least one target column (the value the model learns to predict).")
    columns = tuple(features)
    targets = tuple(dict.fromkeys(columns.index(name) for name in spec.targets))
    values = np.empty((len(df), len(columns)), dtype=np.float32)  # (T, F), the one copy of the data
    infinite_in = np.zeros(len(columns), dtype=np.int64)
    for j, column in enumerate(features.values()):
        infinite_in[j] = np.isinf(column).sum()
        with np.errstate(over="ignore"):
            values[:, j] = column  # beyond ±3.4e38 a value becomes inf in float32
    infinite = np.isinf(values)
    too_large = infinite.sum(0) - infinite_in
    for count, what in (
        (infinite_in, "infinite value(s)"),
        (too_large, "value(s) too large for 32-bit floats (beyond ±3.4e38)"),
    ):
        if count.any():
            cols = listed(c for c, n in zip(columns, count, strict=True) if n)
            notes.append(Note(f"{int(count.sum()):,} {what} in {cols} treated as missing."))
    values[infinite] = np.nan
    missing = tuple(int(n) for n in np.isnan(values).sum(0))
    values, time = _fill_missing(values, time, spec.missing, columns, notes)
    if len(values) < 2:
        raise DataError(
            f"Only {len(values)} row(s) left after handling missing values: a series needs at least 2. "
            "Try another missing-value policy or other columns."
        )
    for name, col in zip(columns, values.T, strict=True):
        if np.all(col == col[0]):
            notes.append(Note(f"Column {visible(name)} is constant ({col[0]:g}): it carries no information."))
    texts: list[str] = []
    frequency = regular_frequency(time, texts)
    notes += [Note(t) for t in texts]
    return PreparedSeries(
        values=values,  # (T, F) float32, C-contiguous
        columns=columns,
        targets=targets,
        time=time,
        notes=tuple(n.text for n in notes),
        frequency=frequency,
        missing=missing,
        warnings=tuple(n.text for n in notes if n.is_warning),
    )


def _feature_columns(df: pd.DataFrame, spec: DataSpec, notes: list[Note]) -> dict[str, np.ndarray]:
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
    out = {c: _floats(df[c]) for c in numeric if c not in empty}
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


def _floats(column: pd.Series) -> np.ndarray:
    """A column as float64 with NaN for gaps: a view for a plain float column, else a converted copy."""
    if isinstance(column.dtype, np.dtype) and column.dtype == np.float64:
        return column.to_numpy()
    return column.to_numpy(dtype=np.float64, na_value=np.nan)


def _fill_missing(
    values: np.ndarray, time: pd.Index, policy: MissingPolicy, columns: tuple[str, ...], notes: list[Note]
) -> tuple[np.ndarray, pd.Index]:
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


# --- Summaries -------------------------------------------------------------------------------


def summarize(series: PreparedSeries) -> pd.DataFrame:
    """Per-column statistics of the prepared values, with the missing count before the policy."""
    columns = series.values.T  # (F, T) view; one float64 column at a time, never a copy of the table
    roles = ["target" if i in series.targets else "feature" for i in range(len(series.columns))]
    return pd.DataFrame(
        {
            "role": roles,
            "count": np.full(len(series.columns), series.length),
            "mean": [col.mean(dtype=np.float64) for col in columns],
            "std": [col.std(dtype=np.float64, ddof=1) for col in columns] if series.length > 1 else np.nan,
            "min": columns.min(1),
            "max": columns.max(1),
            "missing before": series.missing or (0,) * len(series.columns),
        },
        index=pd.Index(series.columns, name="column"),
    )


def describe_time(series: PreparedSeries) -> dict:
    """Rows, first and last time, span, frequency alias (None when irregular) and the step in words."""
    time, rows = series.time, series.length
    if not isinstance(time, pd.DatetimeIndex):
        return {"rows": rows, "start": 0, "end": rows - 1, "span": None, "frequency": None, "step": "row order"}
    step = "one row"
    if rows > 1:
        steps = pd.Series(time[1:] - time[:-1]).value_counts()
        regular = series.frequency is not None or len(steps) == 1
        step = ("every " if regular else "irregular, mostly ") + step_words(steps.index[0])
        if series.frequency:
            step = _CALENDAR.get(series.frequency.lstrip("0123456789")[:1], step)
    return {
        "rows": rows,
        "start": time[0],
        "end": time[-1],
        "span": time[-1] - time[0],
        "frequency": series.frequency,
        "step": step,
    }
