"""Inspect page: follow a window through the trained LSTM, stage by stage, cell by cell, gate by gate."""

import numpy as np
import streamlit as st
import torch

from lstmlab import errata, explain, shapes
from lstmlab import trace as lt
from lstmlab.attribution import AttributionMethod, attribute, step_gradient_norm
from lstmlab.devices import usable_device
from lstmlab.figures import cells as fc
from lstmlab.figures import inspect as fi
from lstmlab.inspection import cell_states, gate_terms, inspect_window, layer_inputs, output_labels, summary_stage
from lstmlab.runs import Run
from pages.common import controls, replay_view, runs, training

SHOWN_UNITS = 16


def show_errata(run: Run, few: torch.Tensor) -> None:
    """The tutorial's errata measured on this model: random states, the bidirectional summary, one cell reused."""
    model, horizon, seed, unit = run.model, run.window_config.horizon, run.train_config.seed, run.target_names[0]
    rs = errata.random_initial_states(model, few, run.scaler, run.targets, horizon, seed)
    st.markdown(explain.random_states_text(rs, unit))
    st.plotly_chart(fi.random_states_figure(rs, unit), key="inspect_errata_random", width="stretch")
    bd = errata.bidirectional_summary(model, few, run.scaler, run.targets, horizon, seed)
    st.markdown(explain.bidirectional_text(bd, unit))
    if bd.bidirectional:
        st.dataframe(explain.bidirectional_table(bd), hide_index=True, key="inspect_errata_bidir")
    st.markdown(explain.weight_reuse_text(run.window_config.window))
    st.dataframe(explain.weight_reuse_table(errata.weight_reuse(model, few)), hide_index=True,
                 key="inspect_errata_weights")


def show_units(values: dict[str, np.ndarray], title: str) -> None:
    """One sample's state heatmaps (``values[name]`` (W, H)), and the units LSTMVis-style above a threshold."""
    st.plotly_chart(fc.state_heatmaps(values, title), key="inspect_heatmaps", width="stretch")
    st.markdown("**Find units** (LSTMVis): pick a time range and a threshold; the units at or above it at "
                "every step of the range are listed, the most specific to the range first.")
    window, cols = len(values["h"]), st.columns(3)
    name = cols[0].selectbox("State", lt.STATES, key="inspect_path_state")
    lo, hi = cols[1].slider("Time range", 0, window - 1, (max(0, window - 4), window - 1), key="inspect_range")
    threshold = cols[2].number_input("Threshold", value=0.5, step=0.05, key="inspect_threshold")
    found = lt.find_units(values[name], lo, hi, threshold)
    st.plotly_chart(fc.unit_paths_figure(values[name], found, lo, hi, threshold, name), key="inspect_paths",
                    width="stretch")
    st.caption(f"Units found: {', '.join(map(str, found[:40])) or 'none'}{' …' if len(found) > 40 else ''}. "
               f"A threshold of {lt.suggest_threshold(values[name], lo, hi)} finds the top 10% here.")


def inspect_page() -> None:
    st.title("Inspect")
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
    target = outputs.index(top[2].selectbox("Output explained", outputs, key="inspect_target"))
    seen = inspect_window(model, windows, n, run.scaler, run.targets, horizon, run.train_config.seed,
                          device=usable_device(run.train_config.device))  # kept runs live on the CPU
    tr, traced = seen.sample, windows.x[seen.indices]  # (B, W, F)
    labels = explain.window_labels(series.time, int(windows.target_rows[n]), window)
    st.caption(f"**{run.label}** · window {labels[0]} → {labels[-1]} · predicted {seen.prediction[0, 0]:.4g}, "
               f"actual {seen.actual[0, 0]:.4g} ({run.target_names[0]}, next step)")
    (st.success if seen.matches else st.warning)(
        explain.trace_check_text(seen, len(seen.indices), split))
    for key, most in (("inspect_layer", n_layers - 1), ("inspect_direction", d - 1), ("inspect_cell", window - 1),
                      ("inspect_units", hidden - 1), ("inspect_range", window - 1)):
        controls.forget_above(key, most)
    tabs = st.tabs(["Shapes", "Cells", "Heatmaps & units", "Gate saturation", "Attribution", "Tutorial errata"])
    with tabs[0]:
        stages = shapes.trace_shapes(model, traced, series.values, scaled.values, horizon, seen.batch_states)
        pick = st.segmented_control("Stage", [s.name for s in stages], default="LSTM output", required=True,
                                    key="inspect_stage")
        st.plotly_chart(fi.pipeline_figure(stages, pick, summary_stage(run.model_config)), key="inspect_pipeline",
                        width="stretch")
        stage = next(s for s in stages if s.name == pick)
        st.markdown(f"**{stage.name}** `{explain.shape_text(stage.shape)}`: {stage.description}")
        if stage.params:
            st.dataframe(explain.params_table(stage), hide_index=True, key="inspect_params")
        st.caption("First values of the real tensor (first index of any leading axes):")
        st.dataframe(explain.stage_table(stage), hide_index=True, key="inspect_stage_values")
    with tabs[1]:
        pickers = st.columns(3)
        layer = pickers[0].selectbox("Layer", range(n_layers), key="inspect_layer")
        direction = pickers[1].selectbox("Direction", range(d), key="inspect_direction",
                                         format_func=lambda k: ("forward", "backward")[k])
        t = pickers[2].slider("Cell (time step)", 0, window - 1, window - 1, key="inspect_cell")
        st.plotly_chart(fi.chain_figure(tr.h[layer, direction, 0].numpy(), tr.c[layer, direction, 0].numpy(),
                                        tr.x[layer][0].numpy(), t, direction == 1, labels),
                        key="inspect_chain", width="stretch")
        cell = tr.cell(layer, direction, 0, t)
        first = int(st.number_input("First unit shown", 0, hidden - 1, 0, SHOWN_UNITS, key="inspect_units")
                    if hidden > SHOWN_UNITS else 0)
        units = list(range(first, min(first + SHOWN_UNITS, hidden)))
        st.plotly_chart(fc.cell_figure(cell, units, layer_inputs(run.columns, layer, d, hidden)),
                        key="inspect_cell_bars", width="stretch")
        st.dataframe(explain.cell_table(cell, units), hide_index=True, key="inspect_cell_table")
        unit = st.selectbox("Unit for the equations", units, key="inspect_unit")
        for line in explain.cell_equations(cell, gate_terms(model, layer, direction, cell), unit):
            st.latex(line)
    with tabs[2]:
        where = f"Layer {layer}, {('forward', 'backward')[direction]}, sample {n}"
        show_units(cell_states(tr, layer, direction), where)
    with tabs[3]:
        st.markdown(f"Share of gate values below 0.1 or above 0.9 over {len(seen.indices)} {split} windows × {window} "
                    "steps (Karpathy et al.): right edge, mostly shut; top edge, mostly open.")
        st.plotly_chart(fi.saturation_figure(lt.unit_saturation(seen.batch)), key="inspect_saturation",
                        width="stretch")
        st.dataframe(lt.gate_saturation(seen.batch), hide_index=True, key="inspect_saturation_table")
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
        show_errata(run, traced[:64])


inspect_page()
training.sidebar_progress()  # every page: the background training's progress and Stop
