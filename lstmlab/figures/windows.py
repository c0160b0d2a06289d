"""Figures of the Windows page: one window on the series, the window as a grid, a batch as a cube."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lstmlab.figures.common import base_layout

SPLIT_COLOURS = {
    "train": "rgba(31,119,180,0.07)",
    "validation": "rgba(255,127,14,0.10)",
    "test": "rgba(44,160,44,0.10)",
}
CONTEXT = 3  # windows of context drawn on each side of the highlighted one


def plot_window_on_series(
    time: pd.Index,
    values: np.ndarray,
    name: str,
    start: int,
    window: int,
    horizon: int,
    bounds: dict[str, tuple[int, int]],
) -> go.Figure:
    """The target column around window ``[start, start + window)``, its inputs shaded, its targets marked.

    Only the neighbourhood is drawn, at full resolution: a 12-step window is invisible on 40,000 rows.
    """
    lo = max(0, start - CONTEXT * window)
    hi = min(len(values), start + window + horizon + CONTEXT * window)
    t = time[lo:hi]
    fig = go.Figure(
        go.Scatter(
            x=t, y=values[lo:hi], mode="lines+markers", name=name, line=dict(color="#7f7f7f"), marker=dict(size=4)
        )
    )
    fig.add_trace(
        go.Scatter(
            x=time[start : start + window],
            y=values[start : start + window],
            mode="markers",
            name=f"window X[i] ({window} steps)",
            marker=dict(size=8, color="#1f77b4"),
        )
    )
    end = start + window
    fig.add_trace(
        go.Scatter(
            x=time[end : end + horizon],
            y=values[end : end + horizon],
            mode="markers",
            name=f"target y[i] ({horizon} step{'s' * (horizon > 1)})",
            marker=dict(size=12, color="#d62728", symbol="star"),
        )
    )
    fig.add_vrect(x0=time[start], x1=time[end - 1], fillcolor="rgba(31,119,180,0.18)", line_width=0)
    for split, (a, b) in bounds.items():
        a, b = max(a, lo), min(b, hi)
        if a < b:
            fig.add_vrect(
                x0=time[a],
                x1=time[b - 1],
                fillcolor=SPLIT_COLOURS[split],
                line_width=0,
                annotation_text=split,
                annotation_position="top left",
            )
    return base_layout(fig, height=340)


def plot_window_grid(
    scaled: np.ndarray, original: np.ndarray, columns: Sequence[str], step_labels: Sequence[str]
) -> go.Figure:
    """One window (window step × feature): colour is the scaled value the LSTM sees, text the real one."""
    # Rows are features so long windows read left to right, as time does.
    fig = go.Figure(
        go.Heatmap(
            z=scaled.T,
            x=list(step_labels),
            y=list(columns),
            colorscale="RdBu_r",
            zmid=0,
            text=np.vectorize(lambda v: f"{v:.4g}")(original.T),
            texttemplate="%{text}" if scaled.size <= 400 else None,
            hovertemplate="step %{x}<br>%{y}<br>scaled %{z:.3f}<br>value %{text}<extra></extra>",
            colorbar=dict(title="scaled"),
        )
    )
    fig.update_xaxes(title="window step t", type="category")
    return base_layout(fig, height=max(220, 28 * len(columns) + 120))


def plot_batch_cube(batch: np.ndarray, columns: Sequence[str], first_index: int) -> go.Figure:
    """A batch (B, W, F) drawn as the tutorial's cube: one marker per value, coloured by it."""
    b, w, f = batch.shape
    bi, wi, fi = np.meshgrid(np.arange(b), np.arange(w), np.arange(f), indexing="ij")
    fig = go.Figure(
        go.Scatter3d(
            x=wi.ravel(),
            y=fi.ravel(),
            z=(bi + first_index).ravel(),
            mode="markers",
            marker=dict(size=4, color=batch.ravel(), colorscale="RdBu_r", cmid=0, colorbar=dict(title="scaled")),
            customdata=np.array(columns, dtype=object)[fi.ravel()],
            hovertemplate="window %{z}<br>step %{x}<br>%{customdata}<br>%{marker.color:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        scene=dict(
            xaxis=dict(title="window step (W)"),
            yaxis=dict(title="feature (F)", tickvals=list(range(f)), ticktext=list(columns)),
            zaxis=dict(title="batch index (B)"),
            camera=dict(eye=dict(x=1.6, y=-1.6, z=0.9)),
        )
    )
    return base_layout(fig, height=520)


def plot_batch_slices(batch: np.ndarray, feature: str, feature_index: int, first_index: int) -> go.Figure:
    """X[:, :, f] for one feature: every row is a window, each shifted one stride along the series."""
    fig = go.Figure(
        go.Heatmap(
            z=batch[:, :, feature_index],
            x=np.arange(batch.shape[1]),
            y=np.arange(batch.shape[0]) + first_index,
            colorscale="RdBu_r",
            zmid=0,
            colorbar=dict(title="scaled"),
            hovertemplate="window %{y}<br>step %{x}<br>%{z:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(title="window step (W)")
    fig.update_yaxes(title="batch index (B)", autorange="reversed")
    return base_layout(fig, title=f"X[:, :, '{feature}']", height=360)
