"""Follow a batch through a SimpleRNN's cells: every step's gates and states, per layer and direction.

``trace_cells`` recomputes the recurrent module step by step from its own weights, for every layer and
direction, and keeps each step's gates and states; ``CellTrace.max_abs_diff`` checks the recomputation
against the torch module itself. The gates are PyTorch's, in its order:

- LSTM: i, f, g, o, with a cell state c: c_t = f c_{t-1} + i g, h_t = o tanh(c_t);
- GRU: r (reset), z (update), n (candidate): h_t = (1 - z) n + z h_{t-1}; no c;
- RNN: a, the pre-activation x W_ih^T + h_{t-1} W_hh^T + b: h_t = tanh(a); no c, no gates.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from lstmlab import config
from lstmlab.model import SimpleRNN
from lstmlab.recurrence import run_gru, run_lstm, run_rnn

GATES = ("i", "f", "g", "o")  # the LSTM's
SIGMOID_GATES = ("i", "f", "o")  # the LSTM gates that can saturate at 0 and 1
STATES = ("h", "c", "i", "f", "g", "o")  # the LSTM's
CELL_GATES = {config.Cell.LSTM: GATES, config.Cell.GRU: ("r", "z", "n"), config.Cell.RNN: ("a",)}
CELL_SIGMOID_GATES = {config.Cell.LSTM: SIGMOID_GATES, config.Cell.GRU: ("r", "z"), config.Cell.RNN: ()}
GATE_NAMES = {
    "i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate",
    "r": "reset gate", "z": "update gate", "n": "candidate", "a": "pre-activation",
}  # fmt: skip


def cell_states(cell: config.Cell) -> tuple[str, ...]:
    """What a trace of this cell holds per step: h, c for an LSTM, then its gates."""
    return ("h", "c", *GATES) if cell is config.Cell.LSTM else ("h", *CELL_GATES[cell])


def _no_gate(kind: config.Cell, name: str) -> AttributeError:
    return AttributeError(
        f"a {kind.name} has no {name!r}: its per-step values are {', '.join(cell_states(kind))}."
    )


class _Gates:
    """``.i``, ``.r``, ``.a`` ... read from ``gates``, with a clear error for a gate the cell lacks."""

    gates: dict
    kind: config.Cell

    def _gate(self, name: str):
        if name not in self.gates:
            raise _no_gate(self.kind, name)
        return self.gates[name]

    i = property(lambda self: self._gate("i"))
    f = property(lambda self: self._gate("f"))
    g = property(lambda self: self._gate("g"))
    o = property(lambda self: self._gate("o"))
    r = property(lambda self: self._gate("r"))
    z = property(lambda self: self._gate("z"))
    n = property(lambda self: self._gate("n"))
    a = property(lambda self: self._gate("a"))

    def value(self, name: str):
        """``h``, ``c`` or a gate by name (``cell_states`` lists them)."""
        if name in ("h", "c") and getattr(self, name) is not None:
            return getattr(self, name)
        return self._gate(name)


@dataclass(frozen=True)
class Cell(_Gates):
    """One cell (layer, direction, sample, time step): its inputs, gates and outputs as numpy arrays."""

    x: np.ndarray  # (F_l,)
    h_prev: np.ndarray  # (H,)
    h: np.ndarray
    gates: dict[str, np.ndarray]  # (H,) each, keyed by CELL_GATES[kind]
    kind: config.Cell = config.Cell.LSTM
    c_prev: np.ndarray | None = None  # LSTM only
    c: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class CellTrace(_Gates):
    """Every cell of every layer and direction; time steps are in window order for both directions.

    ``h`` is (layers, directions, B, W, H) for every cell; so are ``c`` (LSTM only, else None) and each
    gate in ``gates`` (``.i`` ... ``.a`` read them).
    """

    x: tuple[torch.Tensor, ...]  # per layer: its input (B, W, F_l); F_0 = F, then directions × H
    h: torch.Tensor  # (layers, directions, B, W, H)
    h0: torch.Tensor  # (layers, directions, B, H): the initial states actually used
    gates: dict[str, torch.Tensor] = field(default_factory=dict)
    kind: config.Cell = config.Cell.LSTM
    c: torch.Tensor | None = None
    c0: torch.Tensor | None = None

    @property
    def shape(self) -> tuple[int, int, int, int, int]:
        return tuple(self.h.shape)  # (L, D, B, W, H)

    @property
    def sigmoid_gates(self) -> tuple[str, ...]:
        return CELL_SIGMOID_GATES[self.kind]

    @property
    def output(self) -> torch.Tensor:
        """The top layer's h at every step, directions joined: (B, W, D*H), like the module's output."""
        top = self.h[-1]  # (D, B, W, H)
        return top.permute(1, 2, 0, 3).reshape(top.shape[1], top.shape[2], -1)

    def _final(self, s: torch.Tensor) -> torch.Tensor:
        # Forward ends at the last step, backward at the first: (L*D, B, H) like the module's h_n.
        last = [s[:, 0, :, -1]] + ([s[:, 1, :, 0]] if s.shape[1] == 2 else [])
        return torch.stack(last, dim=1).reshape(-1, s.shape[2], s.shape[4])

    @property
    def h_n(self) -> torch.Tensor:
        return self._final(self.h)

    @property
    def c_n(self) -> torch.Tensor:
        if self.c is None:
            raise _no_gate(self.kind, "c")
        return self._final(self.c)

    def _prev(self, s: torch.Tensor, s0: torch.Tensor) -> torch.Tensor:
        fwd = torch.cat([s0[:, :1, :, None], s[:, :1, :, :-1]], dim=3)
        if s.shape[1] == 1:
            return fwd
        bwd = torch.cat([s[:, 1:, :, 1:], s0[:, 1:, :, None]], dim=3)  # backward: the next step feeds it
        return torch.cat([fwd, bwd], dim=1)

    @property
    def h_prev(self) -> torch.Tensor:
        """(L, D, B, W, H): the hidden state each cell received."""
        return self._prev(self.h, self.h0)

    @property
    def c_prev(self) -> torch.Tensor:
        if self.c is None:
            raise _no_gate(self.kind, "c")
        return self._prev(self.c, self.c0)

    def cell(self, layer: int, direction: int, sample: int, t: int) -> Cell:
        """The numbers going into and out of one cell."""
        w = self.shape[3]
        prev = t - 1 if direction == 0 else t + 1
        first = prev < 0 or prev >= w

        def at(s: torch.Tensor) -> np.ndarray:
            return s[layer, direction, sample, t].cpu().numpy()

        def before(s: torch.Tensor, s0: torch.Tensor) -> np.ndarray:
            return (s0[layer, direction, sample] if first else s[layer, direction, sample, prev]).cpu().numpy()

        lstm = self.c is not None
        return Cell(
            self.x[layer][sample, t].cpu().numpy(),
            before(self.h, self.h0),
            at(self.h),
            {name: at(v) for name, v in self.gates.items()},
            self.kind,
            before(self.c, self.c0) if lstm else None,
            at(self.c) if lstm else None,
        )

    def cpu(self) -> CellTrace:
        def move(t: torch.Tensor | None) -> torch.Tensor | None:
            return None if t is None else t.cpu()

        gates = {k: v.cpu() for k, v in self.gates.items()}
        return CellTrace(tuple(t.cpu() for t in self.x), self.h.cpu(), self.h0.cpu(), gates, self.kind,
                         move(self.c), move(self.c0))  # fmt: skip

    def max_abs_diff(self, model: SimpleRNN, on_device: bool = False) -> float:
        """Largest |trace − torch module| over output, h_n (and c_n), run on the same input and initial states.

        The reference runs in full fp32 on the CPU, like with like: on a recent GPU, cuDNN's own
        kernel computes in TF32 (see ``lstmlab.devices.precision_mode``). ``on_device=True`` compares
        with that kernel instead, which shows how far the device's precision moves the numbers.
        """
        module, where = model.rnn, self.h.device
        if not on_device and where.type != "cpu":
            module, where = copy.deepcopy(module).cpu(), torch.device("cpu")
        h0 = self.h0.flatten(0, 1).to(where)  # (L*D, B, H)
        states = (h0, self.c0.flatten(0, 1).to(where)) if self.c is not None else h0
        with torch.no_grad():
            out, final = module(self.x[0].to(where), states)
        pairs = [(out, self.output)]
        if self.c is not None:
            pairs += [(final[0], self.h_n), (final[1], self.c_n)]
        else:
            pairs.append((final, self.h_n))
        return max((a - b.to(where)).abs().max().item() for a, b in pairs)


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


def _sigmoid_gates(trace: CellTrace) -> tuple[str, ...]:
    if not trace.sigmoid_gates:
        raise ValueError(
            f"a plain {trace.kind.name} has no gates to saturate: its only activation is tanh(a). "
            "Gate saturation applies to the LSTM (i, f, o) and the GRU (r, z)."
        )
    return trace.sigmoid_gates


def _share(mask: torch.Tensor) -> float:
    """The share of True values, counted exactly on any device (MPS has no float64)."""
    return mask.sum().item() / max(mask.numel(), 1)


def gate_saturation(trace: CellTrace, low: float = 0.1, high: float = 0.9) -> pd.DataFrame:
    """Share of gate values below ``low`` and above ``high``, per layer, direction and sigmoid gate."""
    rows = []
    n_layers, d = trace.shape[:2]
    for layer in range(n_layers):
        for direction in range(d):
            for gate in _sigmoid_gates(trace):
                v = trace.gates[gate][layer, direction]
                rows.append(
                    {
                        "layer": layer,
                        "direction": "backward" if direction else "forward",
                        "gate": gate,
                        f"share < {low}": _share(v < low),
                        f"share > {high}": _share(v > high),
                    }
                )
    return pd.DataFrame(rows)


def unit_saturation(trace: CellTrace, low: float = 0.1, high: float = 0.9) -> dict[str, np.ndarray]:
    """Per unit: for each sigmoid gate, (L, D, H, 2) shares of time below ``low`` / above ``high``."""
    out = {}
    for gate in _sigmoid_gates(trace):
        v = trace.gates[gate]  # (L, D, B, W, H)
        count = v.shape[2] * v.shape[3]  # B × W values per unit
        # Integer counts, divided on the CPU in float64: exact, and MPS has no float64.
        left = (v < low).sum(dim=(2, 3)).cpu().double() / count
        right = (v > high).sum(dim=(2, 3)).cpu().double() / count
        out[gate] = torch.stack([left, right], dim=-1).numpy()
    return out


def find_units(values: np.ndarray, start: int, stop: int, threshold: float) -> np.ndarray:
    """LSTMVis-style selection: units whose value is ≥ ``threshold`` at every step in [start, stop].

    ``values`` is (W, H) for one sample. Units are ranked by how much more they are on inside the
    range than outside it (units that are on everywhere come last).
    """
    values = np.asarray(values)
    if not 0 <= start <= stop < values.shape[0]:
        raise ValueError(f"time range [{start}, {stop}] must lie in 0..{values.shape[0] - 1}.")
    inside = values[start : stop + 1]
    on = np.flatnonzero((inside >= threshold).all(axis=0))
    mask = np.ones(values.shape[0], dtype=bool)
    mask[start : stop + 1] = False
    outside = values[mask].mean(axis=0) if mask.any() else np.zeros(values.shape[1])
    score = inside.mean(axis=0) - outside
    return on[np.argsort(-score[on], kind="stable")]


def seeded_states(model: SimpleRNN, batch: int, seed: int = 0) -> object:
    """``model.initial_states(batch)`` drawn from ``seed`` (random mode) by a local generator: the same
    states on every device, and no global random state touched."""
    return model.initial_states(batch, generator=torch.Generator().manual_seed(seed))


def suggest_threshold(values: np.ndarray, start: int, stop: int, share: float = 0.1) -> float:
    """A threshold that ``find_units`` passes for about ``share`` of the units over [start, stop]."""
    lowest = np.asarray(values)[start : stop + 1].min(axis=0)  # (H,) each unit's weakest step in the range
    return round(float(np.floor(np.quantile(lowest, 1 - share) * 100)) / 100, 2)
