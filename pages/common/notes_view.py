"""What was done to the user's data, shown by severity: rows lost in a warning box, the rest as info."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from lstmlab.notes import Note, Severity
from lstmlab.safetext import md_text


def show_messages(messages: Sequence[Note]) -> None:
    """One ``st.warning`` per warning (its numbers stay visible), then the info notes in one box; notes are plain
    text (names from the user's file in them), so they are shown as written, never as Markdown."""
    for note in messages:
        if note.severity is Severity.WARNING:
            st.warning(md_text(note.text))
    if infos := [note.text for note in messages if note.severity is not Severity.WARNING]:
        st.info("\n".join(f"- {md_text(text)}" for text in infos))
