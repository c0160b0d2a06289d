"""The learner's journey through the pages, defined once: the router's page list, the "you are here" line at
the top of every page (``header``) and the link to the next step at its end (``show_next``)."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st


class Step(NamedTuple):
    path: str
    title: str
    icon: str
    next_label: str  # the link to this step, from the step before it


JOURNEY = (
    Step("pages/data.py", "Data", ":material/table:", "Start: pick a series and its columns"),
    Step("pages/windows.py", "Windows", ":material/view_week:", "Next: cut the series into windows, the LSTM's input"),
    Step("pages/train.py", "Train", ":material/model_training:", "Next: train the LSTM on these windows"),
    Step("pages/inspect.py", "Inspect", ":material/troubleshoot:",
         "Next: follow one window through the trained LSTM"),
    Step("pages/whatif.py", "What if", ":material/edit_note:",
         "Next: edit the window and watch the cells answer"),
    Step("pages/predictions.py", "Predictions", ":material/query_stats:",
         "Next: the predictions against the truth, and two baselines"),
)
AFTER_LAST = Step("pages/train.py", "Train", ":material/model_training:",
                  "Next: train another run (another window, size or seed) and compare")


def pages() -> list:
    """The router's pages, in the journey's order (the first is the default)."""
    return [st.Page(s.path, title=s.title, icon=s.icon, default=k == 0) for k, s in enumerate(JOURNEY)]


def _position(title: str) -> int | None:
    return next((k for k, s in enumerate(JOURNEY) if s.title == title), None)


def breadcrumb(title: str) -> str:
    """'Data → Windows → **Train** → …' with the current step highlighted (Markdown); '' off the journey."""
    if _position(title) is None:
        return ""
    return " → ".join(f"**:primary[{s.title}]**" if s.title == title else s.title for s in JOURNEY)


def header(title: str) -> None:
    """The top of a page: where the learner is in the journey, then the page's title."""
    if text := breadcrumb(title):
        st.caption(text)
    st.title(title)


def show_next(title: str) -> None:
    """The end of a page (reached when the page has shown everything): a link to the journey's next step;
    after the last step, back to training another run."""
    k = _position(title)
    if k is None:
        return
    step = JOURNEY[k + 1] if k + 1 < len(JOURNEY) else AFTER_LAST
    st.divider()
    st.page_link(step.path, label=step.next_label, icon=step.icon)
