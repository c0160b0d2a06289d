"""Shareable links: the exploration state as a flat dict of strings for ``st.query_params``, and back.

``encode_link`` writes only what differs from the defaults, so a link stays short. ``decode_link``
trusts nothing: every value is checked for type, length and range; a value that fails falls back to
its default and adds a message saying so, and the rest of the link still applies. It never raises,
whatever the dict holds. An uploaded file travels by name only: the page asks for the file again.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import Enum
from importlib import resources
from typing import Any

from lstmlab.config import DataSpec, InspectSelection, ModelConfig, TrainConfig, WindowConfig
from lstmlab.notes import quoted
from lstmlab.safetext import visible

SOURCE_KEY = "src"
MAX_VALUE_CHARS = 20_000  # a column list of a wide table fits; a megabyte pasted in does not
MAX_NAME_CHARS = 255
MAX_MESSAGES = 10
SPLIT_NAMES = ("train", "validation", "test")
STATE_NAMES = ("h", "c", "i", "f", "g", "o", "r", "z", "n", "a")
DEVICE = re.compile(r"auto|cpu|mps|cuda(:[0-9]{1,2})?")
INTEGER = re.compile(r"-?[0-9]{1,12}")
# Inclusive ranges; fields not listed take (0, 10**9) for integers and (-1e9, 1e9) for numbers.
RANGES: dict[str, tuple[float, float]] = {
    "window.window": (1, 100_000), "window.horizon": (1, 10_000), "window.stride": (1, 100_000),
    "window.val_fraction": (0, 0.95), "window.test_fraction": (0, 0.95),
    "model.h_size": (1, 4096), "model.n_layers": (1, 16),
    "train.lr": (1e-12, 10), "train.batch_size": (1, 1_000_000), "train.epochs": (1, 100_000),
    "train.clip": (0, 1e6), "train.patience": (0, 100_000), "train.seed": (0, 2**31 - 1),
    "train.weight_decay": (0, 10), "train.momentum": (0, 0.999),
    "inspect.step": (-1, 10**6), "inspect.threshold": (-1e3, 1e3), "inspect.direction": (0, 1),
    "inspect.layer": (0, 15),
}  # fmt: skip
CHOICES = {"inspect.split": SPLIT_NAMES, "inspect.state": STATE_NAMES}


@dataclass(frozen=True)
class Source:
    """Where the data came from: a built-in sample (by file name) or the name of an uploaded file."""

    name: str
    builtin: bool = True


@dataclass(frozen=True)
class LinkState:
    source: Source | None = None
    data: DataSpec = field(default_factory=DataSpec)
    window: WindowConfig = field(default_factory=WindowConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    inspect: InspectSelection = field(default_factory=InspectSelection)


PARTS = ("data", "window", "model", "train", "inspect")


def sample_names() -> tuple[str, ...]:
    """The built-in samples' file names."""
    folder = resources.files("lstmlab").joinpath("samples")
    return tuple(sorted(p.name for p in folder.iterdir() if p.name.endswith(".csv")))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, tuple):
        return json.dumps(list(value), ensure_ascii=False)
    return repr(value) if isinstance(value, float) else str(value)


def encode_link(state: LinkState) -> dict[str, str]:
    """``state`` as query parameters: ``src`` and ``part.field`` for every setting not at its default."""
    params = {}
    if state.source is not None:
        params[SOURCE_KEY] = ("sample:" if state.source.builtin else "upload:") + state.source.name
    for part in PARTS:
        config, default = getattr(state, part), getattr(LinkState(), part)
        for f in fields(config):
            value = getattr(config, f.name)
            if value != getattr(default, f.name):
                params[f"{part}.{f.name}"] = _text(value)
    return params


class _Refused(ValueError):
    """A value that cannot be used; its message says why, in words."""


