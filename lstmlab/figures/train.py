"""Figures of the Train page: the loss curves."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lstmlab.figures.common import base_layout


def log_ticks(values: Sequence[float]) -> dict:
    """Readable ticks for a log axis over ``values``: powers of ten written 10⁻³, with 2× and 5× steps
    only while the range spans under two decades (plotly's own labels read "5, 2, 0.01, 5, 2, 0.001")."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return {}
    low, high = int(np.floor(np.log10(v.min()))), int(np.ceil(np.log10(v.max())))
    mantissas = (1, 2, 5) if high - low <= 2 else (1,)
    every = max(1, (high - low + 1) // 8)  # at most about eight decades labelled
    ticks = [(m, e) for e in range(low, high + 1) if (e - low) % every == 0 for m in mantissas]
    inside = [(m, e) for m, e in ticks if v.min() / 1.5 <= m * 10.0**e <= v.max() * 1.5] or ticks
    text = [("" if m == 1 else f"{m}×") + _power(e) for m, e in inside]
    return dict(tickmode="array", tickvals=[m * 10.0**e for m, e in inside], ticktext=text)


def _power(e: int) -> str:
    if e in (0, 1):
        return ("1", "10")[e]
    return "10" + str(e).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def plot_losses(train: Sequence[float], val: Sequence[float], best_epoch: int = 0, total_epochs: int = 0) -> go.Figure:
    """Training and validation loss per epoch (log scale, ticks at powers of ten), the best epoch marked."""
    epochs = np.arange(1, len(train) + 1)
    fig = go.Figure(go.Scatter(x=epochs, y=list(train), mode="lines+markers", name="train"))
    shown = list(train)
    if len(val) and np.isfinite(np.asarray(val, dtype=float)).any():
        fig.add_trace(go.Scatter(x=epochs, y=list(val), mode="lines+markers", name="validation"))
        shown += list(val)
    if best_epoch:
        fig.add_vline(x=best_epoch, line_dash="dot", annotation_text=f"best epoch {best_epoch}")
    fig.update_xaxes(title="epoch", range=[0.5, max(total_epochs, len(train)) + 0.5])
    fig.update_yaxes(title="loss (scaled units)", type="log", hoverformat=".4g", **log_ticks(shown))
    return base_layout(fig, height=320)
