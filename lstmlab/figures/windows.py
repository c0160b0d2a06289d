"""Figures of the Windows page: one window on the series, the window as a grid, a batch as a cube.

Column names and time labels are drawn as text (``plot_text``), whatever markup they hold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lstmlab.figures.axes import (
    MARGIN_B,
    MARGIN_T,
    colorbar,
    date_axis,
    labels_fit,
    name_ticks,
    rows_px,
    step_ticks,
    time_labels,
    value_text,
)
from lstmlab.figures.common import base_layout
from lstmlab.safetext import plot_text

SPLIT_COLOURS = {
    "train": "rgba(31,119,180,0.07)",
    "validation": "rgba(255,127,14,0.10)",
    "test": "rgba(44,160,44,0.10)",
}
CONTEXT = 3  # windows of context drawn on each side of the highlighted one
# The cube's camera and proportions for up to 12, up to 24 and more features: every name keeps its room.
_CUBE_EYES = (dict(x=1.6, y=-1.6, z=0.9), dict(x=1.5, y=-1.9, z=1.0), dict(x=2.6, y=-1.3, z=1.3))
_CUBE_ASPECTS = (dict(x=1, y=1, z=1), dict(x=1.0, y=1.6, z=0.7), dict(x=0.7, y=1.8, z=0.6))


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
            x=t,
            y=values[lo:hi],
            mode="lines+markers",
            name=plot_text(name),
            line=dict(color="#7f7f7f"),
            marker=dict(size=4),
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
    return date_axis(base_layout(fig, height=340), t)


def plot_window_grid(
    scaled: np.ndarray, original: np.ndarray, columns: Sequence[str], steps: pd.Index | Sequence
) -> go.Figure:
    """One window (window step × feature): colour is the scaled value the LSTM sees, text the real one.

    ``steps`` are the window's time stamps (or row labels), shown in the series' own resolution; value
    labels appear only when every cell has room for them, every feature is named.
    """
    n_steps, n_features = scaled.shape  # (W, F)
    labels = [plot_text(label) for label in time_labels(steps)]
    names = [plot_text(name) for name in columns]
    texts = np.vectorize(value_text, otypes=[str])(np.asarray(original, dtype=np.float64).T)  # (F, W)
    plot_px = rows_px(n_features)
    show = labels_fit(n_steps, texts, plot_px / n_features)
    fig = go.Figure(
        go.Heatmap(
            z=scaled.T,
            x=np.arange(n_steps),
            y=np.arange(n_features),
            colorscale="RdBu_r",
            zmid=0,
            text=texts,
            texttemplate="%{text}" if show else None,
            textfont=dict(size=10),
            customdata=np.stack(np.broadcast_arrays(np.array(labels, dtype=object)[None, :],
                                                    np.array(names, dtype=object)[:, None]), axis=-1),
            hovertemplate="step %{x} · %{customdata[0]}<br>%{customdata[1]}<br>scaled %{z:.3f}<br>"
            "value %{text}<extra></extra>",
            colorbar=colorbar("scaled", plot_px),
        )
    )
    fig.update_xaxes(title="time stamp of window step t (oldest left)", **step_ticks(labels))
    fig.update_yaxes(title="feature", autorange="reversed", **name_ticks(names, plot_px / n_features))
    fig = base_layout(fig, height=plot_px + MARGIN_T + MARGIN_B)
    return fig.update_layout(margin=dict(t=MARGIN_T, b=MARGIN_B), hovermode="closest")


def plot_batch_cube(batch: np.ndarray, columns: Sequence[str], first_index: int) -> go.Figure:
    """A batch (B, W, F) drawn as the tutorial's cube: one marker per value, coloured by it; every feature named."""
    b, w, f = batch.shape
    names = [plot_text(name) for name in columns]
    bi, wi, fi = np.meshgrid(np.arange(b), np.arange(w), np.arange(f), indexing="ij")
    fig = go.Figure(
        go.Scatter3d(
            x=wi.ravel(),
            y=fi.ravel(),
            z=(bi + first_index).ravel(),
            mode="markers",
            marker=dict(size=4, color=batch.ravel(), colorscale="RdBu_r", cmid=0,
                        colorbar=colorbar("scaled", 400, len=0.8)),
            customdata=np.array(names, dtype=object)[fi.ravel()],
            hovertemplate="window %{z}<br>step %{x}<br>%{customdata}<br>%{marker.color:.3f}<extra></extra>",
        )
    )
    many = f > 12
    view = 0 if f <= 12 else 1 if f <= 24 else 2  # more features: a longer feature axis, seen more side-on
    height = 560 if many else 520
    feature_font = 11 if f <= 20 else 9
    fig.update_layout(
        scene=dict(
            xaxis=dict(title="window step (W)", **step_ticks([str(k) for k in range(w)], 300)),
            yaxis=dict(title="feature (F)", tickvals=list(range(f)), ticktext=names,
                       tickfont=dict(size=feature_font)),
            zaxis=dict(title="batch index (B)", **step_ticks([str(first_index + k) for k in range(b)], 200)),
            camera=dict(eye=_CUBE_EYES[view]),
            aspectmode="manual",
            aspectratio=_CUBE_ASPECTS[view],
        ),
        margin=dict(l=0, r=0),
    )
    return base_layout(fig, height=height)


