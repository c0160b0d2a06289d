"""The model file's format: what its JSON and its safetensors header may hold, checked before use.

Nothing is trusted: sizes first (the safetensors header length, then the exact byte count the config's
model implies), then every JSON field's type and range against ``SCHEMA``, then every tensor's name,
dtype and shape against the model the config describes. ``lstmlab.persist`` runs these checks before
``load_state_dict``, so a hostile upload is refused with a message instead of running code or
exhausting memory.

Format 3 carries the cell (LSTM, GRU, RNN) and names the recurrent weights ``rnn.*``; format 1 and 2
files, written before the cell family, are LSTMs with ``lstm.*`` weights and still load.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import MISSING, fields, is_dataclass
from enum import Enum
from typing import Any

import numpy as np

from lstmlab.config import MAX_NAME_CHARS, DataSpec, ModelConfig, Scaling, TrainConfig, Transform, WindowConfig
from lstmlab.errors import ModelFileError
from lstmlab.model import GATE_COUNT
from lstmlab.safetext import visible
from lstmlab.train import History
from lstmlab.windows import Scaler

FORMAT, FORMAT_VERSION = "lstmlab-model", 4
# Settings added since each older version: such a file lacks them and loads with each one's default,
# which is what the app did before the setting existed. Any other missing key is refused. Versions 1
# and 2 are LSTMs whose weights are named lstm.*; version 3 names the cell and its weights rnn.*;
# version 4 adds target transforms (older files trained on levels: ``_backfill``).
_OPTIMIZER = {"config.train.optimizer", "config.train.weight_decay", "config.train.momentum"}
ADDED_SINCE = {
    1: frozenset({"config.data.duplicates", "config.model.cell", *_OPTIMIZER}),
    2: frozenset({"config.model.cell", *_OPTIMIZER}),
    3: frozenset(),
}
MAX_CONFIG_BYTES = 1 << 20
MAX_HEADER_BYTES = 1 << 20  # our headers hold a dozen tensors: a few kB
MAX_WEIGHTS_BYTES = 1 << 30
MAX_TEXT_CHARS = MAX_NAME_CHARS  # a column or file name, a digest, a reason: longer is no name a run keeps
LIMITS = {"h_size": 4096, "n_layers": 16, "n_features": 10_000, "window_size": 100_000, "output_size": 100_000}
# The JSON's layout: a type, an Enum, a dataclass (its fields, typed by their defaults), [item], {key: kind}.
SCHEMA = {
    "format": str,
    "format_version": int,
    "shape": {"n_features": int, "window_size": int, "output_size": int},
    "model": ModelConfig,
    "window": WindowConfig,
    "data": DataSpec,
    "train": TrainConfig,
    "columns": [str],
    "targets": [int],
    "scaler": {
        "kind": Scaling, "shift": [float], "scale": [float], "transform": Transform, "changed": [int], "reason": str
    },
    "source": {"name": str, "digest": str},
    "history": History,  # its numbers may be null (NaN or infinite when saved)
}


# ---- reading the JSON: every field typed, nothing else accepted ------------------------------------


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ModelFileError(f"model config: {message}")


def _field_kind(f: Any) -> Any:
    default = f.default if f.default is not MISSING else f.default_factory()
    if isinstance(default, tuple):
        return [str]  # column names
    return [float] if isinstance(default, list) else type(default)


def _read(value: Any, kind: Any, where: str, nullable: bool = False, optional: frozenset[str] = frozenset()) -> Any:
    """``value`` checked against ``kind`` (see ``SCHEMA``), converted to the Python value it describes.

    Dataclass fields named in ``optional`` (as ``where.field``) may be missing: they take their defaults.
    """
    if is_dataclass(kind):
        kinds = {f.name: _field_kind(f) for f in fields(kind)}
        if isinstance(value, dict):
            kinds = {name: sub for name, sub in kinds.items() if name in value or f"{where}.{name}" not in optional}
        part = _read(value, kinds, where, nullable or kind is History)
        return kind(**{k: tuple(v) if kinds[k] == [str] else v for k, v in part.items()})
    if isinstance(kind, dict):
        _check(isinstance(value, dict), f"'{where}' must be an object, got {type(value).__name__}.")
        _check(set(value) == set(kind),
               f"'{where}' must have exactly the keys {sorted(kind)}, got {shown_value(sorted(value))}.")  # fmt: skip
        return {key: _read(value[key], sub, f"{where}.{key}", nullable, optional) for key, sub in kind.items()}
    if isinstance(kind, list):
        names = {str: "texts", int: "integers", float: "numbers"}
        _check(isinstance(value, list), f"{where} must be a list of {names[kind[0]]}, got {shown_value(value)}.")
        return [_read(v, kind[0], f"{where}[{i}]", nullable) for i, v in enumerate(value)]
    if issubclass(kind, Enum):
        _check(
            isinstance(value, str) and value in kind.__members__,
            f"{where} must be one of {list(kind.__members__)}, got {shown_value(value)}.",
        )
        return kind[value]
    if kind is float:
        if nullable and value is None:
            return math.nan
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        _check(is_number and math.isfinite(value), f"{where} must be a finite number, got {shown_value(value)}.")
        return float(value)
    words = {bool: "true or false", int: "an integer", str: "text"}[kind]
    _check(type(value) is kind, f"{where} must be {words}, got {shown_value(value)}.")  # type(): a bool is no integer
    if kind is str:  # names are data shown in pages and the exported script: a bounded string, nothing else
        _check(len(value) <= MAX_TEXT_CHARS, f"{where} is {len(value):,} characters long; at most "
               f"{MAX_TEXT_CHARS:,} are accepted.")  # fmt: skip
    return value


def shown_value(value: Any) -> str:
    """A value from the file for a message: its repr, every character visible, shortened."""
    return visible(repr(value))


def _refuse_constant(name: str) -> None:
    raise ModelFileError(f"model config: {name} is not allowed in a model file.")


def _backfill(config: dict[str, Any]) -> None:
    """Files saved before target transforms existed trained on levels: say so, and nothing else changes."""
    if isinstance(config.get("window"), dict):
        config["window"].setdefault("transform", Transform.LEVELS.name)
    if isinstance(config.get("scaler"), dict):
        config["scaler"].setdefault("transform", Transform.LEVELS.name)
        config["scaler"].setdefault("changed", [])
        config["scaler"].setdefault("reason", "")


def parse_config(config_json: bytes) -> dict[str, Any]:
    """The JSON config, validated against ``SCHEMA``, then its ranges and the agreement of its parts."""
    size = len(config_json)
    _check(size <= MAX_CONFIG_BYTES, f"the JSON is {size:,} bytes; at most {MAX_CONFIG_BYTES:,} are accepted.")
    try:
        config = json.loads(config_json, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ModelFileError(f"model config: not valid JSON ({error}).") from None
    _check(isinstance(config, dict), "the JSON must be an object.")
    _check(config.get("format") == FORMAT, f"'format' must be {FORMAT!r}: is this an LSTM Lab model file?")
    version = config.get("format_version")
    readable = sorted({*ADDED_SINCE, FORMAT_VERSION})
    _check(type(version) is int and version in readable,
           f"format_version {shown_value(version)} is not supported (this app reads {', '.join(map(str, readable))}).")
    added = frozenset().union(*(names for since, names in ADDED_SINCE.items() if version <= since))
    if version < 4:
        _backfill(config)
    c = _read(config, SCHEMA, "config", optional=added)
    shape, window, columns, targets, scaler = c["shape"], c["window"], c["columns"], c["targets"], c["scaler"]
    sizes = {**shape, "h_size": c["model"].h_size, "n_layers": c["model"].n_layers}
    for name, limit in LIMITS.items():
        _check(1 <= sizes[name] <= limit, f"{name} must be between 1 and {limit:,}, got {sizes[name]}.")
    fractions = (window.val_fraction, window.test_fraction)
    for ok, message in (
        (min(window.window, window.horizon, window.stride) >= 1, "window, horizon and stride must be at least 1."),
        (min(fractions) >= 0 and sum(fractions) < 1, "window fractions must be ≥ 0 and add up to less than 1."),
        (len(columns) == shape["n_features"], f"{len(columns)} columns but shape.n_features {shape['n_features']}."),
        (targets and len(set(targets)) == len(targets) and all(0 <= t < len(columns) for t in targets),
         f"targets must be distinct column indices, got {targets}."),
        (shape["window_size"] == window.window, "shape.window_size differs from window.window."),
        (shape["output_size"] == window.horizon * len(targets), "shape.output_size must be horizon × targets."),
        (len(scaler["shift"]) == len(scaler["scale"]) == len(columns), "the scaler needs one value per column."),
        (all(s > 0 for s in scaler["scale"]), "scaler.scale values must be positive."),
        (scaler["transform"] is not Transform.AUTO, "scaler.transform must be resolved, not AUTO."),
        (scaler["changed"] == ([] if scaler["transform"] is Transform.LEVELS else targets),
         "scaler.changed must list the target columns for a transform other than LEVELS, else be empty."),
    ):  # fmt: skip
        _check(bool(ok), message)
    c["scaler"] = Scaler(scaler["kind"], np.array(scaler["shift"]), np.array(scaler["scale"]), scaler["transform"],
                         tuple(scaler["changed"]), scaler["reason"])  # fmt: skip
    c["columns"], c["targets"] = tuple(columns), tuple(targets)
    return c


# ---- reading the weights -----------------------------------------------------------------------------


def expected_shapes(
    config: ModelConfig, n_features: int, output_size: int, prefix: str = "rnn"
) -> dict[str, tuple[int, ...]]:
    """The state_dict names and shapes of ``SimpleRNN.from_config``, computed without building it.

    ``prefix`` "lstm" gives the names format 1 files use."""
    h, d, rows = config.h_size, 2 if config.bidirectional else 1, GATE_COUNT[config.cell] * config.h_size
    shapes = {}
    for layer in range(config.n_layers):
        inputs = n_features if layer == 0 else h * d
        for suffix in ("", "_reverse")[:d]:
            shapes[f"{prefix}.weight_ih_l{layer}{suffix}"] = (rows, inputs)
            shapes[f"{prefix}.weight_hh_l{layer}{suffix}"] = (rows, h)
            shapes[f"{prefix}.bias_ih_l{layer}{suffix}"] = (rows,)
            shapes[f"{prefix}.bias_hh_l{layer}{suffix}"] = (rows,)
    shapes["linear.weight"] = (output_size, h * d)
    shapes["linear.bias"] = (output_size,)
    return shapes


def file_tensor_shapes(config: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    """The tensors the weights file of a ``parse_config`` result must hold, refusing a model too large to load.

    Format 1 and 2 files name the recurrent weights lstm.*, later ones rnn.*."""
    shape = config["shape"]
    prefix = "lstm" if config["format_version"] < 3 else "rnn"
    shapes = expected_shapes(config["model"], shape["n_features"], shape["output_size"], prefix)
    total = 4 * sum(math.prod(s) for s in shapes.values())
    _check(total <= MAX_WEIGHTS_BYTES, f"its model takes {total:,} bytes; at most {MAX_WEIGHTS_BYTES:,} are accepted.")
    return shapes


def _describe_start(data: bytes) -> str:
    if data[:2] == b"PK":
        return " It looks like a zip archive (torch.save writes these); only safetensors files are accepted."
    if data[:1] == b"\x80":
        return " It looks like a Python pickle, which could run code; only safetensors files are accepted."
    return ""


def check_weights(weights: bytes, shapes: dict[str, tuple[int, ...]]) -> None:
    """Refuse a safetensors file whose header, size, names, dtypes or shapes differ from ``shapes``."""

    def refuse(message: str) -> None:
        raise ModelFileError(f"weights file: {message}{_describe_start(weights)}")

    if len(weights) < 8:
        refuse(f"only {len(weights)} bytes: too short to be a safetensors file.")
    (header_size,) = struct.unpack("<Q", weights[:8])
    if header_size > MAX_HEADER_BYTES:
        refuse(f"its header claims {header_size:,} bytes; at most {MAX_HEADER_BYTES:,} are accepted.")
    if 8 + header_size > len(weights):
        refuse(f"its header claims {header_size:,} bytes but the file has {len(weights) - 8:,}: it is truncated.")
    try:
        header = json.loads(weights[8 : 8 + header_size], parse_constant=_refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, ModelFileError):
        refuse("its header is not valid JSON.")
    if not isinstance(header, dict):
        refuse("its header is not a JSON object.")
    header.pop("__metadata__", None)
    if set(header) != set(shapes):
        missing, extra = sorted(set(shapes) - set(header)), sorted(set(header) - set(shapes))
        refuse(f"tensor names differ from the model's: missing {missing[:5]}, unexpected {shown_value(extra[:5])}.")
    for name, shape in shapes.items():
        entry = header[name]
        if not isinstance(entry, dict) or entry.get("dtype") != "F32":
            refuse(f"tensor {name} must be float32 (F32).")
        if entry.get("shape") != list(shape):
            refuse(f"tensor {name} has shape {shown_value(entry.get('shape'))}, the model needs {list(shape)}.")
    needed = 8 + header_size + 4 * sum(math.prod(s) for s in shapes.values())
    if len(weights) != needed:
        refuse(f"{len(weights):,} bytes, but a model of these shapes takes exactly {needed:,}: truncated or padded.")
