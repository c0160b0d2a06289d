"""Training faults: a NaN or infinite loss, an exploding learning rate, Stop in the middle of an epoch.

``fit`` is checked directly against weights snapshotted from its own callbacks; the Train page in AppTest,
where training runs in a background worker held in the middle of an epoch while the user clicks Stop or
opens another page.
"""

from __future__ import annotations

import copy
import math
import threading
import time

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest
from torch import nn

from lstmlab import background as background_module
from lstmlab import train as train_module
from lstmlab.config import TrainConfig
from lstmlab.model import SimpleLSTM
from lstmlab.train import fit
from lstmlab.windows import make_windows
from tests.app_support import finish_training, training_worker
from tests.conftest import ROOT
from tests.hostile_checks import rendered

WINDOW = 8


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models train fastest on one thread, and a busy 2-core machine makes a 2-thread pool spin for seconds."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def windows(n: int = 200, scale: float = 1.0, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.float32)
    values = (np.sin(t / 5) + 0.1 * rng.standard_normal(n)).astype(np.float32)[:, None] * scale  # (T, 1)
    return make_windows(values, WINDOW)  # (N, W, 1), (N, 1, 1)


def model(seed: int = 0) -> SimpleLSTM:
    torch.manual_seed(seed)
    return SimpleLSTM(1, WINDOW, 1, h_size=8)


def snapshot(module: nn.Module) -> dict[str, torch.Tensor]:
    return copy.deepcopy(module.state_dict())


