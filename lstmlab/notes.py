"""Sentences about what was done to the user's data, each with a severity the page shows it with.

A note that removes more than ``WARN_REMOVED_SHARE`` of the rows is a warning, so it is shown in a
warning box with its numbers and not lost among the info lines. Names from the user's file go into a
sentence through ``listed`` or ``quoted``: as plain text that shows every character, long names shortened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from lstmlab.safetext import SHORT, visible

WARN_REMOVED_SHARE = 0.05  # "more than a few percent" of the rows


class Severity(StrEnum):
    INFO = "info"  # st.info: what was done, nothing lost
    WARNING = "warning"  # st.warning: rows lost or data read in a way the user should check


@dataclass(frozen=True)
class Note:
    text: str
    severity: Severity = Severity.INFO

    @property
    def is_warning(self) -> bool:
        return self.severity is Severity.WARNING


def removal_note(sentence: str, removed: int, total: int) -> Note:
    """``sentence`` (ending in a full stop) plus the share of rows removed; a warning above a few percent."""
    share = 100 * removed / total if total else 0.0
    digits = 0 if share >= 10 or share == int(share) else 1
    severity = Severity.WARNING if total and removed > WARN_REMOVED_SHARE * total else Severity.INFO
    return Note(f"{sentence} That is {share:.{digits}f}% of the {total:,} rows.", severity)


def listed(names: Iterable[object]) -> str:
    """Names from the user's file for a sentence, comma-joined: each shortened, every character shown."""
    return ", ".join(map(visible, names))


def quoted(name: object, limit: int = SHORT) -> str:
    """One name in quotes, as ``repr`` would write a plain one, but shortened and with every character shown."""
    return f"'{visible(name, limit)}'"
