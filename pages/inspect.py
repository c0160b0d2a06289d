"""Inspect page: follow a window through the trained LSTM, stage by stage, cell by cell, gate by gate."""

import streamlit as st

from lstmlab import explain
from lstmlab.attribution import AttributionMethod, attribute, step_gradient_norm
from lstmlab.devices import usable_device
from lstmlab.figures import inspect as fi
from lstmlab.inspection import cell_states, inspect_window, output_labels
from lstmlab.safetext import md, md_text
from pages.common import controls, journey, replay_view, runs, training
from pages.common import inspect_views as views
from pages.common.names import name_labels


def inspect_page() -> None:
    journey.header("Inspect")
    run = replay_view.shown_run("inspect")  # mid-training: the last finished epoch
    if run is None:
        st.info("Nothing to inspect yet: train a model first, then come back to follow a window through it.")
        st.page_link("pages/train.py", label="Go to the Train page", icon=":material/model_training:")
        return
    series, scaled, splits, _ = runs.run_data(run)
    model, window, horizon = run.model, run.window_config.window, run.window_config.horizon
    n_layers, d, hidden = run.model_config.n_layers, model.directions, run.model_config.h_size
    top = st.columns(3)
    split = top[0].selectbox("Split", [name for name, w in splits.items() if len(w)], key="inspect_split")
    windows = splits[split]
    controls.forget_above("inspect_sample", len(windows) - 1)
    n = int(top[1].number_input(f"Sample (0 to {len(windows) - 1})", 0, len(windows) - 1, key="inspect_sample"))
    outputs = output_labels(horizon, run.target_names)
    target = outputs.index(top[2].selectbox("Output explained", outputs, key="inspect_target",
                                            format_func=name_labels(outputs)))  # as written, kept apart
    seen = inspect_window(model, windows, n, run.scaler, run.targets, horizon, run.train_config.seed,
                          device=usable_device(run.train_config.device))  # kept runs live on the CPU
    tr, traced = seen.sample, windows.x[seen.indices]  # (B, W, F)
    labels = explain.window_labels(series.time, int(windows.target_rows[n]), window)
    st.caption(f"**{md_text(run.label)}** · window {md(labels[0])} → {md(labels[-1])} · predicted "
               f"{seen.prediction[0, 0]:.4g}, actual {seen.actual[0, 0]:.4g} ({md(run.target_names[0])}, next step)")
    (st.success if seen.matches else st.warning)(
        explain.trace_check_text(seen, len(seen.indices), split))
    for key, most in (("inspect_layer", n_layers - 1), ("inspect_direction", d - 1), ("inspect_cell", window - 1),
                      ("inspect_units", hidden - 1), ("inspect_range", window - 1)):
        controls.forget_above(key, most)
    tabs = st.tabs(["Shapes", "Cells", "Heatmaps & units", "Gate saturation", "Attribution", "Tutorial errata"])
    with tabs[0]:
        views.shapes_tab(run, seen, (series, scaled), traced, (split, len(windows)), outputs)
    with tabs[1]:
        layer, direction = views.cells_tab(run, seen, labels, target)
    with tabs[2]:
        where = f"Layer {layer}, {('forward', 'backward')[direction]}, sample {n}"
        views.units_tab(cell_states(tr, layer, direction), where, (run.number, split, n, layer, direction))
    with tabs[3]:
        views.saturation_tab(seen, split, window)
    with tabs[4]:
        method = st.radio("Method", list(AttributionMethod), horizontal=True, key="inspect_attr_method")
        attr = attribute(method, model, seen.x, target, seen.states)[0].cpu().numpy()  # (W, F)
        st.plotly_chart(fi.attribution_figure(attr, run.columns, f"{method} for {outputs[target]}"),
                        key="inspect_attribution", width="stretch")
        norms = step_gradient_norm(model, seen.x, target, seen.states)[0].cpu().numpy()  # (W,)
        st.plotly_chart(fi.gradient_magnitude_figure(norms), key="inspect_gradient_norm", width="stretch")
        st.caption("Scaled units. Integrated gradients start from an all-zeros window. Small gradients on old steps "
                   "mean the model has stopped looking that far back.")
    with tabs[5]:
        views.show_errata(run, traced[:64], None if windows.last is None else windows.last[seen.indices[:64]])
    journey.show_next("Inspect")


inspect_page()
training.sidebar_progress()  # every page: the background training's progress and Stop
