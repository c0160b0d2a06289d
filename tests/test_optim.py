"""lstmlab.optim's wrappers against the torch.optim classes themselves, and the import they exist to avoid."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
import torch
from torch import nn

from lstmlab.config import Optimizer, TrainConfig
from lstmlab.optim import SGD, Adam, AdamW, make_optimizer
from tests.conftest import ROOT

# (ours, torch's, keyword arguments both take)
PAIRS = {
    "Adam": (Adam, torch.optim.Adam, {"lr": 1e-2}),
    "Adam, other betas and eps": (Adam, torch.optim.Adam, {"lr": 3e-3, "betas": (0.8, 0.99), "eps": 1e-6}),
    "AdamW": (AdamW, torch.optim.AdamW, {"lr": 1e-2, "weight_decay": 0.1}),
    "AdamW, torch's defaults": (AdamW, torch.optim.AdamW, {}),
    "SGD with momentum": (SGD, torch.optim.SGD, {"lr": 5e-2, "momentum": 0.9}),
    "SGD, plain": (SGD, torch.optim.SGD, {"lr": 5e-2}),
    "SGD, Nesterov and weight decay": (
        SGD, torch.optim.SGD, {"lr": 5e-2, "momentum": 0.8, "nesterov": True, "weight_decay": 1e-3}
    ),
}  # fmt: skip


def lstm_and_head(seed: int) -> tuple[nn.LSTM, nn.Linear]:
    torch.manual_seed(seed)
    return nn.LSTM(3, 8, num_layers=2, batch_first=True), nn.Linear(8, 2)


def train_both(pair: str, clip: float, steps: int = 30, head_from: int = 0):
    """Both optimizers on identical copies; the head is frozen (no gradient) before step ``head_from``."""
    ours_class, torch_class, kwargs = PAIRS[pair]
    mine = lstm_and_head(0)
    ref = copy.deepcopy(mine)
    params = [p for module in mine for p in module.parameters()]
    ref_params = [p for module in ref for p in module.parameters()]
    ours, theirs = ours_class(params, **kwargs), torch_class(ref_params, **kwargs)
    data = torch.Generator().manual_seed(1)
    for step in range(steps):
        x, y = torch.randn(16, 5, 3, generator=data), torch.randn(16, 2, generator=data)  # (B, W, F), (B, K)
        for (lstm, head), opt, group in ((mine, ours, params), (ref, theirs, ref_params)):
            opt.zero_grad()
            summary = lstm(x)[0][:, -1]  # (B, H)
            out = head(summary) if step >= head_from else nn.functional.linear(summary, head.weight.detach())
            loss = nn.functional.mse_loss(out, y)
            loss.backward()
            if clip:
                nn.utils.clip_grad_norm_(group, clip)
            opt.step()
    return params, ref_params, ours, theirs


@pytest.mark.parametrize("clip", [1.0, 0.0], ids=["clipped", "unclipped"])
@pytest.mark.parametrize("pair", PAIRS)
def test_matches_the_torch_optim_class_bit_for_bit(pair, clip):
    params, ref_params, ours, theirs = train_both(pair, clip)
    for a, b in zip(params, ref_params, strict=True):
        assert torch.equal(a, b)
    for p, ref_p in zip(params, ref_params, strict=True):  # the state torch keeps, the same
        mine, reference = ours.state.get(p, {}), theirs.state[ref_p]
        assert sorted(mine) == sorted(reference)
        for key, value in reference.items():
            assert torch.equal(mine[key], value), key
    assert not torch.equal(params[0], lstm_and_head(0)[0].weight_ih_l0)  # it trained


@pytest.mark.parametrize("pair", ["Adam", "AdamW", "SGD with momentum"])
def test_a_parameter_first_trained_late_counts_its_own_steps(pair):
    # The head's bias gets no gradient for 10 steps: torch starts its state then, with step 1.
    params, ref_params, ours, _ = train_both(pair, clip=1.0, steps=20, head_from=10)
    for a, b in zip(params, ref_params, strict=True):
        assert torch.equal(a, b)
    if "Adam" in pair:
        assert ours.state[params[-1]]["step"].item() == 10 and ours.state[params[0]]["step"].item() == 20


def test_parameters_without_gradients_are_left_alone():
    frozen, trained = nn.Parameter(torch.ones(3), requires_grad=False), nn.Parameter(torch.ones(3))
    unused = nn.Parameter(torch.ones(2))
    opt = Adam([frozen, trained, unused], lr=0.1)
    assert opt.params == [trained, unused]
    (trained * torch.tensor([1.0, -1.0, 0.0])).sum().backward()
    opt.step()
    # the first Adam step moves each coordinate by lr · sign(g) (m̂ / √v̂ = ±1), and not at all where g = 0
    torch.testing.assert_close(trained.detach(), torch.tensor([0.9, 1.1, 1.0]))
    assert torch.equal(unused.detach(), torch.ones(2)) and torch.equal(frozen, torch.ones(3))
    assert list(opt.state) == [trained]
    opt.zero_grad()
    assert trained.grad is None


@pytest.mark.parametrize("kind", [Adam, AdamW, SGD])
def test_no_parameters_is_an_error(kind):
    with pytest.raises(ValueError, match="no parameters"):
        kind([nn.Parameter(torch.ones(1), requires_grad=False)])


def test_make_optimizer_follows_the_config():
    def params() -> list[nn.Parameter]:
        return [nn.Parameter(torch.ones(2))]

    adam = make_optimizer(params(), TrainConfig(lr=0.2))
    assert type(adam) is Adam and adam.lr == 0.2 and adam.weight_decay == 0 and not adam.decoupled
    adamw = make_optimizer(params(), TrainConfig(lr=0.3, optimizer=Optimizer.ADAMW, weight_decay=0.05))
    assert type(adamw) is AdamW and (adamw.lr, adamw.weight_decay, adamw.decoupled) == (0.3, 0.05, True)
    sgd = make_optimizer(params(), TrainConfig(lr=0.4, optimizer=Optimizer.SGD, momentum=0.7))
    assert type(sgd) is SGD and (sgd.lr, sgd.momentum, sgd.weight_decay) == (0.4, 0.7, 0)


def test_training_with_each_optimizer_does_not_import_torch_dynamo():
    code = (
        "import sys, torch\n"
        "from lstmlab.config import ModelConfig, Optimizer, TrainConfig\n"
        "from lstmlab.model import SimpleLSTM\n"
        "from lstmlab.train import fit\n"
        "x, y = torch.randn(64, 6, 2), torch.randn(64, 1, 1)\n"
        "for kind in Optimizer:\n"
        "    model = SimpleLSTM.from_config(2, 6, 1, ModelConfig(h_size=4), seed=0)\n"
        "    history = fit(model, x, y, TrainConfig(epochs=2, optimizer=kind))\n"
        "    assert history.epochs_run == 2, kind\n"
        "print(sorted(m for m in sys.modules if m.startswith('torch._dynamo'))[:3])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_probe_sees_torch_dynamo_when_a_torch_optim_class_is_built():
    # The test above would pass vacuously if building a torch.optim class no longer imported it.
    code = (
        "import sys, torch\n"
        "torch.optim.Adam([torch.nn.Parameter(torch.ones(1))])\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