def same_weights(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def finite(module: nn.Module) -> bool:
    return all(bool(torch.isfinite(p).all()) for p in module.parameters())


CONFIG = TrainConfig(lr=1e-2, batch_size=32, epochs=6, clip=1.0, patience=0, seed=0, device="cpu")


class Poisoned(nn.Module):
    """The model, whose outputs turn NaN once ``poison`` is set (a NaN appearing mid-training)."""

    def __init__(self, inner: SimpleLSTM) -> None:
        super().__init__()
        self.inner, self.poison = inner, False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.inner(x)  # (B, 1, K)
        return out * math.nan if self.poison else out


def test_nan_loss_mid_training_keeps_the_last_good_weights():
    x, y = windows()
    net = Poisoned(model())
    states = {}

    def on_epoch(report):
        states[report.epoch] = snapshot(net)
        net.poison = report.epoch == 3  # epoch 4's loss is NaN

    history = fit(net, x, y, CONFIG, on_epoch=on_epoch)
    assert history.epochs_run == 3 and len(states) == 3
    assert "became nan in epoch 4" in history.stopped and "lower learning rate" in history.stopped
    assert history.best_epoch == int(np.argmin(history.train_loss)) + 1
    assert same_weights(snapshot(net), states[history.best_epoch])  # the NaN step left no trace
    assert finite(net)


def test_nan_in_the_data_stops_at_once_with_the_initial_weights():
    x, y = windows()
    x = x.clone()
    x[5, 3, 0] = math.nan
    net = model()
    initial = snapshot(net)
    history = fit(net, x, y, CONFIG)
    assert history.epochs_run == 0 and history.best_epoch == 0 and math.isinf(history.best_loss)
    assert "became nan in epoch 1" in history.stopped
    assert same_weights(snapshot(net), initial) and finite(net)


def test_an_overflowing_loss_stops_like_nan():
    x, y = windows(scale=1e20)  # MSE of 1e20-sized targets overflows float32: the loss is inf
    net = model()
    history = fit(net, x, y, CONFIG)
    assert "became inf in epoch 1" in history.stopped and finite(net)


@pytest.mark.parametrize("lr", [1e6, 1e3])
def test_exploding_learning_rate_without_clipping(lr):
    x, y = windows()
    net = model()
    states = {}
    config = TrainConfig(lr=lr, batch_size=32, epochs=4, clip=0.0, patience=0, seed=0, device="cpu")
    history = fit(net, x, y, config, on_epoch=lambda r: states.update({r.epoch: snapshot(net)}))
    assert finite(net)  # whatever happened, the weights handed back are usable
    if history.stopped:
        assert "Try a lower learning rate or gradient clipping" in history.stopped
    assert all(math.isfinite(v) for v in history.train_loss)  # only finished, finite epochs are recorded
    if history.best_epoch:
        assert same_weights(snapshot(net), states[history.best_epoch])
    with torch.no_grad():
        assert torch.isfinite(net(x[:16])).all()
    assert min(history.train_loss) > 1.0  # it really exploded: a sine is learned to well below 1


def test_clipping_tames_the_same_learning_rate():
    x, y = windows()
    wild, tame = model(), model()
    base = dict(batch_size=32, epochs=3, patience=0, seed=0, device="cpu")
    loose = fit(wild, x, y, TrainConfig(lr=1.0, clip=0.0, **base))
    clipped = fit(tame, x, y, TrainConfig(lr=1e-2, clip=0.1, **base))
    assert clipped.train_loss[-1] < loose.train_loss[-1]


class Interrupt(Exception):
    """What Streamlit raises inside the loop when the user clicks Stop (there, a StopException)."""


def test_stop_in_the_middle_of_an_epoch(monkeypatch):
    monkeypatch.setattr(train_module, "STEP_REPORT_SECONDS", 0.0)  # report every batch
    x, y = windows()
    net = model()
    reports, states, steps = [], {}, []

    def on_epoch(report):
        reports.append(report)
        states[report.epoch] = snapshot(net)

    def on_step(epoch, batch, n_batches):
        steps.append((epoch, batch, n_batches))
        if epoch == 2 and batch == n_batches // 2:
            raise Interrupt

    with pytest.raises(Interrupt):  # fit never swallows the interruption
        fit(net, x, y, CONFIG, on_epoch=on_epoch, on_step=on_step)
    n_batches = math.ceil(len(x) / CONFIG.batch_size)
    assert steps[-1] == (2, n_batches // 2, n_batches)
    history = reports[-1].history  # what the page keeps: the live history of finished epochs
    assert history.epochs_run == 1 and len(states) == 1
    assert finite(net) and not same_weights(snapshot(net), states[1])  # half an epoch more of training
    assert math.isfinite(history.train_loss[0])


def test_on_epoch_returning_true_stops_and_keeps_the_best_weights():
    x, y = windows()
    net = model()
    states = {}

    def on_epoch(report):
        states[report.epoch] = snapshot(net)
        return report.epoch == 2

    history = fit(net, x, y, CONFIG, on_epoch=on_epoch)
    assert history.epochs_run == 2 and history.stopped == "Stopped by the user after epoch 2."
    assert same_weights(snapshot(net), states[history.best_epoch])


# --- the Train page ------------------------------------------------------------------------------


@pytest.fixture
def train_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/train.py").run()
    at.select_slider(key="h_size").set_value(8)
    at.number_input(key="epochs").set_value(4)
    return at.run()


def weights_finite(run) -> bool:
    return finite(run.model)


def pages_still_work(at: AppTest) -> None:
    for page in ("pages/inspect.py", "pages/predictions.py", "pages/train.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])


def paused_fit(real_fit, pause_at: tuple[int, int], seen: dict):
    """fit as the background worker calls it, holding at (epoch, batch) until the training is asked to stop
    (``seen["worker"].stopping``) or ``seen["release"]`` is set: a Stop that arrives in the middle of an epoch."""

    def run(model, x, y, config, on_epoch=None, val=None, on_step=None, **kwargs):
        def step(epoch, batch, n_batches):
            if (epoch, batch) == pause_at:
                seen["weights"] = snapshot(model)
                seen["paused"].set()
                while not seen["release"].is_set() and not ("worker" in seen and seen["worker"].stopping):
                    time.sleep(0.01)
            on_step(epoch, batch, n_batches)  # the worker's own step: it leaves fit when a stop was asked for

        return real_fit(model, x, y, config, on_epoch=on_epoch, val=val, on_step=step, **kwargs)

    return run


def pause_training(at: AppTest, monkeypatch, pause_at: tuple[int, int]) -> dict:
    """Start training on the page, held inside epoch ``pause_at[0]``; returns what ``paused_fit`` saw."""
    monkeypatch.setattr(train_module, "STEP_REPORT_SECONDS", 0.0)
    seen = {"paused": threading.Event(), "release": threading.Event()}
    monkeypatch.setattr(background_module, "fit", paused_fit(fit, pause_at, seen))
    at.button(key="train_start").click().run()
    assert not at.exception
    seen["worker"] = training_worker(at)
    assert seen["paused"].wait(60), "training never reached the pause"
    return seen


def test_stop_button_keeps_the_run_as_of_its_last_finished_epoch(train_page, monkeypatch):
    at = train_page
    seen = pause_training(at, monkeypatch, (3, 1))
    assert not at.session_state.runs and seen["worker"].latest.epoch == 2  # two epochs done, the third running
    at.button(key="train_stop").click().run()  # the callback stops the worker and keeps its run
    assert not at.exception
    runs = at.session_state.runs
    assert len(runs) == 1 and training_worker(at) is None
    run = runs[0]
    assert run.history.epochs_run == 2 and run.history.stopped.startswith("Stopped by the user during epoch 3")
    best = at.session_state.replays[run.number].state(run.history.best_epoch)  # a finished epoch's weights,
    assert same_weights(snapshot(run.model), best) and weights_finite(run)  # never half of epoch 3
    assert not same_weights(snapshot(run.model), seen["weights"])
    assert not run.model.training  # handed back in eval mode
    table = next(d.value for d in at.dataframe if "note" in d.value.columns)  # the runs table
    assert table["note"].iloc[0] == run.history.stopped
    assert table["best / epochs"].iloc[0] == f"{run.history.best_epoch} / 2"
    pages_still_work(at)


def test_stop_without_a_training_run_is_disabled(train_page):
    assert train_page.button(key="train_stop").disabled and not train_page.session_state.runs


def test_leaving_the_page_mid_training_keeps_training(train_page, monkeypatch):
    at = train_page
    seen = pause_training(at, monkeypatch, (2, 1))
    at.switch_page("pages/predictions.py").run()  # the user opens another page during training
    assert not at.exception
    assert not seen["worker"].done and any("epoch 1 of 4, training…" in rendered(c.value) for c in at.caption)
    seen["release"].set()
    finish_training(at)
    runs = at.session_state.runs
    assert len(runs) == 1 and runs[0].history.epochs_run == 4 and not runs[0].history.stopped


def test_infinite_loss_in_the_app_warns_and_keeps_a_usable_run(train_page):
    at = train_page
    rows = "".join(f"{i},{(1 + (i * 7) % 11) * 1e37}\n" for i in range(80))  # finite, but squared: inf
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="upload").set_value(("huge.csv", f"t,y\n{rows}".encode(), "")).run()
    at.switch_page("pages/windows.py").run()
    at.selectbox(key="scaling").set_value("none").run()
    at.switch_page("pages/train.py").run()
    at.button(key="train_start").click().run()
    finish_training(at)
    assert len(at.warning) == 1 and "loss became inf in epoch 1" in at.warning[0].value
    run = at.session_state.runs[0]
    assert run.history.epochs_run == 0 and weights_finite(run)
    pages_still_work(at)


def test_largest_learning_rate_without_clipping_in_the_app(train_page):
    at = train_page
    at.number_input(key="lr").set_value(1.0)
    at.number_input(key="clip").set_value(0.0)
    at.button(key="train_start").click().run()
    finish_training(at)
    assert len(at.success) + len(at.warning) == 1 and "Run 1" in (at.success or at.warning)[0].value
    run = at.session_state.runs[0]
    assert run.train_config.lr == 1.0 and run.train_config.clip == 0.0 and weights_finite(run)
    pages_still_work(at)
