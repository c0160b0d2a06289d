"""The What-if page's parts: the window being edited (in session state), one-click edits, the grid, the answer.

Every edit goes through ``lstmlab.whatif``'s checks: a refused edit leaves the window as it was and
leaves a message; a value far out of the training range is kept and flagged with its scaled value.
The grid is drawn under a new key after every edit, so it always shows the window in use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
import torch

from lstmlab.attribution import AttributionMethod, attribute
from lstmlab.cell_trace import CELL_GATES
from lstmlab.figures import inspect as fi
from lstmlab.figures import whatif as fw
from lstmlab.runs import Run
from lstmlab.safetext import visible
from lstmlab.whatif import Edit, GridCheck, ValueRange, WhatIf, apply_edit, check_window, read_grid, window_frame
from pages.common.names import name_labels

KEY = "whatif_editing"
SHOWN_UNITS = 16


@dataclass
class Editing:
    """The picked window (original units) and its edited copy; ``version`` names the grid drawn for it."""

    ident: tuple  # (run, epoch, split, sample): another window starts from the data again
    original: np.ndarray  # (W, F)
    values: np.ndarray  # (W, F)
    version: int = 0
    message: str = ""  # why the last edit was refused
    flags: tuple = ()  # far-out values of the window in use

    def use(self, check: GridCheck) -> None:
        self.values = check.values if check.ok else self.values
        self.flags = check.flags if check.ok else self.flags
        self.message, self.version = check.message, self.version + 1

    def reset(self) -> None:
        self.use(GridCheck(self.original.copy(), (), ()))

    @property
    def first_changed(self) -> int | None:
        """The first step with an edited value, or None when the window is untouched."""
        steps = np.nonzero(np.any(self.values != self.original, axis=1))[0]
        return int(steps[0]) if len(steps) else None


def editing(ident: tuple, original: np.ndarray) -> Editing:
    """This session's edit of the window ``ident`` (a fresh one when another window was picked)."""
    current = st.session_state.get(KEY)
    if current is None or current.ident != ident:
        current = st.session_state[KEY] = Editing(ident, original, original.copy())
    return current


def grid_frame(shown: pd.DataFrame, edited_rows: dict) -> pd.DataFrame:
    """The grid as the learner left it: ``st.data_editor``'s edits (row position → column → value) on ``shown``."""
    frame = shown.astype(object)
    for row, changes in edited_rows.items():
        for column, value in changes.items():
            frame.iloc[int(row), frame.columns.get_loc(column)] = value
    return frame


def edit_grid(ed: Editing, columns, labels, scaler, value_range: ValueRange) -> None:
    """The window as an editable grid (text cells, so a typo gets a message rather than being dropped)."""
    key = f"whatif_grid_{ed.version}"

    def changed() -> None:
        shown = window_frame(ed.values, columns, labels)
        ed.use(read_grid(grid_frame(shown, st.session_state[key].get("edited_rows", {})), ed.values, scaler,
                         value_range))  # fmt: skip

    text = window_frame(ed.values, columns, labels).map(lambda v: repr(float(v)))  # exact: nothing rounded
    st.data_editor(text, key=key, on_change=changed, width="stretch", height=min(36 * (len(text) + 1) + 3, 400),
                   column_config={c: st.column_config.TextColumn(visible(c)) for c in text.columns})  # raw keys


