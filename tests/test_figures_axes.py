"""lstmlab.figures.axes: time resolution, tick spacing, when value labels fit, the explanation note."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from lstmlab.figures import axes


@pytest.mark.parametrize(("freq", "word"), [("YS", "year"), ("QS", "month"), ("MS", "month"), ("W", "day"),
                                            ("D", "day"), ("h", "hour"), ("15min", "minute"), ("s", "second")])
def test_time_resolution(freq, word):
    stamps = pd.date_range("1958-01-01", periods=30, freq=freq)
    assert axes.time_resolution(stamps) == word
    assert axes.time_resolution(stamps.values) == word  # numpy datetime64, as the Predictions page passes
    assert axes.time_resolution([str(t) for t in stamps]) == word  # "1958-01-01 00:00:00" strings


def test_daily_steps_at_noon_keep_their_hours():
    assert axes.time_resolution(pd.date_range("2020-01-01 12:00", periods=5, freq="D")) == "hour"


def test_rows_and_names_are_not_times():
    assert axes.time_resolution(pd.RangeIndex(10)) is None
    assert axes.time_resolution(pd.Index(["a", "b"])) is None
    assert axes.time_labels(range(3)) == ["0", "1", "2"]


def test_time_labels_drop_midnight():
    stamps = [str(t) for t in pd.date_range("1958-03-29", periods=3, freq="D")]
    assert axes.time_labels(stamps) == ["1958-03-29", "1958-03-30", "1958-03-31"]
    assert axes.time_labels(pd.date_range("1949-01", periods=2, freq="MS")) == ["Jan 1949", "Feb 1949"]


@pytest.mark.parametrize("n", [1, 4, 12, 52, 200, 5000])
def test_step_ticks_fit_and_are_evenly_spaced(n):
    ticks = axes.step_ticks([str(k) for k in range(n)])
    vals = ticks["tickvals"]
    assert vals[0] == 0 and len(set(np.diff(vals))) <= 1 and vals[-1] < n
    assert len(vals) * axes.CHAR_PX * (len(str(n - 1)) + 2) <= axes.ASSUMED_WIDTH
    if n <= 12:
        assert vals == list(range(n))  # short windows name every step


def test_labels_fit_only_in_wide_cells():
    texts = np.array([["432.1"] * 4])
    assert axes.labels_fit(4, texts, 30)
    assert not axes.labels_fit(52, np.array([["432.1"] * 52]), 30)
    assert not axes.labels_fit(4, texts, 10)  # rows too short for 10 px text


def test_value_text_is_short():
    assert [axes.value_text(v) for v in (1021.0, 11.79, 43824.0, 0.00123, -21.0)] == [
        "1021", "11.79", "43824", "0.00123", "-21"]


def test_colorbar_ticks_follow_its_length():
    assert axes.colorbar("x", 400)["nticks"] == 8
    assert axes.colorbar("x", 400, len=0.3)["nticks"] == 3 and axes.colorbar("x", 400, len=0.3)["len"] == 0.3


def test_explain_adds_a_named_note_and_room_for_it():
    fig = go.Figure().update_layout(height=300, margin=dict(t=40))
    axes.explain(fig, "word " * 60)
    note = fig.layout.annotations[0]
    lines = note.text.count("<br>") + 1
    assert lines >= 3 and axes.explanations(fig) == [note.text]
    assert fig.layout.margin.t == 40 + 6 + 20 * lines and fig.layout.height == 300 + 6 + 20 * lines