def plot_batch_slices(batch: np.ndarray, feature: str, feature_index: int, first_index: int) -> go.Figure:
    """X[:, :, f] for one feature: every row is a window, each shifted one stride along the series."""
    n_windows, n_steps = batch.shape[:2]
    plot_px = rows_px(n_windows, row_px=16)
    windows = [str(first_index + k) for k in range(n_windows)]
    ticks = step_ticks(windows, plot_px)  # rows: at most as many labels as the height has room for
    ticks["tickvals"] = [first_index + v for v in ticks["tickvals"]]
    fig = go.Figure(
        go.Heatmap(
            z=batch[:, :, feature_index],
            x=np.arange(n_steps),
            y=np.arange(n_windows) + first_index,
            colorscale="RdBu_r",
            zmid=0,
            colorbar=colorbar("scaled", plot_px),
            hovertemplate="window %{y}<br>step %{x}<br>%{z:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(title="window step (W)", **step_ticks([str(k) for k in range(n_steps)]))
    fig.update_yaxes(title="batch index (B): window number", autorange="reversed", **ticks)
    fig = base_layout(fig, title=f"X[:, :, '{plot_text(feature)}']", height=plot_px + 80 + MARGIN_B)
    return fig.update_layout(margin=dict(t=80, b=MARGIN_B), hovermode="closest")


def plot_window_transform(
    time: Sequence, before: np.ndarray, after: np.ndarray, window: int, name: str, transform: str
) -> go.Figure:
    """One window and its targets, in the data's units (top) and as the model learns them (bottom).

    ``before`` and ``after`` are (W + H,): the target column over the window's W steps then the H steps to
    predict; ``after`` holds the model's inputs X[:, target] followed by y, after scaling and ``transform``.
    """
    from plotly.subplots import make_subplots

    x = np.asarray(time)
    titles = (f"{plot_text(name)} in the data", f"what the model learns ({transform})")
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, subplot_titles=titles)
    for row, values in ((1, before), (2, after)):
        values = np.asarray(values, dtype=np.float64)
        fig.add_trace(go.Scatter(x=x[:window], y=values[:window], mode="lines+markers", name="window (X)",
                                 line={"color": "#1f77b4"}, showlegend=row == 1), row=row, col=1)  # fmt: skip
        targets = go.Scatter(x=x[window:], y=values[window:], mode="markers", name="to predict (y)",
                             marker={"color": "#d62728", "size": 9}, showlegend=row == 1)  # fmt: skip
        fig.add_trace(targets, row=row, col=1)
    base_layout(fig, height=440)
    fig.update_layout(margin={"t": 70}, legend={"y": 1.12})
    return date_axis(fig, x)
