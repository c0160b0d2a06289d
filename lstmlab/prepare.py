"""From a parsed table to the numeric series a model sees: time axis, columns, categories and gaps.

``infer_spec`` proposes the columns to use; ``prepare_series`` assembles the series from a ``DataSpec``
with the categorical and missing-value policies of ``lstmlab.column_policies``. Every change made to
the user's data (rows sorted, dropped or filled, columns encoded or left out) is written as a sentence
in ``PreparedSeries.notes``: nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from lstmlab.column_policies import as_floats, column_roles, feature_columns, fill_missing
from lstmlab.config import MAX_NAME_CHARS, CategoricalPolicy, DataSpec, MissingPolicy
from lstmlab.dateparts import part_of_name
from lstmlab.errors import DataError
from lstmlab.notes import Note, Severity, listed, quoted
from lstmlab.safetext import visible
from lstmlab.timeaxis import detect_time_columns, regular_frequency, step_words, time_axis

_CALENDAR = {"M": "monthly", "Q": "quarterly", "Y": "yearly", "A": "yearly", "W": "weekly"}  # alias letter


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


# --- Proposing columns -------------------------------------------------------------------------


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
    features = feature_columns(df, spec, notes)  # name -> (T,) float64
    for name in spec.targets:
        if name not in features:
            if not ptypes.is_numeric_dtype(df[name].dtype) or df[name].isna().all():
                raise DataError(f"Target {quoted(name)} holds no numbers: choose a column of numbers as the target.")
            features[name] = as_floats(df[name])
            notes.append(Note(f"Added the target {visible(name)} to the features."))
    if not spec.targets:
        raise DataError("Choose at least one target column (the value the model learns to predict).")
    columns = tuple(features)
    if long := [name for name in (*spec.time_columns, *columns) if len(name) > MAX_NAME_CHARS]:
        raise DataError(f"Column {quoted(long[0])} has a name of {len(long[0]):,} characters; a run keeps names of "
                        f"at most {MAX_NAME_CHARS:,}. Rename it, or leave it out.")
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
    values, time = fill_missing(values, time, spec.missing, columns, notes)
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
