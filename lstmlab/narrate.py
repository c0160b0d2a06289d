"""Words for the numbers the pages show: the gates by name and job, the last step → Linear → prediction
equation with the real numbers, the traced batch next to the training batch, what an empty-looking
chart means, and a find-units threshold that finds something.

Text comes back as Markdown (``*_text``) or LaTeX lines (``*_equations``); nothing here renders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from lstmlab.cell_trace import GATES
from lstmlab.config import Summary, Transform
from lstmlab.model import SimpleRNN, States
from lstmlab.safetext import latex_text
from lstmlab.shapes import Stage
from lstmlab.trace_stats import find_units, suggest_threshold
from lstmlab.windows import Scaler

GATE_NAMES = {"i": "input gate", "f": "forget gate", "g": "cell candidate", "o": "output gate",
              "r": "reset gate", "z": "update gate", "n": "candidate", "a": "pre-activation"}  # LSTM, GRU, RNN
GATE_JOBS = {
    "i": "how much of the candidate is written into the cell (0: nothing, 1: all of it)",
    "f": "how much of the old cell state c_{t-1} is kept (0: forgotten, 1: kept whole)",
    "g": "the new content proposed for the cell, between −1 and 1",
    "o": "how much of the cell, squashed by tanh, goes out as the hidden state h_t (0: none, 1: all)",
    "r": "how much of the old hidden state h_{t-1} the candidate reads (0: none, 1: all of it)",
    "z": "how much of the old hidden state h_{t-1} is kept rather than replaced by the candidate",
    "n": "the new hidden content proposed, between −1 and 1",
    "a": "the sum W_ih·x_t + W_hh·h_{t-1} + b before tanh: no gate decides what is kept",
}
STATE_NAMES = {"h": "hidden state h", "c": "cell state c", **{g: f"{GATE_NAMES[g]} {g}" for g in GATES}}


def gate_label(gate: str) -> str:
    """A gate's letter with its name: "forget gate f"."""
    return f"{GATE_NAMES[gate]} {gate}"


def gate_lines(gates: Sequence[str] = GATES) -> list[str]:
    """One Markdown line per gate: its name, letter and job, in PyTorch's order (LSTM i, f, g, o by default;
    pass ``cell_trace.CELL_GATES[cell]`` for a GRU's r, z, n or an RNN's a)."""
    return [f"- **{GATE_NAMES[g]}** `{g}`: {GATE_JOBS[g]}." for g in gates]


def no_saturation_text(low: float = 0.1, high: float = 0.9, gates: Sequence[str] = ("i", "f", "o")) -> str:
    names = [GATE_NAMES[g].removesuffix(" gate") for g in gates]  # input, forget, output (LSTM); reset, update
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (f"No gate saturates: every unit's {listed} gates stay between {low:g} and {high:g} "
            "at every step, so all points sit at (0, 0). The gates work in their middle range: they blend "
            "rather than switch fully open or shut.")


def identical_calls_text(gap: float, unit: str = "") -> str:
    """What three lines drawn on top of each other mean, in the errata chart."""
    unit = f" {unit}" if unit else ""
    if gap == 0:
        return ("The lines lie on top of each other: the two tutorial calls give exactly the same predictions, "
                "the difference is zero (lower panel). The random start is forgotten by the window's last step.")
    return (f"The lines lie almost on top of each other: the two tutorial calls differ by at most {gap:.3g}{unit} "
            "(lower panel shows the difference).")


def no_units_text(threshold: float, start: int, stop: int, best: float) -> str:
    return (f"No unit stays at or above {threshold:g} at every step of t = {start}..{stop}: the unit that comes "
            f"closest dips to {best:.3g}. Lower the threshold to at most {best:.3g} to find it.")


def zero_attribution_text() -> str:
    return ("Every attribution is zero: the prediction does not move when this window's inputs move (all gradients "
            "vanish), so no time step or feature stands out.")


def find_units_threshold(values: np.ndarray, start: int, stop: int, share: float = 0.1) -> float:
    """A default threshold for ``trace_stats.find_units`` that finds at least one unit (about ``share`` of them).

    ``suggest_threshold`` rounds down to two decimals; if that still finds none (it cannot, short of float
    rounding), fall back to the best unit's weakest step.
    """
    values = np.asarray(values)  # (W, H)
    threshold = suggest_threshold(values, start, stop, share)
    if len(find_units(values, start, stop, threshold)):
        return threshold
    return float(values[start : stop + 1].min(axis=0).max())


