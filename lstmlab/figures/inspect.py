"""Figures of the Inspect page: the pipeline of shapes, the unrolled chain of cells, gate saturation,
attribution, and the tutorial's errata next to the corrected model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lstmlab.errata import RandomStates
from lstmlab.explain import shape_text
from lstmlab.figures.common import base_layout
from lstmlab.shapes import Stage

# Where each stage sits in the pipeline diagram: (column, row); h_n and c_n hang below the LSTM.
_PLACES = {"series": (0, 0), "scaled": (1, 0), "windows": (2, 0), "LSTM output": (3, 0), "h_n": (4, -1),
           "c_n": (3, -1), "summary": (4, 0), "Linear": (5, 0), "model output": (6, 0), "predictions": (7, 0)}
_EDGES = [("series", "scaled"), ("scaled", "windows"), ("windows", "LSTM output"), ("LSTM output", "h_n"),
          ("LSTM output", "c_n"), ("Linear", "model output"), ("model output", "predictions"), ("summary", "Linear")]
for _cell in ("GRU", "RNN"):  # the other cells' output stage sits where the LSTM's does
    _PLACES[f"{_cell} output"] = _PLACES["LSTM output"]
    _EDGES += [("windows", f"{_cell} output"), (f"{_cell} output", "h_n")]


def legend_below(fig: go.Figure) -> go.Figure:
    """Legend under the plot, so it never covers a title or subplot titles; hover on the nearest point."""
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.22, x=0), hovermode="closest",
                      margin=dict(t=60, b=10))
    return fig


def pipeline_figure(stages: Sequence[Stage], selected: str = "", summary_from: str = "h_n") -> go.Figure:
    """The stages as boxes left to right with their real shapes; the selected one highlighted."""
    fig = go.Figure()
    names = {s.name for s in stages}
    edges = [e for e in _EDGES if set(e) <= names] + [(summary_from, "summary")]
    for a, b in edges:
        (xa, ya), (xb, yb) = _PLACES[a], _PLACES[b]
        if ya == yb:  # left to right, side to side
            xa, xb = xa + 0.42, xb - 0.42
        else:  # down or up, bottom edge to top edge
            up = 1 if yb > ya else -1
            ya, yb = ya + 0.3 * up, yb - 0.3 * up
        fig.add_annotation(x=xb, y=yb, ax=xa, ay=ya, xref="x", yref="y", axref="x", ayref="y", showarrow=True,
                           arrowhead=2, arrowsize=1, arrowwidth=1.5, arrowcolor="#888", text="")
    for s in stages:
        x, y = _PLACES[s.name]
        chosen = s.name == selected
        fig.add_shape(type="rect", layer="below", x0=x - 0.42, x1=x + 0.42, y0=y - 0.3, y1=y + 0.3,
                      line=dict(color="#d62728" if chosen else "#1f77b4", width=3 if chosen else 1),
                      fillcolor="#fde0dd" if chosen else "#e8f1fa")
        params = "<br>".join(f"{n} {shape_text(p)}" for n, p in s.params[:4])
        more = f"<br>+{len(s.params) - 4} more" if len(s.params) > 4 else ""
        if params:
            fig.add_annotation(x=x, y=y + 0.36, text=f"<span style='font-size:10px'>{params}{more}</span>",
                               showarrow=False, yanchor="bottom")
    xs, ys = zip(*(_PLACES[s.name] for s in stages), strict=True)
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="text", text=[f"<b>{s.name}</b><br>{shape_text(s.shape)}" for s in stages],
        hovertext=[s.description for s in stages], hoverinfo="text", showlegend=False,
    ))
    highest = max(ys) + (1.2 if any(s.params for s in stages) else 0.5)
    fig.update_xaxes(visible=False, range=[min(xs) - 0.5, max(xs) + 0.5])
    fig.update_yaxes(visible=False, range=[min(ys) - 0.5, highest])
    fig = base_layout(fig, height=330)
    fig.update_layout(hovermode="closest", plot_bgcolor="white")
    return fig


def chain_figure(h: np.ndarray, c: np.ndarray, x: np.ndarray, selected: int, reverse: bool = False,
                 labels: Sequence[str] | None = None) -> go.Figure:
    """The unrolled chain: one box per time step (the same cell, applied again), h and c flowing along.

    ``h``, ``c`` (W, H) and ``x`` (W, F) for one sample, layer and direction. Boxes are coloured by
    |h_t| (root mean square over units); the picked cell is outlined.
    """
    n = h.shape[0]
    t = np.arange(n)
    rms = np.sqrt((np.asarray(h) ** 2).mean(axis=1))
    labels = list(labels) if labels is not None and len(labels) == n else [f"t={k}" for k in t]
    fig = go.Figure()
    flow = t[::-1] if reverse else t
    for lane, y, colour in (("c", 0.28, "#9467bd"), ("h", -0.28, "#17becf")):  # the two carried states
        fig.add_trace(go.Scatter(x=flow, y=np.full(n, y), mode="lines", line=dict(color=colour, width=2),
                                 name=f"{lane} carried to the next step", hoverinfo="skip"))
    if n <= 60:  # arrows only where they stay readable
        step = -1 if reverse else 1
        for k in t[:-1] if not reverse else t[1:]:
            for y, colour in ((0.28, "#9467bd"), (-0.28, "#17becf")):
                fig.add_annotation(x=k + step * 0.62, y=y, ax=k + step * 0.38, ay=y, xref="x", yref="y",
                                   axref="x", ayref="y", showarrow=True, arrowhead=2, arrowcolor=colour, text="")
    hover = [f"{labels[k]}<br>|h_t| {rms[k]:.3f}<br>max |c_t| {np.abs(c[k]).max():.3f}<br>"
             f"x_t[0] {x[k, 0]:.3f}" for k in t]
    fig.add_trace(go.Scatter(
        x=t, y=np.zeros(n), mode="markers", name="cell (same weights every step)",
        marker=dict(symbol="square", size=max(8, min(34, 900 // n)), color=rms, colorscale="Blues",
                    line=dict(color=["#d62728" if k == selected else "#444" for k in t],
                              width=[4 if k == selected else 1 for k in t]),
                    colorbar=dict(title="|h_t|", thickness=10, len=0.8)),
        hovertext=hover, hoverinfo="text",
    ))
    fig.add_trace(go.Scatter(x=t, y=np.full(n, -0.85), mode="markers", marker=dict(symbol="triangle-up",
                             size=7, color="#7f7f7f"), name="x_t in", hovertext=labels, hoverinfo="text"))
    fig.add_trace(go.Scatter(x=t, y=np.full(n, 0.85), mode="markers", marker=dict(symbol="triangle-up",
                             size=7, color="#17becf"), name="h_t out", hoverinfo="skip"))
    start, end = (n - 0.5, -0.9) if reverse else (-0.9, n - 0.5)
    fig.add_annotation(x=start, y=0, text="h₀, c₀", showarrow=False, xanchor="center")
    fig.add_annotation(x=end + (0.4 if not reverse else 0), y=0, text="h_n, c_n", showarrow=False, xanchor="left"
                       if not reverse else "right")
    fig.update_xaxes(title_text="time step t" + (" (backward direction: runs right to left)" if reverse else ""),
                     range=[-1.6, n + 0.8])
    fig.update_yaxes(visible=False, range=[-1.1, 1.1])
    fig = base_layout(fig, height=260)
    fig.update_layout(hovermode="closest", plot_bgcolor="white")
    return fig


def saturation_figure(per_unit: dict[str, np.ndarray], low: float = 0.1, high: float = 0.9) -> go.Figure:
    """Karpathy et al.'s plot: per unit, the share of time a gate is below ``low`` (x) or above ``high`` (y).

    ``per_unit[gate]`` is (L, D, H, 2) from ``trace.unit_saturation``; one panel per sigmoid gate.
    """
    gates = list(per_unit)  # the cell's sigmoid gates: i, f, o (LSTM) or r, z (GRU)
    fig = make_subplots(rows=1, cols=len(gates), subplot_titles=[f"{g} gate" for g in gates],
                        shared_yaxes=True, horizontal_spacing=0.04)
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
    for col, gate in enumerate(gates, start=1):
        shares = per_unit[gate]
        n_layers, d = shares.shape[:2]
        for layer in range(n_layers):
            for direction in range(d):
                name = f"layer {layer}" + (" backward" if direction else (" forward" if d == 2 else ""))
                pts = shares[layer, direction]  # (H, 2)
                fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="markers", name=name, legendgroup=name,
                                         showlegend=col == 1, marker=dict(size=6, opacity=0.7,
                                         color=palette[(layer * d + direction) % len(palette)]),
                                         hovertemplate="unit %{pointNumber}<br>< " + f"{low}: " + "%{x:.2f}<br>> "
                                         + f"{high}: " + "%{y:.2f}<extra>" + name + "</extra>"), 1, col)
        fig.update_xaxes(title_text=f"share of time < {low}", range=[-0.03, 1.03], row=1, col=col)
    fig.update_yaxes(title_text=f"share of time > {high}", range=[-0.03, 1.03], col=1)
    return legend_below(base_layout(fig, height=380))


def attribution_figure(values: np.ndarray, features: Sequence[str], title: str) -> go.Figure:
    """A time step × feature heatmap of attributions (W, F), centred on zero."""
    z = np.asarray(values).T  # (F, W)
    top = float(np.abs(z).max()) or 1.0
    fig = go.Figure(go.Heatmap(z=z, y=list(features), colorscale="RdBu", zmin=-top, zmax=top,
                               colorbar=dict(thickness=12),
                               hovertemplate="t=%{x}<br>%{y}<br>%{z:.4g}<extra></extra>"))
    fig.update_xaxes(title_text="time step t (oldest → newest)")
    fig = base_layout(fig, title, height=max(220, 60 + 26 * len(features)))
    fig.update_layout(hovermode="closest")
    return fig


def gradient_magnitude_figure(norms: np.ndarray, log: bool = True) -> go.Figure:
    """|d prediction / d x_t| per time step (W,): how far back in the window the prediction still reacts."""
    norms = np.asarray(norms)
    fig = go.Figure(go.Bar(x=np.arange(len(norms)), y=norms, marker_color="#1f77b4", name="|∂ŷ/∂x_t|"))
    fig.update_xaxes(title_text="time step t (oldest → newest)")
    fig.update_yaxes(title_text="|∂ prediction / ∂ x_t|", type="log" if log and (norms > 0).all() else "linear")
    ratio = norms[0] / norms[-1] if len(norms) and norms[-1] > 0 else float("nan")
    return base_layout(fig, f"Gradient magnitude per time step (oldest step: {ratio:.2g} × the newest)", height=300)


def random_states_figure(result: RandomStates, target: str = "", step: int = 0, col: int = 0) -> go.Figure:
    """Predictions for the same windows from two tutorial calls (fresh random states) and from zeros."""
    n = result.tutorial[0].shape[0]
    fig = go.Figure()
    for name, values, dash in (("tutorial, call 1", result.tutorial[0], "solid"),
                               ("tutorial, call 2", result.tutorial[1], "dot"),
                               ("zeros (both calls)", result.zeros[0], "solid")):
        fig.add_trace(go.Scatter(x=np.arange(n), y=values[:, step, col], name=name, mode="lines+markers",
                                 line=dict(dash=dash, width=1.5), marker=dict(size=4)))
    fig.update_xaxes(title_text="window (evenly spaced over the split)")
    fig.update_yaxes(title_text=target or "prediction")
    return legend_below(base_layout(fig, "Same windows, two calls", height=340))
