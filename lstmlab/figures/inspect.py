"""Figures of the Inspect page: the pipeline of shapes, the unrolled chain of cells, gate saturation,
attribution, and the tutorial's errata next to the corrected model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lstmlab.errata import RandomStates
from lstmlab.explain import shape_text
from lstmlab.figures.axes import MARGIN_B, MARGIN_T, colorbar, explain, name_ticks, rows_px, step_ticks
from lstmlab.figures.common import base_layout
from lstmlab.narrate import GATE_NAMES, gate_label, identical_calls_text, no_saturation_text, zero_attribution_text
from lstmlab.safetext import plot_text
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


def pipeline_figure(stages: Sequence[Stage], selected: str = "", summary_from: str = "h_n",
                    batch_note: str = "") -> go.Figure:
    """The stages as boxes left to right with their real shapes; the selected one highlighted.

    ``batch_note`` (``narrate.traced_batch_note``) is written under the windows box, where B first appears.
    """
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
    if batch_note and "windows" in names:
        x, y = _PLACES["windows"]
        fig.add_annotation(x=x + 0.42, y=y - 0.4, text=batch_note, showarrow=False, xanchor="right", yanchor="top",
                           align="right", font=dict(size=11, color="#555"))
    highest = max(ys) + (1.2 if any(s.params for s in stages) else 0.5)
    fig.update_xaxes(visible=False, range=[min(xs) - 0.5, max(xs) + 0.5])
    fig.update_yaxes(visible=False, range=[min(ys) - 0.5, highest])
    fig = base_layout(fig, height=330)
    fig.update_layout(hovermode="closest", plot_bgcolor="white")
    return fig


CHAIN_EDGE = 4  # cells drawn at each end of a long chain; the middle becomes a gap
GAP_WIDTH = 2  # x units a gap takes: room for its "… n steps …" label


def chain_steps(n: int, selected: int, edge: int = CHAIN_EDGE) -> list[int | None]:
    """The time steps the chain draws, ``None`` where steps are left out: all of a short window, else the
    first and last ``edge`` steps and the selected one, with a gap between runs that are not adjacent."""
    if n <= 2 * edge + 3:
        return list(range(n))
    keep = sorted(set(range(edge)) | set(range(n - edge, n)) | ({selected} if 0 <= selected < n else set()))
    out: list[int | None] = []
    for k in keep:
        if out and k - out[-1] > 1:
            out.append(None)
        out.append(k)
    return out


def chain_figure(h: np.ndarray, c: np.ndarray | None, x: np.ndarray, selected: int, reverse: bool = False,
                 labels: Sequence[str] | None = None, edge: int = CHAIN_EDGE) -> go.Figure:
    """The unrolled chain: one box per time step (the same cell, applied again), h and c flowing along.

    ``h``, ``c`` (W, H) and ``x`` (W, F) for one sample, layer and direction. Boxes are coloured by
    |h_t| (root mean square over units); the picked cell is outlined. A long window shows its first and
    last ``edge`` cells and the picked one, the steps between them as a labelled gap. ``c`` is None for a
    GRU or a plain RNN, which carry h alone.
    """
    n = h.shape[0]
    lanes = (("c", 0.28, "#9467bd"), ("h", -0.28, "#17becf")) if c is not None else (("h", 0.0, "#17becf"),)
    rms = np.sqrt((np.asarray(h) ** 2).mean(axis=1))
    labels = [plot_text(v) for v in labels] if labels is not None and len(labels) == n else [f"t={k}" for k in range(n)]
    steps = chain_steps(n, selected, edge)
    pos, gaps, at = [], [], 0.0  # x of each drawn step; (x, steps hidden) of each gap
    for k, step in enumerate(steps):
        if step is None:
            gaps.append((at + GAP_WIDTH / 2 - 0.5, steps[k + 1] - steps[k - 1] - 1))
            at += GAP_WIDTH
        else:
            pos.append(at)
            at += 1
    shown = [s for s in steps if s is not None]
    xs, last = np.array(pos), pos[-1]
    fig = go.Figure()
    for lane, y, colour in lanes:  # the carried states
        fig.add_trace(go.Scatter(x=[0, last], y=[y, y], mode="lines", line=dict(color=colour, width=2),
                                 name=f"{lane}: {'cell' if lane == 'c' else 'hidden'} state handed to the next step",
                                 hoverinfo="skip"))
    direction = -1 if reverse else 1
    for k in range(len(pos) - 1):
        if pos[k + 1] - pos[k] > 1:
            continue  # no arrow across a gap
        head, tail = (pos[k + 1], pos[k]) if not reverse else (pos[k], pos[k + 1])
        for _, y, colour in lanes:
            fig.add_annotation(x=head - direction * 0.38, y=y, ax=tail + direction * 0.38, ay=y, xref="x", yref="y",
                               axref="x", ayref="y", showarrow=True, arrowhead=2, arrowcolor=colour, text="")
    for x_gap, hidden in gaps:
        fig.add_annotation(x=x_gap, y=0, text=f"⋯<br>{hidden} more<br>steps", showarrow=False,
                           font=dict(size=10, color="#555"), bgcolor="white")
    hover = [f"{labels[k]}<br>|h_t| {rms[k]:.3f}<br>"
             + (f"max |c_t| {np.abs(c[k]).max():.3f}<br>" if c is not None else "") + f"x_t[0] {x[k, 0]:.3f}"
             for k in shown]
    fig.add_trace(go.Scatter(
        x=xs, y=np.zeros(len(xs)), mode="markers", name="cell: the same weights at every step",
        marker=dict(symbol="square", size=26, color=rms[shown], colorscale="Blues",
                    line=dict(color=["#d62728" if k == selected else "#444" for k in shown],
                              width=[4 if k == selected else 1 for k in shown]),
                    colorbar=colorbar("|h_t|", 150)),
        hovertext=hover, hoverinfo="text",
    ))
    fig.add_trace(go.Scatter(x=xs, y=np.full(len(xs), -0.85), mode="markers", marker=dict(
        symbol="triangle-up", size=8, color="#7f7f7f"), name="▲ below: x_t, the window's row t, goes in",
        hovertext=[labels[k] for k in shown], hoverinfo="text"))
    fig.add_trace(go.Scatter(x=xs, y=np.full(len(xs), 0.85), mode="markers", marker=dict(
        symbol="triangle-up", size=8, color="#17becf"), name="▲ above: h_t comes out, one row of the layer's output",
        hoverinfo="skip"))
    begin, end = (last + 0.6, -0.6) if reverse else (-0.6, last + 0.6)
    fig.add_annotation(x=begin, y=0, text="h₀, c₀" if c is not None else "h₀", showarrow=False,
                       xanchor="left" if reverse else "right")
    fig.add_annotation(x=end, y=0, text="h_n, c_n" if c is not None else "h_n", showarrow=False,
                       xanchor="right" if reverse else "left")
    fig.update_xaxes(title_text="time step t" + (" (backward direction: runs right to left)" if reverse else ""),
                     tickmode="array", tickvals=pos, ticktext=[str(k) for k in shown], range=[-2.8, last + 2.8],
                     showgrid=False, zeroline=False)
    fig.update_yaxes(visible=False, range=[-1.1, 1.1])
    fig = legend_below(base_layout(fig, height=360))
    fig.update_layout(legend=dict(y=-0.3), margin=dict(t=20, b=10), plot_bgcolor="white")
    return fig


def saturation_figure(per_unit: dict[str, np.ndarray], low: float = 0.1, high: float = 0.9) -> go.Figure:
    """Karpathy et al.'s plot: per unit, the share of time a gate is below ``low`` (x) or above ``high`` (y).

    ``per_unit[gate]`` is (L, D, H, 2) from ``trace_stats.unit_saturation``; one panel per sigmoid gate. When no
    unit ever saturates every point sits at (0, 0), and a note says what that means.
    """
    gates = list(per_unit)  # the cell's sigmoid gates: i, f, o (LSTM) or r, z (GRU)
    fig = make_subplots(rows=1, cols=len(gates), subplot_titles=[gate_label(g) for g in gates],
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
                                         + f"{high}: " + "%{y:.2f}<extra>" + f"{name}, {GATE_NAMES[gate]}</extra>"),
                              1, col)
        fig.update_xaxes(title_text=f"share of time < {low} (shut)", range=[-0.03, 1.03], row=1, col=col)
    fig.update_yaxes(title_text=f"share of time > {high} (open)", range=[-0.03, 1.03], col=1)
    fig = legend_below(base_layout(fig, height=400))
    if not any(np.any(per_unit[g]) for g in gates):
        explain(fig, no_saturation_text(low, high, gates), over_subplot_titles=True)
    return fig


def attribution_figure(values: np.ndarray, features: Sequence[str], title: str) -> go.Figure:
    """A time step × feature heatmap of attributions (W, F), centred on zero; every feature named.

    ``features`` and ``title`` are raw text (a file's column names in them): they are shown as written.
    """
    z = np.asarray(values).T  # (F, W)
    names = [plot_text(name) for name in features]
    n_features, n_steps = z.shape
    top = float(np.abs(z).max()) or 1.0
    plot_px = rows_px(n_features)
    fig = go.Figure(go.Heatmap(z=z, x=np.arange(n_steps), y=np.arange(n_features), colorscale="RdBu",
                               zmin=-top, zmax=top, colorbar=colorbar("attribution", plot_px),
                               customdata=np.broadcast_to(np.array(names, dtype=object)[:, None], z.shape),
                               hovertemplate="t=%{x}<br>%{customdata}<br>%{z:.4g}<extra></extra>"))
    fig.update_xaxes(title_text="time step t (oldest → newest)", **step_ticks([str(k) for k in range(n_steps)]))
    fig.update_yaxes(title_text="feature", autorange="reversed", **name_ticks(names, plot_px / n_features))
    fig = base_layout(fig, plot_text(title), height=plot_px + 80 + MARGIN_B)
    fig.update_layout(hovermode="closest", margin=dict(t=80 if title else MARGIN_T, b=MARGIN_B))
    return fig if np.any(z) else explain(fig, zero_attribution_text())


def gradient_magnitude_figure(norms: np.ndarray, log: bool = True) -> go.Figure:
    """|d prediction / d x_t| per time step (W,): how far back in the window the prediction still reacts."""
    norms = np.asarray(norms)
    fig = go.Figure(go.Bar(x=np.arange(len(norms)), y=norms, marker_color="#1f77b4", name="|∂ŷ/∂x_t|"))
    fig.update_xaxes(title_text="time step t (oldest → newest)", **step_ticks([str(k) for k in range(len(norms))]))
    fig.update_yaxes(title_text="|∂ prediction / ∂ x_t|", type="log" if log and (norms > 0).all() else "linear",
                     exponentformat="power")
    ratio = norms[0] / norms[-1] if len(norms) and norms[-1] > 0 else float("nan")
    fig = base_layout(fig, f"Gradient magnitude per time step (oldest step: {ratio:.2g} × the newest)", height=300)
    return fig if np.any(norms) else explain(fig, zero_attribution_text())


def random_states_figure(result: RandomStates, target: str = "", step: int = 0, col: int = 0) -> go.Figure:
    """Predictions for the same windows from two tutorial calls (fresh random states) and from zeros, and
    below them the differences, so lines drawn on top of each other still show how far apart they are.

    ``target`` is the target column's name as in the file; it is shown as written."""
    n, target = result.tutorial[0].shape[0], plot_text(target)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.62, 0.38], vertical_spacing=0.08)
    t = np.arange(n)
    for name, values, dash in (("tutorial, call 1", result.tutorial[0], "solid"),
                               ("tutorial, call 2", result.tutorial[1], "dot"),
                               ("zeros (both calls)", result.zeros[0], "dash")):
        fig.add_trace(go.Scatter(x=t, y=values[:, step, col], name=name, mode="lines+markers",
                                 line=dict(dash=dash, width=1.5), marker=dict(size=4)), 1, 1)
    gap = result.tutorial[0][:, step, col] - result.tutorial[1][:, step, col]
    fig.add_trace(go.Scatter(x=t, y=gap, name="call 1 − call 2 (tutorial)", mode="lines+markers",
                             line=dict(color="#d62728", width=1.5), marker=dict(size=4)), 2, 1)
    fig.add_trace(go.Scatter(x=t, y=result.zeros[0][:, step, col] - result.zeros[1][:, step, col],
                             name="call 1 − call 2 (zeros)", mode="lines", line=dict(color="#2ca02c", dash="dash")),
                  2, 1)
    fig.update_xaxes(title_text="window (evenly spaced over the split)", row=2, col=1)
    fig.update_yaxes(title_text=target or "prediction", row=1, col=1)
    fig.update_yaxes(title_text="difference", row=2, col=1, zeroline=True)
    fig = legend_below(base_layout(fig, "Same windows, two calls", height=460))
    fig.update_layout(margin=dict(t=60, b=10), legend=dict(y=-0.14))
    values = np.concatenate([r[:, step, col] for r in (*result.tutorial, *result.zeros)])
    spread = float(np.ptp(values)) if values.size else 0.0
    biggest = float(np.abs(gap).max()) if gap.size else 0.0
    if biggest <= 1e-3 * max(spread, 1e-12) or biggest == 0:  # under a pixel at 340 px: the lines coincide
        explain(fig, identical_calls_text(biggest, target))
    return fig
