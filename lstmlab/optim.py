"""Adam, written out: the update of ``torch.optim.Adam`` without that module's import of ``torch._dynamo``.

Building any ``torch.optim`` optimizer imports ``torch._dynamo`` (about 800 modules, some 90 MB
resident once a step has run). The app runs on Streamlit Community Cloud, whose smallest tier has
690 MB, so it trains with this instead. The update is Kingma & Ba's (2015) with torch's defaults and
the same floating-point operations, in the same order, as ``torch.optim.Adam`` on the CPU; the tests
compare the two step by step.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch


class Adam:
    """Adam without weight decay or AMSGrad: ``step()`` after ``backward()``, ``zero_grad()`` before."""

    def __init__(
        self, params: Iterable[torch.Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:  # fmt: skip
        self.params = [p for p in params if p.requires_grad]
        if not self.params:
            raise ValueError("Adam got no parameters that require gradients.")
        self.lr, self.betas, self.eps = lr, betas, eps
        self.steps = 0
        self.exp_avg = [torch.zeros_like(p) for p in self.params]  # first moment, per parameter
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]  # second moment

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        """One update of every parameter that has a gradient (all of them share the step count)."""
        beta1, beta2 = self.betas
        self.steps += 1
        step_size = self.lr / (1 - beta1**self.steps)  # the bias corrections, as plain floats
        correction2 = (1 - beta2**self.steps) ** 0.5
        for p, m, v in zip(self.params, self.exp_avg, self.exp_avg_sq, strict=True):
            if p.grad is None:
                continue
            m.lerp_(p.grad, 1 - beta1)  # m = β1·m + (1 − β1)·g
            v.mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)  # v = β2·v + (1 − β2)·g²
            p.addcdiv_(m, (v.sqrt() / correction2).add_(self.eps), value=-step_size)  # θ −= lr·m̂ / (√v̂ + ε)
