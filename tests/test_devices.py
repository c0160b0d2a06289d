"""Device handling that must hold on any machine: names checked, no process-wide switches, local random state."""

import ast
import threading
from pathlib import Path

import pytest
import torch

from lstmlab import attribution, devices
from lstmlab.config import InitState, ModelConfig, TrainConfig
from lstmlab.model import SimpleLSTM
from lstmlab.trace import seeded_states, trace_cells
from lstmlab.train import fit
from lstmlab.windows import make_windows

LIBRARY = Path(__file__).resolve().parents[1] / "lstmlab"


def backend_flags() -> dict[str, object]:
    """Every process-wide torch.backends setting a request could flip."""
    return {
        "cudnn.enabled": torch.backends.cudnn.enabled,
        "cudnn.benchmark": torch.backends.cudnn.benchmark,
        "cudnn.deterministic": torch.backends.cudnn.deterministic,
        "cudnn.allow_tf32": torch.backends.cudnn.allow_tf32,
        "cuda.matmul.allow_tf32": torch.backends.cuda.matmul.allow_tf32,
        "float32_matmul_precision": torch.get_float32_matmul_precision(),
        "deterministic_algorithms": torch.are_deterministic_algorithms_enabled(),
    }


@pytest.mark.parametrize("name", ["cuda:7", "xla", "gpu", "cuda:x", "", "mps:0"])
def test_resolve_device_refuses_names_this_machine_lacks(name):
    if name in devices.available_devices():
        pytest.skip(f"{name} exists here")
    with pytest.raises(ValueError, match="not available here"):
        devices.resolve_device(name)


def test_resolve_device_cuda_without_a_gpu_says_so():
    if torch.cuda.is_available():
        assert devices.resolve_device("cuda") == torch.device("cuda:0")
    else:
        with pytest.raises(ValueError, match="'cuda' is not available here"):
            devices.resolve_device("cuda")
    assert devices.resolve_device("cpu") == torch.device("cpu")
    assert str(devices.resolve_device("auto")) == devices.available_devices()[0]


def test_cpu_precision_and_tolerance():
    cpu = torch.device("cpu")
    assert not devices.uses_tf32(cpu)
    assert devices.precision_mode(cpu) == "full fp32"
    assert devices.trace_tolerance(cpu) == devices.FP32_TOLERANCE == 1e-5


