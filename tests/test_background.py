"""Training in a background thread: the same weights as fit, consistent snapshots, stop, heartbeat, errors."""

import threading
import time

import numpy as np
import pytest
import torch

from lstmlab import train
from lstmlab.background import Training
from lstmlab.config import ModelConfig, TrainConfig
from lstmlab.model import SimpleLSTM
from lstmlab.replay import cpu_state
from lstmlab.train import fit, start_fit
from lstmlab.windows import make_windows

ENDLESS = TrainConfig(epochs=100_000, patience=0, device="cpu")  # stopped by the test, never by its end
CONFIG = TrainConfig(epochs=4, batch_size=32, seed=7, patience=0, device="cpu")  # threads here; GPU: test_accelerators


@pytest.fixture
def windows():
    t = np.arange(300, dtype=np.float32)
    values = np.stack([np.sin(t / 6), np.cos(t / 11)], axis=1)
    return make_windows(values, window=10, horizon=2)


def new_model(seed: int = 7) -> SimpleLSTM:
    return SimpleLSTM.from_config(2, 10, 2, ModelConfig(h_size=8), seed=seed)


def reference(x, y, config, stop_after: int = 0):
    """fit in this thread: the model, its history and the weights at the end of every epoch."""
    model, states = new_model(), {0: None}
    states[0] = cpu_state(model)

    def on_epoch(report):
        states[report.epoch] = cpu_state(model)
        return report.epoch == stop_after

    history = fit(model, x, y, config, on_epoch)
    return model, history, states


