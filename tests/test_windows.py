"""Windowing against numpy's sliding_window_view and hand-counted shapes."""

import numpy as np
import pytest
import torch
from numpy.lib.stride_tricks import sliding_window_view

from lstmlab.config import Scaling, WindowConfig
from lstmlab.windows import (
    Scaler,
    count_windows,
    describe_shapes,
    empty_splits,
    make_windows,
    scale_series,
    split_bounds,
    window_splits,
    window_start,
)


@pytest.fixture
def series() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32)


@pytest.mark.parametrize(("window", "horizon", "stride"), [(1, 1, 1), (5, 1, 1), (6, 3, 2), (10, 4, 3), (49, 1, 1)])
def test_make_windows_matches_sliding_window_view(series, window, horizon, stride):
    x, y = make_windows(series, window, horizon, stride, targets=(2, 0))
    n = (50 - window - horizon) // stride + 1
    reference = sliding_window_view(series, window, axis=0)[::stride][:n].transpose(0, 2, 1)  # (N, W, F)
    assert x.shape == (n, window, 3)
    np.testing.assert_array_equal(x.numpy(), reference)
    assert y.shape == (n, horizon, 2)
    for i in range(n):
        rows = slice(i * stride + window, i * stride + window + horizon)
        np.testing.assert_array_equal(y[i].numpy(), series[rows][:, [2, 0]])


def test_windows_share_memory_with_the_input(series):
    x, _ = make_windows(series, 7)
    assert np.shares_memory(x.numpy(), series)
    tensor = torch.from_numpy(series.copy())
    tx, _ = make_windows(tensor, 7)
    assert tx.untyped_storage().data_ptr() == tensor.untyped_storage().data_ptr()


def test_hand_counted_shapes():
    values = np.arange(20, dtype=np.float32).reshape(10, 2)
    x, y = make_windows(values, window=3, horizon=2, stride=2)
    # starts 0, 2, 4 (start 6 would need rows 6..10, one past the end)
    assert x.shape == (3, 3, 2) and y.shape == (3, 2, 1)
    assert x[2, :, 0].tolist() == [8.0, 10.0, 12.0]
    assert y[2, :, 0].tolist() == [14.0, 16.0]


def test_count_windows_formula():
    assert count_windows(10, 3, 2, 2) == 3
    assert count_windows(5, 5, 1, 1) == 0
    assert count_windows(6, 5, 1, 1) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(window=0), "window must be"),
        (dict(window=3, horizon=0), "horizon must be"),
        (dict(window=3, stride=0), "stride must be"),
        (dict(window=50), "longer than the series"),
        (dict(window=3, targets=(5,)), "column indices"),
        (dict(window=2.5), "whole number"),
    ],
)
def test_invalid_arguments_raise_clear_value_errors(series, kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_windows(series, **kwargs)


def test_one_dimensional_input_is_refused():
    with pytest.raises(ValueError, match="2-D"):
        make_windows(np.arange(10.0), 3)


def test_ten_million_rows_window_without_copying():
    big = np.zeros((10_000_000, 8), dtype=np.float32)
    x, _ = make_windows(big, 48)
    assert x.shape == (10_000_000 - 48, 48, 8)
    assert np.shares_memory(x.numpy(), big)


def test_scaler_is_fitted_on_training_rows_only(series):
    config = WindowConfig(window=4, val_fraction=0.2, test_fraction=0.2, scaling=Scaling.STANDARD)
    scaled = scale_series(series, (0,), config)
    train = series[:30]
    np.testing.assert_allclose(scaled.scaler.shift, train.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(scaled.scaler.scale, train.std(axis=0), rtol=1e-6)
    np.testing.assert_allclose(scaled.values[:30].mean(axis=0), 0, atol=1e-6)
    assert not np.allclose(scaled.values.mean(axis=0), 0, atol=1e-3)  # later rows were not used


def test_minmax_scaling_and_inverse(series):
    scaler = Scaler.fit(Scaling.MINMAX, series)
    scaled = scaler.transform(series)
    assert scaled.min() == pytest.approx(0) and scaled.max() == pytest.approx(1)
    np.testing.assert_allclose(scaler.inverse(scaled[:, [1]], [1]), series[:, [1]], rtol=1e-5, atol=1e-5)


def test_constant_column_is_not_divided_by_zero():
    values = np.ones((10, 2), dtype=np.float32)
    scaled = Scaler.fit(Scaling.STANDARD, values).transform(values)
    assert np.isfinite(scaled).all()


def test_splits_are_chronological_and_windowed_separately(series):
    config = WindowConfig(window=5, horizon=2, stride=1, val_fraction=0.2, test_fraction=0.2)
    assert split_bounds(50, config) == {"train": (0, 30), "validation": (30, 40), "test": (40, 50)}
    scaled = scale_series(series, (1,), config)
    splits = window_splits(scaled, config)
    assert [len(splits[s]) for s in ("train", "validation", "test")] == [24, 4, 4]
    test = splits["test"]
    assert test.target_rows.tolist() == [45, 46, 47, 48]
    np.testing.assert_array_equal(test.y[:, 0, 0].numpy(), scaled.values[test.target_rows, 1])
    shapes = describe_shapes(scaled, config)
    assert [row["X"] for row in shapes] == ["[24, 5, 3]", "[4, 5, 3]", "[4, 5, 3]"]
    assert shapes[0]["formula"] == "(30 - 5 - 2) // 1 + 1 = 24"


def test_a_split_too_short_for_a_window_is_empty(series):
    config = WindowConfig(window=12, val_fraction=0.1, test_fraction=0.1)
    splits = window_splits(scale_series(series, (0,), config), config)
    assert len(splits["validation"]) == 0 and splits["validation"].x.shape == (0, 12, 3)


def test_adjacent_targets_are_a_view_and_others_a_small_copy(series):
    _, y = make_windows(series, 5, horizon=2, targets=(1, 2))
    assert np.shares_memory(y.numpy(), series)
    _, y = make_windows(series, 5, horizon=2, targets=(2, 0))
    assert not np.shares_memory(y.numpy(), series)
    np.testing.assert_array_equal(y[0].numpy(), series[5:7][:, [2, 0]])
    _, y = make_windows(series, 5, targets=(-1,))
    np.testing.assert_array_equal(y[:, 0, 0].numpy(), series[5:, 2])


def test_window_start_is_where_the_window_sits_in_the_scaled_series(series):
    config = WindowConfig(window=9, horizon=2, stride=3)
    scaled = scale_series(series, (0,), config)
    for name, split in window_splits(scaled, config).items():
        for index in range(len(split)):
            start = window_start(split, index, config.window)
            assert scaled.bounds[name][0] <= start, name
            np.testing.assert_array_equal(split.x[index].numpy(), scaled.values[start : start + config.window])


def test_empty_splits_are_the_ones_with_rows_but_no_window(series):
    config = WindowConfig(window=40, horizon=1, val_fraction=0.15, test_fraction=0.0)
    scaled = scale_series(series, (0,), config)
    splits = window_splits(scaled, config)
    lengths = {name: stop - start for name, (start, stop) in scaled.bounds.items()}
    assert lengths["test"] == 0 and 0 < lengths["validation"] < 41  # no rows, and rows too few for a window
    assert empty_splits(scaled, splits) == ["validation"]
