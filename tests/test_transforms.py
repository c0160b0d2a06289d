"""Target transforms: exact round trips, windows against a numpy reference, and what "auto" chooses."""

import numpy as np
import pytest
import torch

from lstmlab.baselines import target_steps
from lstmlab.config import Scaling, Transform, WindowConfig
from lstmlab.transforms import choose_transform, differences, to_original
from lstmlab.windows import scale_series, split_bounds, window_splits

RELATIVE = (Transform.DIFFERENCE, Transform.WINDOW)


def trending(rows=120, features=3, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(rows)[:, None]
    return (50 + 0.8 * t + 5 * np.sin(t / 3.0) + rng.normal(size=(rows, features)) * 2).astype(np.float32)


def shares_memory(tensor: torch.Tensor, array: np.ndarray) -> bool:
    start = array.ctypes.data
    return start <= tensor.data_ptr() < start + array.nbytes


def spread_of_changes(values: np.ndarray, config: WindowConfig, column: int) -> float:
    start, stop = split_bounds(len(values), config)["train"]
    return float(np.std(np.diff(values[start:stop, column].astype(np.float64))))


@pytest.mark.parametrize("transform", RELATIVE)
@pytest.mark.parametrize("horizon", [1, 4])
def test_transform_then_inverse_gives_back_the_original_values(transform, horizon):
    values = trending()
    config = WindowConfig(window=6, horizon=horizon, transform=transform)
    scaled = scale_series(values, (2, 0), config)
    assert scaled.scaler.target_transform is transform
    for split in window_splits(scaled, config).values():
        actual = target_steps(values.astype(np.float64)[:, [2, 0]], split.target_rows, horizon)  # (N, H, K)
        back = scaled.scaler.inverse(split.y.numpy(), (2, 0), split.last)  # the model-unit targets, inverted
        np.testing.assert_allclose(back, actual, rtol=1e-5)
        # in float64 the round trip is exact to rounding: transform by hand, invert with the library
        shift, scale = scaled.scaler.shift[[2, 0]], scaled.scaler.scale[[2, 0]]
        last = values.astype(np.float64)[split.target_rows - 1][:, [2, 0]]
        if transform is Transform.WINDOW:
            forward = (actual - last[:, None, :]) / scale
        else:
            before = target_steps(values.astype(np.float64)[:, [2, 0]], split.target_rows - 1, horizon)
            forward = (actual - before) / scale
        np.testing.assert_allclose(to_original(transform, forward, last, shift, scale), actual, rtol=1e-12)


def test_levels_round_trip_needs_no_last_value():
    values = trending()
    config = WindowConfig(window=6, transform=Transform.LEVELS)
    scaled = scale_series(values, (1,), config)
    split = window_splits(scaled, config)["test"]
    back = scaled.scaler.inverse(split.y.numpy(), (1,))
    np.testing.assert_allclose(back[:, 0, 0], values[split.target_rows, 1], rtol=1e-5)


def test_window_relative_windows_match_a_numpy_reference():
    values = trending()
    config = WindowConfig(window=5, horizon=3, transform=Transform.WINDOW, scaling=Scaling.MINMAX)
    scaled = scale_series(values, (1,), config)
    spread = spread_of_changes(values, config, 1)
    start, stop = split_bounds(len(values), config)["train"]
    low, high = values[start:stop].min(0).astype(np.float64), values[start:stop].max(0).astype(np.float64)
    v = values.astype(np.float64)
    for split in window_splits(scaled, config).values():
        for n, row in enumerate(split.target_rows):
            window = v[row - 5 : row]  # (W, F)
            expected_x = (window - low) / (high - low)  # other columns: min-max levels
            expected_x[:, 1] = (window[:, 1] - window[-1, 1]) / spread  # the target: minus its own last value
            np.testing.assert_allclose(split.x[n].numpy(), expected_x, rtol=1e-4, atol=1e-5)
            expected_y = (v[row : row + 3, 1] - window[-1, 1]) / spread
            np.testing.assert_allclose(split.y[n, :, 0].numpy(), expected_y, rtol=1e-4, atol=1e-5)
            assert split.last[n, 0] == v[row - 1, 1]


def test_first_difference_windows_match_a_numpy_reference_and_stay_views():
    values = trending()
    config = WindowConfig(window=5, horizon=2, transform=Transform.DIFFERENCE)
    scaled = scale_series(values, (0,), config)
    spread = spread_of_changes(values, config, 0)
    v = values.astype(np.float64)
    change = np.concatenate([[0.0], np.diff(v[:, 0])]) / spread  # row 0 has nothing before it
    np.testing.assert_allclose(differences(v[:, :1])[:, 0] / spread, change)
    for split in window_splits(scaled, config).values():
        rows = split.target_rows
        expected_x = np.stack([change[r - 5 : r] for r in rows])  # (N, W)
        expected_y = np.stack([change[r : r + 2] for r in rows])  # (N, H)
        np.testing.assert_allclose(split.x[:, :, 0].numpy(), expected_x, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(split.y[:, :, 0].numpy(), expected_y, rtol=1e-4, atol=1e-5)
        assert shares_memory(split.x, scaled.values)  # windows are views of the scaled series: no N × W copy


def test_levels_windows_are_still_views():
    values = trending(rows=500)
    config = WindowConfig(window=12, transform=Transform.LEVELS)
    scaled = scale_series(values, (0,), config)
    split = window_splits(scaled, config)["train"]
    assert shares_memory(split.x, scaled.values) and not split.x.is_contiguous()


def test_auto_chooses_window_relative_for_a_trend_and_says_why():
    values = trending()
    scaled = scale_series(values, (0,), WindowConfig())
    assert scaled.scaler.target_transform is Transform.WINDOW
    assert "standard deviations" in scaled.scaler.reason


def test_auto_chooses_levels_for_a_stable_seasonal_series():
    t = np.arange(400)
    rng = np.random.default_rng(1)
    values = (10 * np.sin(2 * np.pi * t / 12) + rng.normal(size=400))[:, None].astype(np.float32)
    kind, reason = choose_transform(values, (0,), split_bounds(400, WindowConfig()))
    assert kind is Transform.LEVELS and reason.startswith("auto chose levels")


def test_auto_reads_validation_range_and_wandering_levels():
    config = WindowConfig()
    bounds = split_bounds(200, config)
    stable = np.tile([0.0, 1.0, 2.0, 1.0], 50)[:, None]
    jump = stable.copy()
    jump[bounds["validation"][0] : bounds["validation"][1]] += 5  # the validation split leaves the range
    kind, reason = choose_transform(jump, (0,), bounds)
    assert kind is Transform.WINDOW and "validation values lie outside" in reason
    # a slow cycle: halves with the same mean, a level far wider than its steps
    slow = (np.sin(2 * np.pi * np.arange(200) / 35.0) * 10)[:, None]
    kind, reason = choose_transform(slow, (0,), bounds)
    assert kind is Transform.WINDOW and "wanders" in reason
    # the test split is never read: changing it changes nothing
    other = stable.copy()
    other[bounds["test"][0] :] += 100
    assert choose_transform(other, (0,), bounds) == choose_transform(stable, (0,), bounds)


def test_auto_takes_first_differences_when_window_relative_inputs_would_copy_too_much(monkeypatch):
    import lstmlab.transforms as transforms

    values = trending(rows=200)
    bounds = split_bounds(200, WindowConfig())
    assert choose_transform(values, (0,), bounds, window=12)[0] is Transform.WINDOW
    monkeypatch.setattr(transforms, "MAX_COPY_BYTES", 4 * 200 * 12 * 3 - 1)  # one byte short of the copy
    kind, reason = choose_transform(values, (0,), bounds, window=12)
    assert kind is Transform.DIFFERENCE and reason.startswith("auto chose first differences") and "views" in reason
