"""The Windows page's "what the model learns" view: the chosen transform, why, and one window before/after."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lstmlab.config import Transform, WindowConfig
from lstmlab.figures.windows import plot_window_transform
from lstmlab.safetext import md_text


def show(series, scaled, split, index: int, config: WindowConfig) -> None:
    """The transform the scaler uses (auto resolved, with its reason) and window ``index`` of ``split`` drawn
    in the data's units and in the model's; the first target only."""
    scaler, target = scaled.scaler, series.targets[0]
    used = scaler.target_transform
    chosen = f"auto chose **{used}**" if config.transform is Transform.AUTO else f"**{used}**"
    st.subheader("What the model learns")
    st.markdown(f"Targets: {chosen}." + (f" {md_text(scaler.reason)}" if scaler.reason else ""))
    first = int(split.target_rows[index])  # the row of y[0]; the window is the W rows before it
    rows = np.arange(first - config.window, first + config.horizon)  # (W + H,)
    after = np.concatenate([split.x[index, :, target].numpy(), split.y[index, :, 0].numpy()])  # (W + H,)
    fig = plot_window_transform(np.asarray(series.time)[rows], series.values[rows, target], after, config.window,
                                series.columns[target], str(used))  # fmt: skip
    st.plotly_chart(fig, key="window_transform", width="stretch")
    st.caption("Forecasts are turned back into the data's units before any metric, chart or export.")
