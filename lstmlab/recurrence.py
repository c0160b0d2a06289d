"""The recurrences of the three cells, one layer and direction at a time, keeping every step.

Each writes into preallocated time-major buffers (W, B, ·), so every step reads and writes contiguous
blocks; ``lstmlab.trace`` lays them out per layer and direction; ``CellTrace`` checks them against torch.
"""

from __future__ import annotations

import torch


def run_lstm(
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


def run_gru(
    xp: torch.Tensor, w_hh: torch.Tensor, b_hh: torch.Tensor, h: torch.Tensor, reverse: bool,
    acts: torch.Tensor, hs: torch.Tensor,
) -> None:
    """One GRU layer and direction over time: r, z, n into acts (W, B, 3H), h into hs (W, B, H).

    ``xp`` (W, B, 3H) holds x_t W_ih^T + b_ih; b_hh stays inside, since the reset gate scales
    W_hn h + b_hn: n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
    """
    hidden = hs.shape[-1]
    for t in range(xp.shape[0] - 1, -1, -1) if reverse else range(xp.shape[0]):
        hp = torch.addmm(b_hh, h, w_hh)  # (B, 3H)
        a = acts[t]
        torch.sigmoid(xp[t, :, : 2 * hidden] + hp[:, : 2 * hidden], out=a[:, : 2 * hidden])  # r, z
        r, z, n = a.split(hidden, dim=1)
        torch.tanh(torch.addcmul(xp[t, :, 2 * hidden :], r, hp[:, 2 * hidden :]), out=n)
        h_t = hs[t]
        torch.sub(h, n, out=h_t)
        h_t.mul_(z).add_(n)  # h_t = (1 - z) n + z h_{t-1} = n + z (h_{t-1} - n)
        h = h_t


def run_rnn(xp: torch.Tensor, w_hh: torch.Tensor, h: torch.Tensor, reverse: bool, acts: torch.Tensor,
             hs: torch.Tensor) -> None:
    """One tanh RNN layer and direction: the pre-activation a into acts (W, B, H), tanh(a) into hs."""
    for t in range(xp.shape[0] - 1, -1, -1) if reverse else range(xp.shape[0]):
        torch.addmm(xp[t], h, w_hh, out=acts[t])
        h = torch.tanh(acts[t], out=hs[t])
