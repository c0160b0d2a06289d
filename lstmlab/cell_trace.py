"""What a trace of a SimpleRNN's cells holds: every step's gates and states, per layer and direction.

``CellTrace`` holds the whole trace (``lstmlab.trace.trace_cells`` computes it), reads one ``Cell``
out of it, and checks itself against the torch module (``max_abs_diff``). The gates are PyTorch's,
in its order:

- LSTM: i, f, g, o, with a cell state c: c_t = f c_{t-1} + i g, h_t = o tanh(c_t);
- GRU: r (reset), z (update), n (candidate): h_t = (1 - z) n + z h_{t-1}; no c;
- RNN: a, the pre-activation x W_ih^T + h_{t-1} W_hh^T + b: h_t = tanh(a); no c, no gates.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch

from lstmlab import config
from lstmlab.model import SimpleRNN

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
