"""Sizing shared by the figures: tick spacing, feature axes, heights that grow with rows, colour bars,
value labels only where they fit, date ticks in the series' own resolution, and explanation notes.

Plotly cannot measure text before a browser draws it, so these helpers assume the narrowest plot the
app shows (``ASSUMED_WIDTH``) and a fixed width per character, and choose ticks and labels to fit that.
They draw the labels and notes they are given as they are: a figure passes names from the user's file through
``lstmlab.safetext.plot_text`` first, once.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

ASSUMED_WIDTH = 640  # px: Streamlit's centred column less the y-axis labels and colour bar
CHAR_PX = 7  # px per character of a 12 px tick label
TEXT_CHAR_PX = 6  # px per character of a 10 px value label inside a cell
ROW_PX = 22  # px per heatmap row that carries a tick label
MIN_PLOT_PX = 180  # a heatmap's plot area: room for a colour bar with readable ticks
MARGIN_T, MARGIN_B = 40, 60  # px: room for a legend above, an axis title below
EXPLANATION = "explanation"  # the ``name`` of a figure's note saying what an empty-looking chart means
NICE_STRIDES = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000)

# Time resolution → d3 tick format (plotly) and its strftime twin for labels we write ourselves.
TICKFORMATS = {
    "year": "%Y",
    "month": "%b %Y",
    "day": "%Y-%m-%d",
    "hour": "%Y-%m-%d %H:%M",
    "minute": "%m-%d %H:%M",
    "second": "%H:%M:%S",
}


def time_resolution(time: pd.Index | Sequence) -> str | None:
    """The series' own time step as a word (year, month, day, hour, minute, second); None without dates."""
    stamps = as_datetimes(time)
    if stamps is None or len(stamps) == 0:
        return None
    if len(stamps) == 1:
        return "day" if stamps[0] == stamps[0].normalize() else "hour"
    step = pd.Series(np.diff(stamps[:1000].values)).median()  # timedelta64: any unit
    for word, least in (("year", "360D"), ("month", "28D"), ("day", "1D"), ("hour", "1h"), ("minute", "1min")):
        if step >= pd.Timedelta(least):
            # a daily series with times of day other than midnight still needs its hours
            if word == "day" and not (stamps[:1000] == stamps[:1000].normalize()).all():
                return "hour"
            return word
    return "second"


def as_datetimes(values: pd.Index | Sequence) -> pd.DatetimeIndex | None:
    """Timestamps as a DatetimeIndex, also from ISO strings such as "1958-03-29 00:00:00"; else None."""
    if isinstance(values, pd.DatetimeIndex):
        return values
    if isinstance(values, (pd.Index, pd.Series, np.ndarray)):
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            return pd.DatetimeIndex(values)
        if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
            return None  # numbers: row labels, not time
    values = list(values)
    if not values:
        return None
    first = values[0]
    if isinstance(first, (pd.Timestamp, np.datetime64)):
        return pd.DatetimeIndex(values)
    if isinstance(first, str) and all(re.match(r"^\d{4}-\d{2}-\d{2}", str(v)) for v in values[:1000]):
        try:
            return pd.DatetimeIndex(pd.to_datetime(values, format="ISO8601"))
        except (ValueError, TypeError):
            return None
    return None


def time_labels(values: pd.Index | Sequence) -> list[str]:
    """Short labels in the series' own resolution: "1958-03" not "1958-03-01 00:00:00"; others as text (raw:
    a figure escapes them with ``plot_text``)."""
    stamps = as_datetimes(values)
    if stamps is None:
        return [str(v) for v in values]
    return list(stamps.strftime(TICKFORMATS[time_resolution(stamps)]))


