"""Names from the user's file in widgets and tables: labels that show every character and stay apart.

Widget values stay the raw names; only what is shown changes. Streamlit matches a select box's or a multiselect's
choice by its label, so two names that look the same once shortened or with invisible characters written out
(``lstmlab.safetext.visible``) get numbered labels, or picking the second would give the first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

from lstmlab.figures.common import distinct
from lstmlab.safetext import visible


def name_labels(names: Iterable[object]) -> Callable[[object], str]:
    """A ``format_func`` for a select box or multiselect whose options are among ``names``: visible, distinct."""
    names = list(names)
    labels = dict(zip(names, distinct([visible(name) for name in names]), strict=True))
    return lambda name: labels.get(name, visible(name))


def shown_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for ``st.dataframe``: column names, text index labels and text cells ``visible``, names distinct.

    A shallow copy: the caller's frame (a memoised table) keeps its own names and values.
    """
    shown = frame.copy(deep=False)
    shown.columns = distinct([visible(name) for name in frame.columns])
    if _is_text(frame.index):
        shown.index = pd.Index(distinct([visible(label) for label in frame.index]), name=frame.index.name)
    for k, column in enumerate(shown.columns):
        values = frame.iloc[:, k]
        if _is_text(values):
            shown[column] = values.map(lambda v: visible(v) if isinstance(v, str) else v).to_numpy()
    return shown


def _is_text(values: pd.Index | pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values.dtype)
