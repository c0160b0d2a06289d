"""Windowing: a (T, F) series becomes (N, window, F) inputs and (N, horizon, targets) outputs.

Windows are strided views (``Tensor.unfold``), never copies, so a 10-million-row series windows
instantly. Splits are chronological and the scaler is fitted on the training rows only. The target
transform (``lstmlab.transforms``) rides on the scaler: first differences are a column of the scaled
series (windows stay views); window-relative targets subtract each window's last value (one copy).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from lstmlab.config import Scaling, Transform, WindowConfig
from lstmlab.transforms import change_spread, choose_transform, differences, to_original

SPLITS = ("train", "validation", "test")


def count_windows(length: int, window: int, horizon: int = 1, stride: int = 1) -> int:
    """N = (T - window - horizon) // stride + 1, or 0 when the series is too short."""
    if length < window + horizon:
        return 0
    return (length - window - horizon) // stride + 1


def _check_window_args(length: int, window: int, horizon: int, stride: int) -> None:
    for name, value in (("window", window), ("horizon", horizon), ("stride", stride)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}.")
    if window + horizon > length:
        raise ValueError(
            f"window ({window}) + horizon ({horizon}) = {window + horizon} is longer than the "
            f"series ({length} rows): use a shorter window or horizon, or more data."
        )


def make_windows(
    values: np.ndarray | torch.Tensor,
    window: int,
    horizon: int = 1,
    stride: int = 1,
    targets: Sequence[int] = (0,),
) -> tuple[torch.Tensor, torch.Tensor]:
    """Window a (T, F) series into X (N, window, F), a view of ``values``, and y (N, horizon, K).

    ``y[n]`` holds the ``targets`` columns at the ``horizon`` steps right after window ``n``.
    """
    series = torch.as_tensor(values)  # shares memory with a numpy input
    if series.ndim != 2:
        raise ValueError(f"values must be a 2-D (time, feature) array, got shape {tuple(series.shape)}.")
    length, n_features = series.shape
    _check_window_args(length, window, horizon, stride)
    targets = [int(t) for t in targets]
    if not targets or any(not -n_features <= t < n_features for t in targets):
        raise ValueError(f"targets {targets} must be column indices in 0..{n_features - 1}.")
    n = count_windows(length, window, horizon, stride)
    # unfold gives (N, F, window); transposing the last two dims is still a view.
    x = series[: (n - 1) * stride + window].unfold(0, window, stride).transpose(1, 2)  # (N, W, F)
    rows = slice(window, (n - 1) * stride + window + horizon)
    first = targets[0] % n_features
    if targets == [(first + k) % n_features for k in range(len(targets))] and first + len(targets) <= n_features:
        future = series[rows, first : first + len(targets)]  # (·, K), a view: adjacent target columns
    else:
        future = series[rows, targets]  # (·, K), a copy of the target columns only
    y = future.unfold(0, horizon, stride).transpose(1, 2)  # (N, H, K)
    return x, y


