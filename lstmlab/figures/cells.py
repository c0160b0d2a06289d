"""Figures of the Inspect page about single cells and units: one cell's numbers as bars, the state
heatmaps and LSTMVis-style unit paths, for the LSTM, the GRU and the tanh RNN alike (a GRU or RNN cell
has no c: its bars and panels are left out). (The cell's equations and table are in ``lstmlab.explain``.)"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lstmlab.figures.common import base_layout
from lstmlab.figures.inspect import legend_below
from lstmlab.inspection import gate_terms
from lstmlab.trace import GATE_NAMES, Cell

__all__ = ["cell_figure", "gate_terms", "state_heatmaps", "unit_paths_figure"]  # gate_terms: its old home

GATE_COLOURS = {"i": "#1f77b4", "f": "#ff7f0e", "g": "#2ca02c", "o": "#d62728", "r": "#1f77b4", "z": "#ff7f0e",
                "n": "#2ca02c", "a": "#8c564b"}
STATE_NAMES = {"h": "h (hidden)", "c": "c (cell)", **{k: f"{k} ({v})" for k, v in GATE_NAMES.items()}}


def cell_figure(cell: Cell, units: Sequence[int], features: Sequence[str]) -> go.Figure:
    """One cell as bars: its input x_t by feature, its gates and its states for the chosen units."""
    units = list(units)
    labels = [str(u) for u in units]
    fig = make_subplots(rows=1, cols=3, column_widths=[0.2, 0.4, 0.4], horizontal_spacing=0.07,
                        subplot_titles=("input x_t", f"gates {', '.join(cell.gates)}", "states: before → after"))
    names = list(features) if len(features) == len(cell.x) else [f"x{k}" for k in range(len(cell.x))]
    fig.add_trace(go.Bar(x=names, y=cell.x, name="x_t", marker_color="#7f7f7f", showlegend=False), 1, 1)
    for gate, values in cell.gates.items():
        fig.add_trace(go.Bar(x=labels, y=values[units], name=gate, marker_color=GATE_COLOURS[gate]), 1, 2)
    states = (("c_{t-1}", cell.c_prev, "#c5b0d5"), ("c_t", cell.c, "#9467bd")) if cell.c is not None else ()
    for name, values, colour in (*states, ("h_{t-1}", cell.h_prev, "#9edae5"), ("h_t", cell.h, "#17becf")):
        fig.add_trace(go.Bar(x=labels, y=values[units], name=name, marker_color=colour), 1, 3)
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text="unit", row=1, col=2)
    fig.update_xaxes(title_text="unit", row=1, col=3)
    return legend_below(base_layout(fig, height=380))


def state_heatmaps(states: dict[str, np.ndarray], title: str = "") -> go.Figure:
    """Time step × unit heatmaps of h, c and each gate; ``states[name]`` is (W, H) for one sample.

    Any cell's states (``trace.cell_states``): h and the tanh candidates (g, n) share a −1..1 scale, c
    and the RNN's pre-activation a get their own symmetric scale, the sigmoid gates 0..1.
    """
    names = list(states)
    fig = make_subplots(rows=(len(names) + 2) // 3, cols=3, subplot_titles=[STATE_NAMES[k] for k in names],
                        horizontal_spacing=0.05, vertical_spacing=0.14, shared_yaxes=True)
    wide = [np.abs(states[k]).max() for k in ("c", "a") if k in states]
    c_max = float(max(wide)) if wide and max(wide) > 0 else 1.0
    axis = {"h": "coloraxis", "g": "coloraxis", "n": "coloraxis", "c": "coloraxis2", "a": "coloraxis2"}
    for k, name in enumerate(names):
        z = np.asarray(states[name]).T  # (H, W): units down, time across
        fig.add_trace(go.Heatmap(z=z, coloraxis=axis.get(name, "coloraxis3"), name=name,
                                 hovertemplate=f"{name}<br>t=%{{x}}<br>unit %{{y}}<br>%{{z:.3f}}<extra></extra>"),
                      row=k // 3 + 1, col=k % 3 + 1)
    bar = dict(thickness=12, len=0.3, x=1.01)
    fig.update_layout(
        coloraxis=dict(colorscale="RdBu", cmin=-1, cmax=1, colorbar=dict(title="h, g, n", y=0.85, **bar)),
        coloraxis2=dict(colorscale="PuOr", cmin=-c_max, cmax=c_max, colorbar=dict(title="c, a", y=0.5, **bar)),
        coloraxis3=dict(colorscale="Viridis", cmin=0, cmax=1, colorbar=dict(title="gates", y=0.15, **bar)),
    )
    fig.update_xaxes(title_text="time step t", row=(len(names) + 2) // 3)
    fig.update_yaxes(title_text="unit", col=1)
    fig = base_layout(fig, title, height=580)
    fig.update_layout(hovermode="closest", margin=dict(t=80))
    return fig


def unit_paths_figure(values: np.ndarray, found: Sequence[int], start: int, stop: int, threshold: float,
                      name: str = "h", max_shown: int = 12) -> go.Figure:
    """LSTMVis-style: every unit's path over the window in grey, the units found in colour,
    the selected time range shaded and the threshold drawn."""
    values = np.asarray(values)  # (W, H)
    n_steps, n_units = values.shape
    t = np.arange(n_steps)
    # All units as one grey trace, paths separated by None: one trace stays fast for H = 256.
    xs = np.concatenate([np.append(t, np.nan) for _ in range(n_units)])
    ys = np.concatenate([np.append(values[:, u], np.nan) for u in range(n_units)])
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="rgba(150,150,150,0.25)", width=1),
                               name="all units", hoverinfo="skip"))
    for u in list(found)[:max_shown]:
        fig.add_trace(go.Scatter(x=t, y=values[:, u], mode="lines+markers", name=f"unit {u}",
                                 marker=dict(size=4)))
    fig.add_vrect(x0=start - 0.5, x1=stop + 0.5, fillcolor="#ffdd57", opacity=0.25, line_width=0)
    fig.add_hline(y=threshold, line=dict(color="#d62728", dash="dot", width=1),
                  annotation_text=f"threshold {threshold:g}")
    fig.update_xaxes(title_text="time step t")
    fig.update_yaxes(title_text=name)
    return legend_below(base_layout(fig, f"{len(found)} unit(s) with {name} ≥ {threshold:g} over t = {start}..{stop}",
                                    400))
