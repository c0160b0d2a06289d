"""The tutorial's errors, run next to the corrected model on the user's own model and windows.

- random initial states: the tutorial draws fresh ``torch.randn`` states on every call, so two calls on
  the same window give two predictions; zeros give the same prediction twice;
- the bidirectional last-step summary: ``output[:, -1]`` holds the backward direction after one step of
  its recurrence; ``h_n`` holds it after the whole window;
- "the number of cells equals the window size": there is one cell, whose weights are applied
  ``window`` times; the parameter count does not depend on the window.

All three run on any cell of the family (LSTM, GRU, RNN); only the LSTM carries a c state beside h.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from lstmlab.config import Cell
from lstmlab.model import MODULES, SimpleRNN, count_parameters
from lstmlab.windows import Scaler


def _units(model: SimpleRNN, linear_in: torch.Tensor, scaler: Scaler, targets: Sequence[int],
           horizon: int, last: np.ndarray | None = None) -> np.ndarray:
    """Linear layer output (B, H*K) → predictions (B, horizon, K) in original units (``last``: (B, K), see
    ``Scaler.inverse``)."""
    pred = model.linear(linear_in).reshape(linear_in.shape[0], horizon, -1)
    return scaler.inverse(pred, targets, last)


def _device_x(model: SimpleRNN, x: torch.Tensor) -> torch.Tensor:
    weight = model.linear.weight
    return x.to(weight.device, weight.dtype)


@dataclass(frozen=True)
class RandomStates:
    """Two calls with the tutorial's fresh random states, and two with zeros, in original units."""

    tutorial: tuple[np.ndarray, np.ndarray]  # (B, horizon, K) each
    zeros: tuple[np.ndarray, np.ndarray]

    @property
    def tutorial_gap(self) -> np.ndarray:
        return np.abs(self.tutorial[0] - self.tutorial[1])  # (B, horizon, K)

    @property
    def zeros_gap(self) -> np.ndarray:
        return np.abs(self.zeros[0] - self.zeros[1])


def random_initial_states(model: SimpleRNN, x: torch.Tensor, scaler: Scaler, targets: Sequence[int],
                          horizon: int = 1, seed: int = 0, last: np.ndarray | None = None) -> RandomStates:
    """Call the model twice as the tutorial does (new ``randn`` states each call) and twice with zeros."""
    x = _device_x(model, x)
    shape = (model.n_layers * model.directions, x.shape[0], model.h_size)
    gen = torch.Generator().manual_seed(seed)
    n_states = 2 if model.cell is Cell.LSTM else 1  # (h_0, c_0), or h_0 alone

    def call(random: bool) -> np.ndarray:
        states = None
        if random:
            states = tuple(torch.randn(shape, generator=gen, dtype=x.dtype).to(x.device) for _ in range(n_states))
            states = states if n_states == 2 else states[0]
        output, h_n = model.run_cells(x, states)
        return _units(model, model.summarize(output, h_n), scaler, targets, horizon, last)

    with torch.no_grad():
        return RandomStates((call(True), call(True)), (call(False), call(False)))


@dataclass(frozen=True)
class Bidirectional:
    """The tutorial's ``output[:, -1]`` against ``h_n`` as the summary of a (bidirectional) LSTM."""

    bidirectional: bool
    n_layers: int
    window: int
    tutorial: np.ndarray  # (B, horizon, K) predictions from output[:, -1], original units
    corrected: np.ndarray  # from h_n
    backward_steps_tutorial: int  # recurrent steps the top backward cell has run in output[:, -1]
    backward_steps_corrected: int
    # Change of the backward half of each summary when every step but the last is replaced by noise:
    backward_change_tutorial: float
    backward_change_corrected: float

    @property
    def gap(self) -> np.ndarray:
        return np.abs(self.tutorial - self.corrected)


