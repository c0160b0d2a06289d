"""Follow a batch through a SimpleRNN's cells: recompute every step's gates and states from its weights.

``trace_cells`` recomputes the recurrent module step by step from its own weights, for every layer and
direction, and keeps each step's gates and states as a ``CellTrace`` (``lstmlab.cell_trace``), whose
``max_abs_diff`` checks the recomputation against the torch module itself.
"""

from __future__ import annotations

import torch

from lstmlab import config
from lstmlab.cell_trace import CELL_GATES, CellTrace
from lstmlab.model import SimpleRNN
from lstmlab.recurrence import run_gru, run_lstm, run_rnn
from lstmlab.trace_stats import gate_saturation, unit_saturation

# gate_saturation, unit_saturation: their old home, where scripts outside the package still import them
__all__ = ["gate_saturation", "seeded_states", "trace_cells", "unit_saturation"]


def _initial(states: object, shape: tuple[int, ...], x: torch.Tensor, lstm: bool) -> tuple[torch.Tensor, ...]:
    """(h0, c0) or (h0,) as (L, D, B, H) from the module's (L*D, B, H) states, or zeros for None."""
    if states is None:
        return tuple(x.new_zeros(shape) for _ in range(2 if lstm else 1))
    parts = tuple(states) if isinstance(states, (tuple, list)) else (states,)
    if len(parts) != (2 if lstm else 1):
        raise ValueError(f"states must be {'(h_0, c_0)' if lstm else 'h_0 alone'} for this cell.")
    return tuple(s.to(x).reshape(shape) for s in parts)


def trace_cells(model: SimpleRNN, x: torch.Tensor, states: object = None) -> CellTrace:
    """Recompute ``model.rnn`` on x (B, W, F) step by step and keep every cell's gates and states.

    ``states``: (h_0, c_0) for an LSTM, h_0 for a GRU or RNN, each (L*D, B, H); without them the model's
    own initial-state mode is used, drawn once (so ``max_abs_diff`` replays the very same random states).
    """
    module, kind = model.rnn, model.cell
    if getattr(module, "proj_size", 0):
        raise ValueError("projected LSTMs (proj_size > 0) are not traced.")
    if kind is config.Cell.RNN and module.nonlinearity != "tanh":
        raise ValueError("only the tanh RNN is traced.")
    lstm = kind is config.Cell.LSTM
    weight = module.weight_ih_l0
    x = x.to(weight.device, weight.dtype)
    batch, n_steps, _ = x.shape
    n_layers, d, hidden = module.num_layers, 2 if module.bidirectional else 1, module.hidden_size
    if states is None:
        states = model.initial_states(batch)
    initial = _initial(states, (n_layers, d, batch, hidden), x, lstm)
    h0, c0 = initial[0], initial[1] if lstm else None
    rows = model.gates * hidden
    if lstm:
        order = torch.cat(
            [torch.arange(0, 2 * hidden), torch.arange(3 * hidden, rows), torch.arange(2 * hidden, 3 * hidden)]
        ).to(weight.device)  # i, f, g, o → i, f, o, g
        scale = torch.ones(rows, 1, device=weight.device, dtype=weight.dtype)
        scale[3 * hidden :] = 2  # doubled g rows, see run_lstm
    acts = x.new_empty(n_layers, d, n_steps, batch, rows)  # (L, D, W, B, gates*H); LSTM: i, f, o, g order
    hs = x.new_empty(n_layers, d, n_steps, batch, hidden)  # (L, D, W, B, H)
    cs = torch.empty_like(hs) if lstm else None
    inputs = [x]
    layer_in = x.transpose(0, 1).contiguous()  # (W, B, F) time-major
    with torch.no_grad():
        for layer in range(n_layers):
            flat = layer_in.reshape(n_steps * batch, -1)
            for direction in range(d):
                sfx = f"_l{layer}" + ("_reverse" if direction else "")
                w_ih, w_hh = getattr(module, "weight_ih" + sfx), getattr(module, "weight_hh" + sfx)
                zero = torch.zeros(rows, device=weight.device, dtype=weight.dtype)
                b_ih = getattr(module, "bias_ih" + sfx) if module.bias else zero
                b_hh = getattr(module, "bias_hh" + sfx) if module.bias else zero
                reverse, at = direction == 1, (layer, direction)
                if lstm:
                    w_ih, w_hh = w_ih[order] * scale, w_hh[order] * scale
                    # The input projection for all steps at once: one matmul per layer and direction.
                    xp = torch.addmm((b_ih + b_hh)[order] * scale[:, 0], flat, w_ih.T)
                    run_lstm(xp.reshape(n_steps, batch, rows), w_hh.T, h0[at], c0[at], reverse,
                                   acts[at], cs[at], hs[at])  # fmt: skip
                elif kind is config.Cell.GRU:
                    xp = torch.addmm(b_ih, flat, w_ih.T).reshape(n_steps, batch, rows)
                    run_gru(xp, w_hh.T, b_hh, h0[at], reverse, acts[at], hs[at])
                else:
                    xp = torch.addmm(b_ih + b_hh, flat, w_ih.T).reshape(n_steps, batch, rows)
                    run_rnn(xp, w_hh.T, h0[at], reverse, acts[at], hs[at])
            layer_in = hs[layer].permute(1, 2, 0, 3).reshape(n_steps, batch, d * hidden)  # (W, B, D*H)
            if layer + 1 < n_layers:
                inputs.append(layer_in.transpose(0, 1))  # (B, W, D*H)
    # Views, no copies: (L, D, W, B, ·) buffers read as (L, D, B, W, ·).
    acts, hs = acts.transpose(2, 3), hs.transpose(2, 3)
    h = hidden
    if lstm:
        gates = {"i": acts[..., :h], "f": acts[..., h : 2 * h], "g": acts[..., 3 * h :], "o": acts[..., 2 * h : 3 * h]}
        return CellTrace(tuple(inputs), hs, h0, gates, kind, cs.transpose(2, 3), c0)
    names = CELL_GATES[kind]
    gates = {name: acts[..., k * h : (k + 1) * h] for k, name in enumerate(names)}
    return CellTrace(tuple(inputs), hs, h0, gates, kind)


def seeded_states(model: SimpleRNN, batch: int, seed: int = 0) -> object:
    """``model.initial_states(batch)`` drawn from ``seed`` (random mode) by a local generator: the same
    states on every device, and no global random state touched."""
    return model.initial_states(batch, generator=torch.Generator().manual_seed(seed))