def date_axis(fig: go.Figure, time: pd.Index | Sequence | np.ndarray, **which) -> go.Figure:
    """Date ticks in the series' resolution on the x axes (``which`` selects axes, e.g. ``row=2``)."""
    word = time_resolution(time)
    if word is None:
        return fig
    fmt = TICKFORMATS[word]
    n_ticks = max(2, ASSUMED_WIDTH // (CHAR_PX * (len(pd.Timestamp(2000, 12, 28, 23, 59).strftime(fmt)) + 3)))
    fig.update_xaxes(tickformat=fmt, hoverformat=fmt, nticks=n_ticks, tickangle=0, **which)
    return fig


def tick_stride(n: int, label_chars: int, width: float = ASSUMED_WIDTH) -> int:
    """The smallest nice stride at which ``n`` labels of ``label_chars`` characters fit in ``width`` px."""
    room = CHAR_PX * (label_chars + 2)  # two characters of gap between neighbours
    fits = max(1, int(width // room))
    return next((s for s in NICE_STRIDES if math.ceil(n / s) <= fits), NICE_STRIDES[-1])


def step_ticks(labels: Sequence[str], width: float = ASSUMED_WIDTH) -> dict:
    """Axis settings for positions 0..n-1 labelled ``labels``: evenly spaced ticks that fit, never rotated."""
    labels = [str(v) for v in labels]
    stride = tick_stride(len(labels), max((len(v) for v in labels), default=1), width)
    vals = list(range(0, len(labels), stride))
    return dict(tickmode="array", tickvals=vals, ticktext=[labels[k] for k in vals], tickangle=0)


def name_ticks(names: Sequence[str], row_px: float = ROW_PX) -> dict:
    """Axis settings listing every name at positions 0..n-1 (features on a y axis, one row each)."""
    names = [str(v) for v in names]
    size = 12 if row_px >= 16 else 10
    return dict(tickmode="array", tickvals=list(range(len(names))), ticktext=names, tickfont=dict(size=size))


def rows_px(n_rows: int, row_px: float = ROW_PX, least: float = MIN_PLOT_PX) -> int:
    """Plot-area height for ``n_rows`` labelled rows, never so short that a colour bar is squashed."""
    return int(max(least, n_rows * row_px))


def colorbar(title: str, plot_px: float, **extra) -> dict:
    """A colour bar the plot area's full height (or ``len`` of it), with a tick per 40 px at most.

    ``plot_px`` is the plot area's height; ``extra`` sets other colour bar keys (``len``, ``x``, ``y``).
    """
    bar = dict(title=dict(text=title, side="right"), thickness=14, len=1.0, lenmode="fraction") | extra
    return bar | dict(nticks=int(max(3, min(8, bar["len"] * plot_px // 40))))


def value_text(v: float) -> str:
    """A number in at most six characters or so: 1021, 11.79, 4.4e+04, 0.0012."""
    if not np.isfinite(v):
        return str(v)
    if 1e4 <= abs(v) < 1e6:
        return f"{v:.0f}"
    return f"{v:.4g}"


def labels_fit(n_cols: int, texts: np.ndarray, row_px: float, width: float = ASSUMED_WIDTH) -> bool:
    """Whether each cell of an ``n_cols``-wide grid has room for its value label at 10 px."""
    longest = max((len(t) for t in np.asarray(texts).ravel()), default=0)
    return row_px >= 14 and width / max(n_cols, 1) >= TEXT_CHAR_PX * longest + 6


def explain(fig: go.Figure, text: str, over_subplot_titles: bool = False) -> go.Figure:
    """A note above the plot area (never over the data) saying what an empty-looking chart means."""
    lines = textwrap.wrap(text, width=int(ASSUMED_WIDTH // CHAR_PX))
    shift = 24 if over_subplot_titles else 6
    fig.add_annotation(name=EXPLANATION, text="<br>".join(lines), xref="paper", yref="paper", x=0, y=1,
                       xanchor="left", yanchor="bottom", yshift=shift, showarrow=False, align="left",
                       bgcolor="#fff7d6", bordercolor="#e0c36a", borderwidth=1, font=dict(size=12))
    top = fig.layout.margin.t if fig.layout.margin.t is not None else MARGIN_T
    fig.update_layout(margin=dict(t=top + shift + 20 * len(lines)))
    if fig.layout.height:
        fig.update_layout(height=fig.layout.height + shift + 20 * len(lines))
    return fig


def explanations(fig: go.Figure) -> list[str]:
    """The text of a figure's explanation notes."""
    return [a.text for a in fig.layout.annotations if a.name == EXPLANATION]
