"""Window settings that follow the data, checked with the app's own splitting and windowing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmlab.config import Scaling, WindowConfig
from lstmlab.window_fit import (
    HANDFUL,
    SHARES,
    default_window_config,
    fit_window_config,
    required_splits,
    settings_for_series,
)
from lstmlab.windows import scale_series, window_splits


def app_windows(length: int, config: WindowConfig) -> dict[str, int] | None:
    """Windows per split as the app makes them (None when the app refuses the splits)."""
    values = np.arange(length, dtype=np.float32)[:, None]  # (T, 1)
    try:
        scaled = scale_series(values, [0], config)
    except ValueError:  # an empty training split
        return None
    return {name: len(split) for name, split in window_splits(scaled, config).items()}


def every_split_has_windows(length: int, config: WindowConfig) -> bool:
    counts = app_windows(length, config)
    wanted = ["train"] + [n for n, f in (("validation", config.val_fraction), ("test", config.test_fraction)) if f > 0]
    return counts is not None and all(counts[name] > 0 for name in wanted)


def any_settings_work(length: int, config: WindowConfig) -> bool:
    """Brute force: some window and horizon leave every split windows (checked up to 6 of each)."""
    top = min(length, 6)  # windows only shrink as window and horizon grow: small ones decide
    return any(
        every_split_has_windows(length, replace(config, window=w, horizon=h))
        for w in range(1, top + 1)
        for h in range(1, top + 1 - w + 1)
    )


requests = st.builds(
    WindowConfig,
    window=st.integers(1, 120),
    horizon=st.integers(1, 24),
    stride=st.integers(1, 3),
    val_fraction=st.sampled_from(SHARES),
    test_fraction=st.sampled_from(SHARES),
    scaling=st.sampled_from(list(Scaling)),
)
seasons = st.sampled_from([None, 4, 7, 12, 24, 52])


@settings(max_examples=150, deadline=None)
@given(length=st.integers(2, 90), requested=requests, season=seasons)
def test_fitted_settings_leave_every_split_windows(length, requested, season):
    fit = fit_window_config(length, requested, season)
    possible = any_settings_work(length, requested)
    assert fit.too_short == (not possible)
    assert every_split_has_windows(length, fit.config)  # the offer works too when the series is too short
    assert fit.windows == app_windows(length, fit.config)
    if possible:
        kept = ("stride", "val_fraction", "test_fraction", "scaling")
        assert all(getattr(fit.config, k) == getattr(requested, k) for k in kept)
        assert fit.config.window <= requested.window and fit.config.horizon <= requested.horizon
        if every_split_has_windows(length, requested):
            assert fit.config == requested and fit.message == ""
        else:
            assert fit.message.startswith(f"Window {requested.window} and horizon {requested.horizon} leave")
    else:
        assert "too short" in fit.message and f"window {fit.config.window}" in fit.message


@settings(max_examples=150, deadline=None)
@given(length=st.integers(2, 400), base=requests, season=seasons)
def test_default_settings_leave_a_handful_where_they_can(length, base, season):
    base = replace(base, horizon=1)
    fit = default_window_config(length, season, base)
    assert fit.too_short == (not every_split_has_windows(length, replace(base, window=1)))
    assert every_split_has_windows(length, fit.config)
    if fit.too_short:
        return
    counts = app_windows(length, fit.config)
    fewest = min(counts[name] for name in required_splits(base))
    handful_possible = (
        min(app_windows(length, replace(base, window=1))[name] for name in required_splits(base)) >= HANDFUL
    )
    assert fewest >= HANDFUL or not handful_possible


def test_lowered_window_is_the_largest_that_leaves_a_handful():
    # 240 monthly rows: the 36-row validation and test splits take a window of at most 31 for 5 windows.
    fit = fit_window_config(240, WindowConfig(window=52, horizon=1), season=None)
    assert fit.config.window == 31 and fit.windows == {"train": 137, "validation": 5, "test": 5}
    assert app_windows(240, replace(fit.config, window=32))["test"] == HANDFUL - 1  # one more step: too few
    seasonal = fit_window_config(240, WindowConfig(window=52, horizon=1), season=12)
    assert seasonal.config.window == 24  # whole seasons: two of 12
    assert seasonal.message == (
        "Window 52 and horizon 1 leave the validation split of this 240-row series no windows: it has 36 rows and "
        "one window needs window + horizon = 53. Lowered to window 24, which leaves 144 train, 12 validation, "
        "12 test window(s)."
    )


@pytest.mark.parametrize(
    "length, season, window",
    [
        (144, 12, 12),  # airline: two seasons (24) leave the 22-row test split no windows
        (203, 4, 8),  # quarterly macro data: two seasons
        (2284, 52, 52),  # weekly CO2: two seasons (104) are over the cap, one season fits
        (3650, 7, 14),  # daily: two weeks
        (43824, 24, 48),  # hourly: two days
        (309, None, 12),  # yearly, no season: the app's default window
        (100, None, 10),  # Nile: 12 would leave 3 test windows
        (55, 4, 3),  # a 55-row quarterly series: 5 test windows
    ],
)
def test_default_windows_for_real_sizes(length, season, window):
    fit = default_window_config(length, season)
    assert fit.config.window == window and not fit.too_short
    assert min(fit.windows.values()) >= HANDFUL
    assert f"Window {window} (" in fit.message and f"{fit.windows['test']:,} test windows" in fit.message


def test_a_series_too_short_for_the_splits_is_offered_settings_that_work():
    fit = fit_window_config(8, WindowConfig(window=12), season=None)
    assert fit.too_short and (fit.config.val_fraction, fit.config.test_fraction) == (0.2, 0.2)
    assert every_split_has_windows(8, fit.config) and fit.config.window == 1
    assert fit.message.startswith("This series is too short for these splits: with 15% validation and 15% test")
    assert fit.message.endswith("The largest settings that work: validation 20%, test 20%, window 1, horizon 1.")


def test_settings_for_series_reads_the_season_from_the_time_axis():
    quarterly = pd.date_range("1959-01-01", periods=203, freq="QS")
    fresh = settings_for_series(203, quarterly)
    assert fresh.config.window == 8 and fresh.message.startswith("Window 8 (two seasons of 4 steps)")
    remembered = settings_for_series(51, quarterly[:51], WindowConfig(window=52))
    assert remembered.config.window == 3 and remembered.windows["test"] == HANDFUL  # 4 would leave 4 test windows
    assert remembered == fit_window_config(51, WindowConfig(window=52), season=4)
    assert remembered.message.startswith("Window 52 and horizon 1 leave the train split of this 51-row series")
    assert settings_for_series(100, pd.RangeIndex(100)) == default_window_config(100, None)
