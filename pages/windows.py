"""Windows page: how windowing turns the series into the [batch, window, feature] tensor."""

import numpy as np
import pandas as pd
import streamlit as st

from lstmlab.explain import scaler_table
from lstmlab.figures import windows as figures
from lstmlab.safetext import md, md_text
from lstmlab.windows import describe_shapes, empty_splits, window_splits, window_start
from pages.common import controls, journey, state, training, transform_view
from pages.common.names import name_labels, shown_frame


def windows_page() -> None:
    journey.header("Windows")
    loaded = state.load_current_series()
    if loaded is None:
        return
    source, spec, series = loaded
    targets = ", ".join(md(series.columns[t]) for t in series.targets)
    st.caption(
        f"**{md(source.name)}**: T = {series.length:,} rows, F = {len(series.columns)} features, "
        f"target: {targets}. The splits are chronological: train, then validation, then test."
    )
    config = controls.read_window_config(source, spec, series)
    try:
        scaled = state.load_scaled(source, spec, config)
        splits = window_splits(scaled, config)
    except ValueError as err:
        st.error(md_text(err))
        return

    st.subheader("The tensors")
    st.latex(
        r"N = \left\lfloor \frac{T - \text{window} - \text{horizon}}{\text{stride}} \right\rfloor + 1"
        r"\quad X: [N,\ \text{window},\ F] \quad y: [N,\ \text{horizon},\ \text{targets}]"
    )
    shapes = describe_shapes(scaled, config)
    st.markdown(f"The model trains on **X_train {shapes[0]['X']}** to predict **y_train {shapes[0]['y']}**.")
    st.dataframe(pd.DataFrame(shapes), hide_index=True, key="shapes_table")
    if empty := empty_splits(scaled, splits):
        st.warning(f"No windows fit in the {' and '.join(empty)} split: shorten the window or enlarge the split.")
    train_start, train_stop = scaled.bounds["train"]
    with st.expander(f"Scaling: {config.scaling}, fitted on the training rows only ({train_start}–{train_stop - 1})"):
        st.caption(
            "scaled = (value − shift) / scale. Fitting on all rows would leak the validation and test "
            "ranges into training."
        )
        st.dataframe(shown_frame(scaler_table(scaled.scaler, series.columns).T), key="scaler_table")

    st.subheader("One window")
    names = [name for name, split in splits.items() if len(split)]
    if not names:
        st.error("No split has a single window: shorten the window or horizon.")
        return
    left, right = st.columns([1, 3])
    split_name = left.selectbox("Split", names, key="window_split")
    split = splits[split_name]
    st.session_state.window_index = min(st.session_state.get("window_index", 0), len(split) - 1)
    index = right.slider("Window i", 0, max(len(split) - 1, 1), key="window_index", disabled=len(split) == 1)
    start = window_start(split, index, config.window)
    target = series.targets[0]
    on_series = figures.plot_window_on_series(series.time, series.values[:, target], series.columns[target], start,
                                              config.window, config.horizon, scaled.bounds)
    st.plotly_chart(on_series, key="window_on_series")
    st.caption(
        f"X[{index}] of the {split_name} split, shape [{config.window}, {len(series.columns)}]: colour is "
        "the scaled value the LSTM sees, the text the value in the data."
    )
    grid = figures.plot_window_grid(split.x[index].numpy(), series.values[start : start + config.window],
                                    series.columns, series.time[start : start + config.window])
    st.plotly_chart(grid, key="window_grid")
    transform_view.show(series, scaled, split, index, config)

    st.subheader("A batch of windows")
    size = 1 if len(split) == 1 else st.slider("Batch size shown", 1, min(32, len(split)), min(8, len(split)),
                                                key="cube_batch")
    first = min(index, len(split) - size)
    batch = split.x[first : first + size].numpy()  # (B, W, F)
    cube, slices = st.tabs(["[batch, window, feature] cube", "one feature across the batch"])
    cube.plotly_chart(figures.plot_batch_cube(batch, series.columns, first), key="batch_cube")
    feature = slices.selectbox("Feature", series.columns, key="slice_feature",
                               format_func=name_labels(series.columns))
    slices.plotly_chart(
        figures.plot_batch_slices(batch, feature, series.columns.index(feature), first), key="batch_slices"
    )
    shares = np.shares_memory(split.x.numpy(), scaled.values) if len(split) else False
    st.caption(
        f"X is a view of the scaled series (shares memory: {shares}), made with Tensor.unfold: "
        f"{len(split):,} windows cost no copy."
    )
    journey.show_next("Windows")


windows_page()
training.sidebar_progress()  # every page: the background training's progress and Stop
