"""Widget groups shared by the pages: each reads a settings form and returns its frozen config.

Widget values are seeded from the last config in session state, because Streamlit forgets a page's
widgets when the user leaves the page; ``forget_above`` drops a remembered value that no longer fits.
"""

from dataclasses import asdict

import numpy as np
import pandas as pd
import streamlit as st

from lstmlab.column_policies import column_roles
from lstmlab.config import (
    CategoricalPolicy,
    Cell,
    DataSpec,
    DuplicatePolicy,
    InitState,
    Loss,
    MissingPolicy,
    ModelConfig,
    Optimizer,
    Scaling,
    Summary,
    TrainConfig,
    Transform,
    WindowConfig,
)
from lstmlab.explain import missing_text
from lstmlab.figures.data import plot_missing
from lstmlab.safetext import md, md_text
from pages.common import state
from pages.common.names import name_labels

TIME_HELP = (
    "One date/time column (2020-01-31, 1959Q1, 1959-Q1, 1959-01, Jan 1959, plain years), or date parts (year "
    "with quarter, month as a number or name, week or day of year; or month, day, hour). Rows are sorted by time."
)
HIDDEN_SIZES = [4, 8, 16, 32, 64, 128, 256]
BATCH_SIZES = [8, 16, 32, 64, 128, 256, 512, 1024]
WINDOW_KEYS = ("window", "horizon", "stride")


def read_window_config(source: state.Source, spec: DataSpec, series) -> WindowConfig:
    """The Windows page's settings form, its values re-fitted to the series whenever the series changes."""
    fit = state.window_config_for(source, spec, series)
    top = max(1, series.length - 1)
    state.seed_widgets({**asdict(state.current_window_config()), "transform": state.current_window_config().transform})
    if fit.too_short:
        st.error(md_text(fit.message))
        st.button(f"Use window {fit.config.window}, horizon {fit.config.horizon}, validation "
                  f"{fit.config.val_fraction:.0%}, test {fit.config.test_fraction:.0%}", key="window_fit_offer",
                  on_click=state.apply_window_config, args=(fit.config,))  # fmt: skip
    elif fit.message:
        (st.warning if st.session_state.window_fit_lowered else st.caption)(md_text(fit.message))
    for key in WINDOW_KEYS:  # out of range for this series (a too-short one): the widget cannot hold it
        if st.session_state[key] > top:
            st.session_state[key] = top
    left, middle, right = st.columns(3)
    window = left.number_input("Window size (steps in)", 1, top, key="window")
    horizon = middle.number_input("Horizon (steps ahead)", 1, top, key="horizon")
    stride = right.number_input("Stride (steps between windows)", 1, top, key="stride")
    val = left.slider("Validation share", 0.0, 0.45, step=0.05, key="val_fraction")
    test = middle.slider("Test share", 0.0, 0.45, step=0.05, key="test_fraction")
    scaling = right.selectbox("Scaling", list(Scaling), key="scaling", format_func=str)
    transform = st.selectbox(
        "What the model learns", list(Transform), key="transform", format_func=str,
        help="Levels: the scaled values. First differences: each step's change. Window-relative: each window "
             "minus its own last value. Auto picks one from the training split and says why.",
    )  # fmt: skip
    config = WindowConfig(int(window), int(horizon), int(stride), float(val), float(test), Scaling(scaling),
                          Transform(transform))  # fmt: skip
    st.session_state.window_config = config
    return config


