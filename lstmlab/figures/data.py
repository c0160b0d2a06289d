"""Figures for the Data page: the chosen columns over time, and missing values per column.

Column names are drawn as text (``plot_text``), whatever markup they hold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lstmlab.figures.axes import CHAR_PX, date_axis
from lstmlab.figures.common import MAX_POINTS, base_layout, downsample_index, plot_names
from lstmlab.prepare import PreparedSeries
from lstmlab.safetext import plot_text, visible

MAX_PANELS = 6  # beyond this, one panel of min-max normalised lines stays readable


def plot_series(series: PreparedSeries, columns: Sequence[str], n_out: int = MAX_POINTS) -> go.Figure:
    """One line per column on the time axis: stacked panels, or one normalised panel for many columns.

    Long series are downsampled per column (MinMaxLTTB) to ``n_out`` points for display only.
    """
    columns = [c for c in columns if c in series.columns]
    x = series.time
    stacked = len(columns) <= MAX_PANELS
    rows = max(len(columns), 1) if stacked else 1
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.03 if rows > 1 else 0)
    for k, name in enumerate(columns):
        y = series.values[:, series.columns.index(name)]  # (T,)
        keep = downsample_index(y, n_out)  # keeps the global extremes too
        shown = y[keep].astype(np.float64)
        label = plot_text(name)
        hover = f"{label}: %{{y:.4g}}<extra></extra>"
        if not stacked:  # scale to 0..1 so columns of different units share one axis; hover the raw value
            low, high = float(np.min(y)), float(np.max(y))
            hover = f"{label}: %{{customdata:.4g}}<extra></extra>"
            custom, shown = shown, (shown - low) / (high - low) if high > low else np.zeros_like(shown)
        trace = go.Scatter(
            x=x[keep],
            y=shown,
            name=label,
            mode="lines",
            line=dict(width=1),
            hovertemplate=hover,
            customdata=None if stacked else custom,
        )
        fig.add_trace(trace, row=k + 1 if stacked else 1, col=1)
        if stacked:
            fig.update_yaxes(title_text=label, row=k + 1, col=1)
    if not stacked:
        fig.update_yaxes(title_text="min-max normalised")
    title = "" if stacked else "Chosen columns, each scaled to its own range (hover shows the real value)"
    fig = base_layout(fig, title, height=max(260, 170 * rows + 60))
    fig.update_layout(showlegend=not stacked)
    if not isinstance(x, pd.DatetimeIndex):
        fig.update_xaxes(title_text="row", row=rows, col=1)
    return date_axis(fig, x)


def plot_missing(counts: pd.Series) -> go.Figure:
    """Bar chart of missing values per column (as parsed, before any policy); every column named."""
    names = plot_names(counts.index)  # categories: two names that look the same once shortened stay two bars
    n = counts.to_numpy()
    longest = max((len(visible(c)) for c in counts.index), default=1)  # characters shown, not entities
    # The chart may sit in half the page (about 400 px of plot): rotate before labels could touch there
    crowded = len(names) * CHAR_PX * (longest + 2) > 400
    fig = go.Figure(
        go.Bar(
            x=names,
            y=n,
            text=[f"{int(v):,}" for v in n] if len(names) <= 20 else None,  # counts on bars only where they fit
            textposition="outside",
            hovertemplate="%{x}: %{y:,} missing<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="column", type="category", tickmode="array", tickvals=names, ticktext=names,
                     tickangle=-90 if crowded else 0, tickfont=dict(size=10 if len(names) > 30 else 12))
    fig.update_yaxes(title_text="missing values", rangemode="tozero")
    return base_layout(fig, "Missing values per column", height=280 + (CHAR_PX * longest if crowded else 0))
