"""Training replay: a replayed epoch predicts what the model predicted then; thinning stays even and in budget."""

from itertools import pairwise

import numpy as np
import pytest
import torch

from lstmlab.config import ModelConfig, TrainConfig
from lstmlab.model import SimpleLSTM
from lstmlab.replay import Replay, cpu_state, state_bytes
from lstmlab.train import fit, start_fit
from lstmlab.windows import make_windows

CONFIG = TrainConfig(epochs=6, batch_size=32, seed=5, patience=0)


@pytest.fixture
def windows():
    t = np.arange(300, dtype=np.float32)
    values = np.stack([np.sin(t / 6), np.cos(t / 11)], axis=1)
    return make_windows(values, window=10, horizon=2)


def new_model() -> SimpleLSTM:
    return SimpleLSTM.from_config(2, 10, 2, ModelConfig(h_size=8), seed=5)


def device_of(model) -> torch.device:
    return next(model.parameters()).device


def predictions_recorder(model, batch, seen):
    def on_epoch(report):
        with torch.no_grad():  # what the model predicted at the end of that epoch, where it trains
            seen[report.epoch] = model(batch.to(device_of(model))).clone()

    return on_epoch


def replayed_prediction(replay, epoch, batch, device):
    """The replayed model on the device training used (CUDA kernels differ from the CPU's in the last bits)."""
    with torch.no_grad():
        return replay.load(epoch).to(device)(batch.to(device))


def test_a_replayed_epoch_predicts_what_the_model_predicted_then(windows):
    x, y = windows
    batch = x[:16].contiguous()  # (16, W, F) fixed
    model, seen = new_model(), {}
    with torch.no_grad():
        seen[0] = model(batch).clone()
    replay = Replay(model)
    training = start_fit(model, x, y, CONFIG, replay=replay, on_epoch=predictions_recorder(model, batch, seen))
    training.result(timeout=60)
    assert replay.epochs == list(range(CONFIG.epochs + 1)) == sorted(seen)
    assert not replay.load(3).training and device_of(replay.load(3)).type == "cpu"
    for epoch in replay.epochs:
        assert torch.equal(replayed_prediction(replay, epoch, batch, seen[epoch].device), seen[epoch]), epoch
    assert not torch.equal(seen[0], seen[CONFIG.epochs].cpu())  # training did change the predictions


def test_recorder_feeds_a_replay_from_plain_fit(windows):
    x, y = windows
    batch = x[-8:].contiguous()
    model, seen = new_model(), {}
    replay = Replay(model)
    record = replay.recorder(model)
    remember = predictions_recorder(model, batch, seen)

    def on_epoch(report):
        record(report)
        remember(report)

    fit(model, x, y, CONFIG, on_epoch)
    assert replay.epochs == list(range(CONFIG.epochs + 1))
    for epoch in range(1, CONFIG.epochs + 1):
        assert torch.equal(replayed_prediction(replay, epoch, batch, seen[epoch].device), seen[epoch])
    assert replay.nbytes == (CONFIG.epochs + 1) * state_bytes(model)


def test_state_bytes_counts_every_parameter():
    model = new_model()
    # nn.LSTM: 4H(F + H) weights + 8H biases; Linear: H·K + K; float32.
    h, f, k = 8, 2, 2
    assert state_bytes(model) == 4 * (4 * h * (f + h) + 8 * h + h * k + k)
    assert state_bytes(cpu_state(model)) == state_bytes(model)


def fake_state(value: float, size: int = 25) -> dict[str, torch.Tensor]:
    return {"w": torch.full((size,), float(value))}  # 100 bytes


class Tiny(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(25))


@pytest.mark.parametrize("n_epochs", [1, 2, 5, 9, 17, 40, 101])
@pytest.mark.parametrize("budget_epochs", [2, 3, 5, 8])
def test_thinning_keeps_first_and_last_evenly_within_the_budget(n_epochs, budget_epochs):
    replay = Replay(Tiny(), budget_bytes=budget_epochs * 100)
    for epoch in range(1, n_epochs + 1):
        replay.record(epoch, fake_state(epoch))
        kept = replay.epochs
        assert kept[0] == 0 and kept[-1] == epoch
        assert replay.nbytes == 100 * len(kept) <= budget_epochs * 100
        stride = replay.stride
        assert all(b - a == stride for a, b in pairwise(kept[:-1]))  # even, then the latest
        assert 0 < kept[-1] - kept[-2] <= stride
        # not thinned more than needed: one more halving of the stride would not have fitted
        assert stride == 1 or epoch // (stride // 2) + 2 > budget_epochs
    for epoch in replay.epochs:
        assert replay.state(epoch)["w"][0].item() == epoch  # each kept epoch holds its own weights


def test_a_budget_below_two_epochs_keeps_only_first_and_last():
    replay = Replay(Tiny(), budget_bytes=150)
    for epoch in range(1, 12):
        replay.record(epoch, fake_state(epoch))
    assert replay.epochs == [0, 11] and replay.nbytes == 200


def test_replay_refuses_what_it_cannot_give():
    replay = Replay(Tiny(), budget_bytes=300)
    for epoch in range(1, 9):
        replay.record(epoch, fake_state(epoch))
    assert replay.epochs == [0, 4, 8]
    with pytest.raises(KeyError, match="epoch 3 is not kept; kept epochs: \\[0, 4, 8\\]"):
        replay.load(3)
    assert replay.nearest(3) == 4 and replay.nearest(2) == 0 and replay.nearest(100) == 8
    with pytest.raises(ValueError, match="epochs must increase"):
        replay.record(8, fake_state(8))
    with pytest.raises(ValueError, match="at least 0 bytes"):
        Replay(Tiny(), budget_bytes=-1)
