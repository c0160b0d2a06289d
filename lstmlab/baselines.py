"""The baselines a forecaster must beat, on the same windows as the model, and season detection.

Both read the target columns of the original (unscaled) series at the rows the windows cover, so
their forecasts are exactly what a person would write down from the window:

- naive: the window's last value, repeated over the horizon;
- drift: the window's last value plus the training split's mean change per step times the steps ahead
  (the straight line from the first to the last training value, continued: Hyndman's drift method);
- seasonal naive: the value one season before each target step. When the season is longer than the
  window, that value lies before the window and is read from the series itself (row
  ``target_rows[n] + step - season``). For steps at or past one season, the value is taken whole
  seasons further back (Hyndman's ``y[T + h - m(k + 1)]``, ``k = (h - 1) // m``), so no forecast ever
  uses a value from its own horizon. Where that row falls before the series starts, the forecast is
  NaN and the metrics leave that window step out.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# Season length in steps for a time axis of this frequency (pandas offset names, old and new spellings).
FREQUENCY_SEASONS = {
    "MS": 12,
    "M": 12,
    "ME": 12,
    "BMS": 12,
    "BM": 12,
    "BME": 12,  # months in a year
    "Q": 4,
    "QS": 4,
    "QE": 4,
    "BQ": 4,
    "BQS": 4,
    "BQE": 4,  # quarters in a year
    "W": 52,  # weeks in a year
    "D": 7,  # days in a week: the cycle a week of history can show
    "B": 5,  # business days in a week
    "h": 24,
    "H": 24,
    "bh": 8,
    "BH": 8,  # hours in a day
    "min": 60,
    "T": 60,
    "s": 60,
    "S": 60,  # minutes in an hour, seconds in a minute
}
MIN_SEASON = 2


def target_steps(values: np.ndarray, rows: np.ndarray, horizon: int) -> np.ndarray:
    """``values`` (T, K) at rows ``rows[n] + step`` for each step of the horizon: (N, H, K)."""
    index = np.asarray(rows, dtype=np.int64)[:, None] + np.arange(horizon)  # (N, H)
    return values[index]


def naive_forecast(values: np.ndarray, rows: np.ndarray, horizon: int) -> np.ndarray:
    """The last value of each window (row ``rows[n] - 1``), repeated over the horizon: (N, H, K)."""
    last = values[np.asarray(rows, dtype=np.int64) - 1]  # (N, K)
    return np.repeat(last[:, None, :], horizon, axis=1).astype(np.float64)


def mean_change(train: np.ndarray) -> np.ndarray:
    """The training split's mean change per step of (n, K) values, ``(last - first) / (n - 1)``: (K,)."""
    train = np.asarray(train, dtype=np.float64)
    if len(train) < 2:
        return np.zeros(train.shape[1:])
    return (train[-1] - train[0]) / (len(train) - 1)


def drift_forecast(values: np.ndarray, rows: np.ndarray, horizon: int, slope: np.ndarray) -> np.ndarray:
    """The last value of each window plus ``slope`` (K,) per step ahead: (N, H, K)."""
    steps = np.arange(1, horizon + 1, dtype=np.float64)[None, :, None]  # (1, H, 1)
    return naive_forecast(values, rows, horizon) + steps * np.asarray(slope, dtype=np.float64)


def seasonal_naive_forecast(values: np.ndarray, rows: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """The value whole seasons before each target step: (N, H, K), NaN before the series starts."""
    if int(season) < 1:
        raise ValueError(f"season must be at least 1, got {season}.")
    steps = np.arange(horizon)
    back = season * (steps // season + 1)  # (H,) never inside the forecast's own horizon
    source = np.asarray(rows, dtype=np.int64)[:, None] + steps - back  # (N, H)
    out = np.full((*source.shape, values.shape[1]), np.nan)
    known = source >= 0
    out[known] = values[source[known]]
    return out


def season_from_frequency(frequency: str | None) -> int | None:
    """The season a time axis of this frequency suggests (e.g. ``"MS"`` → 12), or None."""
    if not frequency:
        return None
    match = re.fullmatch(r"(\d*)([A-Za-z]+)(-\w+)?", str(frequency).strip())
    season = FREQUENCY_SEASONS.get(match.group(2)) if match else None
    if season is None:
        return None
    n = int(match.group(1) or 1) or 1  # "2h" → 24 / 2 = 12 steps a day
    if season % n or season // n < MIN_SEASON:
        return None
    return season // n


def season_from_autocorrelation(values: np.ndarray, max_lag: int = 1000) -> int:
    """The lag of the highest significant autocorrelation peak of the differenced series, at least 2.

    Differencing first removes a trend, which would otherwise make every lag look alike.
    """
    x = np.diff(np.asarray(values, dtype=np.float64))
    x = x[np.isfinite(x)]
    max_lag = min(max_lag, len(x) // 2)
    if max_lag < MIN_SEASON + 1 or not np.any(x != x[0]):
        return MIN_SEASON
    x = x - x.mean()
    size = 1 << (2 * len(x) - 1).bit_length()  # zero-padded FFT: linear, not circular, correlation
    spectrum = np.fft.rfft(x, size)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), size)[: max_lag + 2]
    acf = acf / acf[0]
    lags = np.arange(MIN_SEASON, max_lag + 1)
    peaks = lags[(acf[lags] > acf[lags - 1]) & (acf[lags] >= acf[lags + 1])]
    peaks = peaks[acf[peaks] > 3 / np.sqrt(len(x))]  # well above the white-noise band
    if peaks.size == 0:
        return MIN_SEASON
    return int(peaks[np.argmax(acf[peaks])])


# Typical step → frequency, for time axes with gaps (a missing day leaves no regular frequency).
_STEPS = (
    (pd.Timedelta(seconds=1), "s"),
    (pd.Timedelta(minutes=1), "min"),
    (pd.Timedelta(hours=1), "h"),
    (pd.Timedelta(days=1), "D"),
    (pd.Timedelta(days=7), "W"),
    (pd.Timedelta(days=30.4), "MS"),
    (pd.Timedelta(days=91.3), "QS"),
)


def frequency_from_steps(time: pd.Index) -> str | None:
    """The frequency whose step is within 10% of the median step between stamps, or None."""
    if not isinstance(time, pd.DatetimeIndex) or len(time) < 3:
        return None
    step = pd.Series(time).diff().median()
    for size, name in _STEPS:
        if abs(step - size) <= 0.1 * size:
            return name
    return None


def detect_season(frequency: str | None, train_values: np.ndarray, time: pd.Index | None = None) -> int:
    """Season from the time axis' frequency (or its median step), else the training autocorrelation."""
    if not frequency and time is not None:
        frequency = frequency_from_steps(time)
    return season_from_frequency(frequency) or season_from_autocorrelation(train_values)


def default_season(frequency: str | None, train_values: np.ndarray, time: pd.Index | None, length: int) -> int:
    """``detect_season``, at most ``length - 1`` so that a seasonal naive forecast has a past to read."""
    return min(detect_season(frequency, train_values, time), max(length - 1, 1))
