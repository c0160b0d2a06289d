"""Names from the user's file in widgets and tables: labels that show every character and stay apart.

Widget values stay the raw names; only what is shown changes. Streamlit matches a select box's or a multiselect's
choice by its label, so two names that look the same once shortened or with invisible characters written out
(``lstmlab.safetext.visible``) get numbered labels, or picking the second would give the first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from lstmlab.figures.common import distinct
from lstmlab.safetext import SHORT, visible


def name_labels(names: Iterable[object]) -> Callable[[object], str]:
    """A ``format_func`` for a select box or multiselect whose options are among ``names``: visible, distinct."""
    names = list(names)
    labels = dict(zip(names, distinct([visible(name) for name in names]), strict=True))
    return lambda name: labels.get(name, visible(name))


def shown_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for ``st.dataframe``: column names, text index labels and text cells ``visible``, names distinct.

    A new frame: the caller's (a memoised table) keeps its own names and values. Text columns are rewritten as one
    block, and only cells that need it go through ``visible``: a preview may have 10,000 columns.
    """
    labels = distinct([visible(name) for name in frame.columns])
    text = [k for k, dtype in enumerate(frame.dtypes) if _is_text(dtype)]
    shown = frame.set_axis(labels, axis=1)
    if text:
        cells = frame.iloc[:, text].to_numpy(dtype=object)  # (rows, text columns)
        cells = np.array([_shown_cell(v) for v in cells.ravel()], dtype=object).reshape(cells.shape)
        rewritten = pd.DataFrame(cells, index=frame.index, columns=[labels[k] for k in text])
        kept = shown.drop(columns=rewritten.columns)
        shown = pd.concat([kept, rewritten], axis=1)[labels]
    if _is_text(frame.index.dtype):
        shown.index = pd.Index(distinct([visible(label) for label in frame.index]), name=frame.index.name)
    return shown


def _shown_cell(value: object) -> object:
    if isinstance(value, str) and not (len(value) <= SHORT and value.isprintable()):  # isprintable: C speed
        return visible(value)
    return value


def _is_text(dtype: object) -> bool:
    return getattr(dtype, "kind", "") in ("O", "U", "S")  # object, pandas strings, categories; not numbers or dates
