"""What the Inspect page computes: one window followed through the model, checked against ``nn.LSTM``.

``inspect_window`` traces the chosen window and an evenly spread batch of its split cell by cell,
checks both traces against ``nn.LSTM`` itself, and turns the prediction back into the data's units.
``gate_terms`` splits one cell's gate pre-activations into their input, recurrent and bias parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from lstmlab import cell_trace
from lstmlab import trace as lt
from lstmlab.config import Cell, ModelConfig, Summary
from lstmlab.devices import FP32_TOLERANCE, model_device, on_device, precision_mode, trace_tolerance
from lstmlab.model import SimpleRNN
from lstmlab.windows import Scaler, SplitWindows

TRACED_WINDOWS = 256  # windows traced for the check and the saturation statistics
# float32 recomputation agrees with nn.LSTM to about 1e-7; more than this means a wrong trace
TRACE_TOLERANCE = FP32_TOLERANCE

States = tuple[torch.Tensor, torch.Tensor] | torch.Tensor | None  # (h_0, c_0) for an LSTM, else h_0


@dataclass(frozen=True)
class WindowInspection:
    """One window of a split through the model, with a batch of its split traced beside it."""

    x: torch.Tensor  # (1, W, F) the window, scaled
    states: States  # its initial states (None: zeros)
    sample: cell_trace.CellTrace  # the window's trace, on the CPU
    batch: cell_trace.CellTrace  # the traced batch, on the model's device
    indices: np.ndarray  # (B,) the traced windows' positions in the split
    batch_states: States
    prediction: np.ndarray  # (horizon, K) in the data's units
    actual: np.ndarray  # (horizon, K)
    last: np.ndarray | None  # (K,) the window's last target values, original units (transformed targets need it)
    max_abs_diff: float  # largest |trace − nn.LSTM in full fp32| over output, h_n and c_n, window and batch
    tolerance: float = TRACE_TOLERANCE
    device: str = "cpu"  # where the trace ran
    precision: str = "full fp32"  # what nn.LSTM's own kernel computes in there
    kernel_diff: float | None = None  # |trace − the device's own kernel|, where that kernel is not full fp32

    @property
    def matches(self) -> bool:
        """Whether the step-by-step trace reproduces ``nn.LSTM`` within ``tolerance``."""
        return self.max_abs_diff < self.tolerance


def traced_indices(count: int, batch: int = TRACED_WINDOWS) -> np.ndarray:
    """Up to ``batch`` positions spread evenly over ``count`` windows, first and last included."""
    if count < 1:
        return np.zeros(0, dtype=int)
    return np.unique(np.linspace(0, count - 1, min(batch, count)).round().astype(int))


def inspect_window(
    model: SimpleRNN,
    windows: SplitWindows,
    n: int,
    scaler: Scaler,
    targets: Sequence[int],
    horizon: int,
    seed: int,
    batch: int = TRACED_WINDOWS,
    tolerance: float | None = None,
    device: torch.device | None = None,
) -> WindowInspection:
    """Trace window ``n`` of ``windows`` and ``batch`` windows spread over the split, and check both.

    Initial states are drawn from ``seed`` (they matter in random mode), so every rerun agrees. The
    trace runs on ``device`` (a copy of the model goes there), else where the model is; the check
    compares with nn.LSTM in full fp32, within ``tolerance`` (default: what the device's precision allows).
    """
    if not 0 <= n < len(windows):
        raise IndexError(f"window {n} is not in this split of {len(windows)} windows.")
    model = on_device(model, device)
    where = model_device(model)
    tolerance = trace_tolerance(where) if tolerance is None else tolerance
    x = windows.x[n : n + 1]  # (1, W, F)
    last = None if windows.last is None else windows.last[n]  # (K,)
    states = lt.seeded_states(model, 1, seed)
    sample = lt.trace_cells(model, x, states)
    indices = traced_indices(len(windows), batch)
    batch_states = lt.seeded_states(model, len(indices), seed)
    batch_trace = lt.trace_cells(model, windows.x[indices], batch_states)
    diff = max(batch_trace.max_abs_diff(model), sample.max_abs_diff(model))
    precision = precision_mode(where)
    kernel = batch_trace.max_abs_diff(model, on_device=True) if precision != "full fp32" else None
    with torch.no_grad():
        scaled = model(x.to(model.linear.weight.device), states).reshape(horizon, -1)  # (horizon, K)
    return WindowInspection(
        x=x,
        states=states,
        sample=sample.cpu(),
        batch=batch_trace,
        indices=indices,
        batch_states=batch_states,
        prediction=scaler.inverse(scaled, targets, last),
        actual=scaler.inverse(windows.y[n], targets, last),
        last=last,
        max_abs_diff=float(diff),
        tolerance=tolerance,
        device=str(where),
        precision=precision,
        kernel_diff=kernel,
    )


def output_labels(horizon: int, target_names: Sequence[str]) -> list[str]:
    """The model's outputs in its output order (step-major): 'step 1 · a', 'step 1 · b', 'step 2 · a', …"""
    return [f"step {s + 1} · {name}" for s in range(horizon) for name in target_names]


def summary_stage(config: ModelConfig) -> str:
    """The stage the Linear layer reads: ``h_n`` for a bidirectional model summarised by it, else the output."""
    return "h_n" if config.bidirectional and config.summary is Summary.H_N else f"{config.cell.name} output"


def layer_inputs(columns: Sequence[str], layer: int, directions: int, hidden: int) -> list[str]:
    """Names of a layer's inputs: the data's columns for layer 0, the layer below's h units above it."""
    return list(columns) if layer == 0 else [f"h{k}" for k in range(directions * hidden)]


def cell_states(trace: cell_trace.CellTrace, layer: int, direction: int, sample: int = 0) -> dict[str, np.ndarray]:
    """Every state and gate of one layer and direction for one sample: {name: (W, H)} (``cell_trace.cell_states``)."""
    names = cell_trace.cell_states(trace.kind)
    return {name: trace.value(name)[layer, direction, sample].cpu().numpy() for name in names}


def gate_terms(model: SimpleRNN, layer: int, direction: int, cell: cell_trace.Cell) -> dict[str, np.ndarray]:
    """Each gate's pre-activation split into W_i·x_t, W_h·h_{t-1} and bias: {gate: (3, H)}.

    The GRU's n keeps its two biases apart, (4, H): W_in·x_t, W_hn·h_{t-1}, b_in, b_hn (r scales the
    recurrent part and b_hn only)."""
    sfx = f"_l{layer}" + ("_reverse" if direction else "")
    module = model.rnn
    w_ih, w_hh = (getattr(module, n + sfx).detach().cpu().double().numpy() for n in ("weight_ih", "weight_hh"))
    b_ih, b_hh = np.zeros(w_ih.shape[0]), np.zeros(w_ih.shape[0])
    if module.bias:
        b_ih, b_hh = (getattr(module, n + sfx).detach().cpu().double().numpy() for n in ("bias_ih", "bias_hh"))
    wx, wh = w_ih @ cell.x.astype(np.float64), w_hh @ cell.h_prev.astype(np.float64)  # (gates × H,)
    names = cell_trace.CELL_GATES[model.cell]  # PyTorch's row order
    rows = [p.reshape(len(names), -1) for p in (wx, wh, b_ih + b_hh, b_ih, b_hh)]
    terms = {gate: np.stack([part[k] for part in rows[:3]]) for k, gate in enumerate(names)}
    if model.cell is Cell.GRU:
        terms["n"] = np.stack([part[2] for part in (rows[0], rows[1], rows[3], rows[4])])
    return terms
