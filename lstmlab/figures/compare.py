"""Figures of the Compare page: runs side by side on one window, their curves, their gradient reach, a sweep.

Run names, time labels and the target's name may come from the user's file: each goes through ``plot_text`` here,
so Plotly shows their tags and ``%{...}`` as written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lstmlab.figures.common import base_layout
from lstmlab.safetext import plot_text

RUN_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b")
TRUTH_COLOUR = "#555555"


def window_predictions_figure(labels: Sequence[str], past: np.ndarray, ahead: Sequence[str], actual: np.ndarray,
                              predictions: Mapping[str, np.ndarray], unit: str = "") -> go.Figure:
    """One window's input ``past`` (W,) and the truth ``actual`` (h,), with each run's prediction (h,) after it.

    ``labels`` name the window's steps, ``ahead`` the steps predicted; every value in the data's units.
    """
    labels, ahead = [plot_text(t) for t in labels], [plot_text(t) for t in ahead]  # categories: shown as ticks
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=labels, y=np.asarray(past), mode="lines+markers", name="window (input)",
                             line=dict(color=TRUTH_COLOUR)))
    fig.add_trace(go.Scatter(x=ahead, y=np.asarray(actual), mode="markers", name="actual",
                             marker=dict(color="black", size=11, symbol="circle-open", line=dict(width=2))))
    for k, (name, values) in enumerate(predictions.items()):
        fig.add_trace(go.Scatter(x=ahead, y=np.asarray(values), mode="markers+lines", name=plot_text(name),
                                 marker=dict(color=RUN_COLOURS[k % len(RUN_COLOURS)], size=9, symbol="x")))
    fig.update_xaxes(title="time step", type="category")
    fig.update_yaxes(title=plot_text(unit) or None)
    return base_layout(fig, height=360)


def curves_figure(histories: Mapping[str, tuple[Sequence[float], Sequence[float]]]) -> go.Figure:
    """Each run's training (solid) and validation (dotted) loss per epoch, one colour per run, log scale."""
    fig = go.Figure()
    for k, (label, (train, val)) in enumerate(histories.items()):
        colour, name = RUN_COLOURS[k % len(RUN_COLOURS)], plot_text(label)
        epochs = np.arange(1, len(train) + 1)
        fig.add_trace(go.Scatter(x=epochs, y=list(train), mode="lines", name=f"{name} · train",
                                 line=dict(color=colour)))
        if len(val):
            fig.add_trace(go.Scatter(x=epochs[: len(val)], y=list(val), mode="lines", name=f"{name} · validation",
                                     line=dict(color=colour, dash="dot")))
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title="loss (scaled units)", type="log", hoverformat=".4g")
    return base_layout(fig, height=340)


def reach_figure(table: pd.DataFrame) -> go.Figure:
    """The gradient reaching each step back, relative to the last step's (``compare.gradient_reach_table``).

    Log scale: a plain RNN's geometric fall-off is a straight line going down.
    """
    fig = go.Figure()
    for k, (name, rows) in enumerate(table.groupby("run", sort=False)):
        relative = rows["relative to the last step"].to_numpy(dtype=float)
        fig.add_trace(go.Scatter(x=rows["steps back"], y=np.where(relative > 0, relative, np.nan),
                                 mode="lines+markers", name=f"{plot_text(name)} ({rows['cell'].iloc[0]})",
                                 line=dict(color=RUN_COLOURS[k % len(RUN_COLOURS)])))
    fig.update_xaxes(title="steps back from the window's last step (0 = last)")
    fig.update_yaxes(title="|∂ prediction / ∂ x_t|, share of the last step's", type="log", hoverformat=".3g")
    return base_layout(fig, height=360)


SWEEP_FORECASTS = (("model", "solid"), ("naive", "dash"), ("seasonal naive", "dot"))


def sweep_figure(table: pd.DataFrame) -> go.Figure:
    """Validation and test MASE against the window size (``SweepResult.table``): the model's points, one line
    per hidden size, and the baselines as dashed lines; diverged runs marked with a cross."""
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=("validation", "test"),
                        horizontal_spacing=0.05)
    scored = table[table["status"].isin(["done", "stopped", "diverged"])].sort_values("window")
    for col, split in enumerate(("val", "test"), start=1):
        for name, dash in SWEEP_FORECASTS[1:]:
            column = f"{name} {split} MASE"
            if column in scored:
                baseline = scored.drop_duplicates("window")
                fig.add_trace(go.Scatter(x=baseline["window"], y=baseline[column], mode="lines", name=name,
                                         line=dict(color=TRUTH_COLOUR, dash=dash), legendgroup=name,
                                         showlegend=col == 1), 1, col)
        for k, (hidden, rows) in enumerate(scored.groupby("hidden")):
            column = f"model {split} MASE"
            if column not in rows:
                continue
            symbols = np.where(rows["status"] == "diverged", "x", "circle")
            fig.add_trace(go.Scatter(x=rows["window"], y=rows[column], mode="lines+markers", name=f"model, H={hidden}",
                                     marker=dict(symbol=symbols, size=10), legendgroup=f"H{hidden}",
                                     line=dict(color=RUN_COLOURS[k % len(RUN_COLOURS)]), showlegend=col == 1,
                                     customdata=rows["status"], hovertemplate="window %{x}: MASE %{y:.3g} "
                                     "(%{customdata})<extra></extra>"), 1, col)
        fig.update_xaxes(title="window size (steps in)", row=1, col=col)
    fig.update_yaxes(title="MASE (1 = the naive forecast's error on training)", row=1, col=1)
    return base_layout(fig, height=380)
