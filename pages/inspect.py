"""Inspect page: follow a window through the trained LSTM, stage by stage, cell by cell, gate by gate."""

import numpy as np
import streamlit as st
import torch

from lstmlab import attribution, errata, shapes
from lstmlab import trace as lt
from lstmlab.config import Summary
from lstmlab.figures import cells as fc
from lstmlab.figures import inspect as fi
from pages import run_store

BATCH = 256  # windows traced for the check and the saturation statistics
SHOWN_UNITS = 16


def _fit(key: str, top: int) -> None:
    """Forget a remembered widget value that no longer fits (another run, another split)."""
    value = st.session_state.get(key)
    if value is not None and max(np.atleast_1d(value)) > top:
        del st.session_state[key]


def inspect_page() -> None:
    st.title("Inspect")
    run = run_store.active_run()
    if run is None:
        st.info("Nothing to inspect yet: train a model first, then come back to follow a window through it.")
        st.page_link("pages/train.py", label="Go to the Train page", icon=":material/model_training:")
        return
    series, scaled, splits = run_store.run_data(run)
    model, cfg, seed = run.model, run.model_config, run.train_config.seed
    window, horizon = run.window_config.window, run.window_config.horizon
    n_layers, d, hidden = cfg.n_layers, model.directions, cfg.h_size
    names = [name for name, w in splits.items() if len(w)]
    top = st.columns(3)
    split = top[0].selectbox("Split", names, key="inspect_split")
    windows = splits[split]
    _fit("inspect_sample", len(windows) - 1)
    n = int(top[1].number_input(f"Sample (0 to {len(windows) - 1})", 0, len(windows) - 1, key="inspect_sample"))
    outputs = [f"step {s + 1} · {t}" for s in range(horizon) for t in run.target_names]
    target = outputs.index(top[2].selectbox("Output explained", outputs, key="inspect_target"))
    x = windows.x[n : n + 1]  # (1, W, F)
    states = lt.seeded_states(model, 1, seed)  # random mode: fixed by the run's seed, so reruns agree
    sample_trace = lt.trace_cells(model, x, states)
    sample_diff, tr = sample_trace.max_abs_diff(model), sample_trace.cpu()
    idx = np.unique(np.linspace(0, len(windows) - 1, min(BATCH, len(windows))).round().astype(int))
    batch_states = lt.seeded_states(model, len(idx), seed)
    batch_trace = lt.trace_cells(model, windows.x[idx], batch_states)
    diff = max(batch_trace.max_abs_diff(model), sample_diff)
    with torch.no_grad():
        pred = model(x.to(model.linear.weight.device), states).reshape(horizon, -1)  # (horizon, K)
    pred, actual = run.scaler.inverse(pred, run.targets), run.scaler.inverse(windows.y[n], run.targets)
    labels = fi.window_labels(series.time, int(windows.target_rows[n]), window)
    st.caption(f"**{run.label}** · window {labels[0]} → {labels[-1]} · predicted {pred[0, 0]:.4g}, actual "
               f"{actual[0, 0]:.4g} ({run.target_names[0]}, next step)")
    (st.success if diff < 1e-5 else st.warning)(
        f"Step-by-step trace vs nn.LSTM on this sample and {len(idx)} {split} windows: max abs difference over "
        f"output, h_n and c_n = {diff:.2e}" + ("" if diff < 1e-5 else " (above 1e-5: look into it)"))
    for key, most in (("inspect_layer", n_layers - 1), ("inspect_direction", d - 1), ("inspect_cell", window - 1),
                      ("inspect_units", hidden - 1), ("inspect_range", window - 1)):
        _fit(key, most)
    tabs = st.tabs(["Shapes", "Cells", "Heatmaps & units", "Gate saturation", "Attribution", "Tutorial errata"])

    with tabs[0]:
        stages = shapes.trace_shapes(model, windows.x[idx], series.values, scaled.values, horizon, batch_states)
        pick = st.segmented_control("Stage", [s.name for s in stages], default="LSTM output", required=True,
                                    key="inspect_stage")
        via = "h_n" if d == 2 and cfg.summary is Summary.H_N else "LSTM output"
        st.plotly_chart(fi.pipeline_figure(stages, pick, via), key="inspect_pipeline", width="stretch")
        stage = next(s for s in stages if s.name == pick)
        st.markdown(f"**{stage.name}** `{fi.shape_text(stage.shape)}`: {stage.description}")
        if stage.params:
            st.dataframe(fi.params_table(stage), hide_index=True, key="inspect_params")
        st.caption("First values of the real tensor (first index of any leading axes):")
        st.dataframe(fi.stage_table(stage), hide_index=True, key="inspect_stage_values")

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
        features = run.columns if layer == 0 else [f"h{k}" for k in range(d * hidden)]
        st.plotly_chart(fc.cell_figure(cell, units, features), key="inspect_cell_bars", width="stretch")
        st.dataframe(fc.cell_table(cell, units), hide_index=True, key="inspect_cell_table")
        unit = st.selectbox("Unit for the equations", units, key="inspect_unit")
        for line in fc.cell_equations(cell, fc.gate_terms(model, layer, direction, cell), unit):
            st.latex(line)

    with tabs[2]:
        values = {k: getattr(tr, k)[layer, direction, 0].numpy() for k in lt.STATES}  # (W, H) each
        st.plotly_chart(fc.state_heatmaps(values, f"Layer {layer}, {('forward', 'backward')[direction]}, sample {n}"),
                        key="inspect_heatmaps", width="stretch")
        st.markdown("**Find units** (LSTMVis): pick a time range and a threshold; the units at or above it at "
                    "every step of the range are listed, the most specific to the range first.")
        cols = st.columns(3)
        state = cols[0].selectbox("State", lt.STATES, key="inspect_path_state")
        lo, hi = cols[1].slider("Time range", 0, window - 1, (max(0, window - 4), window - 1), key="inspect_range")
        threshold = cols[2].number_input("Threshold", value=0.5, step=0.05, key="inspect_threshold")
        found = lt.find_units(values[state], lo, hi, threshold)
        st.plotly_chart(fc.unit_paths_figure(values[state], found, lo, hi, threshold, state),
                        key="inspect_paths", width="stretch")
        st.caption(f"Units found: {', '.join(map(str, found[:40])) or 'none'}{' …' if len(found) > 40 else ''}. "
                   f"A threshold of {lt.suggest_threshold(values[state], lo, hi)} finds the top 10% here.")

    with tabs[3]:
        st.markdown(f"Share of gate values below 0.1 or above 0.9 over {len(idx)} {split} windows × {window} steps "
                    "(Karpathy et al.): right edge, mostly shut; top edge, mostly open.")
        st.plotly_chart(fi.saturation_figure(lt.unit_saturation(batch_trace)), key="inspect_saturation",
                        width="stretch")
        st.dataframe(lt.gate_saturation(batch_trace), hide_index=True, key="inspect_saturation_table")

    with tabs[4]:
        method = st.radio("Method", ["gradient × input", "integrated gradients"], horizontal=True,
                          key="inspect_attr_method")
        attribute = attribution.gradient_x_input if method == "gradient × input" else attribution.integrated_gradients
        attr = attribute(model, x, target, states=states)[0].cpu().numpy()  # (W, F)
        st.plotly_chart(fi.attribution_figure(attr, run.columns, f"{method} for {outputs[target]}"),
                        key="inspect_attribution", width="stretch")
        norms = attribution.step_gradient_norm(model, x, target, states)[0].cpu().numpy()
        st.plotly_chart(fi.gradient_magnitude_figure(norms), key="inspect_gradient_norm", width="stretch")
        st.caption("Scaled units. Integrated gradients start from an all-zeros window. Small gradients on old steps "
                   "mean the model has stopped looking that far back.")

    with tabs[5]:
        few, unit_name = windows.x[idx[:64]], run.target_names[0]
        rs = errata.random_initial_states(model, few, run.scaler, run.targets, horizon, seed)
        st.markdown(fi.random_states_text(rs, unit_name))
        st.plotly_chart(fi.random_states_figure(rs, unit_name), key="inspect_errata_random", width="stretch")
        bd = errata.bidirectional_summary(model, few, run.scaler, run.targets, horizon, seed)
        st.markdown(fi.bidirectional_text(bd, unit_name))
        if bd.bidirectional:
            st.dataframe(fi.bidirectional_table(bd), hide_index=True, key="inspect_errata_bidir")
        wr = errata.weight_reuse(model, few)
        st.markdown(f"**\"The number of cells equals the window size.\"** One cell per layer and direction, "
                    f"applied {window} times with the same weights:")
        st.dataframe(fi.weight_reuse_table(wr), hide_index=True, key="inspect_errata_weights")


inspect_page()
