"""Names in widgets and tables (pages/common/names.py): every character shown, look-alikes kept apart, values raw."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lstmlab.figures.common import distinct
from lstmlab.safetext import SHORT, visible
from pages.common.names import name_labels, shown_frame
from tests.hostile import HOSTILE_NAMES


def test_distinct_numbers_repeats_and_never_makes_a_new_clash():
    assert distinct(["a", "b", "a", "a (2)", "a"]) == ["a", "b", "a (2)", "a (2) (2)", "a (3)"]
    assert distinct([]) == []


def test_labels_show_every_name_and_tell_look_alikes_apart():
    label = name_labels(HOSTILE_NAMES)
    shown = [label(name) for name in HOSTILE_NAMES]
    assert len(set(shown)) == len(HOSTILE_NAMES)  # Streamlit maps a label back to the first option that has it
    assert shown == distinct([visible(name) for name in HOSTILE_NAMES])
    assert shown[11] == "\\u202eevil.csv\\u202c" and len(shown[18]) == SHORT and shown[19] == shown[18] + " (2)"
    assert label("not an option\u202e") == "not an option\\u202e"  # a stale value still shows as text


def test_a_shown_frame_writes_out_names_and_text_cells_and_keeps_numbers():
    names = ["x" * 10_000, "x" * 9_000 + "middle one" + "x" * 990, "a\u202eb", "when"]
    frame = pd.DataFrame({names[0]: [1.5, 2.5], names[1]: ["ok", "y" * 500], names[2]: ["\u202eab", None],
                          names[3]: pd.to_datetime(["2000-01-01", "2000-02-01"])}, index=["r\u200b", "s"])  # fmt: skip
    shown = shown_frame(frame)
    assert list(shown.columns) == distinct([visible(n) for n in names]) and shown.columns.is_unique
    assert list(shown.index) == ["r\\u200b", "s"]
    np.testing.assert_array_equal(shown.iloc[:, 0], [1.5, 2.5])
    assert list(shown.iloc[:, 1]) == ["ok", visible("y" * 500)]
    assert shown.iloc[0, 2] == "\\u202eab" and pd.isna(shown.iloc[1, 2])
    assert (shown.iloc[:, 3] == frame[names[3]].to_numpy()).all()  # dates stay dates
    assert list(frame.columns) == names and frame.iloc[0, 2] == "\u202eab"  # the caller's frame is untouched
