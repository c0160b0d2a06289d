"""Saving and loading models: safetensors weights plus a JSON of everything needed to rebuild the run.

Loading never unpickles: the weights are read only as safetensors and the config only as JSON, both
checked first by ``lstmlab.model_format``; only then is the model built and ``load_state_dict`` run.
The two files travel alone or together in one .zip (``write_bundle``, ``read_bundle``).
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from typing import Any

import numpy as np
import torch
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from lstmlab.errors import ModelFileError
from lstmlab.model import SimpleRNN
from lstmlab.model_format import (
    FORMAT,
    FORMAT_VERSION,
    MAX_CONFIG_BYTES,
    MAX_HEADER_BYTES,
    MAX_WEIGHTS_BYTES,
    check_weights,
    file_tensor_shapes,
    parse_config,
    shown_value,
)
from lstmlab.runs import Run
from lstmlab.safetext import visible


def _plain(value: Any) -> Any:
    """``value`` as JSON: dataclasses as objects, enums by name, NaN and infinities as null."""
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {key: _plain(v) for key, v in value.items()}
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return int(value) if isinstance(value, np.integer) else value


def save_model(run: Run) -> tuple[bytes, bytes]:
    """(safetensors bytes, JSON bytes) for ``run``: weights, and model, data, window, train and scaler."""
    model = run.model
    tensors = {name: t.detach().cpu().contiguous() for name, t in model.state_dict().items()}
    weights = save_safetensors(tensors, metadata={"format": FORMAT, "format_version": str(FORMAT_VERSION)})
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "shape": {"n_features": model.n_features, "window_size": model.window_size, "output_size": model.output_size},
        "model": run.model_config,
        "window": run.window_config,
        "data": run.data_spec,
        "train": run.train_config,
        "columns": run.columns,
        "targets": run.targets,
        "scaler": {
            "kind": run.scaler.kind,
            "shift": run.scaler.shift,
            "scale": run.scaler.scale,
            "transform": run.scaler.target_transform,
            "changed": run.scaler.changed,
            "reason": run.scaler.reason,
        },
        "source": {"name": run.source_name, "digest": run.source_digest},
        "history": run.history,
    }
    return weights, json.dumps(_plain(config), indent=2, allow_nan=False).encode()


@dataclass
class LoadedModel:
    """A model read back from files, with everything needed to rebuild its data and windows."""

    model: SimpleRNN
    config: dict[str, Any]  # parse_config's result: dataclasses, columns, targets, scaler, source, history

    def as_run(self, number: int, source_name: str, source_digest: str) -> Run:
        """A Run on the given data (whose columns the caller has checked with ``check_columns``)."""
        c = self.config
        return Run.create(
            number=number, source_name=source_name, source_digest=source_digest, data_spec=c["data"],
            window_config=c["window"], model_config=c["model"], train_config=c["train"], columns=c["columns"],
            targets=c["targets"], scaler=c["scaler"], model=self.model, history=c["history"],
        )  # fmt: skip


def load_model(weights: bytes, config_json: bytes) -> LoadedModel:
    """Rebuild a model from safetensors + JSON bytes, refusing anything unexpected (``ModelFileError``)."""
    config = parse_config(config_json)
    shape = config["shape"]
    check_weights(weights, file_tensor_shapes(config))  # before safetensors parses anything, or the model is built
    try:
        tensors = load_safetensors(weights)
    except Exception as error:  # the Rust parser's own refusal, whatever its type
        raise ModelFileError(f"weights file: not a valid safetensors file ({visible(error)}).") from None
    if not all(torch.isfinite(t).all() for t in tensors.values()):
        raise ModelFileError("weights file: some weights are NaN or infinite.")
    model = SimpleRNN.from_config(shape["n_features"], shape["window_size"], shape["output_size"], config["model"])
    model.load_state_dict(tensors, strict=True)  # format 1's lstm.* names are read as rnn.* (see SimpleRNN)
    return LoadedModel(model.eval(), config)


# ---- one archive holding both files ------------------------------------------------------------------


def write_bundle(weights: bytes, config_json: bytes, stem: str = "model") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.safetensors", weights)
        archive.writestr(f"{stem}.json", config_json)
    return buffer.getvalue()


def read_bundle(data: bytes) -> tuple[bytes, bytes]:
    """(weights, config) from a zip of one .safetensors and one .json, with sizes checked before reading."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ModelFileError("the archive is not a readable zip file.") from None
    found = {ext: [i for i in infos if i.filename.lower().endswith(ext)] for ext in (".safetensors", ".json")}
    if len(infos) != 2 or any(len(group) != 1 for group in found.values()):
        names = shown_value([i.filename for i in infos][:10])
        raise ModelFileError(f"the zip must hold exactly one .safetensors file and one .json file, got {names}.")
    weights, config = found[".safetensors"][0], found[".json"][0]
    if weights.file_size > MAX_WEIGHTS_BYTES + MAX_HEADER_BYTES or config.file_size > MAX_CONFIG_BYTES:
        raise ModelFileError("a file in the zip is larger than any model this app writes.")
    try:
        return archive.read(weights), archive.read(config)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise ModelFileError(f"the zip could not be read ({visible(error)}).") from None


def pick_model_files(files: list[tuple[str, bytes]]) -> tuple[bytes, bytes]:
    """(weights, config) from uploaded (name, bytes): a .safetensors and a .json, or one .zip of both."""
    if len(files) == 1 and files[0][0].lower().endswith(".zip"):
        return read_bundle(files[0][1])
    weights = [data for name, data in files if name.lower().endswith(".safetensors")]
    configs = [data for name, data in files if name.lower().endswith(".json")]
    if len(files) != 2 or len(weights) != 1 or len(configs) != 1:
        raise ModelFileError(
            "upload the two files saved from the Predictions page together: one .safetensors file and its .json "
            f"(or one .zip holding both); got {shown_value([name for name, _ in files][:10])}."
        )
    return weights[0], configs[0]
