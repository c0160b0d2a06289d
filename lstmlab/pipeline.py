"""The app's pipeline as plain calls: scale and window a prepared series, train a run, score it.

The pages, the command line (``python -m lstmlab fit``) and the benchmarks all go through these, so a
run made anywhere gets the same numbers from the same settings and seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from lstmlab.baselines import detect_season
from lstmlab.config import DataSpec, ModelConfig, TrainConfig, WindowConfig
from lstmlab.metrics import evaluate_run, forecasts, model_predictions
from lstmlab.model import SimpleLSTM
from lstmlab.prepare import PreparedSeries
from lstmlab.runs import Run
from lstmlab.timeaxis import season_from_time
from lstmlab.train import EpochReport, History, fit, resolve_device
from lstmlab.windows import ScaledSeries, SplitWindows, scale_series, split_bounds, window_splits


@dataclass
class TrainedRun:
    """A run with the scaled series and windows it was trained on."""

    run: Run
    scaled: ScaledSeries
    splits: dict[str, SplitWindows]


def build_run(
    series: PreparedSeries,
    window_config: WindowConfig,
    model_config: ModelConfig,
    train_config: TrainConfig,
    data_spec: DataSpec | None = None,
    source: tuple[str, str] = ("", ""),
    number: int = 1,
) -> TrainedRun:
    """An untrained run on ``series``: scaler (and target transform) fitted, windows cut, model built."""
    scaled = scale_series(series.values, series.targets, window_config)
    splits = window_splits(scaled, window_config)
    output_size = window_config.horizon * len(series.targets)
    model = SimpleLSTM.from_config(
        len(series.columns), window_config.window, output_size, model_config, seed=train_config.seed
    )
    history = History(device=str(resolve_device(train_config.device)))
    run = Run(number, *source, data_spec or DataSpec(), window_config, model_config, train_config, series.columns,
              series.targets, scaled.scaler, model, history)  # fmt: skip
    return TrainedRun(run, scaled, splits)


def train_run(
    trained: TrainedRun,
    on_epoch: Callable[[EpochReport], bool | None] | None = None,
    on_step: Callable[[int, int, int], None] | None = None,
) -> TrainedRun:
    """Fit the run's model on its training windows, early-stopping on validation; the history is kept on the run."""
    train, val = trained.splits["train"], trained.splits["validation"]
    run = trained.run
    run.history = fit(run.model, train.x, train.y, run.train_config, on_epoch=on_epoch, val=(val.x, val.y),
                      on_step=on_step)  # fmt: skip
    return trained


def season_for(series: PreparedSeries, run: Run, target: int = 0) -> int:
    """The season the Predictions page starts from: the time axis' frequency, else the training autocorrelation."""
    start, stop = split_bounds(series.length, run.window_config)["train"]
    column = series.values[:, run.targets[target]]
    season = season_from_time(series.time) or detect_season(series.frequency, column[start:stop], series.time)
    return min(season, max(series.length - 1, 1))


def score_run(trained: TrainedRun, series: PreparedSeries, season: int | None = None) -> pd.DataFrame:
    """``evaluate_run``'s table for every target, one after the other, with a ``target`` column first."""
    run, splits = trained.run, trained.splits
    predictions = model_predictions(run, splits)
    frames = []
    for k, name in enumerate(run.target_names):
        m = season if season is not None else season_for(series, run, k)
        table = forecasts(run, series.values, splits, m, predictions)
        frames.append(evaluate_run(run, series.values, splits, m, target=k, table=table).assign(target=name))
    metrics = pd.concat(frames, ignore_index=True)
    return metrics[["target", *[c for c in metrics.columns if c != "target"]]]
