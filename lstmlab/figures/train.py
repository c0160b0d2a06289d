"""Figures of the Train page: the loss curves."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lstmlab.figures.common import base_layout


def plot_losses(train: Sequence[float], val: Sequence[float], best_epoch: int = 0, total_epochs: int = 0) -> go.Figure:
    """Training and validation loss per epoch (log scale), the best epoch marked."""
    epochs = np.arange(1, len(train) + 1)
    fig = go.Figure(go.Scatter(x=epochs, y=list(train), mode="lines+markers", name="train"))
    if len(val) and np.isfinite(np.asarray(val, dtype=float)).any():
        fig.add_trace(go.Scatter(x=epochs, y=list(val), mode="lines+markers", name="validation"))
    if best_epoch:
        fig.add_vline(x=best_epoch, line_dash="dot", annotation_text=f"best epoch {best_epoch}")
    fig.update_xaxes(title="epoch", range=[0.5, max(total_epochs, len(train)) + 0.5])
    fig.update_yaxes(title="loss (scaled units)", type="log")
    return base_layout(fig, height=320)
