"""Which parts of the window a prediction depends on: gradients, gradient × input, integrated gradients.

All functions differentiate one output of ``model(x)`` (index ``target`` into its horizon × targets
outputs) with respect to the input window, batched, without touching the parameters' ``.grad``.
With random initial states (the tutorial's mode) the states are drawn once and reused, so the
attribution is of one fixed function.
"""

from __future__ import annotations

import copy

import torch

from lstmlab.config import AttributionMethod
from lstmlab.model import SimpleRNN, States


def _prepare(model: SimpleRNN, x: torch.Tensor, target: int, states: States) -> tuple[torch.Tensor, States]:
    if not 0 <= target < model.output_size:
        raise ValueError(f"target must be an output index in 0..{model.output_size - 1}, got {target}.")
    weight = model.linear.weight
    x = x.detach().to(weight.device, weight.dtype)
    if states is None:
        states = model.initial_states(x.shape[0])  # drawn once; None for zeros
    return x, states


def _grad(model: SimpleRNN, x: torch.Tensor, target: int, states: States) -> torch.Tensor:
    """d model(x)[b, 0, target] / d x for every window b: (B, W, F)."""
    # cuDNN's RNN backward refuses eval mode. The model has no dropout, so training mode computes the same
    # function; it is set on a twin that shares the parameters, leaving the caller's module (and every
    # process-wide torch.backends flag) alone for other threads.
    twin = copy.deepcopy(model, memo={id(p): p for p in model.parameters()}).train()
    with torch.enable_grad():
        x = x.clone().requires_grad_(True)
        out = twin(x, states)[:, 0, target]  # (B,)
        (grad,) = torch.autograd.grad(out.sum(), x)  # windows are independent: sum gives each its own
    return grad


def gradients(model: SimpleRNN, x: torch.Tensor, target: int = 0, states: States = None) -> torch.Tensor:
    """The gradient of the prediction with respect to each input value: (B, W, F)."""
    x, states = _prepare(model, x, target, states)
    return _grad(model, x, target, states)


def gradient_x_input(model: SimpleRNN, x: torch.Tensor, target: int = 0, states: States = None) -> torch.Tensor:
    """Gradient × input: a first-order share of the prediction per time step and feature, (B, W, F)."""
    x, states = _prepare(model, x, target, states)
    return _grad(model, x, target, states) * x


def integrated_gradients(
    model: SimpleRNN,
    x: torch.Tensor,
    target: int = 0,
    baseline: torch.Tensor | None = None,
    steps: int = 32,
    states: States = None,
) -> torch.Tensor:
    """Integrated gradients from ``baseline`` (zeros: the training mean under standard scaling) to x.

    Midpoint rule over ``steps`` points, all in one batch. The result (B, W, F) sums to about
    f(x) - f(baseline) (completeness), closer as ``steps`` grows.
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}.")
    x, states = _prepare(model, x, target, states)
    base = torch.zeros_like(x) if baseline is None else baseline.to(x).expand_as(x)
    alphas = (torch.arange(steps, device=x.device, dtype=x.dtype) + 0.5) / steps  # (S,)
    path = base + alphas[:, None, None, None] * (x - base)  # (S, B, W, F)
    batch = x.shape[0]
    if isinstance(states, tuple):  # the same states for every point on the path; index s * B + b
        states = tuple(s.repeat(1, steps, 1) for s in states)
    elif states is not None:  # h_0 alone (GRU, RNN)
        states = states.repeat(1, steps, 1)
    grad = _grad(model, path.reshape(steps * batch, *x.shape[1:]), target, states)
    return (x - base) * grad.reshape(steps, *x.shape).mean(dim=0)


def step_gradient_norm(model: SimpleRNN, x: torch.Tensor, target: int = 0, states: States = None) -> torch.Tensor:
    """|d prediction / d x_t| (L2 over features) per time step, (B, W): how far back the model looks."""
    return gradients(model, x, target, states).norm(dim=-1)


def attribute(
    method: AttributionMethod, model: SimpleRNN, x: torch.Tensor, target: int = 0, states: States = None
) -> torch.Tensor:
    """The attribution of output ``target`` to each input value of x (B, W, F) by ``method``: (B, W, F)."""
    if method is AttributionMethod.INTEGRATED_GRADIENTS:
        return integrated_gradients(model, x, target, states=states)
    return gradient_x_input(model, x, target, states=states)