def traced_batch_text(traced: int, split: str, split_windows: int, train_batch: int) -> str:
    """Why the Shapes diagram says B = ``traced`` when training used batches of ``train_batch``."""
    every = "every window" if traced >= split_windows else f"{traced:,} of its {split_windows:,} windows, evenly spaced"
    return (f"**B = {traced:,} here is the traced batch, not a training batch.** To show real shapes the page "
            f"runs {every} of the {split} split through the model at once. Training fed the model batches of "
            f"{train_batch:,} windows; any B gives the same per-window numbers, because the LSTM treats each "
            "window of the batch on its own.")


def traced_batch_note(traced: int, train_batch: int) -> str:
    """Two short lines for the Shapes diagram, under the windows box."""
    return f"B = {traced:,}: the windows traced here<br>(training used batches of {train_batch:,})"


def summary_text(model: SimpleRNN) -> str:
    """What the ``summary`` stage (the vector the Linear layer reads) is, for this model."""
    h = model.h_size
    if model.directions == 1:
        return (f"**summary** is the hidden state h of the last time step, `(B, {h})`: `output[:, -1]`, which for "
                "one direction equals the top layer's `h_n`. It is everything the model keeps of the window; the "
                "Linear layer reads nothing else.")
    if model.summary is Summary.H_N:
        return (f"**summary** joins the top layer's two final hidden states, `(B, {2 * h})`: the forward direction "
                "after the last step and the backward direction after the first step (where it ends), both having "
                "read the whole window.")
    return (f"**summary** is `output[:, -1]`, `(B, {2 * h})` (the tutorial's choice): its forward half has read "
            "the whole window, its backward half only the last step.")


def _units(n: int, hidden: int, directions: int) -> list[str]:
    if directions == 1:
        return [f"unit {j}" for j in range(n)]
    return [f"{'fwd' if j < hidden else 'bwd'} unit {j % hidden}" for j in range(n)]


def stage_axes(stage: Stage, features: Sequence[str], outputs: Sequence[str], hidden: int,
               directions: int = 1) -> tuple[list[str], list[str]]:
    """Names for the rows and columns of ``stage.sample`` (the first values of a stage's tensor): time steps,
    feature names, unit numbers, windows of the batch, outputs. ``outputs`` are "step s · target" names."""
    sample = np.atleast_2d(stage.sample)
    n_rows, n_cols = sample.shape
    windows = [f"window {b}" for b in range(n_rows)]
    steps = [f"t={t}" for t in range(n_rows)]
    layers = [f"layer {r // directions}" + (f" {('fwd', 'bwd')[r % directions]}" if directions == 2 else "")
              for r in range(n_rows)]
    units = _units(n_cols, hidden, directions)
    rows, cols = {
        "series": ([f"row {r}" for r in range(n_rows)], list(features)),
        "scaled": ([f"row {r}" for r in range(n_rows)], list(features)),
        "windows": (steps, list(features)),
        "LSTM output": (steps, units),
        "GRU output": (steps, units),
        "RNN output": (steps, units),
        "h_n": (layers, _units(n_cols, hidden, 1)),  # one direction's units per row
        "c_n": (layers, _units(n_cols, hidden, 1)),
        "summary": (windows, units),
        "Linear": (windows, list(outputs)),
        "model output": (windows, list(outputs)),
        "predictions": (windows, [f"step {s + 1} ahead" for s in range(n_cols)]),
    }.get(stage.name, ([str(r) for r in range(n_rows)], [str(c) for c in range(n_cols)]))
    return rows[:n_rows], [str(c) for c in cols[:n_cols]]