def read_settings() -> tuple[ModelConfig, TrainConfig]:
    model_defaults = asdict(st.session_state.get("model_config", ModelConfig()))
    from lstmlab.devices import (  # torch: not on Data
        available_devices,
        resolve_device,
        training_note,
        unusable_gpu_note,
    )

    train_defaults = asdict(st.session_state.get("train_config", TrainConfig(device=available_devices()[0])))
    state.seed_widgets({**model_defaults, **train_defaults})
    model_col, train_col = st.columns(2)
    with model_col:
        st.markdown("**Model**")
        cell = Cell(st.selectbox("Cell", list(Cell), key="cell", format_func=str,
                                 help="LSTM (the tutorial's), GRU or a plain tanh RNN: same windows, same Linear."))
        h_size = st.select_slider("Hidden size H", HIDDEN_SIZES, key="h_size")
        n_layers = st.number_input("Layers", 1, 4, key="n_layers")
        bidirectional = st.checkbox("Bidirectional", key="bidirectional")
        init = st.selectbox("Initial states", list(InitState), key="init", format_func=str)
        summary = st.selectbox(
            "Last-step summary",
            list(Summary),
            key="summary",
            format_func=str,
            disabled=not bidirectional,
            help="Matters only for a bidirectional model.",
        )
        device = st.selectbox("Device", available_devices(), key="device")
        st.caption(training_note(resolve_device(device)))
        if note := unusable_gpu_note():
            st.warning(note)
    with train_col:
        st.markdown("**Training**")
        lr = st.number_input("Learning rate", 1e-5, 1.0, key="lr", format="%.4f", step=1e-3)
        batch_size = st.select_slider("Batch size", BATCH_SIZES, key="batch_size")
        epochs = st.number_input("Epochs", 1, 1000, key="epochs")
        loss = st.selectbox("Loss", list(Loss), key="loss", format_func=str)
        optimizer = Optimizer(st.selectbox("Optimizer", list(Optimizer), key="optimizer", format_func=str))
        weight_decay = st.number_input(
            "Weight decay", 0.0, 1.0, key="weight_decay", format="%.4f", step=1e-3,
            disabled=optimizer is not Optimizer.ADAMW, help="AdamW's decoupled weight decay.",
        )  # fmt: skip
        momentum = st.number_input(
            "Momentum", 0.0, 0.999, key="momentum", step=0.05, disabled=optimizer is not Optimizer.SGD,
            help="SGD's momentum.",
        )  # fmt: skip
        clip = st.number_input("Gradient clipping (max norm, 0 = off)", 0.0, 100.0, key="clip")
        patience = st.number_input("Early-stopping patience (0 = off)", 0, 1000, key="patience")
        seed = st.number_input("Seed", 0, 2**31 - 1, key="seed")
        max_windows = st.number_input(
            "Windows per epoch (0 = all)",
            0,
            10**9,
            step=10_000,
            key="max_windows",
            help="On a long series, each epoch trains on a fresh random sample of this many windows.",
        )
    model_config = ModelConfig(int(h_size), int(n_layers), bool(bidirectional), InitState(init), Summary(summary), cell)
    train_config = TrainConfig(
        float(lr),
        int(batch_size),
        int(epochs),
        Loss(loss),
        float(clip),
        int(patience),
        int(seed),
        device,
        int(max_windows),
        optimizer,
        float(weight_decay),
        float(momentum),
    )
    st.session_state.model_config, st.session_state.train_config = model_config, train_config
    return model_config, train_config


def forget_above(key: str, top: int) -> None:
    """Forget a remembered widget value that no longer fits (another run, another split)."""
    value = st.session_state.get(key)
    if value is not None and max(np.atleast_1d(value)) > top:
        del st.session_state[key]


def read_data_spec(table: pd.DataFrame, spec: DataSpec, numeric: list[str], counts: pd.Series) -> DataSpec:
    """The Data page's column and policy widgets (time, features, targets; categories, gaps, duplicates) as a spec;
    the missing-value counts are shown beside the gap policy."""
    state.seed_widgets({"time_columns": list(spec.time_columns), "features": [c for c in spec.features if c in numeric],
                        "targets": list(spec.targets), "categorical": spec.categorical, "missing": spec.missing,
                        "duplicates": spec.duplicates})
    left, right = st.columns(2)
    shown_as = name_labels(table.columns)  # shown as written; the values stay the raw names
    time_columns = left.multiselect(
        "Time column(s)", list(table.columns), key="time_columns", placeholder="none: use the row order",
        help=TIME_HELP, format_func=shown_as,
    )  # fmt: skip
    features = left.multiselect("Features (the model's inputs)", numeric, key="features", format_func=shown_as)
    targets = left.multiselect("Target(s) to predict", numeric, key="targets", format_func=shown_as)
    what = ", ".join(map(md, column_roles(table, spec.time_columns).categorical)) or "none in this table"
    category = right.selectbox(
        "Categorical columns", list(CategoricalPolicy), key="categorical", format_func=str,
        help=f"Text columns with few distinct values ({what}): one-hot encode them as features, or drop them.",
    )  # fmt: skip
    gaps = right.selectbox(
        "Missing values", list(MissingPolicy), key="missing", format_func=str,
        help="Rows with gaps are dropped, or gaps take the previous value, or a straight line between neighbours.",
    )  # fmt: skip
    duplicates = right.selectbox("Duplicate timestamps", list(DuplicatePolicy), key="duplicates", format_func=str,
                                 help="Rows sharing a timestamp become one row, or all stay in file order.")
    right.caption(md_text(missing_text(counts)))
    if counts.any():
        right.expander("Missing values per column").plotly_chart(plot_missing(counts), key="missing_chart",
                                                                 width="stretch")
    return DataSpec(tuple(time_columns), tuple(features), tuple(targets), category, gaps, DuplicatePolicy(duplicates))
