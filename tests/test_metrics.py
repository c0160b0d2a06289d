"""Metrics against hand-computed values and numpy references; baselines and season detection."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from lstmlab.baselines import (
    default_season,
    detect_season,
    naive_forecast,
    season_from_autocorrelation,
    season_from_frequency,
    seasonal_naive_forecast,
    target_steps,
)
from lstmlab.config import DataSpec, ModelConfig, TrainConfig, Transform, WindowConfig
from lstmlab.metrics import (
    evaluate_run,
    forecast_origins,
    mae,
    mape,
    mase,
    model_predictions,
    naive_scale,
    predictions_table,
    rmse,
    verdict,
)
from lstmlab.model import SimpleLSTM
from lstmlab.runs import Run
from lstmlab.train import History
from lstmlab.windows import scale_series, window_splits


def make_run(values: np.ndarray, targets=(0,), window=6, horizon=1, seed=0, transform=Transform.LEVELS):
    """An untrained run over ``values`` (T, F): enough to check the bookkeeping around the model."""
    config = WindowConfig(window=window, horizon=horizon, transform=transform)
    scaled = scale_series(values, targets, config)
    splits = window_splits(scaled, config)
    torch.manual_seed(seed)
    columns = tuple(f"c{i}" for i in range(values.shape[1]))
    model = SimpleLSTM.from_config(values.shape[1], window, horizon * len(targets), ModelConfig(h_size=4))
    run = Run.create(
        number=1, source_name="synthetic.csv", source_digest="digest", data_spec=DataSpec(features=columns),
        window_config=config, model_config=ModelConfig(h_size=4), train_config=TrainConfig(device="cpu"),
        columns=columns,
        targets=tuple(targets), scaler=scaled.scaler, model=model, history=History(),
    )
    return run, scaled, splits


def test_metrics_match_hand_computed_values():
    actual, predicted = np.array([1.0, 2.0, 4.0]), np.array([2.0, 2.0, 2.0])  # errors 1, 0, 2
    assert mae(actual, predicted) == pytest.approx(1.0)
    assert rmse(actual, predicted) == pytest.approx(math.sqrt(5 / 3))
    assert mape(actual, predicted) == (pytest.approx(50.0), 0)  # (100 + 0 + 50) / 3


def test_mape_skips_zero_actuals_and_says_how_many():
    assert mape(np.array([0.0, 2.0, 4.0]), np.array([1.0, 1.0, 1.0])) == (pytest.approx(62.5), 1)
    value, skipped = mape(np.zeros(3), np.ones(3))
    assert math.isnan(value) and skipped == 3


def test_pairs_with_a_missing_forecast_are_left_out():
    actual, predicted = np.array([1.0, 2.0, 3.0]), np.array([np.nan, 4.0, 3.0])
    assert mae(actual, predicted) == pytest.approx(1.0)
    assert rmse(actual, predicted) == pytest.approx(math.sqrt(2))


def test_mase_hand_computed_and_against_a_numpy_reference():
    # train diffs |3-1|, |2-3|, |5-2| → scale 2; MAE of [4, 6] vs [5, 5] is 1.
    assert mase(np.array([4.0, 6.0]), np.array([5.0, 5.0]), np.array([1.0, 3.0, 2.0, 5.0])) == pytest.approx(0.5)
    rng = np.random.default_rng(0)
    train, actual, predicted = rng.normal(size=50).cumsum(), rng.normal(size=20), rng.normal(size=20)
    for m in (1, 4):
        reference = np.mean(np.abs(actual - predicted)) / np.mean([abs(train[t] - train[t - m]) for t in range(m, 50)])
        assert mase(actual, predicted, train, m) == pytest.approx(reference)
    assert math.isnan(mase(actual, predicted, np.ones(10)))  # constant training data: no scale
    assert math.isnan(naive_scale(np.ones(1)))


def test_naive_is_the_last_value_of_each_window():
    values = np.arange(10.0)[:, None] * 10  # (T, 1): 0, 10, ..., 90
    np.testing.assert_array_equal(naive_forecast(values, np.array([3, 5]), 2)[..., 0], [[20, 20], [40, 40]])
    np.testing.assert_array_equal(target_steps(values, np.array([3, 5]), 2)[..., 0], [[30, 40], [50, 60]])


def test_naive_equals_the_unscaled_windows_last_target_value():
    rng = np.random.default_rng(1)
    values = rng.normal(size=(80, 3)).astype(np.float32) * 5 + 20
    _, scaled, splits = make_run(values, targets=(2, 0), window=5, horizon=3)
    for split in splits.values():
        from_windows = scaled.scaler.inverse(split.x[:, -1, [2, 0]].numpy().astype(np.float64), (2, 0))  # (N, K)
        naive = naive_forecast(values.astype(np.float64)[:, [2, 0]], split.target_rows, 3)
        np.testing.assert_allclose(naive[:, 0], from_windows, rtol=1e-5)
        np.testing.assert_array_equal(naive[:, 0], naive[:, 2])


def test_seasonal_naive_hand_built():
    values = (100 + np.arange(12.0))[:, None]
    # season 3 from row 4: steps 0..4 look back 3, 3, 3, 6, 6 rows → rows 1, 2, 3, 1, 2
    got = seasonal_naive_forecast(values, np.array([4]), horizon=5, season=3)[0, :, 0]
    np.testing.assert_array_equal(got, [101, 102, 103, 101, 102])
    # before the series starts: NaN
    got = seasonal_naive_forecast(values, np.array([1]), horizon=3, season=3)[0, :, 0]
    np.testing.assert_array_equal(np.isnan(got), [True, True, False])
    assert got[2] == 100


def test_seasonal_naive_reads_before_the_window_and_is_exact_on_a_periodic_series():
    t = np.arange(120)
    values = np.stack([np.sin(2 * np.pi * t / 12), t % 5], axis=1)  # period 12, window 4 < season
    run, _, splits = make_run(values.astype(np.float32), window=4, horizon=2)
    table = evaluate_run(run, values, splits, season=12)
    seasonal = table[table.forecast == "seasonal naive (m=12)"]
    assert len(seasonal) == 3 and np.allclose(seasonal.MAE, 0, atol=1e-6)
    assert (table[table.forecast == "naive"].MAE > 0.1).all()


@pytest.mark.parametrize(
    ("frequency", "season"),
    [
        ("MS", 12),
        ("M", 12),
        ("ME", 12),
        ("D", 7),
        ("h", 24),
        ("H", 24),
        ("2h", 12),
        ("W-SUN", 52),
        ("QS-OCT", 4),
        ("B", 5),
        ("15min", 4),
        (None, None),
        ("YS", None),
        ("3D", None),
    ],
)
def test_season_from_frequency(frequency, season):
    assert season_from_frequency(frequency) == season


def test_season_from_autocorrelation_finds_the_period_through_a_trend():
    rng = np.random.default_rng(0)
    t = np.arange(300)
    assert season_from_autocorrelation(0.05 * t + np.sin(2 * np.pi * t / 17) + 0.1 * rng.normal(size=300)) == 17
    assert season_from_autocorrelation(rng.normal(size=300)) == 2  # no peak: the minimum
    assert season_from_autocorrelation(np.ones(50)) == 2


def test_detect_season_prefers_the_time_axis():
    time = pd.date_range("2000-01-01", periods=60, freq="MS")
    noise = np.random.default_rng(0).normal(size=60)
    assert detect_season(None, noise, time) == 12  # frequency inferred from the dates
    assert detect_season("h", noise) == 24
    t = np.arange(200)
    assert detect_season(None, np.sin(2 * np.pi * t / 9), pd.RangeIndex(200)) == 9


def test_evaluate_run_matches_a_direct_computation():
    rng = np.random.default_rng(2)
    values = (rng.normal(size=(150, 2)).cumsum(axis=0) + 50).astype(np.float32)
    run, scaled, splits = make_run(values, targets=(1,), window=6, horizon=2)
    table = evaluate_run(run, values, splits, season=4)
    assert list(table.split) == ["train"] * 4 + ["validation"] * 4 + ["test"] * 4
    assert list(table.forecast[:4]) == ["model", "naive", "drift", "seasonal naive (m=4)"]
    # the model row, computed independently: scale by hand, run the module, undo by hand
    test = splits["test"]
    with torch.no_grad():
        out = run.model(test.x).reshape(len(test), 2).numpy().astype(np.float64)  # (N, H)
    predicted = out * scaled.scaler.scale[1] + scaled.scaler.shift[1]
    actual = np.stack([values[test.target_rows + s, 1] for s in range(2)], axis=1).astype(np.float64)
    n_train = 150 - round(150 * 0.15) - round(150 * 0.15)
    scale = np.mean(np.abs(np.diff(values[:n_train, 1].astype(np.float64))))
    row = table[(table.split == "test") & (table.forecast == "model")].iloc[0]
    assert row.windows == len(test)
    assert row["MAE"] == pytest.approx(np.mean(np.abs(actual - predicted)), rel=1e-5)
    assert row["RMSE"] == pytest.approx(np.sqrt(np.mean((actual - predicted) ** 2)), rel=1e-5)
    assert row["MASE"] == pytest.approx(np.mean(np.abs(actual - predicted)) / scale, rel=1e-5)
    naive = table[(table.split == "test") & (table.forecast == "naive")].iloc[0]
    last = values[test.target_rows - 1, 1].astype(np.float64)[:, None]
    assert naive["MAE"] == pytest.approx(np.mean(np.abs(actual - last)))
    # drift: the last value plus the training split's mean change per step, times the steps ahead
    train = values[:n_train, 1].astype(np.float64)
    slope = (train[-1] - train[0]) / (n_train - 1)
    drift = table[(table.split == "test") & (table.forecast == "drift")].iloc[0]
    assert drift["MAE"] == pytest.approx(np.mean(np.abs(actual - (last + slope * np.array([1.0, 2.0])))))


def test_model_predictions_and_the_download_table():
    values = np.random.default_rng(3).normal(size=(90, 2)).astype(np.float32)
    run, _, splits = make_run(values, targets=(0, 1), window=5, horizon=3)
    predictions = model_predictions(run, splits)
    assert predictions["test"].shape == (len(splits["test"]), 3, 2)
    from lstmlab.metrics import forecasts

    table = forecasts(run, values, splits, 6, predictions)
    time = pd.date_range("2020-01-01", periods=90, freq="D")
    frame = predictions_table(table, splits, time, ("c0", "c1"))
    assert len(frame) == sum(len(s) for s in splits.values()) * 3 * 2
    first_test = frame[frame.split == "test"].iloc[0]
    row = splits["test"].target_rows[0]
    assert first_test.time == time[row] and first_test.origin == time[row - 1]
    assert first_test.actual == pytest.approx(values[row, 0]) and first_test.step == 1
    assert first_test.model == pytest.approx(predictions["test"][0, 0, 0])
    # the page scores the table it already made: the same metrics as evaluate_run making its own
    for k in (0, 1):
        pd.testing.assert_frame_equal(
            evaluate_run(run, values, splits, 6, target=k, table=table), evaluate_run(run, values, splits, 6, target=k)
        )


def test_verdict_names_the_best_baseline():
    metrics = pd.DataFrame(
        {"split": ["test"] * 3, "forecast": ["model", "naive", "seasonal naive (m=7)"], "MAE": [2.0, 3.0, 2.5]}
    )
    assert verdict(metrics) == (True, "Test MAE: model 2, best baseline 2.5: the model beats every baseline.")
    metrics.loc[0, "MAE"] = 2.7
    assert verdict(metrics)[0] is False
    assert verdict(metrics, "validation") is None


def _origins_by_walking(count: int, horizon: int, most: int, shown: int) -> tuple[list[int], list[int]]:
    """The first picks found by walking back over the offered windows, keeping each a horizon or more back."""
    every = max(1, count // most)
    options = [n for n in range(count) if n % every == 0]
    picks = options[-1:]
    for option in reversed(options):
        if len(picks) < shown and picks[-1] - option >= horizon:
            picks.append(option)
    return options, picks[::-1]


@pytest.mark.parametrize("count", [0, 1, 7, 40, 399, 400, 401, 1_000, 12_345])
@pytest.mark.parametrize("horizon", [1, 2, 3, 24])
def test_forecast_origins_against_a_walk(count, horizon):
    options, picks = forecast_origins(count, horizon)
    assert (options, picks) == _origins_by_walking(count, horizon, 400, 3)
    assert len(options) <= 2 * 400 and all(0 <= n < count for n in options)


def test_default_season_is_kept_below_the_length():
    monthly = pd.date_range("2020-01-01", periods=6, freq="MS")
    values = np.arange(6.0)
    assert detect_season("MS", values, monthly) == 12
    assert default_season("MS", values, monthly, length=6) == 5  # a season of 12 has no past in 6 rows
    assert default_season("MS", values, monthly, length=40) == 12
    assert default_season(None, values, None, length=1) == 1
