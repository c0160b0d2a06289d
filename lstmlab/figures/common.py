"""Helpers shared by the figure modules: display downsampling and the common layout."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from tsdownsample import MinMaxLTTBDownsampler

MAX_POINTS = 10_000  # per trace: keeps chart JSON small and the browser responsive


def downsample_index(values: np.ndarray, n_out: int = MAX_POINTS) -> np.ndarray:
    """At most ``n_out`` row indices keeping a long series' shape and extremes, or all rows if short.

    NaNs are filled for the choice of points only; the caller plots its own values at these rows.
    """
    values = np.asarray(values, dtype=np.float64)
    if len(values) <= n_out:
        return np.arange(len(values))
    finite = np.where(np.isfinite(values), values, np.nanmean(values) if np.isfinite(values).any() else 0.0)
    picked = MinMaxLTTBDownsampler().downsample(finite, n_out=n_out - 2).astype(np.int64)
    # MinMaxLTTB can still miss the global extremes; a user looks for those first.
    return np.unique(np.concatenate([picked, [np.argmin(finite), np.argmax(finite)]]))


def is_downsampled(length: int, n_out: int = MAX_POINTS) -> bool:
    return length > n_out


def base_layout(fig: go.Figure, title: str = "", height: int = 380) -> go.Figure:
    fig.update_layout(
        title=title or None,
        height=height,
        margin=dict(l=10, r=10, t=80 if title else 40, b=10),
        title_y=0.97,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        hovermode="x unified",
    )
    return fig
