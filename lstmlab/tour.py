"""The guided tour: the tutorial's argument in nine steps, each computed on the learner's own series and run.

``tour_step`` computes one step's numbers (``lstmlab.tour_steps``) and puts them into the words of
``lstmlab.tour_text`` (English or Chinese) as a ``TourStep``: title, Markdown, LaTeX lines, an optional
table and figure, and the page that goes deeper. Only the shown step is computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from lstmlab.safetext import md
from lstmlab.tour_steps import STEPS, TourContext
from lstmlab.tour_text import STEP_KEYS, TEXTS, fill

PAGES = {"windows": "pages/windows.py", "train": "pages/train.py", "inspect": "pages/inspect.py",
         "predictions": "pages/predictions.py"}
DATA_STEPS = ("tensor", "one_cell")  # shown before any training


@dataclass(frozen=True)
class TourStep:
    """One step of the tour, ready to render."""

    key: str
    title: str
    body: str  # Markdown with the real numbers
    link: str  # the page that goes deeper
    link_label: str
    equations: tuple[str, ...] = ()  # LaTeX lines
    table: pd.DataFrame | None = None
    figure: go.Figure | None = None
    numbers: Mapping[str, object] = field(default_factory=dict)  # what was put into the text, for checks
    needs_run: bool = False  # shown before any training: says to train first


def _markdown(values: Mapping[str, object], n: int = 8) -> dict[str, object]:
    """A step's values for its Markdown template: text (a file's or a column's name, a word, a shape) escaped so
    it reads as written, a tuple of names listed (the first ``n``), numbers kept for their format fields."""
    def shown(value: object) -> object:
        if isinstance(value, tuple):
            return ", ".join(md(name) for name in value[:n]) + (", …" if len(value) > n else "")
        return md(value) if isinstance(value, str) else value
    return {key: shown(value) for key, value in values.items()}


def step_titles(language: str) -> list[str]:
    """The steps' titles, numbered, for the step picker."""
    text = TEXTS[language]
    return [f"{k + 1}. {text[f'{key}.title']}" for k, key in enumerate(STEP_KEYS)]


def tour_step(index: int, context: TourContext, language: str) -> TourStep:
    """Step ``index`` (0 to 8) of the tour on ``context``, in ``language`` ("en" or "zh")."""
    key, text = STEP_KEYS[index], TEXTS[language]
    words = text["words"]
    title = text[f"{key}.title"]
    if context.run is None and key not in DATA_STEPS:
        return TourStep(key, title, text["needs_run"], PAGES["train"], text["link.train"], needs_run=True)
    if not len(context.windows):
        return TourStep(key, title, text["no_windows"], PAGES["windows"], text["link.windows"])
    found = STEPS[key](context, words)
    body = fill(text[f"{key}.{found.variant}"], _markdown(found.values))
    return TourStep(key, title, body, PAGES[found.page], text[f"link.{found.page}"], found.equations, found.table,
                    found.figure, found.values)
