"""The Compare page's figures: the gradient reach per run, the sweep's MASE against the window, one window's runs."""

import html

import numpy as np
import pandas as pd
import pytest

from lstmlab.figures.compare import curves_figure, reach_figure, sweep_figure, window_predictions_figure
from lstmlab.safetext import visible
from tests.hostile import HOSTILE_NAMES
from tests.hostile_checks import plotly_markup, plotly_strings


def test_reach_figure_draws_each_run_relative_to_its_last_step():
    table = pd.DataFrame({"run": ["run 1"] * 3 + ["run 2"] * 3, "cell": ["LSTM"] * 3 + ["RNN"] * 3,
                          "steps back": [0, 1, 2] * 2,
                          "relative to the last step": [1.0, 0.5, 0.25, 1.0, 0.1, 0.0]})
    fig = reach_figure(table)
    assert [t.name for t in fig.data] == ["run 1 (LSTM)", "run 2 (RNN)"]
    np.testing.assert_array_equal(fig.data[0].y, [1.0, 0.5, 0.25])
    assert np.isnan(fig.data[1].y[2])  # a zero has no place on a log axis
    assert fig.layout.yaxis.type == "log"


def test_sweep_figure_draws_the_model_per_hidden_size_and_the_baselines_per_split():
    table = pd.DataFrame({
        "window": [4, 8, 12, 4, 8], "hidden": [8, 8, 8, 16, 16],
        "status": ["done", "diverged", "skipped", "done", "done"],
        "model val MASE": [0.9, 5.0, np.nan, 0.8, 0.7], "model test MASE": [1.1, 6.0, np.nan, 1.0, 0.9],
        "naive val MASE": [1.2, 1.3, np.nan, 1.2, 1.3], "naive test MASE": [1.4, 1.5, np.nan, 1.4, 1.5],
        "seasonal naive val MASE": [0.6, 0.6, np.nan, 0.6, 0.6],
        "seasonal naive test MASE": [0.7, 0.7, np.nan, 0.7, 0.7],
    })  # fmt: skip
    fig = sweep_figure(table)
    names = [t.name for t in fig.data]
    assert names == ["naive", "seasonal naive", "model, H=8", "model, H=16"] * 2  # validation, then test
    h8_val, h8_test = fig.data[2], fig.data[6]
    assert list(h8_val.x) == [4, 8]  # the skipped window 12 has no point
    assert list(h8_val.y) == [0.9, 5.0] and list(h8_test.y) == [1.1, 6.0]
    assert list(h8_val.marker.symbol) == ["circle", "x"]  # the diverged run is marked
    assert list(fig.data[0].x) == [4, 8] and list(fig.data[0].y) == [1.2, 1.3]


def test_curves_and_window_figures_hold_every_run():
    fig = curves_figure({"run 1": ([1.0, 0.5], [1.2, 0.6]), "run 2": ([2.0, 1.0, 0.5], [])})
    assert [t.name for t in fig.data] == ["run 1 · train", "run 1 · validation", "run 2 · train"]
    fig = window_predictions_figure(["a", "b"], np.array([1.0, 2.0]), ["c"], np.array([3.0]),
                                    {"run 1 (LSTM)": np.array([2.5]), "run 2 (GRU)": np.array([3.5])}, "passengers")
    assert [t.name for t in fig.data] == ["window (input)", "actual", "run 1 (LSTM)", "run 2 (GRU)"]
    assert list(fig.data[3].y) == pytest.approx([3.5])


def assert_no_markup(fig) -> None:
    """No text of the figure holds a tag Plotly.js would draw (``<a href>``, ``<b>``) or a hover field reference."""
    assert plotly_strings(fig.to_plotly_json()), "the figure holds no text at all"
    assert plotly_markup(fig) == set()


def test_compare_figures_show_hostile_names_as_written():
    names = [f"{name} #{k}" for k, name in enumerate(HOSTILE_NAMES)]  # distinct keys, even once shortened
    fig = curves_figure({name: ([1.0, 0.5], [1.2, 0.6]) for name in names})
    assert_no_markup(fig)
    shown = [html.unescape(t.name) for t in fig.data]
    assert shown == [f"{visible(name)} · {split}" for name in names for split in ("train", "validation")]

    table = pd.DataFrame({"run": names, "cell": "GRU", "steps back": 0, "relative to the last step": 1.0})
    fig = reach_figure(table)
    assert_no_markup(fig)
    assert [html.unescape(t.name) for t in fig.data] == [f"{visible(name)} (GRU)" for name in names]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_one_window_figure_shows_hostile_labels_runs_and_unit_as_written(name: str):
    """Time labels (categories on the x axis) may be any text of the file's time column; the unit is the target."""
    labels, ahead = [name, f"{name}!"], [f"<b>{name}</b>"]
    fig = window_predictions_figure(labels, np.array([1.0, 2.0]), ahead, np.array([3.0]),
                                    {name: np.array([2.5])}, name)
    assert_no_markup(fig)
    assert [html.unescape(x) for x in fig.data[0].x] == [visible(t) for t in labels]
    assert [html.unescape(x) for x in fig.data[2].x] == [visible(t) for t in ahead]
    assert html.unescape(fig.data[2].name) == visible(name)
    assert html.unescape(fig.layout.yaxis.title.text or "") == visible(name)
