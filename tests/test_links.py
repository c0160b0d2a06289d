"""Shareable links: every field survives state → query parameters → URL → state; hostile links never raise."""

import math
from dataclasses import fields, replace
from enum import Enum
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmlab.config import Cell, DataSpec, InspectSelection, ModelConfig, TrainConfig, WindowConfig
from lstmlab.links import PARTS, LinkState, Source, decode_link, encode_link, fit_columns, sample_names
from lstmlab.windows import scale_series

OTHER_TEXT = {"train.device": "cuda:1", "inspect.split": "validation", "inspect.state": "z"}
OTHER_FLOAT = {"window.val_fraction": 0.1, "window.test_fraction": 0.2, "train.lr": 0.003, "train.clip": 0.5,
               "inspect.threshold": -0.25, "train.weight_decay": 0.05, "train.momentum": 0.5}


def _other(key: str, value):
    """A valid value different from ``value`` (the field's default)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, Enum):
        return next(m for m in type(value) if m is not value)
    if isinstance(value, int):
        return {"inspect.step": 3, "inspect.direction": 1}.get(key, value + 2)
    if isinstance(value, float):
        return OTHER_FLOAT[key]
    if isinstance(value, tuple):
        return ("Month, year", 'say "hi"', "Température °C", "[0]")
    return OTHER_TEXT[key]


def _through_url(params: dict[str, str]) -> dict[str, str]:
    """What a browser hands back: the query string built, then read again."""
    return dict(parse_qsl(urlencode(params), keep_blank_values=True))


FIELD_KEYS = [(part, f.name) for part in PARTS for f in fields(getattr(LinkState(), part))]


@pytest.mark.parametrize(("part", "name"), FIELD_KEYS, ids=[f"{p}.{n}" for p, n in FIELD_KEYS])
def test_every_field_round_trips(part, name):
    base = LinkState()
    config = getattr(base, part)
    changed = replace(base, **{part: replace(config, **{name: _other(f"{part}.{name}", getattr(config, name))})})
    params = encode_link(changed)
    assert list(params) == [f"{part}.{name}"] and all(isinstance(v, str) for v in params.values())
    assert decode_link(_through_url(params)) == (changed, [])


@pytest.mark.parametrize("source", [Source("airline-passengers.csv"), Source("Données 2024 (v2).csv", builtin=False)])
def test_everything_at_once_round_trips_with_the_source(source):
    parts = {}
    for part in PARTS:
        config = getattr(LinkState(), part)
        parts[part] = replace(config, **{f.name: _other(f"{part}.{f.name}", getattr(config, f.name))
                                         for f in fields(config)})
    state = LinkState(source, **parts)
    params = encode_link(state)
    assert len(params) == len(FIELD_KEYS) + 1
    assert decode_link(_through_url(params)) == (state, [])
    assert encode_link(LinkState()) == {} and decode_link({}) == (LinkState(), [])


def test_defaults_stay_out_of_the_link():
    state = LinkState(Source("pollution.csv"), model=ModelConfig(cell=Cell.GRU, h_size=32))
    assert encode_link(state) == {"src": "sample:pollution.csv", "model.h_size": "32", "model.cell": "GRU"}
    assert set(sample_names()) == {"airline-passengers.csv", "daily-min-temperatures.csv", "pollution.csv"}


HOSTILE = [
    ({"window.window": "-3"}, "window.window", "whole number from 1"),
    ({"window.window": "1e400"}, "window.window", "whole number"),
    ({"window.window": "99999999999999999999"}, "window.window", "whole number"),
    ({"train.lr": "nan"}, "train.lr", "number from"),
    ({"train.lr": "inf"}, "train.lr", "number from"),
    ({"train.lr": "0"}, "train.lr", "number from"),
    ({"model.cell": "LSTM'; DROP TABLE"}, "model.cell", "one of LSTM, GRU, RNN"),
    ({"model.bidirectional": "yes"}, "model.bidirectional", "0 or 1"),
    ({"data.features": '{"a": 1}'}, "data.features", "list of column names"),
    ({"data.features": "[" * 5000}, "data.features", "list of column names"),
    ({"data.targets": '["", "b"]'}, "data.targets", "list of column names"),
    ({"train.device": "cuda:0; rm -rf /"}, "train.device", "auto, cpu"),
    ({"inspect.split": "../../etc"}, "inspect.split", "one of train"),
    ({"window.horizon": "x" * 30_000}, "window.horizon", "not usable text"),
    ({"src": "upload:../../etc/passwd"}, "src", "not a built-in sample"),
    ({"src": "sample:evil.csv"}, "src", "not a built-in sample"),
    ({"src": "ftp:x"}, "src", "not a built-in sample"),
    ({"window.val_fraction": "0.6", "window.test_fraction": "0.5"}, "window.val_fraction", "add up to 1"),
    ({"model.dropout": "0.5", "__proto__": "1"}, "model.dropout", "does not know"),
    ({"window.window": 12}, "window.window", "not usable text"),
    ({"inspect.state": "h\x00"}, "inspect.state", "one of h"),
]


@pytest.mark.parametrize(("params", "key", "words"), HOSTILE, ids=[h[1] + ":" + h[2] for h in HOSTILE])
def test_hostile_values_fall_back_with_a_message(params, key, words):
    state, messages = decode_link(params)
    assert any(words in m for m in messages), messages
    part, _, name = key.partition(".")
    if part in PARTS and name in {f.name for f in fields(getattr(LinkState(), part))}:
        assert getattr(getattr(state, part), name) == getattr(getattr(LinkState(), part), name)
    else:
        assert state.source is None or key != "src"


def test_a_bad_value_leaves_the_rest_of_the_link():
    state, messages = decode_link({"window.window": "-1", "window.horizon": "3", "model.cell": "RNN"})
    assert state.window == WindowConfig(horizon=3) and state.model.cell is Cell.RNN and len(messages) == 1
    state, messages = decode_link({f"x{i}": "1" for i in range(10_000)})
    assert state == LinkState() and len(messages) == 1 and "and 9995 more" in messages[0]
    many = {f"window.{n}": "bad" for n in ("window", "horizon", "stride")} | {f"train.{n}": "bad" for n in
                                                                               ("lr", "epochs", "seed", "clip",
                                                                                "patience", "batch_size", "loss")}
    assert len(decode_link(many)[1]) == 10  # capped, the last one counting the rest


def test_hostile_mappings_never_raise():
    class Exploding(dict):
        def items(self):
            raise RuntimeError("boom")

    assert decode_link(Exploding()) == (LinkState(), ["The link could not be read; the default settings are used."])
    state, messages = decode_link({None: "1", ("a",): "2", "train.seed": ["1", "7"], "train.epochs": []})
    assert state.train.seed == 7 and len(messages) == 3


def test_fit_columns_keeps_what_the_table_has():
    spec = DataSpec(time_columns=("Month",), features=("a", "gone"), targets=("a",))
    kept, messages = fit_columns(spec, ("Month", "a", "b"))
    assert kept == DataSpec(time_columns=("Month",), features=("a",), targets=("a",))
    assert messages == ["The link names features this table lacks ('gone'); they are left out."]


KEYS = ["src", *(f"{p}.{n}" for p, n in FIELD_KEYS), "other", ""]
VALUES = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="0123456789-+.eEinfa[]\",:", max_size=30),
    st.sampled_from(["nan", "-inf", "1e309", "-1", "0", "1.5", "[]", '["a"]', "[1]", "GRU", "cuda:99", "\x00"]),
    st.integers(), st.floats(), st.none(), st.lists(st.text(max_size=5), max_size=3), st.binary(max_size=8),
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, min_size=1, max_size=12))
def test_malformed_links_give_a_valid_state_and_messages(params):
    state, messages = decode_link(params)
    assert isinstance(state, LinkState) and all(isinstance(m, str) and m for m in messages)
    w = state.window
    assert w.window >= 1 and w.horizon >= 1 and w.stride >= 1 and w.val_fraction + w.test_fraction < 1
    scale_series([[1.0]] * 50, [0], w) if 50 * (1 - w.val_fraction - w.test_fraction) >= 1 else None
    assert 1 <= state.model.h_size <= 4096 and 1 <= state.model.n_layers <= 16
    assert math.isfinite(state.train.lr) and state.train.lr > 0 and state.train.batch_size >= 1
    assert isinstance(state.train, TrainConfig) and isinstance(state.inspect, InspectSelection)
    # whatever was accepted writes back to the very same state
    assert decode_link(encode_link(state)) == (state, [])
    # a value that is plainly not of its field's type always leaves a message, and the default
    defaults = {f"{p}.{n}": getattr(getattr(LinkState(), p), n) for p, n in FIELD_KEYS}
    for key, value in params.items():
        alone, notes = decode_link({key: value})
        default = defaults.get(key)
        text = value[-1] if isinstance(value, list) and value else value
        wrong_type = not isinstance(text, str) or (
            isinstance(default, int) and not isinstance(default, bool) and not text.strip("-").isdigit()
        ) or (isinstance(default, float) and not _is_finite_number(text))
        if key in defaults and wrong_type:
            assert notes and alone == LinkState(), (key, value)


def _is_finite_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
