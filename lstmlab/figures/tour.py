"""The tour's own figure: one window's history, then the model's prediction beside the truth."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from lstmlab.figures.common import base_layout
from lstmlab.safetext import plot_text

HISTORY_COLOUR, PREDICTED_COLOUR, ACTUAL_COLOUR = "#1f77b4", "#d62728", "#555555"


def forecast_figure(labels: Sequence[str], history: np.ndarray, future: Sequence[str], predicted: np.ndarray,
                    actual: np.ndarray, name: str, words: Mapping[str, str]) -> go.Figure:
    """The window the model read (``history`` (W,) at ``labels``) and its ``predicted`` and ``actual`` values
    (horizon,) at the ``future`` labels, in original units; ``words`` names the traces in the tour's language.
    ``name`` (the target's, as in the file) and the labels are shown as written."""
    labels, future = [plot_text(v) for v in labels], [plot_text(v) for v in future]
    fig = go.Figure()
    fig.add_scatter(x=labels, y=np.asarray(history), mode="lines+markers", name=words["history"],
                    line=dict(color=HISTORY_COLOUR, width=1.5), marker=dict(size=4))
    fig.add_scatter(x=future, y=np.asarray(actual), mode="markers", name=words["actual"],
                    marker=dict(color=ACTUAL_COLOUR, size=11, symbol="circle-open", line=dict(width=2)))
    fig.add_scatter(x=future, y=np.asarray(predicted), mode="markers", name=words["predicted"],
                    marker=dict(color=PREDICTED_COLOUR, size=9, symbol="x"))
    base_layout(fig, height=340)
    fig.update_xaxes(type="category", nticks=12, title=words["time"])
    return fig.update_yaxes(title=plot_text(name))
