"""What-if: edit one window in original units, rescale it with the run's scaler, trace it beside the untouched one.

Edits are plain functions on a (W, F) array in the data's own units (a spike, a level shift, a zeroed
feature, the window reversed, another window copied in); each returns a new array. A grid the learner
typed into is checked cell by cell: a cell that is not a finite number, or that the model could not
even hold as float32 once scaled, refuses the whole grid with a message, while a value far outside the
training range is accepted and flagged with its scaled value (where tanh and the sigmoids saturate).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from lstmlab.cell_trace import CellTrace, cell_states
from lstmlab.config import Choice
from lstmlab.model import SimpleRNN
from lstmlab.safetext import visible
from lstmlab.trace import trace_cells
from lstmlab.windows import Scaler, window_input

FAR = 1.0  # flag values more than this many training-range widths beyond the range
MAX_MESSAGES = 5  # problems listed one by one; the rest are counted
FLOAT32_MAX = float(np.finfo(np.float32).max)


class Edit(Choice):
    SPIKE = "spike at step t"
    LEVEL_SHIFT = "level shift from step t on"
    ZERO = "zero a feature"
    REVERSE = "reverse the window"
    COPY = "copy another window"


def original_window(values: np.ndarray, target_row: int, window: int) -> np.ndarray:
    """The ``window`` rows just before ``target_row`` (a window's first target), as a float64 copy: (W, F)."""
    if not window <= target_row <= len(values):
        raise ValueError(f"a window of {window} rows cannot end before row {target_row} of {len(values)}.")
    return np.array(values[target_row - window : target_row], dtype=np.float64)


def row_before(values: np.ndarray, target_row: int, window: int) -> np.ndarray | None:
    """The series row just before the window ending at ``target_row`` (F,), or None at the series' start."""
    start = target_row - window
    return np.array(values[start - 1], dtype=np.float64) if start > 0 else None


def _check_step(window: np.ndarray, t: int, feature: int) -> None:
    steps, features = window.shape
    if not 0 <= t < steps:
        raise ValueError(f"step t must be in 0..{steps - 1}, got {t}.")
    if not 0 <= feature < features:
        raise ValueError(f"feature must be in 0..{features - 1}, got {feature}.")


def spike(window: np.ndarray, t: int, feature: int, size: float) -> np.ndarray:
    """Add ``size`` to one feature at step t only."""
    _check_step(window, t, feature)
    out = np.array(window, dtype=np.float64)
    out[t, feature] += size
    return out


def level_shift(window: np.ndarray, t: int, feature: int, size: float) -> np.ndarray:
    """Add ``size`` to one feature from step t to the end of the window."""
    _check_step(window, t, feature)
    out = np.array(window, dtype=np.float64)
    out[t:, feature] += size
    return out


def zero_feature(window: np.ndarray, feature: int) -> np.ndarray:
    """Set one feature to 0 (in original units) at every step."""
    _check_step(window, 0, feature)
    out = np.array(window, dtype=np.float64)
    out[:, feature] = 0.0
    return out


def reverse(window: np.ndarray) -> np.ndarray:
    """The same steps in the opposite order."""
    return np.array(window[::-1], dtype=np.float64)


def copy_window(window: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Another window's values in place of this one's (same shape)."""
    if np.shape(other) != np.shape(window):
        raise ValueError(f"the window to copy has shape {np.shape(other)}, this one {np.shape(window)}.")
    return np.array(other, dtype=np.float64)


def apply_edit(
    edit: Edit, window: np.ndarray, t: int = 0, feature: int = 0, size: float = 0.0, other: np.ndarray | None = None
) -> np.ndarray:
    """One of the one-click edits, by its enum (what a select box offers)."""
    if edit in (Edit.SPIKE, Edit.LEVEL_SHIFT) and not math.isfinite(size):
        raise ValueError(f"the size must be a finite number, got {size}.")
    match Edit(edit):
        case Edit.SPIKE:
            return spike(window, t, feature, size)
        case Edit.LEVEL_SHIFT:
            return level_shift(window, t, feature, size)
        case Edit.ZERO:
            return zero_feature(window, feature)
        case Edit.REVERSE:
            return reverse(window)
        case Edit.COPY:
            if other is None:
                raise ValueError("copying needs the other window.")
            return copy_window(window, other)


def suggested_size(scaler: Scaler, feature: int) -> float:
    """A visible edit size: half the feature's scale (its training range for min-max, its std for standard)."""
    return 0.5 * float(scaler.scale[feature])


@dataclass(frozen=True)
class ValueRange:
    """Per feature, the lowest and highest value of the training rows, in original units."""

    low: np.ndarray  # (F,)
    high: np.ndarray  # (F,)

    @classmethod
    def of(cls, rows: np.ndarray) -> ValueRange:
        rows = np.asarray(rows, dtype=np.float64)  # (T, F)
        return cls(np.nanmin(rows, axis=0), np.nanmax(rows, axis=0))


@dataclass(frozen=True)
class Flag:
    """A value accepted although far outside the training range."""

    step: int
    feature: str
    value: float
    scaled: float  # what the first LSTM layer receives

    @property
    def message(self) -> str:
        return (
            f"Step {self.step}, {visible(self.feature)}: {self.value:.6g} is far outside the training range; the "
            f"model sees {self.scaled:.4g} after scaling, where its gates may saturate."
        )


@dataclass(frozen=True)
class GridCheck:
    """The window to use after an edit: the edited values, or the current ones unchanged with ``problems``."""

    values: np.ndarray  # (W, F), original units
    problems: tuple[str, ...]
    flags: tuple[Flag, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def message(self) -> str:
        """All problems in one paragraph ('' when there are none)."""
        if not self.problems:
            return ""
        shown = list(self.problems[:MAX_MESSAGES])
        if len(self.problems) > MAX_MESSAGES:
            shown.append(f"… and {len(self.problems) - MAX_MESSAGES} more.")
        return "Nothing was changed: " + " ".join(shown)


def window_frame(window: np.ndarray, columns: Sequence[str], labels: Sequence[object] | None = None) -> pd.DataFrame:
    """The window as a table for an editable grid or a CSV download: one row per step."""
    index = pd.Index(list(labels) if labels is not None else range(len(window)), name="step")
    return pd.DataFrame(np.asarray(window, dtype=np.float64), index=index, columns=list(columns))


def _cell_number(cell: object) -> tuple[float | None, str]:
    """(the value, '') or (None, why it is refused)."""
    if cell is None or cell is pd.NA or cell is pd.NaT or (isinstance(cell, str) and not cell.strip()):
        return None, "is empty"
    if isinstance(cell, bool | np.bool_):
        return None, f"{cell!r} is not a number"
    if isinstance(cell, str):
        try:
            value = float(cell.strip())
        except ValueError:
            return None, f"{cell.strip()[:40]!r} is not a number"
    elif isinstance(cell, numbers.Real):
        value = float(cell)
    else:
        return None, f"{str(cell)[:40]!r} is not a number"
    if math.isnan(value):
        return None, "is empty or NaN"
    if math.isinf(value):
        return None, "is infinite"
    return value, ""


def check_window(
    values: np.ndarray, current: np.ndarray, scaler: Scaler, value_range: ValueRange, columns: Sequence[str]
) -> GridCheck:
    """Accept finite ``values`` (W, F) whose scaled values fit float32, flagging those far out of range."""
    values = np.asarray(values, dtype=np.float64)
    scaled = (values - scaler.shift) / scaler.scale  # (W, F) what the model would see, before float32
    # transform() works in float32: a value or scaled value beyond its range would reach the model as inf.
    overflow = ~((np.abs(values) <= FLOAT32_MAX) & (np.abs(scaled) <= FLOAT32_MAX))
    problems = [
        f"Step {step}, {visible(columns[f])}: {values[step, f]:.6g} is too large for the model (it overflows "
        "float32)."
        for step, f in zip(*np.nonzero(overflow), strict=True)
    ]
    if problems:
        return GridCheck(current, tuple(problems), ())
    span = np.where(value_range.high > value_range.low, value_range.high - value_range.low, 1.0)
    far = (values < value_range.low - FAR * span) | (values > value_range.high + FAR * span)
    flags = tuple(
        Flag(int(step), str(columns[f]), float(values[step, f]), float(scaled[step, f]))
        for step, f in zip(*np.nonzero(far), strict=True)
    )
    return GridCheck(values, (), flags)


def read_grid(frame: pd.DataFrame, current: np.ndarray, scaler: Scaler, value_range: ValueRange) -> GridCheck:
    """Check an edited grid (``st.data_editor``'s DataFrame of ``window_frame``): all cells, or no change."""
    current = np.asarray(current, dtype=np.float64)
    if frame.shape != current.shape:
        return GridCheck(
            current,
            (f"The grid must keep its {current.shape[0]} rows and {current.shape[1]} columns (it has "
             f"{frame.shape[0]} × {frame.shape[1]}).",),
            (),
        )  # fmt: skip
    columns = [str(c) for c in frame.columns]
    values, problems = np.empty(current.shape), []
    for step, row in enumerate(frame.itertuples(index=False, name=None)):
        for f, cell in enumerate(row):
            value, why = _cell_number(cell)
            if why:
                problems.append(f"Step {visible(frame.index[step])}, {visible(columns[f])}: {why}.")
            else:
                values[step, f] = value
    if problems:
        return GridCheck(current, tuple(problems), ())
    return check_window(values, current, scaler, value_range, columns)


@dataclass(frozen=True)
class WhatIf:
    """The untouched and the edited window traced through the same model and initial states."""

    original_input: torch.Tensor  # (1, W, F) scaled, as the model sees it
    edited_input: torch.Tensor  # (1, W, F)
    original: CellTrace
    edited: CellTrace
    original_prediction: np.ndarray  # (horizon, K) in original units
    edited_prediction: np.ndarray

    def unchanged_steps(self) -> np.ndarray:
        """(L, D, W): True where the cell's h (c) and gates are bitwise equal in both traces (any cell)."""
        same = None
        for name in cell_states(self.original.kind):
            eq = torch.eq(self.original.value(name), self.edited.value(name)).all(dim=-1)[:, :, 0]  # (L, D, W)
            same = eq if same is None else same & eq
        return same.numpy()


def what_if(
    model: SimpleRNN,
    scaler: Scaler,
    original: np.ndarray,
    edited: np.ndarray,
    targets: Sequence[int],
    states: tuple[torch.Tensor, torch.Tensor] | torch.Tensor | None = None,
    before: np.ndarray | None = None,
) -> WhatIf:
    """Trace both (W, F) windows (original units) and predict both, in original units.

    Inputs are built as the run's windows are (``window_input``): ``before`` (F,) is the series' row before
    the window (``row_before``), which first differences start from; each window's own last target values
    turn transformed outputs back into original units.

    ``states`` (h_0, c_0) for a batch of one (h_0 alone for a GRU or RNN); the model's random-state mode
    draws them once here so both windows start from the same states.
    """
    if np.shape(original) != np.shape(edited):
        raise ValueError(f"the edited window has shape {np.shape(edited)}, the original {np.shape(original)}.")
    if states is None:
        states = model.initial_states(1)
    weight = model.linear.weight
    windows = (np.asarray(original), np.asarray(edited))
    inputs = [window_input(scaler, w, targets, before) for w in windows]  # (1, W, F) each
    # One window per trace, never the two in one batch: identical steps then go through identical kernels.
    traces = [trace_cells(model, x, states).cpu() for x in inputs]
    predictions = []
    with torch.no_grad():
        for x, w in zip(inputs, windows, strict=True):
            pred = model(x.to(weight.device, weight.dtype), states).reshape(-1, len(targets))  # (horizon, K)
            predictions.append(scaler.inverse(pred, targets, w[-1, list(targets)]))
    return WhatIf(inputs[0], inputs[1], traces[0], traces[1], predictions[0], predictions[1])
