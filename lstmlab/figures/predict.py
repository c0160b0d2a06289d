"""Figures for the Predictions page: predicted vs actual, residuals, and the multi-step fan.

They take ``lstmlab.metrics.forecasts`` output (per split: actual, model, naive, seasonal naive, each
(N, H, K) in original units) with the splits' windows, and plot one target ``k`` at one step ahead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lstmlab.explain import time_label
from lstmlab.figures.axes import date_axis
from lstmlab.figures.common import base_layout, downsample_index
from lstmlab.safetext import plot_text
from lstmlab.windows import SplitWindows

SPLIT_COLOURS = {"train": "#1f77b4", "validation": "#ff7f0e", "test": "#2ca02c"}
ACTUAL_COLOUR = "#555555"
DRIFT_COLOUR = "#8c564b"  # the drift baseline, dotted

Forecasts = dict[str, dict[str, np.ndarray]]


def _layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    """The common layout, with room between the title and the legend above the plot."""
    base_layout(fig, title, height)
    return fig.update_layout(margin=dict(t=75), title=dict(y=0.98, yanchor="top"), legend=dict(y=1.01))


def _line(x: np.ndarray, y: np.ndarray, name: str, colour: str) -> go.Scatter:
    keep = downsample_index(y)  # ≤ 10,000 points per trace
    return go.Scatter(x=x[keep], y=y[keep], name=name, mode="lines", line=dict(color=colour, width=1.4))


def _at_step(table: Forecasts, splits: dict[str, SplitWindows], k: int, step: int, key: str):
    """Per split: (rows the step-``step`` forecasts are for, their ``key`` values for target k)."""
    return {s: (splits[s].target_rows + step - 1, f[key][:, step - 1, k]) for s, f in table.items() if len(splits[s])}


def split_span(x: np.ndarray, bounds: dict[str, tuple[int, int]], split: str = "test") -> list | None:
    """The time span of one split's rows ``bounds[split]`` on the axis ``x`` (T,), as an x-axis range: ISO
    text for time stamps, numbers otherwise. None when the split has no rows."""
    start, stop = bounds.get(split, (0, 0))
    if stop <= start:
        return None
    x = np.asarray(x)
    ends = x[start], x[stop - 1]
    if np.issubdtype(x.dtype, np.datetime64) or isinstance(ends[0], pd.Timestamp):
        return [pd.Timestamp(v).isoformat(sep=" ") for v in ends]
    return [float(v) for v in ends] if np.issubdtype(x.dtype, np.number) else list(ends)


def predictions_figure(
    x: np.ndarray,
    actual: np.ndarray,
    table: Forecasts,
    splits: dict[str, SplitWindows],
    k: int = 0,
    step: int = 1,
    name: str = "",
    x_range: list | None = None,
) -> go.Figure:
    """The actual series (T,) on the time axis ``x`` (T,), the model's forecasts coloured by split, and the drift
    baseline's on the test split (dotted).

    ``x_range`` (``split_span``) opens the chart zoomed there; double-click shows the whole series. ``name``, the
    target's name as in the file, is shown as written (in every figure here).
    """
    x, name = np.asarray(x), plot_text(name)
    fig = go.Figure([_line(x, np.asarray(actual, dtype=np.float64), "actual", ACTUAL_COLOUR)])
    for split, (rows, values) in _at_step(table, splits, k, step, "model").items():
        fig.add_trace(_line(x[rows], values, f"model · {split}", SPLIT_COLOURS.get(split, "#9467bd")))
    drift = _at_step(table, splits, k, step, "drift") if all("drift" in f for f in table.values()) else {}
    if "test" in drift:  # the baseline a forecaster tries first, where the model is judged
        rows, values = drift["test"]
        fig.add_trace(_line(x[rows], values, "drift · test", DRIFT_COLOUR).update(line_dash="dot"))
    fig.update_yaxes(title_text=name or None)
    ahead = f"{step} steps ahead" if step > 1 else "one step ahead"
    fig = _layout(fig, f"{name}: predicted vs actual ({ahead})" if name else f"Predicted vs actual ({ahead})")
    if x_range is not None:
        fig.update_xaxes(range=x_range)
    return date_axis(fig, x)


def residuals_figure(
    x: np.ndarray, table: Forecasts, splits: dict[str, SplitWindows], k: int = 0, step: int = 1, name: str = ""
) -> go.Figure:
    """Actual minus predicted, per split, with a zero line."""
    x, fig, name = np.asarray(x), go.Figure(), plot_text(name)
    predicted = _at_step(table, splits, k, step, "model")
    for split, (rows, actual) in _at_step(table, splits, k, step, "actual").items():
        fig.add_trace(_line(x[rows], actual - predicted[split][1], split, SPLIT_COLOURS.get(split, "#9467bd")))
    fig.add_hline(y=0, line=dict(color=ACTUAL_COLOUR, width=1, dash="dot"))
    fig.update_yaxes(title_text="actual − predicted")
    return date_axis(_layout(fig, f"{name}: residuals" if name else "Residuals", height=300), x)


def fan_figure(
    x: np.ndarray,
    actual: np.ndarray,
    forecast: dict[str, np.ndarray],
    rows: np.ndarray,
    picked: list[int],
    k: int = 0,
    name: str = "",
    context: int | None = None,
) -> go.Figure:
    """Multi-step forecasts of one split's windows ``picked`` (window numbers), against the actual series.

    Each path starts from the last known value (the row before its first step), so the fan opens from
    the actual line; the seasonal naive path of the same window is drawn dotted beside it.
    """
    x, actual, name = np.asarray(x), np.asarray(actual, dtype=np.float64), plot_text(name)
    horizon = forecast["model"].shape[1]
    first = [int(rows[n]) for n in picked]
    context = max(2 * horizon, 12) if context is None else context  # steps of actual shown either side
    lo, hi = max(min(first, default=0) - context, 0), min(max(first, default=0) + horizon + context, len(actual))
    fig = go.Figure(
        [
            go.Scatter(
                x=x[lo:hi], y=actual[lo:hi], name="actual", mode="lines", line=dict(color=ACTUAL_COLOUR, width=1.4)
            )
        ]
    )
    for i, (n, row) in enumerate(zip(picked, first, strict=True)):
        span = np.arange(row - 1, row + horizon)
        for key, style, label in (
            ("model", dict(width=2), f"model from {time_label(x[row - 1])}"),
            ("seasonal naive", dict(width=1, dash="dot", color="#7f7f7f"), "seasonal naive"),
        ):
            fig.add_trace(
                go.Scatter(
                    x=x[span],
                    y=np.r_[actual[row - 1], forecast[key][n, :, k]],
                    name=label,
                    line=style,
                    mode="lines+markers" if key == "model" else "lines",
                    legendgroup=str(i),
                    showlegend=key == "model" or i == 0,
                )
            )
    title = f"{horizon}-step forecasts from chosen origins"
    return date_axis(_layout(fig, f"{name}: {title}" if name else title, height=380), x)
