"""Follow a batch through a SimpleLSTM's cells: every step's gates and states, per layer and direction.

``trace_cells`` recomputes ``nn.LSTM`` step by step from the module's own weights (PyTorch's gate
order i, f, g, o), for every layer and direction, and keeps each step's gates and states; its
``max_abs_diff`` checks the recomputation against ``nn.LSTM`` itself.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from lstmlab.model import SimpleLSTM

GATES = ("i", "f", "g", "o")
SIGMOID_GATES = ("i", "f", "o")  # the gates that can saturate at 0 and 1
STATES = ("h", "c", "i", "f", "g", "o")


@dataclass(frozen=True)
class Cell:
    """One cell (layer, direction, sample, time step): its inputs, gates and outputs as numpy arrays."""

    x: np.ndarray  # (F_l,)
    h_prev: np.ndarray  # (H,)
    c_prev: np.ndarray
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray


@dataclass(frozen=True)
class CellTrace:
    """Every cell of every layer and direction; time steps are in window order for both directions."""

    x: tuple[torch.Tensor, ...]  # per layer: its input (B, W, F_l); F_0 = F, then directions × H
    h: torch.Tensor  # (layers, directions, B, W, H)
    c: torch.Tensor
    i: torch.Tensor
    f: torch.Tensor
    g: torch.Tensor
    o: torch.Tensor
    h0: torch.Tensor  # (layers, directions, B, H): the initial states actually used
    c0: torch.Tensor

    @property
    def shape(self) -> tuple[int, int, int, int, int]:
        return tuple(self.h.shape)  # (L, D, B, W, H)

    @property
    def output(self) -> torch.Tensor:
        """The top layer's h at every step, directions joined: (B, W, D*H), like nn.LSTM's output."""
        top = self.h[-1]  # (D, B, W, H)
        return top.permute(1, 2, 0, 3).reshape(top.shape[1], top.shape[2], -1)

    def _final(self, s: torch.Tensor) -> torch.Tensor:
        # Forward ends at the last step, backward at the first: (L*D, B, H) like nn.LSTM's h_n.
        last = [s[:, 0, :, -1]] + ([s[:, 1, :, 0]] if s.shape[1] == 2 else [])
        return torch.stack(last, dim=1).reshape(-1, s.shape[2], s.shape[4])

    @property
    def h_n(self) -> torch.Tensor:
        return self._final(self.h)

    @property
    def c_n(self) -> torch.Tensor:
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
        return self._prev(self.c, self.c0)

    def cell(self, layer: int, direction: int, sample: int, t: int) -> Cell:
        """The numbers going into and out of one cell."""
        w = self.shape[3]
        prev = t - 1 if direction == 0 else t + 1
        first = prev < 0 or prev >= w

        def at(s: torch.Tensor) -> np.ndarray:
            return s[layer, direction, sample, t].cpu().numpy()

        h_prev = self.h0[layer, direction, sample] if first else self.h[layer, direction, sample, prev]
        c_prev = self.c0[layer, direction, sample] if first else self.c[layer, direction, sample, prev]
        return Cell(
            self.x[layer][sample, t].cpu().numpy(),
            h_prev.cpu().numpy(),
            c_prev.cpu().numpy(),
            at(self.i),
            at(self.f),
            at(self.g),
            at(self.o),
            at(self.c),
            at(self.h),
        )

    def cpu(self) -> CellTrace:
        move = {k: getattr(self, k).cpu() for k in ("h", "c", "i", "f", "g", "o", "h0", "c0")}
        return CellTrace(x=tuple(t.cpu() for t in self.x), **move)

    def max_abs_diff(self, model: SimpleLSTM, on_device: bool = False) -> float:
        """Largest |trace − nn.LSTM| over output, h_n and c_n, run on the same input and initial states.

        The reference runs in full fp32 on the CPU, like with like: on a recent GPU, cuDNN's own
        kernel computes in TF32 (see ``lstmlab.devices.precision_mode``). ``on_device=True`` compares
        with that kernel instead, which shows how far the device's precision moves the numbers.
        """
        lstm, where = model.lstm, self.h.device
        if not on_device and where.type != "cpu":
            lstm, where = copy.deepcopy(lstm).cpu(), torch.device("cpu")
        states = (self.h0.flatten(0, 1).to(where), self.c0.flatten(0, 1).to(where))  # (L*D, B, H)
        with torch.no_grad():
            out, (h_n, c_n) = lstm(self.x[0].to(where), states)
        pairs = ((out, self.output), (h_n, self.h_n), (c_n, self.c_n))
        return max((a - b.to(where)).abs().max().item() for a, b in pairs)


def _run_direction(
    xp: torch.Tensor,
    w_hh: torch.Tensor,
    h: torch.Tensor,
    c: torch.Tensor,
    reverse: bool,
    acts: torch.Tensor,
    cs: torch.Tensor,
    hs: torch.Tensor,
) -> None:
    """One layer and direction over time, written into acts (W, B, 4H), cs and hs (W, B, H).

    Time-major, so every step reads and writes contiguous (B, ·) blocks. ``xp`` (W, B, 4H) already
    holds x_t W_ih^T + both biases for every step. Gates are reordered to i, f, o, g and the g rows
    are doubled (exact in floating point) so one sigmoid covers all four:
    tanh(z) = 2 sigmoid(2z) - 1, and sigmoid is several times faster than tanh on CPU.
    """
    hidden = cs.shape[-1]
    tanh_c = cs.new_empty(cs.shape[1], hidden)
    for t in range(xp.shape[0] - 1, -1, -1) if reverse else range(xp.shape[0]):
        a = acts[t]  # (B, 4H)
        torch.sigmoid(torch.addmm(xp[t], h, w_hh), out=a)
        i, f, o, g = a.split(hidden, dim=1)
        g.mul_(2).sub_(1)  # g = tanh(z_g)
        c_t, h_t = cs[t], hs[t]
        torch.mul(f, c, out=c_t)
        c_t.addcmul_(i, g)  # c_t = f * c_{t-1} + i * g
        torch.sigmoid(c_t * 2, out=tanh_c)
        h_t.copy_(o).mul_(tanh_c.mul_(2).sub_(1))  # h_t = o * tanh(c_t)
        h, c = h_t, c_t


def trace_cells(
    model: SimpleLSTM, x: torch.Tensor, states: tuple[torch.Tensor, torch.Tensor] | None = None
) -> CellTrace:
    """Recompute ``model.lstm`` on x (B, W, F) step by step and keep every cell's gates and states.

    ``states`` (h_0, c_0) of shape (L*D, B, H); without them the model's own initial-state mode is used,
    drawn once (so ``max_abs_diff`` replays the very same random states).
    """
    lstm = model.lstm
    if lstm.proj_size:
        raise ValueError("projected LSTMs (proj_size > 0) are not traced.")
    weight = lstm.weight_ih_l0
    x = x.to(weight.device, weight.dtype)
    batch, n_steps, _ = x.shape
    n_layers, d, hidden = lstm.num_layers, 2 if lstm.bidirectional else 1, lstm.hidden_size
    if states is None:
        states = model.initial_states(batch)
    if states is None:
        h0 = x.new_zeros(n_layers, d, batch, hidden)
        c0 = torch.zeros_like(h0)
    else:
        h0 = states[0].to(x).reshape(n_layers, d, batch, hidden)
        c0 = states[1].to(x).reshape(n_layers, d, batch, hidden)
    h4 = 4 * hidden
    order = torch.cat(
        [torch.arange(0, 2 * hidden), torch.arange(3 * hidden, h4), torch.arange(2 * hidden, 3 * hidden)]
    ).to(weight.device)  # i, f, g, o → i, f, o, g
    scale = torch.ones(h4, 1, device=weight.device, dtype=weight.dtype)
    scale[3 * hidden :] = 2  # doubled g rows, see _run_direction
    acts = x.new_empty(n_layers, d, n_steps, batch, h4)  # (L, D, W, B, 4H) in i, f, o, g order
    cs = x.new_empty(n_layers, d, n_steps, batch, hidden)  # (L, D, W, B, H)
    hs = torch.empty_like(cs)
    inputs = [x]
    layer_in = x.transpose(0, 1).contiguous()  # (W, B, F) time-major
    with torch.no_grad():
        for layer in range(n_layers):
            flat = layer_in.reshape(n_steps * batch, -1)
            for direction in range(d):
                sfx = f"_l{layer}" + ("_reverse" if direction else "")
                w_ih, w_hh = getattr(lstm, "weight_ih" + sfx), getattr(lstm, "weight_hh" + sfx)
                w_ih, w_hh = w_ih[order] * scale, w_hh[order] * scale
                # The input projection for all steps at once: one matmul per layer and direction.
                if lstm.bias:
                    bias = (getattr(lstm, "bias_ih" + sfx) + getattr(lstm, "bias_hh" + sfx))[order] * scale[:, 0]
                    xp = torch.addmm(bias, flat, w_ih.T)
                else:
                    xp = flat @ w_ih.T
                _run_direction(
                    xp.reshape(n_steps, batch, h4),
                    w_hh.T,
                    h0[layer, direction],
                    c0[layer, direction],
                    direction == 1,
                    acts[layer, direction],
                    cs[layer, direction],
                    hs[layer, direction],
                )
            layer_in = hs[layer].permute(1, 2, 0, 3).reshape(n_steps, batch, d * hidden)  # (W, B, D*H)
            if layer + 1 < n_layers:
                inputs.append(layer_in.transpose(0, 1))  # (B, W, D*H)
    # Views, no copies: (L, D, W, B, ·) buffers read as (L, D, B, W, ·).
    acts, cs, hs = (t.transpose(2, 3) for t in (acts, cs, hs))
    h = hidden
    return CellTrace(
        x=tuple(inputs),
        h=hs,
        c=cs,
        i=acts[..., :h],
        f=acts[..., h : 2 * h],
        g=acts[..., 3 * h :],
        o=acts[..., 2 * h : 3 * h],
        h0=h0,
        c0=c0,
    )


def _share(mask: torch.Tensor) -> float:
    """The share of True values, counted exactly on any device (MPS has no float64)."""
    return mask.sum().item() / max(mask.numel(), 1)


def gate_saturation(trace: CellTrace, low: float = 0.1, high: float = 0.9) -> pd.DataFrame:
    """Share of gate values below ``low`` and above ``high``, per layer, direction and sigmoid gate."""
    rows = []
    n_layers, d = trace.shape[:2]
    for layer in range(n_layers):
        for direction in range(d):
            for gate in SIGMOID_GATES:
                v = getattr(trace, gate)[layer, direction]
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
    for gate in SIGMOID_GATES:
        v = getattr(trace, gate)  # (L, D, B, W, H)
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


def seeded_states(model: SimpleLSTM, batch: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor] | None:
    """``model.initial_states(batch)`` drawn from ``seed`` (random mode) by a local generator: the same
    states on every device, and no global random state touched."""
    return model.initial_states(batch, generator=torch.Generator().manual_seed(seed))


def suggest_threshold(values: np.ndarray, start: int, stop: int, share: float = 0.1) -> float:
    """A threshold that ``find_units`` passes for about ``share`` of the units over [start, stop]."""
    lowest = np.asarray(values)[start : stop + 1].min(axis=0)  # (H,) each unit's weakest step in the range
    return round(float(np.floor(np.quantile(lowest, 1 - share) * 100)) / 100, 2)
