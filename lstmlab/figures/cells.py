"""Figures of the Inspect page about single cells and units: one cell's numbers as bars, the state
heatmaps and LSTMVis-style unit paths, for the LSTM, the GRU and the tanh RNN alike (a GRU or RNN cell
has no c: its bars and panels are left out). (The cell's equations and table are in ``lstmlab.explain``.)"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lstmlab.cell_trace import Cell
from lstmlab.figures.axes import colorbar, explain, name_ticks, step_ticks
from lstmlab.figures.common import base_layout
from lstmlab.figures.inspect import legend_below
from lstmlab.inspection import gate_terms
from lstmlab.narrate import GATE_NAMES, no_units_text
from lstmlab.safetext import plot_text

__all__ = ["cell_figure", "gate_terms", "state_heatmaps", "unit_paths_figure"]  # gate_terms: its old home

GATE_COLOURS = {"i": "#1f77b4", "f": "#ff7f0e", "g": "#2ca02c", "o": "#d62728", "r": "#1f77b4", "z": "#ff7f0e",
                "n": "#2ca02c", "a": "#8c564b"}
STATE_NAMES = {"h": "h · hidden state", "c": "c · cell state", **{g: f"{g} · {name}" for g, name in GATE_NAMES.items()}}
NAMED_INPUTS = 60  # beyond this many inputs (the layer below's units) the input axis labels every few


def cell_figure(cell: Cell, units: Sequence[int], features: Sequence[str]) -> go.Figure:
    """One cell as bars: its input x_t by feature (top, every feature named), then its gates and its
    states for the chosen units (bottom); the panel grows with the number of inputs. ``features`` are the
    inputs' names as in the file: shown as written."""
    units = list(units)
    n_in = len(cell.x)
    names = [plot_text(name) for name in features] if len(features) == n_in else [f"x{k}" for k in range(n_in)]
    input_px = max(60, 16 * n_in) if n_in <= NAMED_INPUTS else 16 * NAMED_INPUTS
    gates_px, gap_px = 260, 90
    fig = make_subplots(rows=2, cols=2, specs=[[{"colspan": 2}, None], [{}, {}]], horizontal_spacing=0.08,
                        row_heights=[input_px, gates_px], vertical_spacing=gap_px / (input_px + gates_px + gap_px),
                        subplot_titles=("input x_t, by feature", "gates: " + ", ".join(
                                            f"{GATE_NAMES[g].removesuffix(' gate')} {g}" for g in cell.gates),
                                        "states: before → after"))
    fig.add_trace(go.Bar(y=np.arange(n_in), x=cell.x, orientation="h", name="x_t", marker_color="#7f7f7f",
                         showlegend=False, customdata=np.array(names, dtype=object),
                         hovertemplate="%{customdata}: %{x:.4g}<extra>x_t</extra>"), 1, 1)
    ticks = name_ticks(names, 16) if n_in <= NAMED_INPUTS else step_ticks(names, input_px)
    fig.update_yaxes(title_text="feature" if n_in <= NAMED_INPUTS else "input", autorange="reversed", row=1, col=1,
                     **ticks)
    fig.update_xaxes(title_text="value (scaled)", row=1, col=1)
    for gate, values in cell.gates.items():  # i, f, g, o; r, z, n (GRU); a (RNN)
        fig.add_trace(go.Bar(x=units, y=values[units], name=f"{gate} · {GATE_NAMES[gate]}",
                             marker_color=GATE_COLOURS[gate]), 2, 1)
    cell_state = ((("c_{t-1} · cell state before", cell.c_prev, "#c5b0d5"),
                   ("c_t · cell state after", cell.c, "#9467bd")) if cell.c is not None else ())  # LSTM only
    for name, values, colour in (*cell_state, ("h_{t-1} · hidden state before", cell.h_prev, "#9edae5"),
                                 ("h_t · hidden state after", cell.h, "#17becf")):
        fig.add_trace(go.Bar(x=units, y=values[units], name=name, marker_color=colour), 2, 2)
    unit_ticks = step_ticks([str(u) for u in units], 280)
    unit_ticks["tickvals"] = [units[k] for k in unit_ticks["tickvals"]]
    for col in (1, 2):
        fig.update_xaxes(title_text="unit", type="linear", row=2, col=col, **unit_ticks)
    fig.update_layout(barmode="group")
    fig = legend_below(base_layout(fig, height=input_px + gates_px + gap_px + 160))
    return fig.update_layout(legend=dict(y=-40 / (input_px + gates_px + gap_px)), margin=dict(t=40, b=120))


