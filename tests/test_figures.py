"""lstmlab.figures.common: which rows a long series keeps for display."""

from __future__ import annotations

import numpy as np
import pytest
from tsdownsample import MinMaxLTTBDownsampler

from lstmlab.figures.common import MAX_POINTS, downsample_index, is_downsampled


def test_a_short_series_keeps_every_row():
    np.testing.assert_array_equal(downsample_index(np.arange(50.0), n_out=100), np.arange(50))
    assert not is_downsampled(MAX_POINTS) and is_downsampled(MAX_POINTS + 1)


def test_a_long_series_is_minmaxlttb_plus_its_extremes():
    values = np.random.default_rng(0).normal(size=200_000).cumsum().astype(np.float32)
    values[123_457] = 500.0  # a spike MinMaxLTTB must not lose
    got = downsample_index(values, n_out=1_000)
    reference = MinMaxLTTBDownsampler().downsample(values.astype(np.float64), n_out=998)
    assert len(got) <= 1_000 and np.all(np.diff(got) > 0)
    assert set(reference) <= set(got) and set(got) - set(reference) <= {int(values.argmin()), int(values.argmax())}
    assert 123_457 in got and int(values.argmin()) in got


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_gaps_do_not_decide_the_points(bad):
    values = np.sin(np.linspace(0, 20, 50_000))
    values[::7] = bad
    column = np.stack([values, values], axis=1)[:, 0]  # a strided view, as a column of a table is
    assert not column.flags.c_contiguous
    got = downsample_index(column, n_out=500)
    finite = np.isfinite(values)
    assert len(got) <= 500 and np.all(np.diff(got) > 0)
    # the gaps are filled with the mean of the finite values for the choice only: the extremes are real ones
    assert int(np.argmax(np.where(finite, values, -2))) in got and int(np.argmin(np.where(finite, values, 2))) in got


def test_all_gaps_still_gives_rows():
    got = downsample_index(np.full(20_000, np.nan), n_out=100)
    assert 0 < len(got) <= 100 and got.max() < 20_000
