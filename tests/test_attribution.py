"""Attribution against central finite differences on a tiny float64 model."""

import pytest
import torch

from lstmlab.attribution import (
    AttributionMethod,
    attribute,
    gradient_x_input,
    gradients,
    integrated_gradients,
    step_gradient_norm,
)
from lstmlab.config import InitState
from lstmlab.model import SimpleLSTM

F, W, H, EPS = 2, 4, 3, 1e-6


def _model(init=InitState.ZEROS) -> SimpleLSTM:
    torch.manual_seed(0)
    return SimpleLSTM(F, W, 3, H, n_layers=2, bidirectional=True, init=init).double().eval()


def _f(model, x, target, states=None) -> torch.Tensor:
    with torch.no_grad():
        return model(x, states)[:, 0, target]  # (B,)


def _fd_grad(model, x, target, states=None) -> torch.Tensor:
    """Central differences, one input value at a time: (B, W, F)."""
    grad = torch.zeros_like(x)
    for t in range(W):
        for k in range(F):
            step = torch.zeros_like(x)
            step[:, t, k] = EPS
            grad[:, t, k] = (_f(model, x + step, target, states) - _f(model, x - step, target, states)) / (2 * EPS)
    return grad


@pytest.fixture
def x() -> torch.Tensor:
    return torch.randn(3, W, F, generator=torch.Generator().manual_seed(1), dtype=torch.float64)


def test_gradients_match_finite_differences(x):
    model = _model()
    for target in (0, 2):
        fd = _fd_grad(model, x, target)
        torch.testing.assert_close(gradients(model, x, target), fd, atol=1e-8, rtol=1e-6)
        torch.testing.assert_close(gradient_x_input(model, x, target), fd * x, atol=1e-8, rtol=1e-6)
        torch.testing.assert_close(step_gradient_norm(model, x, target), fd.norm(dim=-1), atol=1e-8, rtol=1e-6)


def test_random_initial_states_are_held_fixed(x):
    model = _model(InitState.RANDOM)
    torch.manual_seed(3)
    states = model.initial_states(x.shape[0])
    torch.testing.assert_close(gradients(model, x, 1, states), _fd_grad(model, x, 1, states), atol=1e-8, rtol=1e-6)


def test_integrated_gradients_match_a_finite_difference_path(x):
    """Same midpoint rule, with finite-difference gradients at each point of the straight path."""
    model, steps, target = _model(), 5, 1
    baseline = torch.full_like(x, 0.3)
    expected = torch.zeros_like(x)
    for s in range(steps):
        alpha = (s + 0.5) / steps
        expected += _fd_grad(model, baseline + alpha * (x - baseline), target) / steps
    expected *= x - baseline
    got = integrated_gradients(model, x, target, baseline=baseline, steps=steps)
    torch.testing.assert_close(got, expected, atol=1e-8, rtol=1e-6)


def test_integrated_gradients_are_complete(x):
    """With many steps the attributions add up to f(x) - f(baseline)."""
    model = _model()
    ig = integrated_gradients(model, x, 0, steps=400)
    gap = _f(model, x, 0) - _f(model, torch.zeros_like(x), 0)
    torch.testing.assert_close(ig.sum(dim=(1, 2)), gap, atol=1e-5, rtol=1e-4)


def test_leaves_parameters_and_mode_alone(x):
    model = _model().train()
    gradient_x_input(model, x)
    integrated_gradients(model, x, steps=3)
    assert all(p.grad is None for p in model.parameters())
    assert model.training


def test_bad_arguments():
    model = _model()
    with pytest.raises(ValueError, match="target"):
        gradients(model, torch.zeros(1, W, F), target=3)
    with pytest.raises(ValueError, match="steps"):
        integrated_gradients(model, torch.zeros(1, W, F), steps=0)


@pytest.mark.parametrize("method", list(AttributionMethod))
def test_attribute_by_method_against_finite_differences(x, method):
    model = _model(InitState.RANDOM)
    states = model.initial_states(x.shape[0])
    got = attribute(method, model, x, 1, states)
    if method is AttributionMethod.GRADIENT_X_INPUT:  # gradient × input, the gradient by central differences
        torch.testing.assert_close(got, _fd_grad(model, x, 1, states) * x, atol=1e-6, rtol=1e-5)
    else:  # completeness: the shares add up to f(x) - f(0)
        total = _f(model, x, 1, states) - _f(model, torch.zeros_like(x), 1, states)
        torch.testing.assert_close(got.sum(dim=(1, 2)), total, atol=5e-3, rtol=5e-2)
        torch.testing.assert_close(got, integrated_gradients(model, x, 1, states=states))