def _parse(key: str, text: str, default: Any) -> Any:
    """``text`` as the type of ``default``, within the key's range; ``_Refused`` otherwise."""
    if isinstance(default, bool):
        if text not in ("0", "1", "true", "false"):
            raise _Refused("must be 0 or 1")
        return text in ("1", "true")
    if isinstance(default, Enum):
        if text not in type(default).__members__:
            raise _Refused(f"must be one of {', '.join(type(default).__members__)}")
        return type(default)[text]
    if isinstance(default, int):
        low, high = RANGES.get(key, (0, 10**9))
        if not INTEGER.fullmatch(text) or not low <= int(text) <= high:
            raise _Refused(f"must be a whole number from {low:g} to {high:g}")
        return int(text)
    if isinstance(default, float):
        low, high = RANGES.get(key, (-1e9, 1e9))
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and low <= number <= high):
            raise _Refused(f"must be a number from {low:g} to {high:g}")
        return number
    if isinstance(default, tuple):
        try:
            items = json.loads(text)
        except (ValueError, RecursionError):
            items = None
        if not isinstance(items, list) or not all(isinstance(i, str) and 0 < len(i) <= MAX_NAME_CHARS for i in items):
            raise _Refused("must be a list of column names")
        return tuple(items)
    if key == "train.device" and not DEVICE.fullmatch(text):
        raise _Refused("must be auto, cpu, mps, cuda or cuda:N")
    if key in CHOICES and text not in CHOICES[key]:
        raise _Refused(f"must be one of {', '.join(CHOICES[key])}")
    if not (text.isprintable() and len(text) <= MAX_NAME_CHARS):
        raise _Refused("must be a short line of text")
    return text


def _source(text: str, messages: list[str]) -> Source | None:
    kind, _, name = text.partition(":")
    if kind == "sample" and name in sample_names():
        return Source(name, builtin=True)
    clean = 0 < len(name) <= MAX_NAME_CHARS and name.isprintable() and not re.search(r"[/\\]|^\.", name)
    if kind == "upload" and clean:
        return Source(name, builtin=False)
    messages.append(f"The link's data source {quoted(text, 80)} is not a built-in sample or a file name; "
                    "the default data is used.")  # fmt: skip
    return None


def decode_link(params: Mapping[str, Any]) -> tuple[LinkState, list[str]]:
    """The state a link describes, and messages for every part of it that was refused (never raises)."""
    messages: list[str] = []
    try:
        items = list(params.items())
    except Exception:  # a hostile mapping: nothing of it is used
        return LinkState(), ["The link could not be read; the default settings are used."]
    base = LinkState()
    parts = {part: {} for part in PARTS}
    source, unknown = None, []
    for key, raw in items:
        value = raw[-1] if isinstance(raw, (list, tuple)) and raw else raw  # a repeated parameter: the last
        if not isinstance(key, str) or not isinstance(value, str) or len(value) > MAX_VALUE_CHARS:
            messages.append(f"The link's value for {quoted(key, 40)} is not usable text; it is ignored.")
            continue
        if key == SOURCE_KEY:
            source = _source(value, messages)
            continue
        part, _, name = key.partition(".")
        config = getattr(base, part) if part in PARTS else None
        if config is None or name not in {f.name for f in fields(config)}:
            unknown.append(visible(key, 40))
            continue
        try:
            parts[part][name] = _parse(key, value, getattr(config, name))
        except _Refused as why:
            messages.append(f"The link's {key} = {quoted(value, 40)} {why}; the default "
                            f"({_text(getattr(config, name))}) is used.")  # fmt: skip
    if unknown:
        messages.append(f"The link holds settings this app does not know, ignored: {', '.join(unknown[:5])}"
                        + (f" and {len(unknown) - 5} more." if len(unknown) > 5 else "."))  # fmt: skip
    window = parts["window"]
    fractions = (window.get("val_fraction", base.window.val_fraction), window.get("test_fraction",
                                                                                  base.window.test_fraction))
    if sum(fractions) >= 1:
        messages.append("The link's validation and test fractions add up to 1 or more; the defaults are used.")
        window.pop("val_fraction", None), window.pop("test_fraction", None)
    state = LinkState(source, *(replace(getattr(base, part), **parts[part]) for part in PARTS))
    if len(messages) > MAX_MESSAGES:
        messages = [*messages[: MAX_MESSAGES - 1], f"… and {len(messages) - MAX_MESSAGES + 1} more problems."]
    return state, messages


def fit_columns(spec: DataSpec, columns: tuple[str, ...]) -> tuple[DataSpec, list[str]]:
    """``spec`` with only the columns the loaded table has; a message for each name it lacks."""
    messages, kept = [], {}
    for name in ("time_columns", "features", "targets"):
        chosen = getattr(spec, name)
        kept[name] = tuple(c for c in chosen if c in columns)
        missing = [c for c in chosen if c not in columns]
        if missing:
            shown = ", ".join(quoted(c, 40) for c in missing[:5])
            messages.append(f"The link names {name.replace('_', ' ')} this table lacks ({shown}); they are left out.")
    return replace(spec, **kept), messages