def bidirectional_summary(model: SimpleRNN, x: torch.Tensor, scaler: Scaler, targets: Sequence[int],
                          horizon: int = 1, seed: int = 0, last: np.ndarray | None = None) -> Bidirectional:
    """Predictions from both summaries with zero initial states, and what the backward half has seen."""
    x = _device_x(model, x)
    hidden, window = model.h_size, x.shape[1]
    with torch.no_grad():
        output, h_n = model.run_cells(x)  # (B, W, D*H), (L*D, B, H)
        tutorial = output[:, -1]  # (B, D*H)
        corrected = torch.cat([h_n[-2], h_n[-1]], dim=-1) if model.bidirectional else h_n[-1]
        # Replace every step but the last: what the backward half does not change with, it has not seen.
        gen = torch.Generator().manual_seed(seed)
        noisy = x.clone()
        noisy[:, :-1] = torch.randn(noisy[:, :-1].shape, generator=gen, dtype=x.dtype).to(x.device)
        out2, h_n2 = model.run_cells(noisy)
        half = slice(hidden, None) if model.bidirectional else slice(0, hidden)
        change_tut = (out2[:, -1, half] - tutorial[:, half]).abs().max().item()
        change_cor = (h_n2[-1] - h_n[-1]).abs().max().item()
        return Bidirectional(
            model.bidirectional, model.n_layers, window,
            _units(model, tutorial, scaler, targets, horizon, last),
            _units(model, corrected, scaler, targets, horizon, last),
            1 if model.bidirectional else window, window, change_tut, change_cor,
        )


@dataclass(frozen=True)
class WeightReuse:
    """One cell applied ``window`` times: the same weight tensors at every step."""

    window: int
    lstm_parameters: int  # all of the recurrent module's parameters (any cell), independent of the window
    if_one_cell_per_step: int  # what "window cells" with their own weights would need
    same_count_at_double_window: bool  # a model built for 2 × window has the same count
    weight_ids: tuple[int, ...]  # id() of the input weight used at each step of layer 0, forward
    weight_id: int  # id(model.rnn.weight_ih_l0)
    max_abs_diff: float  # step-by-step unroll vs the recurrent module's layer-0 output


def weight_reuse(model: SimpleRNN, x: torch.Tensor) -> WeightReuse:
    """Unroll layer 0 (forward) with one cell (``nn.LSTMCell``, ``nn.GRUCell`` or ``nn.RNNCell``) fed the
    layer's own weight tensors, step by step.

    Runs on the CPU in full fp32: on a recent GPU the module's cuDNN kernel computes in TF32 and the
    single cell does not, and the comparison would measure that instead of the unroll.
    """
    lstm = model.rnn if model.linear.weight.device.type == "cpu" else copy.deepcopy(model.rnn).cpu()
    x, window = x.detach().to("cpu", lstm.weight_ih_l0.dtype), x.shape[1]
    cells = {Cell.LSTM: nn.LSTMCell, Cell.GRU: nn.GRUCell, Cell.RNN: nn.RNNCell}
    cell = cells[model.cell](lstm.input_size, lstm.hidden_size, bias=lstm.bias, device=x.device, dtype=x.dtype)
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh") if lstm.bias else ("weight_ih", "weight_hh")
    used = {name: getattr(lstm, name + "_l0") for name in names}  # the very tensors, not copies
    h = x.new_zeros(x.shape[0], lstm.hidden_size)
    state = (h, torch.zeros_like(h)) if model.cell is Cell.LSTM else h
    ids, hs = [], []
    with torch.no_grad():
        for t in range(window):
            ids.append(id(used["weight_ih"]))
            state = torch.func.functional_call(cell, used, (x[:, t], state))
            hs.append(state[0] if model.cell is Cell.LSTM else state)
        single = MODULES[model.cell](lstm.input_size, lstm.hidden_size, batch_first=True, bias=lstm.bias,
                                     device=x.device, dtype=x.dtype)
        ref, _ = torch.func.functional_call(single, {k + "_l0": v for k, v in used.items()}, (x,))
    diff = (torch.stack(hs, dim=1) - ref).abs().max().item()
    n = count_parameters(lstm)
    twice = SimpleRNN(model.n_features, 2 * window, model.output_size, model.h_size, model.n_layers,
                      model.bidirectional, model.cell)
    return WeightReuse(window, n, n * window, count_parameters(twice.rnn) == n, tuple(ids),
                       id(lstm.weight_ih_l0), diff)
