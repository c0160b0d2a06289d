"""Figures of the What-if page: the edited window against the untouched one, the untouched one ghosted.

Every figure draws "before" (the data as it is) in light grey, dashed, and "after" (the edited window)
in colour, so what the edit changed stands out and what it did not change lies exactly underneath.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lstmlab.figures.common import base_layout
from lstmlab.figures.inspect import legend_below
from lstmlab.narrate import GATE_NAMES
from lstmlab.safetext import plot_text

GHOST = dict(color="rgba(120,120,120,0.55)", dash="dash")
EDITED = "#d62728"


def _changed_from(fig: go.Figure, first_changed: int | None, end: int, **where) -> None:
    """Shade steps ``first_changed`` to ``end`` - 1 (the cells before the first edited step cannot change)."""
    if first_changed is not None:
        fig.add_vrect(x0=first_changed - 0.5, x1=end - 0.5, fillcolor="rgba(214,39,40,0.08)", line_width=0, **where)


def window_prediction_figure(
    original: np.ndarray, edited: np.ndarray, original_pred: np.ndarray, edited_pred: np.ndarray,
    labels: Sequence[str], name: str, first_changed: int | None = None,
) -> go.Figure:
    """One feature's window (W,) then the predictions (horizon,) after it, before (ghosted) and after the edit.

    Original units throughout; steps ahead are drawn after the window's last step. ``name`` (the feature's, as in
    the file) and ``labels`` are shown as written.
    """
    window, horizon, name = len(original), len(original_pred), plot_text(name)
    steps, ahead = np.arange(window), np.arange(window, window + horizon)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=steps, y=original, mode="lines", line=GHOST, name="window, untouched"))
    fig.add_trace(go.Scatter(x=steps, y=edited, mode="lines+markers", line=dict(color="#1f77b4"),
                             name="window, edited", marker=dict(size=4)))
    fig.add_trace(go.Scatter(x=ahead, y=original_pred, mode="markers", name="prediction, untouched",
                             marker=dict(size=11, symbol="circle-open", color=GHOST["color"], line=dict(width=2))))
    fig.add_trace(go.Scatter(x=ahead, y=edited_pred, mode="markers", name="prediction, edited",
                             marker=dict(size=11, symbol="diamond", color=EDITED)))
    _changed_from(fig, first_changed, window)
    ticks = [*map(plot_text, labels), *(f"+{k + 1}" for k in range(horizon))]
    every = max(1, len(ticks) // 12)
    fig.update_xaxes(title="time step (the window, then the steps predicted)",
                     tickvals=list(range(0, len(ticks), every)), ticktext=ticks[::every])
    fig.update_yaxes(title=f"{name} (original units)", hoverformat=".4g")
    return legend_below(base_layout(fig, f"{name}: the window and the prediction, before and after", height=380))


def states_figure(
    before: dict[str, np.ndarray], after: dict[str, np.ndarray], unit: int, first_changed: int | None = None
) -> go.Figure:
    """h and c of one unit along the chain of cells (``before["h"]`` (W, H)), before (ghosted) and after."""
    names = [name for name in ("h", "c") if name in before]  # a GRU or an RNN carries h alone
    titles = {"h": f"h · hidden state, unit {unit}", "c": f"c · cell state, unit {unit}"}
    fig = make_subplots(rows=len(names), cols=1, shared_xaxes=True, vertical_spacing=0.12,
                        subplot_titles=[titles[name] for name in names])
    for row, name in enumerate(names, start=1):
        steps = np.arange(len(before[name]))
        fig.add_trace(go.Scatter(x=steps, y=before[name][:, unit], mode="lines", line=GHOST, name="untouched",
                                 showlegend=row == 1), row, 1)
        fig.add_trace(go.Scatter(x=steps, y=after[name][:, unit], mode="lines+markers", name="edited",
                                 line=dict(color=EDITED), marker=dict(size=4), showlegend=row == 1), row, 1)
        _changed_from(fig, first_changed, len(steps), row=row, col=1)
    fig.update_xaxes(title_text="time step t (cell)", row=len(names), col=1)
    return legend_below(base_layout(fig, "", height=220 + 220 * (len(names) - 1)))


def gates_figure(before: dict[str, np.ndarray], after: dict[str, np.ndarray], units: Sequence[int]) -> go.Figure:
    """The gates of one cell (``before["i"]`` (H,)) for ``units``, before (ghosted) and after: an LSTM's four,
    a GRU's three, an RNN's pre-activation (the dicts' keys, in their order)."""
    units, gates = list(units), list(before)
    fig = make_subplots(rows=1, cols=len(gates), shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=[f"{g} · {GATE_NAMES[g]}" for g in gates])
    for col, gate in enumerate(gates, start=1):
        fig.add_trace(go.Bar(x=units, y=before[gate][units], name="untouched", marker_color=GHOST["color"],
                             showlegend=col == 1), 1, col)
        fig.add_trace(go.Bar(x=units, y=after[gate][units], name="edited", marker_color=EDITED,
                             showlegend=col == 1), 1, col)
        fig.update_xaxes(title_text="unit", row=1, col=col)
    if "a" not in gates:  # g and n are tanh, the others sigmoids: one scale; an RNN's a is unbounded
        fig.update_yaxes(range=[-1.05, 1.05])
    fig.update_layout(barmode="group")
    return legend_below(base_layout(fig, "", height=340))
