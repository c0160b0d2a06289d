"""Torch's own optimizers, called through their functional forms (``torch.optim.adam.adam`` and siblings).

Constructing any ``torch.optim`` optimizer object imports ``torch._dynamo`` (through ``_disable_dynamo`` on
``add_param_group``): some 800 modules, about 73 MB resident. The functional forms run the same update
code without that import, so these thin wrappers only keep each parameter's state, lazily and in the
same layout as the classes, and hand it to torch. The tests compare each with its ``torch.optim`` class
step by step, bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch.optim.adam import adam
from torch.optim.adamw import adamw
from torch.optim.sgd import sgd

from lstmlab.config import Optimizer, TrainConfig


class _Functional:
    """What the training loop needs of an optimizer: ``zero_grad()`` before ``backward()``, ``step()`` after."""

    def __init__(self, params: Iterable[torch.Tensor]) -> None:
        self.params = [p for p in params if p.requires_grad]
        if not self.params:
            raise ValueError(f"{type(self).__name__} got no parameters that require gradients.")
        self.state: dict[torch.Tensor, dict[str, torch.Tensor]] = {}  # per parameter, made at its first gradient

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def _with_grad(self) -> list[torch.Tensor]:
        for p in self.params:
            if p.grad is not None and p.grad.is_sparse:
                raise RuntimeError(f"{type(self).__name__} does not support sparse gradients.")
        return [p for p in self.params if p.grad is not None]


class Adam(_Functional):
    """``torch.optim.Adam`` (no AMSGrad); with ``decoupled=True``, ``torch.optim.AdamW``."""

    def __init__(
        self, params: Iterable[torch.Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8, weight_decay: float = 0.0, decoupled: bool = False,
    ) -> None:  # fmt: skip
        super().__init__(params)
        self.lr, self.betas, self.eps, self.weight_decay, self.decoupled = lr, betas, eps, weight_decay, decoupled

    @torch.no_grad()
    def step(self) -> None:
        """One update of every parameter that has a gradient; each counts its own steps, as torch's does."""
        params = self._with_grad()
        for p in params:
            if p not in self.state:  # the step count lives on the CPU, as torch.optim.Adam keeps it by default
                zeros = torch.zeros_like(p, memory_format=torch.preserve_format)
                self.state[p] = {"step": torch.tensor(0.0), "exp_avg": zeros, "exp_avg_sq": zeros.clone()}
        states = [self.state[p] for p in params]
        update = adamw if self.decoupled else adam
        update(
            params, [p.grad for p in params], [s["exp_avg"] for s in states], [s["exp_avg_sq"] for s in states],
            [], [s["step"] for s in states],
            foreach=None,  # torch's own choice per device, as the classes make it: a plain loop on the CPU
            has_complex=any(torch.is_complex(p) for p in params),
            amsgrad=False, beta1=self.betas[0], beta2=self.betas[1], lr=self.lr, weight_decay=self.weight_decay,
            eps=self.eps, maximize=False,
        )  # fmt: skip


class AdamW(Adam):
    """``torch.optim.AdamW``: Adam whose weight decay shrinks the weights directly (Loshchilov & Hutter)."""

    def __init__(
        self, params: Iterable[torch.Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8, weight_decay: float = 1e-2,
    ) -> None:  # fmt: skip
        super().__init__(params, lr, betas, eps, weight_decay, decoupled=True)


class SGD(_Functional):
    """``torch.optim.SGD`` with (heavy-ball) momentum, optional dampening, weight decay and Nesterov."""

    def __init__(
        self, params: Iterable[torch.Tensor], lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
        weight_decay: float = 0.0, nesterov: bool = False,
    ) -> None:  # fmt: skip
        super().__init__(params)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening.")
        self.lr, self.momentum, self.dampening = lr, momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov

    @torch.no_grad()
    def step(self) -> None:
        params = self._with_grad()
        # torch makes a parameter's momentum buffer at its first step (a None here) and hands it back
        buffers = [self.state.get(p, {}).get("momentum_buffer") for p in params] if self.momentum else []
        sgd(
            params, [p.grad for p in params], buffers,
            has_sparse_grad=False, foreach=None,
            weight_decay=self.weight_decay, momentum=self.momentum, lr=self.lr, dampening=self.dampening,
            nesterov=self.nesterov, maximize=False,
        )  # fmt: skip
        if self.momentum:
            for p, buffer in zip(params, buffers, strict=True):
                self.state[p] = {"momentum_buffer": buffer}


def make_optimizer(params: Iterable[torch.Tensor], config: TrainConfig) -> Adam | SGD:
    """The optimizer ``config`` names, with its learning rate and (for AdamW, SGD) its own setting."""
    if config.optimizer is Optimizer.ADAMW:
        return AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    if config.optimizer is Optimizer.SGD:
        return SGD(params, lr=config.lr, momentum=config.momentum)
    return Adam(params, lr=config.lr)
