"""Target transforms: what the model learns for the target columns, and the one way back to original units.

- levels: the scaler's values, ``(v - shift) / scale`` per column (the app's original behaviour);
- first differences: each step's change ``v[t] - v[t-1]`` divided by the training split's spread of
  changes (row 0, with nothing before it, is 0); a forecast is the window's last value plus the running
  sum of the predicted changes;
- window-relative: each window's values minus its own last value, divided by that spread; a forecast is
  the last value plus the predicted offset (the model's zero is the naive forecast).

``to_original`` is the only inverse: metrics, Inspect, saved models and the exported script all use it
(through ``Scaler.inverse``).
"""

from __future__ import annotations

import numpy as np

from lstmlab.config import Transform

MIN_LEVEL_SHIFT = 0.5  # training standard deviations between the means of its two halves: the level moved
MAX_OUTSIDE_SHARE = 0.05  # more validation values than this outside the training range: levels cannot reach them
MAX_COPY_BYTES = 64 << 20  # window-relative inputs copy every window; above this auto takes first differences (views)
MIN_PERSISTENCE = 3.0  # spread of levels over spread of changes; an AR(1) reaches 3 at φ ≈ 0.94: a wandering level


def differences(values: np.ndarray) -> np.ndarray:
    """First differences down the rows of (T, K) values, with 0 for row 0: (T, K) float64."""
    values = np.asarray(values, dtype=np.float64)
    out = np.zeros_like(values)
    out[1:] = values[1:] - values[:-1]
    return out


def change_spread(train: np.ndarray) -> np.ndarray:
    """Standard deviation of the one-step changes of (n, K) training values: (K,), 1 where it is 0."""
    train = np.asarray(train, dtype=np.float64)
    if len(train) < 2:
        return np.ones(train.shape[1])
    spread = np.diff(train, axis=0).std(axis=0)
    return np.where(np.isfinite(spread) & (spread > 0), spread, 1.0)


def level_shift(train: np.ndarray) -> float:
    """Distance between the means of the two halves of one training column, in its standard deviations."""
    y = np.asarray(train, dtype=np.float64)
    spread = y.std()
    if len(y) < 4 or not spread > 0:
        return 0.0
    half = len(y) // 2
    return float(abs(y[half:].mean() - y[:half].mean()) / spread)


def persistence(train: np.ndarray) -> float:
    """Spread of one training column's levels over the spread of its one-step changes (about 0.7 for noise)."""
    y = np.asarray(train, dtype=np.float64)
    if len(y) < 3:
        return 0.0
    changes = np.diff(y).std()
    return float(y.std() / changes) if changes > 0 else 0.0


def outside_share(train: np.ndarray, other: np.ndarray) -> float:
    """Share of ``other`` values outside the range [min, max] of one training column."""
    other = np.asarray(other, dtype=np.float64)
    if other.size == 0 or len(train) == 0:
        return 0.0
    low, high = np.min(train), np.max(train)
    return float(np.mean((other < low) | (other > high)))


def choose_transform(
    values: np.ndarray, targets: tuple[int, ...], bounds: dict[str, tuple[int, int]], window: int = 1
) -> tuple[Transform, str]:
    """The transform "auto" stands for on this series, and the reason in words.

    Only the training and validation splits are read (the test split stays unseen). Levels only when
    the level looks stable; otherwise window-relative targets, whose zero is the naive forecast, since a
    scaled level the model never saw is one a tanh network cannot produce. A level is not stable when
    the training split's second half sits away from its first (a trend or a shift), when validation
    values leave the training range, or when the level wanders far relative to its one-step changes.
    When window-relative inputs (a copy of every ``window``-step window) would take more than
    ``MAX_COPY_BYTES``, first differences, which keep windows as views, are taken instead.
    """
    kind, reason = _choose(values, targets, bounds)
    copy_bytes = 4 * len(values) * window * values.shape[1]  # float32 (N, W, F) over all splits, about
    if kind is Transform.WINDOW and copy_bytes > MAX_COPY_BYTES:
        reason = reason.replace("auto chose window-relative targets", "auto chose first differences").rstrip(".")
        reason += (
            f" (window-relative inputs would copy every window, about {copy_bytes / 2**20:,.0f} MB; first "
            "differences keep the windows as views)."
        )
        return Transform.DIFFERENCE, reason
    return kind, reason


def _choose(
    values: np.ndarray, targets: tuple[int, ...], bounds: dict[str, tuple[int, int]]
) -> tuple[Transform, str]:
    train = values[slice(*bounds["train"])]
    val = values[slice(*bounds["validation"])]
    because = "auto chose window-relative targets: "
    for k in targets:
        shift = level_shift(train[:, k])
        if shift >= MIN_LEVEL_SHIFT:
            return Transform.WINDOW, because + (
                f"the second half of the training split sits {shift:.2f} standard deviations from the first (a trend "
                "or a shift), so later levels may leave the range a tanh network learned to produce."
            )
        share = outside_share(train[:, k], val[:, k])
        if share > MAX_OUTSIDE_SHARE:
            return Transform.WINDOW, because + (
                f"{share:.0%} of the validation values lie outside the training range, where scaled levels would be "
                "out of a tanh network's reach."
            )
        wander = persistence(train[:, k])
        if wander >= MIN_PERSISTENCE:
            return Transform.WINDOW, because + (
                f"the level wanders: its spread is {wander:.1f}× that of its one-step changes, so the window's last "
                "value says more about the next one than the level's range does."
            )
    return Transform.LEVELS, (
        "auto chose levels: the training split's level is stable (its halves within "
        f"{MIN_LEVEL_SHIFT} standard deviations, spread under {MIN_PERSISTENCE:g}× that of its changes) and the "
        "validation values stay within its range."
    )


def to_original(
    kind: Transform, predicted: np.ndarray, last: np.ndarray | None, shift: np.ndarray, scale: np.ndarray
) -> np.ndarray:
    """Model outputs (N, H, K) back in original units, given each window's last value (N, K) in original units.

    ``shift`` and ``scale`` (K,) are the target columns' scaler values. Levels need no ``last``.
    """
    predicted = np.asarray(predicted, dtype=np.float64)
    if kind is Transform.LEVELS:
        return predicted * scale + shift
    if last is None:
        raise ValueError(f"{kind} targets need each window's last value to turn forecasts into original units.")
    last = np.asarray(last, dtype=np.float64)[:, None, :]  # (N, 1, K)
    if kind is Transform.DIFFERENCE:
        return last + np.cumsum(predicted * scale, axis=1)
    if kind is Transform.WINDOW:
        return last + predicted * scale
    raise ValueError(f"transform {kind} must be resolved (levels, first differences or window-relative) first.")
