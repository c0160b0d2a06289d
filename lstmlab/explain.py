"""The pages' words and tables: numbers put into sentences, LaTeX and small DataFrames (never figures).

Figures live in ``lstmlab.figures``; what is shown as text or a table is built here, so the pages only
place it. Importing this module does not import torch: the Data page uses it before torch is loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from lstmlab.prepare import PreparedSeries, describe_time
from lstmlab.safetext import md, visible

if TYPE_CHECKING:
    from lstmlab.cell_trace import Cell
    from lstmlab.errata import Bidirectional, RandomStates, WeightReuse
    from lstmlab.shapes import Stage
    from lstmlab.windows import Scaler

GATES = ("i", "f", "g", "o")  # PyTorch's gate order, as in lstmlab.cell_trace (which needs torch)


def shape_text(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ")"


def window_labels(time: pd.Index, stop: int, window: int) -> list[str]:
    """Labels of the ``window`` rows before row ``stop``: dates without a midnight time, else as they are."""
    rows = time[stop - window : stop]
    if isinstance(rows, pd.DatetimeIndex):
        daily = (rows == rows.normalize()).all()
        return list(rows.strftime("%Y-%m-%d" if daily else "%Y-%m-%d %H:%M"))
    return [str(v) for v in rows]


def stage_table(stage: Stage) -> pd.DataFrame:
    """The first few real values of a stage's tensor, as a small table."""
    sample = np.atleast_2d(stage.sample)
    return pd.DataFrame(sample, columns=[str(k) for k in range(sample.shape[1])])


def params_table(stage: Stage) -> pd.DataFrame:
    return pd.DataFrame([{"parameter": name, "shape": shape_text(shape)} for name, shape in stage.params])


def bidirectional_table(result: Bidirectional) -> pd.DataFrame:
    """What each summary's backward half has been through, and how far the predictions move."""
    rows = [
        {"summary": "output[:, -1] (tutorial)", "backward steps run": result.backward_steps_tutorial,
         "backward half changes when steps 0..W-2 change": result.backward_change_tutorial},
        {"summary": "h_n (corrected)", "backward steps run": result.backward_steps_corrected,
         "backward half changes when steps 0..W-2 change": result.backward_change_corrected},
    ]
    return pd.DataFrame(rows)


def weight_reuse_table(result: WeightReuse) -> pd.DataFrame:
    return pd.DataFrame([
        {"what": "nn.LSTM parameters (any window)", "value": f"{result.lstm_parameters:,}"},
        {"what": f"if each of the {result.window} steps had its own cell", "value": f"{result.if_one_cell_per_step:,}"},
        {"what": "same count for a model built for 2 × window", "value": str(result.same_count_at_double_window)},
        {"what": "distinct weight tensors used over the steps", "value": str(len(set(result.weight_ids)))},
        {"what": "id(weight_ih_l0) at every step", "value": str(result.weight_id)},
        {"what": "max |unrolled cell − nn.LSTM layer 0|", "value": f"{result.max_abs_diff:.2e}"},
    ])


def bidirectional_text(result: Bidirectional, unit: str = "") -> str:
    """What the tutorial's ``output[:, -1]`` gets wrong for this model, in words and numbers."""
    gap = f"{result.gap.max():.4g}" + (f" ({md(unit)})" if unit else "")
    if not result.bidirectional:
        return ("**Bidirectional summary.** This model runs one direction, so the tutorial's `output[:, -1]` "
                f"equals `h_n` here (predictions differ by {gap}). In a bidirectional model the backward half of "
                "`output[:, -1]` has run one step only; train one to see the difference.")
    if result.n_layers == 1:
        seen = "it has seen the last time step only"
    else:
        seen = ("its input at that step carries the forward half of the layer below, which has seen the whole "
                "window, so it reacts to earlier steps only through that")
    return ("**Bidirectional summary.** The backward direction reads the window from the end, so in "
            f"`output[:, -1]` it has run 1 step of its own recurrence: {seen}. `h_n` holds it after all "
            f"{result.window} steps. Through the same Linear layer the two summaries' predictions differ by up to "
            f"{gap} on these windows.")


