"""Devices: which ones this machine has, what precision they compute in, and moving data and memory.

Nothing here flips a ``torch.backends`` flag: Streamlit serves every session from threads of one
process, so a process-wide switch set for one request changes every other session's computation.
"""

from __future__ import annotations

import copy
import functools
import os
import shutil
import subprocess
from pathlib import Path

import torch

# What PyTorch documents for deterministic cuDNN RNNs on CUDA >= 10.2. cuBLAS reads it when its first
# handle is made, so setting it before any CUDA work is enough; a user's own value wins.
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:2")

CUDA_INSTALL = "pip install -r requirements-gpu.txt"
FP32_TOLERANCE = 1e-5  # trace vs nn.LSTM when both compute in full fp32
TF32_TOLERANCE = 2e-3  # 10-bit mantissa (unit roundoff 4.9e-4); differences of 2-4e-4 are seen


def available_devices() -> list[str]:
    """Devices this machine can train on, best first: CUDA, then Apple MPS, then CPU."""
    devices = [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if torch.backends.mps.is_available():
        devices.append("mps")
    return [*devices, "cpu"]


def resolve_device(name: str = "auto") -> torch.device:
    """The named device (``auto``, ``cpu``, ``mps``, ``cuda`` or ``cuda:N``), checked to exist here."""
    found = available_devices()
    if name == "auto":
        return torch.device(found[0])
    if name == "cuda" and torch.cuda.is_available():
        return torch.device("cuda:0")
    if name not in found:
        raise ValueError(f"device {name!r} is not available here; choose one of {found}.")
    return torch.device(name)


def describe_device(device: torch.device) -> str:
    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "mps (Apple GPU)"
    return "cpu"


def training_note(device: torch.device) -> str:
    """What training on ``device`` promises about repeating a run with the same seed."""
    where = f"Training on {describe_device(device)}."
    if device.type == "cuda":
        return (f"{where} The same seed repeats a run bit for bit on this GPU (cuBLAS is set up as PyTorch documents "
                "for deterministic RNNs); on another device the numbers agree to about 1e-3"
                + (", since cuDNN computes in TF32 here." if uses_tf32(device) else "."))
    if device.type == "mps":
        return f"{where} Runs on Apple's GPU repeat only up to about 1e-3: MPS promises no bitwise determinism."
    return f"{where} The same seed repeats a run bit for bit."


def model_device(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device


def usable_device(name: str) -> torch.device:
    """The device a run was trained on where this machine has it, else the CPU (a model file from a GPU)."""
    try:
        return resolve_device(name)
    except ValueError:
        return torch.device("cpu")


def on_device(model: torch.nn.Module, device: torch.device | None) -> torch.nn.Module:
    """``model`` itself when it already lives on ``device`` (or none is asked for), else a copy there.

    Kept runs hold their weights on the CPU; work that wants the GPU gets a copy, freed after use.
    """
    if device is None or model_device(model) == device:
        return model
    return copy.deepcopy(model).to(device)


def to_device(tensor: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Move a strided view (e.g. unfolded windows) by copying only the memory it spans.

    ``Tensor.to`` would materialise every overlapping window; this copies the underlying rows once
    and rebuilds the same view on the device.
    """
    if tensor.device == device:
        return tensor
    if tensor.is_contiguous() or tensor.numel() == 0:
        return tensor.to(device)
    span = 1 + sum((size - 1) * stride for size, stride in zip(tensor.shape, tensor.stride(), strict=True))
    flat = torch.as_strided(tensor, (span,), (1,)).to(device)  # the rows under the view, once
    return torch.as_strided(flat, tensor.shape, tensor.stride())


def uses_tf32(device: torch.device) -> bool:
    """Whether cuDNN's recurrent kernels on ``device`` run their fp32 matmuls in TF32 (Ampere and newer)."""
    return (
        device.type == "cuda"
        and torch.backends.cudnn.allow_tf32
        and torch.cuda.get_device_capability(device)[0] >= 8
    )


def precision_mode(device: torch.device) -> str:
    """In words: the precision nn.LSTM's own forward computes in on ``device``."""
    if uses_tf32(device):
        return "TF32 (cuDNN's default on this GPU: fp32 storage, 10-bit-mantissa matmuls)"
    return "full fp32"


def trace_tolerance(device: torch.device) -> float:
    """The largest |step-by-step trace − fp32 nn.LSTM| to expect when the trace is computed on ``device``.

    The trace's matmuls are fp32 unless the process allows TF32 for them (torch's default does not).
    """
    if device.type == "cuda" and torch.get_float32_matmul_precision() != "highest":
        return TF32_TOLERANCE
    return FP32_TOLERANCE


def release_device_memory(device: torch.device | str) -> None:
    """Give freed blocks of the caching allocator back to the GPU, so other programs (and sessions) get them."""
    kind = torch.device(device).type
    if kind == "cuda" and torch.cuda.is_initialized():
        torch.cuda.empty_cache()
    elif kind == "mps":
        torch.mps.empty_cache()


@functools.cache  # the hardware does not change while the app runs
def nvidia_gpu_present() -> bool:
    """An NVIDIA GPU that the driver sees, whether or not this torch can use it."""
    gpus = Path("/proc/driver/nvidia/gpus")
    if gpus.is_dir() and any(gpus.iterdir()):
        return True
    if shutil.which("nvidia-smi"):
        try:
            listed = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return False
        return "GPU" in listed
    return False


def unusable_gpu_note() -> str | None:
    """What to do when this machine has an NVIDIA GPU that the installed torch cannot use; else None."""
    if torch.cuda.is_available() or not nvidia_gpu_present():
        return None
    build = f"CUDA {torch.version.cuda}" if torch.version.cuda else "a CPU-only build"
    return (
        f"This machine has an NVIDIA GPU, but the installed torch {torch.__version__} is {build} and cannot use "
        f"it. Install the CUDA build of the same version with `{CUDA_INSTALL}`, then restart the app."
    )