def state_heatmaps(states: dict[str, np.ndarray], title: str = "") -> go.Figure:
    """Time step × unit heatmaps of h, c and each gate; ``states[name]`` is (W, H) for one sample.

    Any cell's states (``lstmlab.cell_trace.cell_states``): h and the tanh candidates (g, n) share a −1..1
    scale, c and the RNN's pre-activation a get their own symmetric scale, the sigmoid gates 0..1. Each of
    the three colour bars stands beside its own panels' row span, a third of the plot's height each.
    """
    names = list(states)
    n_rows = (len(names) + 2) // 3
    n_steps, n_units = np.asarray(states["h"]).shape
    panel_px = int(min(400, max(200, 3 * n_units)))  # taller panels for more units
    fig = make_subplots(rows=n_rows, cols=3, subplot_titles=[STATE_NAMES[k] for k in names],
                        horizontal_spacing=0.05, vertical_spacing=0.14, shared_yaxes=True)
    wide = [np.abs(states[k]).max() for k in ("c", "a") if k in states]
    c_max = float(max(wide)) if wide and max(wide) > 0 else 1.0
    axis = {"h": "coloraxis", "g": "coloraxis", "n": "coloraxis", "c": "coloraxis2", "a": "coloraxis2"}
    for k, name in enumerate(names):
        z = np.asarray(states[name]).T  # (H, W): units down, time across
        fig.add_trace(go.Heatmap(z=z, coloraxis=axis.get(name, "coloraxis3"), name=name,
                                 hovertemplate=f"{STATE_NAMES[name]}<br>t=%{{x}}<br>unit %{{y}}<br>%{{z:.3f}}"
                                 "<extra></extra>"), row=k // 3 + 1, col=k % 3 + 1)
    bar_px = 2 * panel_px / 3
    fig.update_layout(
        coloraxis=dict(colorscale="RdBu", cmin=-1, cmax=1,
                       colorbar=colorbar("h, g, n", bar_px, len=0.3, y=0.85, x=1.02)),
        coloraxis2=dict(colorscale="PuOr", cmin=-c_max, cmax=c_max,
                        colorbar=colorbar("c, a", bar_px, len=0.3, y=0.5, x=1.02)),
        coloraxis3=dict(colorscale="Viridis", cmin=0, cmax=1,
                        colorbar=colorbar("gates", bar_px, len=0.3, y=0.15, x=1.02)),
    )
    fig.update_xaxes(**step_ticks([str(k) for k in range(n_steps)], 190))
    fig.update_xaxes(title_text="time step t", row=n_rows)
    fig.update_yaxes(title_text="unit", col=1, **step_ticks([str(k) for k in range(n_units)], panel_px))
    fig = base_layout(fig, plot_text(title), height=n_rows * panel_px + 180)
    fig.update_layout(hovermode="closest", margin=dict(t=80, b=50))
    return fig


def unit_paths_figure(values: np.ndarray, found: Sequence[int], start: int, stop: int, threshold: float,
                      name: str = "h", max_shown: int = 12) -> go.Figure:
    """LSTMVis-style: every unit's path over the window in grey, the units found in colour,
    the selected time range shaded and the threshold drawn; a note when no unit is found."""
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
                  annotation_text=f"threshold {threshold:g}", annotation_position="bottom right")
    fig.update_xaxes(title_text="time step t", **step_ticks([str(k) for k in t]))
    fig.update_yaxes(title_text=STATE_NAMES.get(name, name))
    title = f"{len(found)} unit(s) with {name} ≥ {threshold:g} over t = {start}..{stop}"
    fig = legend_below(base_layout(fig, title, 400))
    if not len(found):
        explain(fig, no_units_text(threshold, start, stop, float(values[start : stop + 1].min(axis=0).max())))
    return fig