def random_states_text(result: RandomStates, unit: str = "") -> str:
    """The tutorial's random initial states measured, as Markdown; ``unit`` is the target's name as in the file."""
    unit = f" {md(unit)}" if unit else ""
    return ("**Random initial states.** The tutorial draws new `torch.randn` states on every call, so the same "
            f"window gets a different prediction each time: two calls differ by up to "
            f"**{result.tutorial_gap.max():.4g}{unit}** (mean {result.tutorial_gap.mean():.4g}) on these windows. "
            f"Zero states (the default here) give the same prediction twice (difference "
            f"{result.zeros_gap.max():.2g}).")


def _fmt(v: float) -> str:
    return f"{v:.3f}" if abs(v) >= 5e-4 or v == 0 else f"{v:.1e}"


def cell_equations(cell: Cell, terms: dict[str, np.ndarray], unit: int) -> list[str]:
    """LaTeX lines of the cell's equations (LSTM, GRU or RNN) for one unit with its numbers filled in.

    ``terms[gate]`` (3, H) holds W_i·x_t, W_h·h_{t-1} and the summed biases (``inspection.gate_terms``);
    for the GRU's candidate n, (4, H): W_in·x_t, W_hn·h_{t-1}, b_in and b_hn, since r scales W_hn·h + b_hn.
    """
    kind = cell.kind.name  # "LSTM", "GRU" or "RNN"
    if kind == "RNN":
        wx, wh, b = terms["a"][:, unit]
        return [
            rf"a_t = W_{{ih}} x_t + W_{{hh}} h_{{t-1}} + b = {_fmt(wx)} + ({_fmt(wh)}) + ({_fmt(b)}) = "
            rf"{_fmt(cell.a[unit])}",
            rf"h_t = \tanh(a_t) = \tanh({_fmt(cell.a[unit])}) = {_fmt(cell.h[unit])}",
        ]
    lines = []
    for gate in ("r", "z") if kind == "GRU" else GATES:
        act = r"\tanh" if gate == "g" else r"\sigma"
        wx, wh, b = terms[gate][:, unit]
        lines.append(
            rf"{gate}_t = {act}(W_{{i{gate}}} x_t + W_{{h{gate}}} h_{{t-1}} + b_{gate}) = "
            rf"{act}({_fmt(wx)} + ({_fmt(wh)}) + ({_fmt(b)})) = {act}({_fmt(wx + wh + b)}) = "
            rf"{_fmt(cell.gates[gate][unit])}"
        )
    if kind == "GRU":
        wx, wh, b_in, b_hn = terms["n"][:, unit]
        r, z, n = (cell.gates[k][unit] for k in ("r", "z", "n"))
        lines.append(
            rf"n_t = \tanh(W_{{in}} x_t + b_{{in}} + r_t \odot (W_{{hn}} h_{{t-1}} + b_{{hn}})) = "
            rf"\tanh({_fmt(wx)} + ({_fmt(b_in)}) + {_fmt(r)} \cdot ({_fmt(wh)} + ({_fmt(b_hn)}))) = {_fmt(n)}"
        )
        lines.append(
            rf"h_t = (1 - z_t) \odot n_t + z_t \odot h_{{t-1}} = (1 - {_fmt(z)}) \cdot {_fmt(n)} + "
            rf"{_fmt(z)} \cdot ({_fmt(cell.h_prev[unit])}) = {_fmt(cell.h[unit])}"
        )
        return lines
    i, f, g, o = (cell.gates[k][unit] for k in GATES)
    lines.append(
        rf"c_t = f_t \odot c_{{t-1}} + i_t \odot g_t = {_fmt(f)} \cdot ({_fmt(cell.c_prev[unit])}) + "
        rf"{_fmt(i)} \cdot ({_fmt(g)}) = {_fmt(cell.c[unit])}"
    )
    lines.append(rf"h_t = o_t \odot \tanh(c_t) = {_fmt(o)} \cdot \tanh({_fmt(cell.c[unit])}) = {_fmt(cell.h[unit])}")
    return lines