@dataclass(frozen=True)
class Scaler:
    """Per-column affine scaling, ``scaled = (x - shift) / scale``, fitted on training rows.

    With a ``target_transform`` other than levels, the ``changed`` (target) columns are scaled by the training
    split's spread of changes instead, and first differences are taken before scaling.
    """

    kind: Scaling
    shift: np.ndarray  # (F,)
    scale: np.ndarray  # (F,)
    target_transform: Transform = Transform.LEVELS  # resolved: never AUTO
    changed: tuple[int, ...] = ()  # the target columns the transform applies to
    reason: str = ""  # why this transform, in words

    @classmethod
    def fit(
        cls,
        kind: Scaling,
        rows: np.ndarray,
        targets: Sequence[int] = (),
        transform: Transform = Transform.LEVELS,
        reason: str = "",
    ) -> Scaler:
        rows = np.asarray(rows, dtype=np.float64)  # float32 sums overflow on values near 1e19
        n_features = rows.shape[1]
        if kind is Scaling.STANDARD:
            shift, scale = rows.mean(axis=0), rows.std(axis=0)
        elif kind is Scaling.MINMAX:
            shift, scale = rows.min(axis=0), rows.max(axis=0) - rows.min(axis=0)
        else:
            shift, scale = np.zeros(n_features), np.ones(n_features)
        # A constant column would divide by zero: leave it unscaled around its value.
        scale = np.where(scale > 0, scale, 1.0)
        if transform is Transform.AUTO:
            raise ValueError("resolve the auto transform (choose_transform) before fitting a scaler.")
        changed = tuple(int(t) % n_features for t in targets) if transform is not Transform.LEVELS else ()
        if changed:
            cols = list(changed)
            scale[cols] = change_spread(rows[:, cols])
            # window-relative values are offsets, so any shift cancels; the mean keeps float32 values small
            shift[cols] = rows[:, cols].mean(axis=0) if transform is Transform.WINDOW else 0.0
        return cls(kind, shift.astype(np.float64), scale.astype(np.float64), transform, changed, reason)

    def transform(self, values: np.ndarray) -> np.ndarray:
        """The (T, F) series in model units, float32: scaled, with first differences where asked."""
        out = np.array(values, dtype=np.float32)  # (T, F), the one copy; scaled in place
        if self.target_transform is Transform.DIFFERENCE and self.changed:
            cols = list(self.changed)
            out[:, cols] = differences(np.asarray(values)[:, cols])
        out -= self.shift.astype(np.float32)
        out /= self.scale.astype(np.float32)
        return out

    def inverse(
        self, values: np.ndarray | torch.Tensor, columns: Sequence[int], last: np.ndarray | None = None
    ) -> np.ndarray:
        """Undo the scaling (and transform) of ``values`` whose last axis holds the given ``columns``.

        For transformed targets ``values`` is (N, H, K) and ``last`` (N, K) is each window's last value in
        original units (``SplitWindows.last``); one window's (H, K) takes its (K,) ``last``.
        """
        cols = list(columns)
        values = values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else values
        if last is not None and np.ndim(values) == 2 and np.ndim(last) == 1:  # one window
            return self.inverse(values[None], columns, np.asarray(last)[None])[0]
        if not self.changed or not set(cols) & set(self.changed):
            return values * self.scale[cols] + self.shift[cols]
        if [c % len(self.scale) for c in cols] != list(self.changed):
            raise ValueError(f"columns {cols} must be the transformed target columns {list(self.changed)}.")
        return to_original(self.target_transform, values, last, self.shift[cols], self.scale[cols])


def split_bounds(length: int, config: WindowConfig) -> dict[str, tuple[int, int]]:
    """Chronological row ranges [start, stop) of the train, validation and test splits."""
    n_test = round(length * config.test_fraction)
    n_val = round(length * config.val_fraction)
    n_train = length - n_val - n_test
    return {
        "train": (0, n_train),
        "validation": (n_train, n_train + n_val),
        "test": (n_train + n_val, length),
    }


@dataclass(frozen=True)
class ScaledSeries:
    """The whole series scaled by a scaler fitted on its training rows, with the split bounds."""

    values: np.ndarray  # (T, F) float32, scaled
    scaler: Scaler
    bounds: dict[str, tuple[int, int]]
    targets: tuple[int, ...]
    original: np.ndarray | None = None  # (T, F) the unscaled series (a reference): each window's last value

    @property
    def length(self) -> int:
        return self.values.shape[0]


def scale_series(values: np.ndarray, targets: Sequence[int], config: WindowConfig) -> ScaledSeries:
    """Fit the scaler on the training split only, then scale every row with it."""
    if config.val_fraction < 0 or config.test_fraction < 0 or config.val_fraction + config.test_fraction >= 1:
        raise ValueError("validation and test fractions must be at least 0 and add up to less than 1.")
    values = np.asarray(values)  # no copy for an array; a list of rows becomes one
    bounds = split_bounds(len(values), config)
    start, stop = bounds["train"]
    if stop - start < 1:
        raise ValueError("the training split is empty: use smaller validation and test fractions.")
    targets = tuple(int(t) for t in targets)
    transform, reason = config.transform, ""
    if transform is Transform.AUTO:
        transform, reason = choose_transform(values, targets, bounds, config.window)
    scaler = Scaler.fit(config.scaling, values[start:stop], targets, transform, reason)
    return ScaledSeries(scaler.transform(values), scaler, bounds, targets, values)