def one_click(ed: Editing, columns, other, scaler, value_range: ValueRange, n_windows: int) -> None:
    """The edits a learner tries first, and Reset; ``other(m)`` is window m of the split (W, F)."""
    window = len(ed.values)
    cols = st.columns([3, 1, 2, 2, 1])
    edit = cols[0].selectbox("One-click edit", list(Edit), key="whatif_edit", format_func=str)
    t = int(cols[1].number_input("Step t", 0, window - 1, window // 2, key="whatif_t"))
    feature_label = name_labels(columns)  # shown as written, names that look alike kept apart
    feature = (cols[2].selectbox("Feature", range(len(columns)), key="whatif_feature",
                                 format_func=lambda f: feature_label(columns[f]))
               if len(columns) > 1 else 0)  # fmt: skip
    size = cols[3].number_input("Size (original units)", value=round(0.5 * float(scaler.scale[feature]), 4),
                                key="whatif_size", format="%.6g")
    m = int(cols[4].number_input("Copy window", 0, n_windows - 1, 0, key="whatif_other"))
    apply_col, reset_col, _ = st.columns([1, 1, 3])
    if apply_col.button("Apply", key="whatif_apply", type="primary", width="stretch"):
        try:
            edited = apply_edit(Edit(edit), ed.values, t, feature, float(size), other(m) if edit == Edit.COPY else None)
        except ValueError as err:
            ed.use(GridCheck(ed.values, (str(err),), ()))
        else:
            ed.use(check_window(edited, ed.values, scaler, value_range, list(columns)))
    if reset_col.button("Reset", key="whatif_reset", width="stretch", help="Back to the window as in the data."):
        ed.reset()


def initial_states(run: Run):
    """The states both windows start from: the run's seed draws them in random-state mode (None: zeros)."""
    return run.model.initial_states(1, torch.Generator().manual_seed(run.train_config.seed))


def show_answer(run: Run, ed: Editing, result: WhatIf, labels, target: int, states) -> None:
    """The prediction, h and c along the chain, one cell's gates and the attribution, before and after."""
    k = target % len(run.targets)  # outputs are (step ahead, target) pairs, step-major
    name, column = run.target_names[k], run.targets[k]
    fig = fw.window_prediction_figure(ed.original[:, column], ed.values[:, column], result.original_prediction[:, k],
                                      result.edited_prediction[:, k], labels, name, ed.first_changed)
    st.plotly_chart(fig, key="whatif_prediction", width="stretch")
    before, after = result.original, result.edited
    picks = st.columns(3)
    layer = picks[0].selectbox("Layer", range(before.h.shape[0]), key="whatif_layer")
    window, hidden = before.h.shape[3], before.h.shape[4]
    t = picks[1].slider("Cell (time step) for the gates", 0, window - 1, window - 1, key="whatif_cell")
    moved = (after.h[layer, 0, 0, -1] - before.h[layer, 0, 0, -1]).abs().numpy()  # (H,)
    unit = picks[2].selectbox("Unit for h and c", range(hidden), index=int(moved.argmax()), key="whatif_unit",
                              help="Preselected: the unit whose last h the edit moved most.")
    carried = ("h", "c") if before.c is not None else ("h",)  # a GRU or an RNN carries h alone
    chain = [{s: getattr(tr, s)[layer, 0, 0].numpy() for s in carried} for tr in (before, after)]  # (W, H) each
    st.plotly_chart(fw.states_figure(*chain, unit, ed.first_changed), key="whatif_states", width="stretch")
    gates = [{g: tr.value(g)[layer, 0, 0, t].numpy() for g in CELL_GATES[tr.kind]} for tr in (before, after)]  # (H,)
    units = range(min(SHOWN_UNITS, hidden)) if unit < SHOWN_UNITS else range(unit - SHOWN_UNITS + 1, unit + 1)
    st.plotly_chart(fw.gates_figure(*gates, units), key="whatif_gates", width="stretch")
    x = torch.cat([result.original_input, result.edited_input])  # (2, W, F): one backward pass for both
    both = None if states is None else tuple(s.repeat(1, 2, 1) for s in states)  # (L*D, 2, H)
    attrs = attribute(AttributionMethod.GRADIENT_X_INPUT, run.model, x, target, both).cpu().numpy()  # (2, W, F)
    for col, when, values in zip(st.columns(2), ("untouched", "edited"), attrs, strict=True):
        col.plotly_chart(fi.attribution_figure(values, run.columns, f"gradient × input, {when}"),
                         key=f"whatif_attribution_{when}", width="stretch")