@dataclass(frozen=True)
class LinearStep:
    """One output of the Linear layer for one window, its terms and its unscaling, as numbers."""

    summary: np.ndarray  # (S,) the vector the Linear layer reads
    weight: np.ndarray  # (S,) the row of the Linear weight for this output
    bias: float
    scaled: float  # weight · summary + bias: the model's output in scaled units
    scale: float  # original = scaled × scale + shift (the target column's scaler)
    shift: float  # levels: the scaler's shift; transformed targets: the value the scaled change is added to
    name: str  # the target column
    step: int  # steps ahead, from 1
    base: str = ""  # what ``shift`` is, when it is not the scaler's shift (a window's last value, …)

    @property
    def original(self) -> float:
        return self.scaled * self.scale + self.shift


def linear_step(model: SimpleRNN, x: torch.Tensor, scaler: Scaler, targets: Sequence[int], names: Sequence[str],
                output: int = 0, states: States = None, last: np.ndarray | None = None) -> LinearStep:
    """The numbers of the last step → Linear → prediction for window ``x`` (1, W, F) and one ``output``.

    Outputs are ordered step-major, as the model's (horizon × K) output is: ``output = step × K + k``.
    Transformed targets need ``last`` (K,), the window's last target values in original units
    (``SplitWindows.last``): the scaled change is added to it (and, for first differences, to the earlier
    steps' changes), as ``Scaler.inverse`` does.
    """
    weight = model.linear.weight
    x = x.to(weight.device, weight.dtype)
    with torch.no_grad():
        out, h_n = model.run_cells(x, states if states is not None else model.initial_states(x.shape[0]))
        summary = model.summarize(out, h_n)[0].double().cpu().numpy()  # (S,)
    w = weight[output].detach().double().cpu().numpy()  # (S,)
    b = float(model.linear.bias[output].detach().double()) if model.linear.bias is not None else 0.0
    k = output % len(targets)
    col = list(targets)[k] % len(scaler.scale)
    scaled, step = float(w @ summary + b), output // len(targets)
    scale, shift, base = float(scaler.scale[col]), float(scaler.shift[col]), ""
    kind = scaler.target_transform if col in scaler.changed else Transform.LEVELS
    if kind is not Transform.LEVELS:
        if last is None:
            raise ValueError(f"{kind} targets need the window's last value to turn the output into original units.")
        shift, base = float(np.asarray(last, dtype=np.float64)[k]), "last value"
    if kind is Transform.DIFFERENCE and step:  # the earlier steps' predicted changes of this target
        earlier = model.linear.weight[k : output : len(targets)].detach().double().cpu().numpy()  # (step, S)
        bias = model.linear.bias[k : output : len(targets)].detach().double().cpu().numpy() \
            if model.linear.bias is not None else 0.0
        shift += float(np.sum((earlier @ summary + bias) * scale))
        base = "last value + earlier changes"
    return LinearStep(summary, w, b, scaled, scale, shift, str(names[k]), step + 1, base)


def _num(v: float) -> str:
    return f"{v:.4g}" if v >= 0 else f"({v:.4g})"


def prediction_equations(step: LinearStep, shown: int = 3) -> list[str]:
    """LaTeX lines: ŷ = W·summary + b with the ``shown`` largest terms written out, then the unscaling."""
    terms = step.weight * step.summary  # (S,)
    top = np.argsort(-np.abs(terms), kind="stable")[:shown]
    rest = float(terms.sum() - terms[top].sum())
    n = len(terms)
    written = " + ".join(rf"{_num(step.weight[j])} \cdot {_num(step.summary[j])}" for j in top)
    others = rf" + \underbrace{{{_num(rest)}}}_{{\text{{other {n - len(top)} terms}}}}" if n > len(top) else ""
    ahead = "" if step.step == 1 else rf",\,t+{step.step}"
    scaled = rf"\hat y^{{\text{{scaled}}{ahead}}}"
    shift = rf"\underbrace{{{_num(step.shift)}}}_{{\text{{{step.base}}}}}" if step.base else _num(step.shift)
    name = latex_text(step.name)  # the target column as written: no LaTeX command of its own runs
    return [
        rf"{scaled} = W_{{\text{{Linear}}}}\, h_{{\text{{last}}}} + b = \sum_{{j=1}}^{{{n}}} w_j h_j + b",
        rf"= {written}{others} + {_num(step.bias)} = {step.scaled:.4g}",
        rf"\hat y_{{\text{{{name}}}}} = {scaled} \times {step.scale:.4g} + {shift} = {step.original:.4g}",
    ]

