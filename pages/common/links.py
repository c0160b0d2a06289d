"""Shareable links: the exploration's settings kept in the URL's query parameters, read back on a session's start.

``restore`` (the router, before the page) reads ``st.query_params`` once per session with
``lstmlab.links.decode_link``: the data source, columns, window, model, training and Inspect
selections become the session's settings; every refused part says why (``st.warning``), never an
exception. ``write`` (the router, after the page) puts the current settings back with ``encode_link``,
so the address bar always holds a link that reopens this view. A link made on an uploaded file asks
for the file, and applies its column choices once a file of that name is uploaded.
"""

from __future__ import annotations

from dataclasses import asdict, fields, replace

import streamlit as st

from lstmlab.config import DataSpec, InspectSelection, ModelConfig, TrainConfig
from lstmlab.links import LinkState, Source, decode_link, encode_link, fit_columns
from lstmlab.safetext import md, md_text, visible
from pages.common import controls, state

READ = "link_read"  # the session has read its link
UPLOAD = "link_upload"  # (file name, DataSpec or None) a link asked for, until that file is uploaded
# What the settings widgets accept (pages/common/controls.py): a value outside falls back, with a message.
OPTIONS = {"h_size": controls.HIDDEN_SIZES, "batch_size": controls.BATCH_SIZES}
RANGES = {"n_layers": (1, 4), "lr": (1e-5, 1.0), "epochs": (1, 1000), "clip": (0.0, 100.0), "patience": (0, 1000),
          "weight_decay": (0.0, 1.0), "val_fraction": (0.0, 0.45), "test_fraction": (0.0, 0.45)}
INSPECT_WIDGETS = {"split": "inspect_split", "sample": "inspect_sample", "layer": "inspect_layer",
                   "direction": "inspect_direction", "step": "inspect_cell", "state": "inspect_path_state",
                   "method": "inspect_attr_method"}  # fmt: skip


def _fit_widgets(config, messages: list[str]):
    """``config`` with every value its widget cannot show replaced by the default (a message for each)."""
    default, changes = type(config)(), {}
    for f in fields(config):
        value = getattr(config, f.name)
        fits = (value in OPTIONS[f.name] if f.name in OPTIONS else
                RANGES[f.name][0] <= value <= RANGES[f.name][1] if f.name in RANGES else True)  # fmt: skip
        if not fits:
            changes[f.name] = getattr(default, f.name)
            messages.append(f"The link's {f.name} = {value} is not offered here; {changes[f.name]} is used.")
    return replace(config, **changes)


def _apply_source(link: LinkState, keys: set[str], messages: list[str]) -> None:
    ss = st.session_state
    spec = link.data if any(k.startswith("data.") for k in keys) else None
    if link.source is not None and not link.source.builtin:
        ss[UPLOAD] = (link.source.name, spec)  # the settings apply; the file must come from the user
        return
    if link.source is not None:
        label = next((k for k, v in state.SAMPLES.items() if v == link.source.name), state.DEFAULT_SAMPLE)
        state.set_source(state.sample_source(label))
        ss.sample = label
    if spec is not None:
        _apply_spec(spec, messages)


def _apply_spec(spec: DataSpec, messages: list[str]) -> bool:
    """Use the link's column choices on the current table when they prepare; else keep the detected ones."""
    from lstmlab.errors import DataError

    source = state.current_source()
    try:
        spec, missing = fit_columns(spec, tuple(state.load_table(source).columns))
        state.load_series(source, spec)
    except DataError as err:
        messages.append(f"The link's column choices do not work on {visible(source.name)} ({err}); the detected "
                        "ones are used.")  # fmt: skip
        return False
    messages += missing
    for key in ("spec", *state.SPEC_WIDGETS):
        st.session_state.pop(key, None)
    st.session_state.spec = spec
    return True


def _apply_settings(link: LinkState, messages: list[str]) -> None:
    ss = st.session_state
    ss.window_config = _fit_widgets(link.window, messages)
    ss.model_config = _fit_widgets(link.model, messages)
    train = _fit_widgets(link.train, messages)
    from lstmlab.devices import available_devices

    devices = available_devices()
    if train.device not in devices:
        if train.device != TrainConfig().device:
            messages.append(f"The link's device {train.device} is not on this machine; {devices[0]} is used.")
        train = replace(train, device=devices[0])
    ss.train_config = train
    picked = {f: getattr(link.inspect, f) for f in INSPECT_WIDGETS if getattr(link.inspect, f) != getattr(
        InspectSelection(), f)}  # fmt: skip
    for name, value in picked.items():
        if name != "step" or value >= 0:
            ss[INSPECT_WIDGETS[name]] = value
    ss.link_inspect = link.inspect


def restore() -> None:
    """On a session's first run: the settings the URL's link describes, with a warning for each refused part."""
    ss = st.session_state
    if not ss.get(READ):
        ss[READ] = True
        try:
            params = st.query_params.to_dict()
        except Exception:  # an unreadable address: defaults
            params = {"": None}
        if params:
            link, messages = decode_link(params)
            _apply_source(link, set(params), messages)
            _apply_settings(link, messages)
            ss.link_messages = messages
    for message in ss.pop("link_messages", []):
        st.warning(md_text(message), icon=":material/link_off:")
    if (pending := ss.get(UPLOAD)) is not None:
        st.info(f"This link was made on the file **{md(pending[0])}**: upload it on the Data page to reopen the same "
                "view. The window, model and training settings are already set.", icon=":material/upload_file:")


def current_link() -> LinkState:
    """The session's settings as a link (Inspect selections as last seen on the Inspect page)."""
    ss, source = st.session_state, state.current_source()
    seen = asdict(ss.get("link_inspect", InspectSelection()))
    for name, key in INSPECT_WIDGETS.items():
        if key in ss:
            seen[name] = ss[key]
    try:
        inspect = InspectSelection(**seen)
    except TypeError:
        inspect = InspectSelection()
    ss.link_inspect = inspect
    return LinkState(Source(source.name.split(" (last ")[0], source.builtin), ss.get("spec") or DataSpec(),
                     state.current_window_config(), ss.get("model_config", ModelConfig()),
                     ss.get("train_config", TrainConfig()), inspect)


def write() -> None:
    """Put the current settings in the URL (only when they changed); apply a link's columns to its upload."""
    ss = st.session_state
    pending = ss.get(UPLOAD)
    if pending is not None and not state.current_source().builtin and state.current_source().name == pending[0]:
        del ss[UPLOAD]
        messages: list[str] = []
        if pending[1] is not None and _apply_spec(pending[1], messages):
            ss.link_messages = messages
            st.rerun()  # the Data page shows the link's columns
    params = encode_link(current_link())
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
