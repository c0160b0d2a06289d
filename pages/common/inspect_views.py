"""The Inspect page's tabs that name every number: the Shapes stages, the cells with their equations, the units.

Render helpers only: the numbers come from ``lstmlab`` (``narrate``, ``inspection``, ``trace``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import streamlit as st

from lstmlab import errata, explain, narrate, shapes
from lstmlab.cell_trace import CELL_GATES
from lstmlab.figures import cells as fc
from lstmlab.figures import inspect as fi
from lstmlab.inspection import gate_terms, layer_inputs, summary_stage
from lstmlab.trace_stats import find_units, gate_saturation, unit_saturation
from pages.common.names import shown_frame

if TYPE_CHECKING:
    import torch

    from lstmlab.inspection import WindowInspection
    from lstmlab.prepare import PreparedSeries
    from lstmlab.runs import Run
    from lstmlab.windows import ScaledSeries

SHOWN_UNITS = 16


def shapes_tab(run: Run, seen: WindowInspection, data: tuple[PreparedSeries, ScaledSeries], traced: torch.Tensor,
               split: tuple[str, int], outputs: list[str]) -> None:
    """The pipeline diagram, the traced batch and the summary explained side by side under it, a labelled table.

    ``split`` is the split's name and its number of windows; ``traced`` (B, W, F) the windows run at once.
    """
    series, scaled = data
    stages = shapes.trace_shapes(run.model, traced, series.values, scaled.values, run.window_config.horizon,
                                 seen.batch_states)
    pick = st.segmented_control("Stage", [s.name for s in stages], default=f"{run.model.cell.name} output",
                                required=True,
                                key="inspect_stage")
    note = narrate.traced_batch_note(len(seen.indices), run.train_config.batch_size)
    st.plotly_chart(fi.pipeline_figure(stages, pick, summary_stage(run.model_config), batch_note=note),
                    key="inspect_pipeline", width="stretch")  # the boxes need the page's width
    batch, summary = st.columns(2)
    batch.markdown(narrate.traced_batch_text(len(seen.indices), split[0], split[1], run.train_config.batch_size))
    summary.markdown(narrate.summary_text(run.model))
    stage = next(s for s in stages if s.name == pick)
    st.markdown(f"**{stage.name}** `{explain.shape_text(stage.shape)}`: {stage.description}")
    if stage.params:
        st.dataframe(explain.params_table(stage), hide_index=True, key="inspect_params")
    st.caption("First values of the real tensor (first index of any leading axes), rows and columns named:")
    rows, cols = narrate.stage_axes(stage, run.columns, outputs, run.model_config.h_size, run.model.directions)
    values = pd.DataFrame(np.atleast_2d(stage.sample), index=rows, columns=cols)
    st.dataframe(shown_frame(values), key="inspect_stage_values")  # feature names as written, kept apart


def cells_tab(run: Run, seen: WindowInspection, labels: list[str], output: int) -> tuple[int, int]:
    """The chain, one cell's gates (named) and equations, then the last step → Linear → prediction.

    ``output`` is the model output explained (step-major); returns the layer and direction picked.
    """
    model, window, hidden = run.model, run.window_config.window, run.model_config.h_size
    tr, pickers = seen.sample, st.columns(3)
    layer = pickers[0].selectbox("Layer", range(run.model_config.n_layers), key="inspect_layer")
    direction = pickers[1].selectbox("Direction", range(model.directions), key="inspect_direction",
                                     format_func=lambda k: ("forward", "backward")[k])
    t = pickers[2].slider("Cell (time step)", 0, window - 1, window - 1, key="inspect_cell")
    c = tr.c[layer, direction, 0].numpy() if tr.c is not None else None  # a GRU or an RNN carries h alone
    st.plotly_chart(fi.chain_figure(tr.h[layer, direction, 0].numpy(), c, tr.x[layer][0].numpy(), t, direction == 1,
                                    labels), key="inspect_chain", width="stretch")
    gates = CELL_GATES[tr.kind]
    st.markdown("\n".join(narrate.gate_lines(gates)))
    cell = tr.cell(layer, direction, 0, t)
    first = int(st.number_input("First unit shown", 0, hidden - 1, 0, SHOWN_UNITS, key="inspect_units")
                if hidden > SHOWN_UNITS else 0)
    units = list(range(first, min(first + SHOWN_UNITS, hidden)))
    st.plotly_chart(fc.cell_figure(cell, units, layer_inputs(run.columns, layer, model.directions, hidden)),
                    key="inspect_cell_bars", width="stretch")
    names = {g: st.column_config.NumberColumn(f"{g} · {narrate.GATE_NAMES[g]}") for g in gates}
    st.dataframe(explain.cell_table(cell, units), hide_index=True, key="inspect_cell_table", column_config=names)
    unit = st.selectbox("Unit for the equations", units, key="inspect_unit")
    for line in explain.cell_equations(cell, gate_terms(model, layer, direction, cell), unit):
        st.latex(line)
    st.markdown("**The last step → Linear → prediction**, in scaled units, then back in the data's units:")
    step = narrate.linear_step(model, seen.x, run.scaler, run.targets, run.target_names, output, seen.states,
                               seen.last)
    for line in narrate.prediction_equations(step):
        st.latex(line)
    return layer, direction


def units_tab(values: dict[str, np.ndarray], title: str, context: tuple) -> None:
    """One sample's state heatmaps (``values[name]`` (W, H)), and the units LSTMVis-style above a threshold.

    The threshold starts where it finds units (``narrate.find_units_threshold``) and starts there again when
    ``context`` (run, window, layer, state, range…) changes: a value remembered for other numbers may find none.
    """
    st.plotly_chart(fc.state_heatmaps(values, title), key="inspect_heatmaps", width="stretch")
    st.markdown("**Find units** (LSTMVis): pick a time range and a threshold; the units at or above it at "
                "every step of the range are listed, the most specific to the range first.")
    window, cols = len(values["h"]), st.columns(3)
    name = cols[0].selectbox("State", list(values), key="inspect_path_state")
    lo, hi = cols[1].slider("Time range", 0, window - 1, (max(0, window - 4), window - 1), key="inspect_range")
    default = narrate.find_units_threshold(values[name], lo, hi)
    ss = st.session_state
    if ss.get("inspect_threshold_for") != (*context, name, lo, hi):
        ss.inspect_threshold_for, ss.inspect_threshold = (*context, name, lo, hi), default
    threshold = cols[2].number_input("Threshold", step=0.05, key="inspect_threshold", format="%.3g")
    found = find_units(values[name], lo, hi, threshold)
    st.plotly_chart(fc.unit_paths_figure(values[name], found, lo, hi, threshold, name), key="inspect_paths",
                    width="stretch")
    st.caption(f"Units found: {', '.join(map(str, found[:40])) or 'none'}{' …' if len(found) > 40 else ''}. "
               f"A threshold of {default:.3g} finds the top 10% here.")


def saturation_tab(seen: WindowInspection, split: str, window: int) -> None:
    """Gate saturation (Karpathy et al.) for the cell's sigmoid gates; a plain RNN has none, and is told so."""
    if not seen.batch.sigmoid_gates:
        st.info("A plain RNN has no gates: nothing decides what is kept, so there is nothing to saturate. Its h_t is "
                "tanh of a sum, and the gradient through many tanh steps shrinks: see the Attribution tab, or set "
                "this run beside an LSTM on the Compare page.")
        return
    st.markdown(f"Share of gate values below 0.1 or above 0.9 over {len(seen.indices)} {split} windows × {window} "
                "steps (Karpathy et al.): right edge, mostly shut; top edge, mostly open.")
    st.plotly_chart(fi.saturation_figure(unit_saturation(seen.batch)), key="inspect_saturation", width="stretch")
    st.dataframe(gate_saturation(seen.batch), hide_index=True, key="inspect_saturation_table")


def show_errata(run: Run, few: torch.Tensor, last: np.ndarray | None) -> None:
    """The tutorial's errata measured on this model: random states, the bidirectional summary, one cell reused."""
    model, horizon, seed, unit = run.model, run.window_config.horizon, run.train_config.seed, run.target_names[0]
    rs = errata.random_initial_states(model, few, run.scaler, run.targets, horizon, seed, last)
    st.markdown(explain.random_states_text(rs, unit))
    st.plotly_chart(fi.random_states_figure(rs, unit), key="inspect_errata_random", width="stretch")
    bd = errata.bidirectional_summary(model, few, run.scaler, run.targets, horizon, seed, last)
    st.markdown(explain.bidirectional_text(bd, unit))
    if bd.bidirectional:
        st.dataframe(explain.bidirectional_table(bd), hide_index=True, key="inspect_errata_bidir")
    st.markdown(explain.weight_reuse_text(run.window_config.window))
    st.dataframe(explain.weight_reuse_table(errata.weight_reuse(model, few)), hide_index=True,
                 key="inspect_errata_weights")
