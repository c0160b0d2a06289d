"""Training: reproducible, able to overfit, safe against NaN, early stopping that restores the best weights."""

import math

import numpy as np
import pytest
import torch

from lstmlab.config import Loss, ModelConfig, TrainConfig
from lstmlab.model import SimpleLSTM
from lstmlab.train import evaluate, fit, resolve_device, to_device
from lstmlab.windows import make_windows


@pytest.fixture
def windows():
    t = np.arange(400, dtype=np.float32)
    values = np.stack([np.sin(t / 6), np.cos(t / 11)], axis=1)
    return make_windows(values, window=10, horizon=2)


def test_same_seed_same_losses(windows):
    x, y = windows
    config = TrainConfig(epochs=3, batch_size=32, seed=7)
    first_model = SimpleLSTM.from_config(2, 10, 2, ModelConfig(h_size=8), seed=config.seed)
    first = fit(first_model, x, y, config)
    torch.manual_seed(123)  # a different global state must not matter
    second_model = SimpleLSTM.from_config(2, 10, 2, ModelConfig(h_size=8), seed=config.seed)
    second = fit(second_model, x, y, config)
    assert first.train_loss != [] and first.train_loss == second.train_loss
    for a, b in zip(first_model.parameters(), second_model.parameters(), strict=True):
        assert torch.equal(a, b)


def test_different_seed_different_losses(windows):
    x, y = windows
    torch.manual_seed(0)
    a = fit(SimpleLSTM(2, 10, 2, 8), x, y, TrainConfig(epochs=2, seed=1))
    torch.manual_seed(0)
    b = fit(SimpleLSTM(2, 10, 2, 8), x, y, TrainConfig(epochs=2, seed=2))
    assert a.train_loss != b.train_loss


def test_overfits_a_small_batch(windows):
    x, y = windows[0][:16], windows[1][:16]
    torch.manual_seed(0)
    model = SimpleLSTM(2, 10, 2, 32)
    before = evaluate(model, x, y, Loss.MSE)
    history = fit(model, x, y, TrainConfig(lr=1e-2, epochs=300, batch_size=16, patience=0))
    assert history.train_loss[-1] < 1e-3 < before
    assert evaluate(model, x, y, Loss.MSE) == pytest.approx(min(history.train_loss), rel=0.5)


def test_early_stopping_restores_the_best_weights(windows):
    x, y = windows
    torch.manual_seed(0)
    model = SimpleLSTM(2, 10, 2, 8)
    # a huge learning rate makes validation loss bounce, so patience runs out quickly
    history = fit(model, x[:300], y[:300], TrainConfig(lr=0.5, epochs=40, patience=2, clip=0), val=(x[300:], y[300:]))
    assert "Early stop" in history.stopped
    assert history.epochs_run == history.best_epoch + 2
    assert evaluate(model, x[300:], y[300:], Loss.MSE) == pytest.approx(history.best_loss, rel=1e-5)


def test_nan_loss_stops_with_a_message_and_keeps_good_weights(windows):
    x, y = windows
    y = y.clone()
    torch.manual_seed(0)
    model = SimpleLSTM(2, 10, 2, 8)
    calls = []

    def poison_after_two(report):
        calls.append(report.epoch)
        if report.epoch == 2:
            y[5] = float("nan")  # the next epoch's loss becomes NaN

    # CPU: fit moves y to a GPU once, and the poison must reach the copy it trains on
    history = fit(model, x, y, TrainConfig(epochs=5, device="cpu"), on_epoch=poison_after_two)
    assert calls == [1, 2] and history.epochs_run == 2
    assert "nan" in history.stopped and "last good epoch" in history.stopped
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_callback_can_stop_training(windows):
    x, y = windows
    history = fit(SimpleLSTM(2, 10, 2, 8), x, y, TrainConfig(epochs=10), on_epoch=lambda r: r.epoch == 3)
    assert history.epochs_run == 3 and "Stopped by the user" in history.stopped


def test_mae_loss_reports_mean_absolute_error(windows):
    x, y = windows
    torch.manual_seed(0)
    model = SimpleLSTM(2, 10, 2, 8)
    with torch.no_grad():
        expected = (model(x).reshape(len(x), -1) - y.reshape(len(y), -1)).abs().mean().item()
    assert evaluate(model, x, y, Loss.MAE) == pytest.approx(expected, rel=1e-5)


def test_to_device_rebuilds_the_view_without_materialising_it():
    series = torch.arange(60, dtype=torch.float32).reshape(20, 3)
    x = series.unfold(0, 5, 2).transpose(1, 2)  # (8, 5, 3) view
    moved = to_device(x[1:], torch.device("meta"))  # a device that holds shapes only
    assert moved.shape == x[1:].shape and moved.stride() == x.stride()
    flat = torch.as_strided(
        x[1:], (1 + sum((s - 1) * st for s, st in zip(x[1:].shape, x.stride(), strict=True)),), (1,)
    )
    assert flat.numel() < x[1:].numel()  # the span copied is smaller than the windows
    torch.testing.assert_close(torch.as_strided(flat.clone(), x[1:].shape, x.stride()), x[1:])


def test_empty_training_set_is_a_clear_error():
    with pytest.raises(ValueError, match="no training windows"):
        fit(SimpleLSTM(2, 10, 1, 4), torch.empty(0, 10, 2), torch.empty(0, 1, 1))


def test_auto_device_on_a_cpu_machine():
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    with pytest.raises(ValueError, match="not available"):
        resolve_device("cuda:7" if torch.cuda.device_count() < 8 else "xla")


def test_history_speed_is_consistent(windows):
    x, y = windows
    history = fit(SimpleLSTM(2, 10, 2, 8), x, y, TrainConfig(epochs=2))
    assert history.windows_per_second == pytest.approx(len(x) * 2 / history.seconds)
    assert math.isfinite(history.best_loss)


def test_max_windows_samples_a_subset_each_epoch(windows):
    x, y = windows
    seen = []

    class Spy(SimpleLSTM):
        def forward(self, batch, states=None):
            seen.append(batch.shape[0])
            return super().forward(batch, states)

    history = fit(Spy(2, 10, 2, 8), x, y, TrainConfig(epochs=2, batch_size=32, max_windows=100))
    assert sum(seen) == 2 * 100 and max(seen) == 32
    assert history.windows_per_second == pytest.approx(200 / history.seconds)