def test_unusable_gpu_note(monkeypatch):
    monkeypatch.setattr(devices, "nvidia_gpu_present", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    note = devices.unusable_gpu_note()
    assert torch.__version__ in note and "pip install -r requirements-gpu.txt" in note
    monkeypatch.setattr(devices, "nvidia_gpu_present", lambda: False)
    assert devices.unusable_gpu_note() is None


def test_requirements_gpu_pins_what_the_cloud_file_pins_with_the_cuda_torch():
    root = LIBRARY.parent

    def pins(name: str) -> set[str]:
        lines = (root / name).read_text().splitlines()
        return {line.split(";")[0].strip() for line in lines if line.strip() and not line.startswith(("#", "--"))}

    cloud, gpu = pins("requirements.txt"), pins("requirements-gpu.txt")
    assert "torch==2.13.0+cpu" in cloud and "torch==2.13.0" in gpu
    assert {p for p in cloud if not p.startswith("torch")} == {p for p in gpu if not p.startswith("torch")}
    assert [p for p in gpu if p.startswith("torch")] == ["torch==2.13.0"]


def _writes_global_state(node: ast.AST) -> str | None:
    """A statement that flips a process-wide torch switch or reseeds a global generator."""
    if isinstance(node, ast.Assign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            text = ast.unparse(target)
            if text.startswith("torch.backends"):
                return text
    if isinstance(node, ast.Call):
        name = ast.unparse(node.func)
        banned = ("torch.manual_seed", "torch.cuda.manual_seed", "torch.cuda.manual_seed_all", "torch.mps.manual_seed",
                  "torch.use_deterministic_algorithms", "torch.set_float32_matmul_precision", "torch.random.fork_rng")
        if name in banned or (name.startswith("torch.backends") and name.endswith(".flags")):
            return name
    return None


def test_library_never_flips_process_wide_switches():
    found = [
        f"{path.relative_to(LIBRARY)}:{node.lineno} {what}"
        for path in sorted(LIBRARY.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if (what := _writes_global_state(node))
    ]
    assert found == []


def test_two_threads_computing_attributions_leave_every_backend_flag_as_it_was():
    torch.manual_seed(0)
    model = SimpleLSTM(3, 6, 2, 5, n_layers=2, bidirectional=True).eval()
    x = torch.randn(4, 6, 3, generator=torch.Generator().manual_seed(1))
    expected = attribution.gradient_x_input(model, x, 1)
    before = backend_flags()
    seen, results, stop = [], [], threading.Event()

    def watch():
        while not stop.is_set():
            seen.append(backend_flags())

    def session():
        for _ in range(20):
            results.append(attribution.gradient_x_input(model, x, 1))

    watcher = threading.Thread(target=watch)
    watcher.start()
    workers = [threading.Thread(target=session) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stop.set()
    watcher.join()
    assert seen and all(flags == before for flags in seen) and backend_flags() == before
    assert len(results) == 40 and all(torch.equal(r, expected) for r in results)
    assert not model.training  # the caller's mode is restored


def test_training_and_seeded_states_leave_the_global_generator_alone():
    values = torch.sin(torch.arange(120, dtype=torch.float32) / 5)[:, None].numpy()
    x, y = make_windows(values, window=8)
    model = SimpleLSTM.from_config(1, 8, 1, ModelConfig(h_size=4, init=InitState.RANDOM), seed=3)
    torch.manual_seed(1234)
    before = torch.get_rng_state()
    fit(model, x, y, TrainConfig(epochs=2, batch_size=16, seed=5, device="cpu", patience=0))
    states = seeded_states(model, 3, seed=9)
    assert torch.equal(torch.get_rng_state(), before)
    again = seeded_states(model, 3, seed=9)
    assert all(torch.equal(a, b) for a, b in zip(states, again, strict=True))
    gen = torch.Generator().manual_seed(9)  # the documented draw: h then c, from a CPU generator
    assert torch.equal(states[0], torch.randn(1, 3, 4, generator=gen))
    assert torch.equal(states[1], torch.randn(1, 3, 4, generator=gen))


def test_training_with_random_states_is_reproducible_whatever_other_threads_draw():
    values = torch.cos(torch.arange(150, dtype=torch.float32) / 7)[:, None].numpy()
    x, y = make_windows(values, window=6)
    config = TrainConfig(epochs=2, batch_size=16, seed=2, device="cpu", patience=0)

    def train() -> SimpleLSTM:
        model = SimpleLSTM.from_config(1, 6, 1, ModelConfig(h_size=4, init=InitState.RANDOM), seed=1)
        fit(model, x, y, config)
        return model

    first = train()
    stop = threading.Event()
    noise = threading.Thread(target=lambda: [torch.randn(64) for _ in iter(stop.is_set, True)])
    noise.start()  # another session drawing from the global generator all the while
    try:
        second = train()
    finally:
        stop.set()
        noise.join()
    for a, b in zip(first.parameters(), second.parameters(), strict=True):
        assert torch.equal(a, b)


def test_cpu_trace_check_is_the_module_itself():
    torch.manual_seed(0)
    model = SimpleLSTM(2, 5, 1, 3, n_layers=2, bidirectional=True).eval()
    trace = trace_cells(model, torch.randn(2, 5, 2))
    assert trace.max_abs_diff(model) == trace.max_abs_diff(model, on_device=True) < 1e-5


def test_usable_device_and_on_device():
    assert devices.usable_device("cuda:7" if torch.cuda.device_count() < 8 else "xla") == torch.device("cpu")
    assert devices.usable_device("cpu") == torch.device("cpu")
    model = SimpleLSTM(2, 4, 1, 3)
    assert devices.on_device(model, None) is model and devices.on_device(model, torch.device("cpu")) is model
    twin = devices.on_device(model, torch.device("meta"))  # a device that holds shapes only
    assert twin is not model and devices.model_device(twin).type == "meta"
    assert devices.model_device(model).type == "cpu"  # the kept model stays where it was


def test_training_notes_say_what_repeats():
    assert devices.training_note(torch.device("cpu")) == "Training on cpu. The same seed repeats a run bit for bit."
    assert "about 1e-3" in devices.training_note(torch.device("mps"))
