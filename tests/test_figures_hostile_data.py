"""The Data and Windows figures draw hostile column names and time labels as text: no tag or hover field from a
name reaches Plotly, every name reads back (entities decoded, as Plotly.js does) as the visible name, and the
figure keeps its traces, one bar per column and one tick per feature."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from lstmlab.figures import data as fd
from lstmlab.figures import windows as fw
from lstmlab.figures.common import distinct
from lstmlab.prepare import PreparedSeries
from lstmlab.safetext import visible
from tests.hostile import HOSTILE_NAMES
from tests.hostile_checks import plotly_markup

TIME = pd.date_range("2000-01-01", periods=40, freq="MS")


def plain(n: int) -> list[str]:
    return [f"c{k}" for k in range(n)]


def series_of(names: Sequence[str]) -> PreparedSeries:
    rng = np.random.default_rng(0)
    values = rng.normal(size=(len(TIME), len(names))).astype(np.float32)  # (T, F)
    return PreparedSeries(values=values, columns=tuple(names), targets=(0,), time=TIME)


def shown(texts: Sequence[str]) -> list[str]:
    return [html.unescape(t) for t in texts]


def test_the_hostile_names_differ_and_some_look_the_same_once_visible():
    assert len(set(HOSTILE_NAMES)) == len(HOSTILE_NAMES)
    assert len({visible(n) for n in HOSTILE_NAMES}) < len(HOSTILE_NAMES)  # what distinct() is for


@pytest.mark.parametrize("count", [4, len(HOSTILE_NAMES)], ids=["stacked panels", "one normalised panel"])
def test_series_lines_name_their_columns_as_text(count: int):
    names = HOSTILE_NAMES[:count]
    fig = fd.plot_series(series_of(names), names)
    assert plotly_markup(fig) == plotly_markup(fd.plot_series(series_of(plain(count)), plain(count)))
    assert len(fig.data) == count
    assert shown([t.name for t in fig.data]) == [visible(n) for n in names]
    assert all(t.hovertemplate.startswith(t.name + ": %{") for t in fig.data)  # the name, then the value
    if count <= fd.MAX_PANELS:
        titles = [fig.layout[f"yaxis{k + 1 if k else ''}"].title.text for k in range(count)]
        assert shown(titles) == [visible(n) for n in names]


def test_missing_bars_keep_one_bar_per_column_whatever_the_names_look_like():
    counts = pd.Series(np.arange(len(HOSTILE_NAMES)), index=HOSTILE_NAMES)
    fig = fd.plot_missing(counts)
    assert plotly_markup(fig) == plotly_markup(fd.plot_missing(pd.Series(counts.to_numpy(), index=plain(len(counts)))))
    bars = fig.data[0]
    assert len(fig.data) == 1 and list(bars.y) == list(range(len(HOSTILE_NAMES)))
    assert len(set(bars.x)) == len(HOSTILE_NAMES)  # names that look alike once shortened are still two bars
    assert shown(bars.x) == distinct([visible(n) for n in HOSTILE_NAMES])
    assert list(fig.layout.xaxis.ticktext) == list(bars.x)
    assert fig.layout.height < 280 + 7 * 200  # a 10,000-character name is shortened before it sizes the chart


def test_window_on_series_names_its_column_as_text():
    for name in HOSTILE_NAMES:
        fig = fw.plot_window_on_series(TIME, np.arange(40.0), name, 10, 6, 2, {"train": (0, 30), "test": (30, 40)})
        plain_fig = fw.plot_window_on_series(TIME, np.arange(40.0), "c", 10, 6, 2, {"train": (0, 30), "test": (30, 40)})
        assert plotly_markup(fig) == plotly_markup(plain_fig)
        assert len(fig.data) == 3 and html.unescape(fig.data[0].name) == visible(name)


def test_window_grid_names_features_and_time_labels_as_text():
    names, window = HOSTILE_NAMES, 6
    scaled = np.linspace(-1, 1, window * len(names)).reshape(window, len(names))  # (W, F)
    steps = HOSTILE_NAMES[-window:]  # row labels that are not dates: drawn as given
    fig = fw.plot_window_grid(scaled, scaled * 10, names, steps)
    plain_grid = fw.plot_window_grid(scaled, scaled * 10, plain(len(names)), plain(window))
    assert plotly_markup(fig) == plotly_markup(plain_grid)
    heatmap = fig.data[0]
    assert len(fig.data) == 1 and np.asarray(heatmap.z).shape == (len(names), window)
    assert shown(fig.layout.yaxis.ticktext) == [visible(n) for n in names]
    custom = np.asarray(heatmap.customdata)  # (F, W, 2): the step's label and the feature's name
    assert shown(custom[:, 0, 1]) == [visible(n) for n in names]
    assert shown(custom[0, :, 0]) == [visible(s) for s in steps]


def test_batch_cube_and_slices_name_features_as_text():
    names = HOSTILE_NAMES
    batch = np.random.default_rng(1).normal(size=(3, 5, len(names)))  # (B, W, F)
    cube = fw.plot_batch_cube(batch, names, 7)
    assert plotly_markup(cube) == plotly_markup(fw.plot_batch_cube(batch, plain(len(names)), 7))
    assert len(cube.data) == 1 and len(cube.data[0].x) == batch.size
    assert shown(cube.layout.scene.yaxis.ticktext) == [visible(n) for n in names]
    assert set(shown(cube.data[0].customdata)) == {visible(n) for n in names}
    for k, name in enumerate(names):
        slices = fw.plot_batch_slices(batch, name, k, 7)
        assert plotly_markup(slices) == plotly_markup(fw.plot_batch_slices(batch, "c", k, 7))
        assert len(slices.data) == 1 and html.unescape(slices.layout.title.text) == f"X[:, :, '{visible(name)}']"


def test_window_transform_titles_its_column_as_text():
    for name in HOSTILE_NAMES:
        fig = fw.plot_window_transform(TIME[:8], np.arange(8.0), np.arange(8.0) / 10, 6, name, "levels")
        plain_fig = fw.plot_window_transform(TIME[:8], np.arange(8.0), np.arange(8.0) / 10, 6, "c", "levels")
        assert plotly_markup(fig) == plotly_markup(plain_fig)
        assert len(fig.data) == 4
        assert html.unescape(fig.layout.annotations[0].text) == f"{visible(name)} in the data"
