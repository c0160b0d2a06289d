"""The journey's library calls on a GPU (CUDA or Apple MPS), against the same weights on the CPU.

Skipped, with the reason, on a machine without the device. GPU and CPU are compared with tolerances,
never bit for bit: cuDNN runs fp32 matmuls in TF32 on recent GPUs.
"""

import copy

import numpy as np
import pytest
import torch

from lstmlab import attribution, devices, errata, persist
from lstmlab.config import DataSpec, InitState, ModelConfig, Scaling, TrainConfig, WindowConfig
from lstmlab.model import SimpleLSTM, predict
from lstmlab.runs import Run, keep_on_cpu
from lstmlab.trace import seeded_states, trace_cells
from lstmlab.trace_stats import gate_saturation, unit_saturation
from lstmlab.train import evaluate, fit
from lstmlab.windows import scale_series, window_splits

ACCELERATORS = [
    pytest.param(
        "cuda:0",
        marks=[pytest.mark.cuda, pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here")],
    ),
    pytest.param(
        "mps",
        marks=[pytest.mark.mps, pytest.mark.skipif(not torch.backends.mps.is_available(), reason="no Apple MPS here")],
    ),
]
CPU = torch.device("cpu")


@pytest.fixture(params=ACCELERATORS)
def device(request) -> torch.device:
    return torch.device(request.param)


@pytest.fixture(scope="module")
def data():
    t = np.arange(600, dtype=np.float32)
    values = np.stack([np.sin(t / 9) + t / 300, np.cos(t / 5)], axis=1)
    wc = WindowConfig(window=16, horizon=2, scaling=Scaling.STANDARD)
    scaled = scale_series(values, (0,), wc)
    return scaled, window_splits(scaled, wc), wc


def _train(device: torch.device, data, init=InitState.RANDOM, epochs=3):
    _scaled, splits, wc = data
    mc = ModelConfig(h_size=16, n_layers=2, bidirectional=True, init=init)
    model = SimpleLSTM.from_config(2, wc.window, wc.horizon, mc, seed=0)
    tc = TrainConfig(epochs=epochs, batch_size=32, seed=0, device=str(device), patience=0)
    history = fit(model, splits["train"].x, splits["train"].y, tc, val=(splits["validation"].x, splits["validation"].y))
    return model, history


def _zeros_twin(model: SimpleLSTM, where: torch.device) -> SimpleLSTM:
    twin = copy.deepcopy(model).to(where)
    twin.init = InitState.ZEROS
    return twin


def test_training_stays_on_the_device_and_repeats_itself(device, data):
    first, history = _train(device, data)
    second, again = _train(device, data)
    assert next(first.parameters()).device.type == device.type and history.device.startswith(device.type)
    assert np.isfinite(history.best_loss)
    assert history.train_loss == again.train_loss  # same seed, same device
    for a, b in zip(first.parameters(), second.parameters(), strict=True):
        assert torch.equal(a, b)


def test_cpu_and_device_training_agree_to_a_tolerance(device, data):
    on_device, dev_history = _train(device, data, InitState.ZEROS, epochs=2)
    on_cpu, cpu_history = _train(CPU, data, InitState.ZEROS, epochs=2)
    assert np.allclose(dev_history.train_loss, cpu_history.train_loss, rtol=2e-2)
    x = data[1]["test"].x
    assert torch.allclose(predict(on_device, x, 2), predict(on_cpu, x, 2), atol=5e-2)


def test_predict_and_evaluate_take_cpu_windows(device, data):
    model, _ = _train(device, data, epochs=1)
    split = data[1]["test"]
    got = predict(_zeros_twin(model, device), split.x, 2)
    ref = predict(_zeros_twin(model, CPU), split.x, 2)
    assert got.device == CPU and (got - ref).abs().max() < 1e-2
    assert np.isfinite(evaluate(_zeros_twin(model, device), split.x, split.y, TrainConfig().loss))


def test_trace_matches_the_fp32_module_within_the_stated_tolerance(device, data):
    model, _ = _train(device, data, epochs=1)
    x = data[1]["train"].x[:64]
    trace = trace_cells(model, x, seeded_states(model, 64, 0))
    assert trace.h.device.type == device.type
    assert trace.max_abs_diff(model) < devices.trace_tolerance(device)
    kernel = trace.max_abs_diff(model, on_device=True)  # the device's own cuDNN/MPS kernel
    assert kernel < (devices.TF32_TOLERANCE if devices.uses_tf32(device) else 1e-4)
    assert gate_saturation(trace).shape == (2 * 2 * 3, 5)
    assert unit_saturation(trace)["f"].shape == (2, 2, 16, 2)
    cpu_trace = trace_cells(model.cpu(), x, seeded_states(model, 64, 0))
    assert torch.allclose(trace.h.cpu(), cpu_trace.h, atol=devices.trace_tolerance(device))


def test_seeded_states_are_the_same_on_every_device(device, data):
    model, _ = _train(device, data, epochs=1)
    on_device = seeded_states(model, 4, 7)
    on_cpu = seeded_states(copy.deepcopy(model).cpu(), 4, 7)
    assert all(torch.equal(a.cpu(), b) for a, b in zip(on_device, on_cpu, strict=True))


def test_attribution_on_the_device_matches_the_cpu_and_flips_no_flag(device, data):
    model, _ = _train(device, data, epochs=1)
    model.eval()
    x = data[1]["train"].x[:8]
    states = tuple(s.cpu() for s in seeded_states(model, 8, 3))
    before = (torch.backends.cudnn.enabled, torch.backends.cudnn.allow_tf32)
    twin = copy.deepcopy(model).cpu()
    for fn in (attribution.gradients, attribution.gradient_x_input, attribution.integrated_gradients):
        a = fn(model, x, 1, states=tuple(s.to(device) for s in states)).cpu()
        b = fn(twin, x, 1, states=states)
        assert ((a - b).abs().max() / b.abs().max()).item() < 1e-2
    assert (torch.backends.cudnn.enabled, torch.backends.cudnn.allow_tf32) == before and not model.training


def test_errata_weight_reuse_is_exact_on_any_device(device, data):
    model, _ = _train(device, data, epochs=1)
    result = errata.weight_reuse(model, data[1]["train"].x[:16])
    assert result.max_abs_diff < 1e-5


def test_saved_on_the_device_loads_on_the_cpu(device, data):
    scaled, _splits, wc = data
    model, history = _train(device, data, InitState.ZEROS, epochs=1)
    run = Run(1, "synthetic", "digest", DataSpec(), wc, ModelConfig(h_size=16, n_layers=2, bidirectional=True),
              TrainConfig(device=str(device)), ("a", "b"), (0,), scaled.scaler, model, history)
    loaded = persist.load_model(*persist.save_model(run))
    assert {p.device for p in loaded.model.parameters()} == {CPU}
    for key, value in model.state_dict().items():
        assert torch.equal(value.cpu(), loaded.model.state_dict()[key])


def test_kept_runs_give_their_device_memory_back(device, data):
    if device.type != "cuda":
        pytest.skip("memory counters are CUDA's")
    scaled, _splits, wc = data
    kept = []
    for _ in range(3):
        model, history = _train(device, data, epochs=1)
        kept.append(Run(1, "synthetic", "digest", DataSpec(), wc, ModelConfig(h_size=16), TrainConfig(),
                        ("a", "b"), (0,), scaled.scaler, model, history))
    held, reserved = torch.cuda.memory_allocated(device), torch.cuda.memory_reserved(device)
    for run in kept:
        keep_on_cpu(run)  # what the app does with every finished run
    assert {p.device for run in kept for p in run.model.parameters()} == {CPU}
    assert torch.cuda.memory_allocated(device) < held and torch.cuda.memory_reserved(device) < reserved
    twin = devices.on_device(kept[0].model, device)  # work that wants the GPU gets a copy there
    assert twin is not kept[0].model and devices.model_device(twin) == device
