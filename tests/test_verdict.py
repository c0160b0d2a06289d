"""The verdict: measured reasons a model loses, and retries that address them."""

import numpy as np
import pytest

from lstmlab.config import ModelConfig, TrainConfig, Transform, WindowConfig
from lstmlab.metrics import evaluate_run, forecasts
from lstmlab.pipeline import build_run, train_run
from lstmlab.prepare import PreparedSeries
from lstmlab.verdict import explain
from lstmlab.windows import split_bounds


def trend_series(rows=300, seed=0) -> PreparedSeries:
    rng = np.random.default_rng(seed)
    t = np.arange(rows)
    values = (100 + 2.0 * t + 3 * np.sin(2 * np.pi * t / 12) + rng.normal(size=rows))[:, None].astype(np.float32)
    import pandas as pd

    return PreparedSeries(values, ("y",), (0,), pd.RangeIndex(rows))


def verdict_for(series, window_config, train_config=None):
    train_config = train_config or TrainConfig(epochs=30, seed=0)
    trained = train_run(build_run(series, window_config, ModelConfig(h_size=16), train_config))
    table = forecasts(trained.run, series.values, trained.splits, 12)
    metrics = evaluate_run(trained.run, series.values, trained.splits, 12, table=table)
    return trained, metrics, explain(trained.run, series.values, trained.splits, metrics, table)


def test_levels_on_a_trend_lose_with_the_reason_measured_and_the_retry_beats_naive():
    series = trend_series()
    trained, _, verdict = verdict_for(series, WindowConfig(transform=Transform.LEVELS))
    assert verdict.beats is False and "does not beat" in verdict.summary
    found = {f.name: f for f in verdict.findings}
    # share of test targets outside the training range, computed here with numpy
    start, stop = split_bounds(300, trained.run.window_config)["train"]
    train = series.values[start:stop, 0]
    actual = series.values[trained.splits["test"].target_rows, 0]
    share = np.mean((actual < train.min()) | (actual > train.max()))
    assert found["outside training range"].value == pytest.approx(share) and share == 1.0
    assert "100% of the test targets" in found["outside training range"].sentence
    retry = verdict.retries[0]
    assert retry.label == "Retrain with window-relative targets"
    assert retry.window_config == WindowConfig(transform=Transform.WINDOW)
    assert retry.train_config == trained.run.train_config and retry.model_config == trained.run.model_config
    _, again, second = verdict_for(series, retry.window_config, retry.train_config)
    test = again[again.split == "test"].set_index("forecast")["MAE"]
    assert test["model"] < test["naive"]
    assert second.beats is True and second.retries == ()


def test_residual_trend_is_measured_against_a_numpy_fit():
    series = trend_series()
    trained = build_run(series, WindowConfig(transform=Transform.WINDOW), ModelConfig(h_size=4), TrainConfig())
    run, splits = trained.run, trained.splits
    table = forecasts(run, series.values, splits, 12)
    actual = table["test"]["actual"]
    n = len(actual)
    ramp = np.linspace(0.0, 30.0, n)[:, None, None]  # forecasts fall behind by up to 30
    table["test"]["model"] = actual - ramp
    metrics = evaluate_run(run, series.values, splits, 12, table=table)
    verdict = explain(run, series.values, splits, metrics, table)
    found = {f.name: f for f in verdict.findings}
    mae = np.mean(np.abs(ramp))
    assert found["residual trend"].value == pytest.approx(30.0 / mae)
    assert verdict.beats is False
    assert [r.label for r in verdict.retries if r.answers == "residual trend"] == [
        "Retrain with first differences as targets"
    ]


def test_few_windows_and_still_improving_are_read_from_the_run():
    series = trend_series(rows=120)
    window = WindowConfig(window=12, transform=Transform.WINDOW)
    trained, _, verdict = verdict_for(series, window, TrainConfig(epochs=2, seed=0, lr=1e-3))
    found = {f.name: f for f in verdict.findings}
    n_test = len(trained.splits["test"])
    assert found["few windows"].value == n_test == 18 - 12
    history = trained.run.history
    assert history.best_epoch == history.epochs_run == 2  # a slow learning rate: still falling at the limit
    assert found["still improving"].value == 2
    assert verdict.beats is False  # two slow epochs cannot beat naive on a trend
    retry = next(r for r in verdict.retries if r.answers == "still improving")
    assert retry.label == "Retrain for 4 epochs" and retry.train_config.epochs == 4


def test_no_test_windows_is_not_judged():
    series = trend_series(rows=60)
    trained = build_run(series, WindowConfig(window=12), ModelConfig(h_size=4), TrainConfig(epochs=1))
    table = forecasts(trained.run, series.values, trained.splits, 12)
    metrics = evaluate_run(trained.run, series.values, trained.splits, 12, table=table)
    verdict = explain(trained.run, series.values, trained.splits, metrics, table)
    assert verdict.beats is None and verdict.retries == ()