@dataclass(frozen=True)
class SplitWindows:
    """One split's windows, and the row index of each window's first target step."""

    x: torch.Tensor  # (N, W, F), a view (a copy for window-relative targets)
    y: torch.Tensor  # (N, H, K)
    target_rows: np.ndarray  # (N,) row in the whole series of y[n, 0]
    last: np.ndarray | None = None  # (N, K) each window's last target values, original units (float64)

    def __len__(self) -> int:
        return self.x.shape[0]


def window_splits(series: ScaledSeries, config: WindowConfig) -> dict[str, SplitWindows]:
    """Window each split on its own, so no window straddles two splits."""
    out = {}
    empty_x = torch.empty(0, config.window, series.values.shape[1])
    empty_y = torch.empty(0, config.horizon, len(series.targets))
    cols = list(series.targets)
    for name, (start, stop) in series.bounds.items():
        n = count_windows(stop - start, config.window, config.horizon, config.stride)
        if n == 0:
            empty_last = np.empty((0, len(cols)))
            out[name] = SplitWindows(empty_x, empty_y, np.empty(0, dtype=np.int64), empty_last)
            continue
        x, y = make_windows(series.values[start:stop], config.window, config.horizon, config.stride, series.targets)
        rows = start + config.window + config.stride * np.arange(n)
        if series.scaler.target_transform is Transform.WINDOW and series.scaler.changed:
            x, y = relative_to_last(x, y, cols)
        last = None
        if series.original is not None:
            last = np.asarray(series.original[rows - 1][:, cols], dtype=np.float64)  # (N, K)
        out[name] = SplitWindows(x, y, rows, last)
    return out


def relative_to_last(x: torch.Tensor, y: torch.Tensor, targets: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Window-relative targets: each window's target columns and y minus the window's last target values."""
    cols = list(targets)
    last = x[:, -1, cols].clone()  # (N, K)
    x = x.clone()  # (N, W, F): the one copy, only for this transform
    x[:, :, cols] -= last[:, None, :]
    return x, y - last[:, None, :]  # (N, H, K)


def window_input(
    scaler: Scaler, window: np.ndarray, targets: Sequence[int], before: np.ndarray | None = None
) -> torch.Tensor:
    """One (W, F) window in original units as the model sees it, built as ``window_splits`` builds a split's.

    First differences reach back to ``before`` (F,), the series' row before the window (None at the series'
    start, whose first change is 0); window-relative targets subtract the window's last values. (1, W, F) float32.
    """
    rows = np.asarray(window) if before is None else np.vstack([np.asarray(before)[None], window])
    x = torch.from_numpy(scaler.transform(rows)[len(rows) - len(window) :])[None]  # (1, W, F)
    if scaler.target_transform is Transform.WINDOW and scaler.changed:
        x, _ = relative_to_last(x, x.new_zeros(1, 1, len(targets)), targets)
    return x


def describe_shapes(series: ScaledSeries, config: WindowConfig) -> list[dict[str, object]]:
    """Per split: its rows T, the window count N from the formula, and the X and y shapes."""
    n_features, n_targets = series.values.shape[1], len(series.targets)
    rows = []
    for name, (start, stop) in series.bounds.items():
        length = stop - start
        n = count_windows(length, config.window, config.horizon, config.stride)
        rows.append(
            {
                "split": name,
                "rows T": length,
                "N": n,
                "formula": f"({length} - {config.window} - {config.horizon}) // {config.stride} + 1 = {n}"
                if n
                else f"{length} rows < window + horizon: no windows",
                "X": f"[{n}, {config.window}, {n_features}]",
                "y": f"[{n}, {config.horizon}, {n_targets}]",
            }
        )
    return rows


def empty_splits(series: ScaledSeries, splits: dict[str, SplitWindows]) -> list[str]:
    """The splits that have rows but are too short for a single window."""
    return [name for name, split in splits.items() if len(split) == 0 and len(range(*series.bounds[name]))]


def window_start(split: SplitWindows, index: int, window: int) -> int:
    """The row in the whole series where window ``index`` of ``split`` begins."""
    return int(split.target_rows[index]) - window
