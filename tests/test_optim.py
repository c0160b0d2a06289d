"""lstmlab.optim.Adam against torch.optim.Adam itself, and the import it exists to avoid."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
import torch
from torch import nn

from lstmlab.optim import Adam
from tests.conftest import ROOT


def lstm_and_head(seed: int) -> tuple[nn.LSTM, nn.Linear]:
    torch.manual_seed(seed)
    return nn.LSTM(3, 8, num_layers=2, batch_first=True), nn.Linear(8, 2)


@pytest.mark.parametrize(
    ("lr", "betas", "eps", "clip"), [(1e-2, (0.9, 0.999), 1e-8, 1.0), (3e-3, (0.8, 0.99), 1e-6, 0)]
)
def test_matches_torch_adam_bit_for_bit(lr, betas, eps, clip):
    mine = lstm_and_head(0)
    ref = copy.deepcopy(mine)
    params = [p for module in mine for p in module.parameters()]
    ref_params = [p for module in ref for p in module.parameters()]
    ours = Adam(params, lr=lr, betas=betas, eps=eps)
    theirs = torch.optim.Adam(ref_params, lr=lr, betas=betas, eps=eps)
    data = torch.Generator().manual_seed(1)
    for _ in range(30):
        x, y = torch.randn(16, 5, 3, generator=data), torch.randn(16, 2, generator=data)
        for (lstm, head), opt, group in ((mine, ours, params), (ref, theirs, ref_params)):
            opt.zero_grad()
            loss = nn.functional.mse_loss(head(lstm(x)[0][:, -1]), y)
            loss.backward()
            if clip:
                nn.utils.clip_grad_norm_(group, clip)
            opt.step()
    for a, b in zip(params, ref_params, strict=True):
        assert torch.equal(a, b)
    assert ours.steps == 30


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
    opt.zero_grad()
    assert trained.grad is None


def test_no_parameters_is_an_error():
    with pytest.raises(ValueError, match="no parameters"):
        Adam([nn.Parameter(torch.ones(1), requires_grad=False)])


def test_training_does_not_import_torch_dynamo():
    code = (
        "import sys, torch\n"
        "from lstmlab.config import ModelConfig, TrainConfig\n"
        "from lstmlab.model import SimpleLSTM\n"
        "from lstmlab.train import fit\n"
        "x, y = torch.randn(64, 6, 2), torch.randn(64, 1, 1)\n"
        "fit(SimpleLSTM.from_config(2, 6, 1, ModelConfig(h_size=4), seed=0), x, y, TrainConfig(epochs=2))\n"
        "print(sorted(m for m in sys.modules if m.startswith('torch._dynamo'))[:3])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