def assert_same_state(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert torch.equal(a[name], b[name]), name


def test_start_fit_trains_the_weights_fit_trains(windows):
    x, y = windows
    expected, history, _ = reference(x, y, CONFIG)
    model = new_model()
    training = start_fit(model, x, y, CONFIG)
    got = training.result(timeout=60)
    assert got.train_loss == history.train_loss and got.best_epoch == history.best_epoch
    assert_same_state(cpu_state(model), cpu_state(expected))
    assert training.done and training.latest.epoch == CONFIG.epochs
    assert training.latest.history.train_loss == history.train_loss


def test_start_fit_with_validation_matches_fit(windows):
    x, y = windows
    config = TrainConfig(epochs=6, batch_size=32, seed=3, patience=2, lr=0.2, device="cpu")
    val = (x[200:], y[200:])
    expected = new_model()
    history = fit(expected, x[:200], y[:200], config, val=val)
    model = new_model()
    got = start_fit(model, x[:200], y[:200], config, val=val).result(timeout=60)
    assert got.val_loss == history.val_loss and got.stopped == history.stopped
    assert_same_state(cpu_state(model), cpu_state(expected))


def test_snapshots_read_during_training_are_whole_epochs(windows):
    """A reader polling from another thread only ever sees the weights of a finished epoch."""
    x, y = windows
    config = TrainConfig(epochs=8, batch_size=16, seed=7, patience=0, device="cpu")
    _, _, states = reference(x, y, config)
    training = start_fit(new_model(), x, y, config)
    seen = {}
    while not training.done:
        snap = training.snapshot()
        seen[snap.epoch] = snap.state
        training.touch()
    seen[training.snapshot().epoch] = training.snapshot().state
    assert 0 in seen and config.epochs in seen
    for epoch, state in seen.items():
        assert_same_state(state, states[epoch])
    model = training.snapshot_model()
    assert not model.training and next(model.parameters()).device.type == "cpu"
    assert_same_state(cpu_state(model), states[config.epochs])


def test_stop_mid_epoch_keeps_the_model_of_the_last_finished_epoch(windows, monkeypatch):
    """Stopped after 2 batches of epoch 3: the model is exactly fit's when stopped at the end of epoch 2."""
    x, y = windows
    monkeypatch.setattr(train, "STEP_REPORT_SECONDS", -1.0)  # on_step before every batch
    expected, history, states = reference(x, y, CONFIG, stop_after=2)
    model, handle, ready, mid_epoch = new_model(), [], threading.Event(), {}

    def on_step(epoch: int, batch: int, n_batches: int) -> None:
        ready.wait(10)
        if (epoch, batch) == (3, 2):
            mid_epoch.update(cpu_state(model))  # the worker's own view: two batches into epoch 3
            handle[0].stop()

    handle.append(start_fit(model, x, y, CONFIG, on_step=on_step))
    ready.set()
    got = handle[0].result(timeout=60)
    assert got.train_loss == history.train_loss and len(got.train_loss) == 2
    assert "during epoch 3" in got.stopped
    final = cpu_state(model)
    assert all(torch.isfinite(t).all() for t in final.values())
    assert_same_state(final, cpu_state(expected))  # the best of epochs 1 and 2, as fit keeps
    assert handle[0].snapshot().epoch == 2
    assert_same_state(handle[0].snapshot().state, states[2])
    assert any(not torch.equal(mid_epoch[k], final[k]) for k in final)  # the half epoch was really undone
    assert not model.training


def test_stop_before_the_first_epoch_ends_keeps_the_initial_weights(windows, monkeypatch):
    x, y = windows
    monkeypatch.setattr(train, "STEP_REPORT_SECONDS", -1.0)
    model = new_model()
    initial = cpu_state(model)
    handle, ready = [], threading.Event()

    def on_step(epoch: int, batch: int, n_batches: int) -> None:
        ready.wait(10)
        if batch == 3:
            handle[0].stop()

    handle.append(start_fit(model, x, y, CONFIG, on_step=on_step))
    ready.set()
    got = handle[0].result(timeout=60)
    assert got.epochs_run == 0 and "during epoch 1" in got.stopped
    assert_same_state(cpu_state(model), initial)
    assert handle[0].latest is None and handle[0].snapshot().epoch == 0


def test_stop_between_epochs_is_fits_own_stop(windows):
    x, y = windows
    stopped = []

    def on_epoch(report):
        if report.epoch == 2:
            stopped.append(report.epoch)
            return True
        return None

    model = new_model()
    got = start_fit(model, x, y, CONFIG, on_epoch=on_epoch).result(timeout=60)
    expected, history, _ = reference(x, y, CONFIG, stop_after=2)
    assert stopped == [2] and got.stopped == history.stopped == "Stopped by the user after epoch 2."
    assert_same_state(cpu_state(model), cpu_state(expected))


def worker_alive(training: Training) -> bool:
    return any(thread.name == training.thread_name for thread in threading.enumerate())


def test_a_training_nobody_touches_ends_its_worker(windows):
    x, y = windows
    training = start_fit(new_model(), x, y, ENDLESS, heartbeat_seconds=0.2)
    assert worker_alive(training)
    assert training.join(timeout=60)
    assert not worker_alive(training)
    history = training.result()
    assert "no page asked about this training for 0.2 s" in history.stopped
    assert 0 < history.epochs_run < 100_000


def test_touching_keeps_the_worker_alive_and_stop_ends_it(windows):
    x, y = windows
    training = start_fit(new_model(), x, y, ENDLESS, heartbeat_seconds=2.0)
    until = time.monotonic() + 3.0  # longer than the heartbeat: only the touches keep it going
    while time.monotonic() < until:
        training.touch()
        time.sleep(0.05)
    assert not training.done and not training.stopping
    training.stop()
    assert training.join(timeout=60) and not worker_alive(training)
    assert training.result().epochs_run > 0 and training.stopping


def test_result_reraises_what_the_worker_raised(windows):
    x, y = windows
    training = start_fit(new_model(), x, y[:-1], CONFIG)
    assert training.join(timeout=60)
    assert isinstance(training.error, ValueError)
    with pytest.raises(ValueError, match="windows but y has"):
        training.result()

    def broken(report):
        raise RuntimeError(f"callback failed after epoch {report.epoch}")

    model = new_model()
    with pytest.raises(RuntimeError, match="after epoch 1"):
        start_fit(model, x, y, CONFIG, on_epoch=broken).result(timeout=60)
    expected, _, _ = reference(x, y, CONFIG, stop_after=1)
    assert_same_state(cpu_state(model), cpu_state(expected))  # left as a stop after epoch 1 would leave it


def test_an_error_inside_an_epoch_leaves_the_best_finished_epoch(windows, monkeypatch):
    x, y = windows
    monkeypatch.setattr(train, "STEP_REPORT_SECONDS", -1.0)

    def failing_step(epoch: int, batch: int, n_batches: int) -> None:
        if (epoch, batch) == (3, 4):
            raise MemoryError("out of memory in epoch 3")

    model = new_model()
    training = start_fit(model, x, y, CONFIG, on_step=failing_step)
    with pytest.raises(MemoryError, match="epoch 3"):
        training.result(timeout=60)
    expected, _, _ = reference(x, y, CONFIG, stop_after=2)
    assert_same_state(cpu_state(model), cpu_state(expected))


def test_each_call_has_its_own_daemon_worker(windows):
    x, y = windows
    first = start_fit(new_model(), x, y, ENDLESS)
    second = start_fit(new_model(), x, y, ENDLESS)
    threads = {t.name: t for t in threading.enumerate()}
    assert first.thread_name != second.thread_name
    assert threads[first.thread_name].daemon and threads[second.thread_name].daemon
    first.stop()
    second.stop()
    for training in (first, second):
        assert training.join(timeout=60)
        assert training.result().stopped.startswith("Stopped by the user")