def cell_table(cell: Cell, units: Sequence[int]) -> pd.DataFrame:
    """The cell's numbers for a few units, one row per unit (c columns for an LSTM only)."""
    units = list(units)
    data = {"unit": units, "h_{t-1}": cell.h_prev[units]}
    if cell.c is not None:
        data["c_{t-1}"] = cell.c_prev[units]
    data.update({gate: values[units] for gate, values in cell.gates.items()})
    if cell.c is not None:
        data["c_t"] = cell.c[units]
    data["h_t"] = cell.h[units]
    return pd.DataFrame(data)


def time_label(value) -> str:
    """A time-axis value as a short label: a date alone when it falls at midnight."""
    if isinstance(value, (np.datetime64, pd.Timestamp)):
        stamp = pd.Timestamp(value)
        return stamp.strftime("%Y-%m-%d" if stamp == stamp.normalize() else "%Y-%m-%d %H:%M")
    return str(value)


class TraceCheck(Protocol):
    """What the trace check reports (``lstmlab.inspection.WindowInspection`` has these)."""

    max_abs_diff: float
    tolerance: float
    device: str
    precision: str
    kernel_diff: float | None


def trace_check_text(check: TraceCheck, windows: int, split: str) -> str:
    """The trace check in words: the largest difference from ``nn.LSTM`` in full fp32, flagged above the
    tolerance, with the precision of the device the trace ran on."""
    text = (
        f"Step-by-step trace on {check.device} vs nn.LSTM in full fp32, on this sample and {windows} {split} "
        f"windows: max abs difference over output, h_n and c_n = {check.max_abs_diff:.2e} "
        f"(tolerance {check.tolerance:g})"
    )
    if check.kernel_diff is not None:
        text += (f". nn.LSTM's own kernel on {check.device} computes in {check.precision}: it differs from the "
                 f"fp32 trace by {check.kernel_diff:.2e}, the size of that precision's rounding")
    if check.max_abs_diff >= check.tolerance:
        text += f" (above {check.tolerance:g}: look into it)"
    return text


def weight_reuse_text(window: int) -> str:
    return (f"**\"The number of cells equals the window size.\"** One cell per layer and direction, "
            f"applied {window} times with the same weights:")


def missing_text(counts: pd.Series) -> str:
    """The missing values per column as read, in a plain-text sentence (names ``visible``: a page shows it with
    ``safetext.md_text``)."""
    if not counts.any():
        return "No missing values in this table."
    listed = ", ".join(f"{visible(name)}: {n:,}" for name, n in counts[counts > 0].items())
    return f"Missing values as read: {listed}."


def time_metrics(series: PreparedSeries) -> list[tuple[str, str, str | None]]:
    """(label, value, help) of the series' headline numbers: rows, then its time span and step."""
    about = describe_time(series)
    rows = ("Rows", f"{series.length:,}", None)
    if about["span"] is None:
        return [rows, ("Time axis", "row order", "No time column: the rows are taken in file order.")]
    return [
        rows,
        *((label, f"{about[key]:%Y-%m-%d}", str(about[key])) for label, key in (("From", "start"), ("To", "end"))),
        ("Time step", about["step"], f"pandas frequency: {about['frequency'] or 'none (irregular)'}"),
    ]


def scaler_table(scaler: Scaler, columns: Sequence[str]) -> pd.DataFrame:
    """The scaler as a table: a shift and a scale column, one row per data column."""
    return pd.DataFrame({"shift": scaler.shift, "scale": scaler.scale}, index=list(columns))
