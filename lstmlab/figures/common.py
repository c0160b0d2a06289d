"""Helpers shared by the figure modules: display downsampling, the common layout, and names as Plotly text.

Every name from the user's file is drawn through ``plot_text`` (``lstmlab.safetext``): Plotly.js reads HTML in
trace names, titles, tick labels and hover text, so a column called ``<a href=...>`` would become a link.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import plotly.graph_objects as go
from tsdownsample import MinMaxLTTBDownsampler

from lstmlab.safetext import plot_text

MAX_POINTS = 10_000  # per trace: keeps chart JSON small and the browser responsive


def downsample_index(values: np.ndarray, n_out: int = MAX_POINTS) -> np.ndarray:
    """At most ``n_out`` row indices keeping a long series' shape and extremes, or all rows if short.

    NaNs are filled for the choice of points only; the caller plots its own values at these rows.
    """
    values = np.ascontiguousarray(values, dtype=np.float64)  # tsdownsample needs contiguous memory
    if len(values) <= n_out:
        return np.arange(len(values))
    finite = np.isfinite(values)
    if not finite.all():  # copies only when there are gaps: a million rows are 8 MB a copy
        values = np.where(finite, values, values[finite].mean() if finite.any() else 0.0)
    picked = MinMaxLTTBDownsampler().downsample(values, n_out=n_out - 2).astype(np.int64)
    # MinMaxLTTB can still miss the global extremes; a user looks for those first.
    return np.unique(np.concatenate([picked, [np.argmin(values), np.argmax(values)]]))


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


def distinct(labels: Sequence[str]) -> list[str]:
    """``labels`` with each repeat numbered (" (2)", " (3)"): names that differ in a file can look the same once
    shortened or with invisible characters written out, and a category axis or a select box would merge them."""
    seen: set[str] = set()
    out = []
    for label in labels:
        unique, k = label, 1
        while unique in seen:
            k += 1
            unique = f"{label} ({k})"
        seen.add(unique)
        out.append(unique)
    return out


def plot_names(names: Iterable[object]) -> list[str]:
    """Names for Plotly text that must stay apart (categories, one tick per name): escaped, then ``distinct``."""
    return distinct([plot_text(name) for name in names])
