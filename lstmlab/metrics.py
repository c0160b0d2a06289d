"""Forecast metrics in original units, and the table that sets the model beside its baselines.

Every metric pools all windows and horizon steps of one target column and leaves out pairs where
either value is not finite (a seasonal-naive step with no history). Conventions:

- MAPE (percent) skips actual values that are exactly zero, where the percentage error is undefined,
  and reports how many it skipped; when every actual is zero it is NaN.
- MASE divides the MAE by the in-sample MAE of the naive forecast ``y[t] - y[t - m]`` over the
  training split (``m = 1``: one step back, unless a season is given). NaN when that scale is zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lstmlab.baselines import drift_forecast, mean_change, naive_forecast, seasonal_naive_forecast, target_steps
from lstmlab.devices import on_device, usable_device
from lstmlab.model import predict
from lstmlab.windows import SPLITS, SplitWindows, split_bounds

METRIC_COLUMNS = ("MAE", "RMSE", "MAPE %", "MASE")
FORECASTS = ("model", "naive", "drift", "seasonal naive")  # the table's rows per split, in this order


def _pairs(actual: np.ndarray, predicted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    actual = np.asarray(actual, dtype=np.float64).ravel()
    predicted = np.asarray(predicted, dtype=np.float64).ravel()
    if actual.shape != predicted.shape:
        raise ValueError(f"actual has {actual.size} values but predicted has {predicted.size}.")
    keep = np.isfinite(actual) & np.isfinite(predicted)
    return actual[keep], predicted[keep]


def mae(actual: np.ndarray, predicted: np.ndarray) -> float:
    a, p = _pairs(actual, predicted)
    return float(np.mean(np.abs(a - p))) if a.size else np.nan


def rmse(actual: np.ndarray, predicted: np.ndarray) -> float:
    a, p = _pairs(actual, predicted)
    return float(np.sqrt(np.mean((a - p) ** 2))) if a.size else np.nan


def mape(actual: np.ndarray, predicted: np.ndarray) -> tuple[float, int]:
    """Mean absolute percentage error (percent) over non-zero actuals, and how many zeros it skipped."""
    a, p = _pairs(actual, predicted)
    nonzero = a != 0
    skipped = int(a.size - nonzero.sum())
    if not nonzero.any():
        return np.nan, skipped
    return float(100 * np.mean(np.abs((a[nonzero] - p[nonzero]) / a[nonzero]))), skipped


def naive_scale(train: np.ndarray, m: int = 1) -> float:
    """In-sample MAE of the naive forecast ``y[t - m]`` over the training values (MASE's denominator)."""
    train = np.asarray(train, dtype=np.float64).ravel()
    if m < 1 or train.size <= m:
        return np.nan
    errors = np.abs(train[m:] - train[:-m])
    errors = errors[np.isfinite(errors)]
    return float(errors.mean()) if errors.size else np.nan


def mase(actual: np.ndarray, predicted: np.ndarray, train: np.ndarray, m: int = 1) -> float:
    """MAE scaled by the training split's naive MAE: below 1 beats the in-sample naive forecast."""
    scale = naive_scale(train, m)
    if not np.isfinite(scale) or scale == 0:
        return np.nan
    return mae(actual, predicted) / scale


def model_predictions(run, splits: dict[str, SplitWindows]) -> dict[str, np.ndarray]:
    """The run's forecasts for each split's windows, in original units: (N, H, K) per split.

    Transformed targets are turned back from each window's last value (``SplitWindows.last``).
    """
    horizon = run.window_config.horizon
    model = on_device(run.model, usable_device(run.train_config.device))  # kept runs live on the CPU
    out = {}
    for name, split in splits.items():
        scaled = predict(model, split.x, horizon).numpy().astype(np.float64)  # (N, H, K)
        out[name] = run.scaler.inverse(scaled, run.targets, split.last)
    return out


def forecasts(
    run,
    values: np.ndarray,
    splits: dict[str, SplitWindows],
    season: int,
    predictions: dict[str, np.ndarray] | None = None,
) -> dict[str, dict[str, np.ndarray]]:
    """Per split: actual, model, naive, drift and seasonal naive, each (N, H, K) in original units.

    ``values`` is the original (unscaled) series (T, F), the one the run's windows were cut from.
    """
    predictions = predictions if predictions is not None else model_predictions(run, splits)
    targets = np.asarray(values[:, list(run.targets)], dtype=np.float64)  # (T, K), not a copy of all columns
    horizon = run.window_config.horizon
    start, stop = split_bounds(len(values), run.window_config)["train"]
    slope = mean_change(targets[start:stop])  # (K,) the training split's mean change per step
    out = {}
    for name, split in splits.items():
        rows = split.target_rows
        out[name] = {
            "actual": target_steps(targets, rows, horizon),
            "model": predictions[name],
            "naive": naive_forecast(targets, rows, horizon),
            "drift": drift_forecast(targets, rows, horizon, slope),
            "seasonal naive": seasonal_naive_forecast(targets, rows, horizon, season),
        }
    return out


def score(actual: np.ndarray, predicted: np.ndarray, train: np.ndarray) -> dict[str, float]:
    """MAE, RMSE, MAPE %, MASE and the MAPE's skipped zeros for one forecast."""
    pct, skipped = mape(actual, predicted)
    return {
        "MAE": mae(actual, predicted),
        "RMSE": rmse(actual, predicted),
        "MAPE %": pct,
        "MASE": mase(actual, predicted, train),
        "MAPE zeros skipped": skipped,
    }


def evaluate_run(
    run,
    values: np.ndarray,
    splits: dict[str, SplitWindows],
    season: int,
    target: int = 0,
    predictions: dict[str, np.ndarray] | None = None,
    table: dict[str, dict[str, np.ndarray]] | None = None,
) -> pd.DataFrame:
    """Metrics for the model and every baseline on every split, for target ``target`` (0..K-1).

    Rows: split × (model, naive, drift, seasonal naive); columns: windows, MAE, RMSE, MAPE %, MASE and the
    number of zero actuals MAPE skipped. MASE's scale comes from the training split's rows. Pass the
    ``forecasts`` ``table`` when it is already made (a million windows make it 50 MB).
    """
    table = table if table is not None else forecasts(run, values, splits, season, predictions)
    start, stop = split_bounds(len(values), run.window_config)["train"]
    train = np.asarray(values[start:stop, run.targets[target]], dtype=np.float64)  # (n_train,), not all columns
    rows = []
    for split in SPLITS:
        if split not in table:
            continue
        f = table[split]
        for name in FORECASTS:
            label = f"seasonal naive (m={season})" if name == "seasonal naive" else name
            rows.append(
                {
                    "split": split,
                    "forecast": label,
                    "windows": len(splits[split]),
                    **score(f["actual"][..., target], f[name][..., target], train),
                }
            )
    return pd.DataFrame(rows)


def verdict(metrics: pd.DataFrame, split: str = "test") -> tuple[bool, str] | None:
    """Whether the model's MAE beats every baseline's on ``split``, and a sentence saying so; None if unknown."""
    mae_by = metrics[metrics.split == split].set_index("forecast")["MAE"]
    if len(mae_by) < 3 or not np.isfinite(mae_by.iloc[0]):
        return None
    model, best = mae_by.iloc[0], mae_by.iloc[1:].min()
    beats = bool(model < best)
    outcome = "beats every baseline." if beats else "does not beat the best baseline."
    return beats, f"{split.capitalize()} MAE: model {model:.4g}, best baseline {best:.4g}: the model {outcome}"


def predictions_table(
    table: dict[str, dict[str, np.ndarray]],
    splits: dict[str, SplitWindows],
    time: pd.Index,
    target_names: tuple[str, ...],
) -> pd.DataFrame:
    """Long table for download: one row per split, window, step and target, with every forecast."""
    frames = []
    for split, f in table.items():
        n, horizon, k = f["actual"].shape
        if n == 0:
            continue
        rows = splits[split].target_rows[:, None, None] + np.arange(horizon)[None, :, None]  # (N, H, 1)
        rows = np.broadcast_to(rows, (n, horizon, k)).ravel()
        origin = np.broadcast_to(splits[split].target_rows[:, None, None] - 1, (n, horizon, k)).ravel()
        frames.append(
            pd.DataFrame(
                {
                    "split": split,
                    "origin": np.asarray(time)[origin],
                    "time": np.asarray(time)[rows],
                    "step": np.broadcast_to(np.arange(1, horizon + 1)[None, :, None], (n, horizon, k)).ravel(),
                    "target": np.broadcast_to(np.array(target_names, dtype=object), (n, horizon, k)).ravel(),
                    **{name: values.ravel() for name, values in f.items()},
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["split", "origin", "time", "step", "target", "actual", "model"])
    return pd.concat(frames, ignore_index=True)


def forecast_origins(count: int, horizon: int, most: int = 400, shown: int = 3) -> tuple[list[int], list[int]]:
    """Windows offered as forecast origins, and the ones picked first.

    Of ``count`` windows, every k-th is offered so that at most about ``most`` are; the first picks are
    the last ``shown`` offered, each at least ``horizon`` windows after the one before, oldest first.
    """
    every = max(1, count // most)
    options = list(range(0, count, every))
    apart = max(1, -(-horizon // every))  # offered windows between two picks: ceil(horizon / every)
    return options, options[::-apart][:shown][::-1]
