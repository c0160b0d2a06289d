"""Window settings that follow the data: a window and horizon that leave every split windows.

Splits and window counts are computed exactly as ``windows.split_bounds`` and ``windows.window_splits``
do. A split is required when its fraction is above 0 (the training split always is); a split the user
turned off (fraction 0) never needs windows.

- ``default_window_config``: for a new series, a window of two seasons, else one season (else 12, the
  app's default), lowered until every split holds a handful of windows where the series allows it.
- ``fit_window_config``: a remembered window and horizon are kept while every split has windows;
  otherwise they are lowered, with a message that says why.
- ``settings_for_series``: either of these, with the season read from the series' time axis.

When no window and horizon work with the chosen fractions (a split has fewer than 2 rows), the result
says so (``too_short``) and offers the largest settings that work, with other validation and test shares.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from lstmlab.config import WindowConfig
from lstmlab.timeaxis import season_from_time
from lstmlab.windows import SPLITS, count_windows, split_bounds

HANDFUL = 5  # windows per split a default aims for, so a test score is not one or two windows
MAX_DEFAULT_WINDOW = 64  # two seasons longer than this (weekly: 104) fall back to one season
SHARES = tuple(round(0.05 * k, 2) for k in range(10))  # the shares the Windows page offers: 0 to 0.45


@dataclass(frozen=True)
class WindowFit:
    """Settings for a series, the windows each split gets under them, and why they differ from the request."""

    config: WindowConfig  # when too_short: the largest settings that work, with other split shares
    windows: dict[str, int]  # split name -> windows under ``config``
    message: str = ""  # empty when the request was kept as it was
    too_short: bool = False  # no window and horizon leave every split windows with the requested shares


def split_windows(length: int, config: WindowConfig) -> dict[str, int]:
    """Windows in each split, as ``window_splits`` makes them."""
    return {
        name: count_windows(stop - start, config.window, config.horizon, config.stride)
        for name, (start, stop) in split_bounds(length, config).items()
    }


def required_splits(config: WindowConfig) -> tuple[str, ...]:
    """The splits that must hold windows: training, and validation and test when their share is above 0."""
    shares = {"train": 1.0, "validation": config.val_fraction, "test": config.test_fraction}
    return tuple(name for name in SPLITS if shares[name] > 0)


def _fewest(length: int, config: WindowConfig) -> int:
    counts = split_windows(length, config)
    return min(counts[name] for name in required_splits(config))


def _largest_window(length: int, config: WindowConfig, need: int, at_most: int) -> int:
    """The largest window ≤ ``at_most`` that leaves ``need`` windows in every required split, or 0."""
    for window in range(max(at_most, 0), 0, -1):
        if _fewest(length, replace(config, window=window)) >= need:
            return window
    return 0


def _shortest_split(length: int, config: WindowConfig) -> tuple[str, int]:
    bounds = split_bounds(length, config)
    return min(((name, bounds[name][1] - bounds[name][0]) for name in required_splits(config)), key=lambda s: s[1])


def _season_window(window: int, season: int | None) -> int:
    """The largest whole number of seasons not above ``window``, or ``window`` when under one season."""
    return window // season * season if season and season >= 2 and window >= season else window


def default_window_config(length: int, season: int | None = None, base: WindowConfig | None = None) -> WindowFit:
    """Window and horizon for a new series of ``length`` rows; shares, stride and scaling from ``base``.

    The window is two seasons (when at most ``MAX_DEFAULT_WINDOW``), else one season, else 12, else the
    largest window that leaves ``HANDFUL`` windows in every split, else the largest that leaves one.
    """
    base = base or WindowConfig()
    preferred = [2 * season, season] if season and season >= 2 else []
    preferred = [w for w in preferred if w <= MAX_DEFAULT_WINDOW] or preferred[-1:] or [WindowConfig().window]
    return _fit(length, replace(base, window=preferred[0]), preferred, season, remembered=False)


def fit_window_config(length: int, requested: WindowConfig, season: int | None = None) -> WindowFit:
    """``requested`` when every required split has windows; else a lower window (and horizon, if needed).

    A lowered window is the largest whole number of seasons that leaves ``HANDFUL`` windows in every split
    (else the largest window that does, else the largest that leaves one), never above the request.
    """
    if _fewest(length, requested) >= 1:
        return WindowFit(requested, split_windows(length, requested))
    return _fit(length, requested, [requested.window], season, remembered=True)


def settings_for_series(
    length: int, time: pd.Index, remembered: WindowConfig | None = None, base: WindowConfig | None = None
) -> WindowFit:
    """What a page calls when the series changes: the season from the time axis, then the remembered
    settings fitted to the series (``fit_window_config``), or defaults when nothing is remembered."""
    season = season_from_time(time)
    if remembered is None:
        return default_window_config(length, season, base)
    return fit_window_config(length, remembered, season)


def _fit(length: int, config: WindowConfig, preferred: list[int], season: int | None, remembered: bool) -> WindowFit:
    split, rows = _shortest_split(length, config)
    if rows < 2:
        return _too_short(length, config, split, rows)
    chosen = replace(config, horizon=min(config.horizon, rows - 1))  # a window of 1 fits with this horizon
    window = next((w for w in preferred if _fewest(length, replace(chosen, window=w)) >= HANDFUL), 0)
    for need in (HANDFUL, 1):
        if window:
            break
        window = _season_window(_largest_window(length, chosen, need, max(preferred)), season)  # shorter: still fits
    chosen = replace(chosen, window=window)
    counts = split_windows(length, chosen)
    if not remembered:
        return WindowFit(chosen, counts, _default_reason(chosen, counts, season))
    before = split_windows(length, config)
    empty = next(name for name in required_splits(config) if before[name] == 0)
    bounds = split_bounds(length, config)[empty]
    lowered = f"window {chosen.window}" + (f" and horizon {chosen.horizon}" if chosen.horizon != config.horizon else "")
    message = (
        f"Window {config.window} and horizon {config.horizon} leave the {empty} split of this {length:,}-row series "
        f"no windows: it has {bounds[1] - bounds[0]:,} rows and one window needs window + horizon = "
        f"{config.window + config.horizon}. Lowered to {lowered}, which leaves "
        + ", ".join(f"{counts[name]:,} {name}" for name in required_splits(config))
        + " window(s)."
    )
    return WindowFit(chosen, counts, message)


def _too_short(length: int, config: WindowConfig, split: str, rows: int) -> WindowFit:
    """No window fits with these shares: offer the shares nearest the request that fit the largest window."""
    best: tuple[tuple, WindowConfig] | None = None
    wanted = set(required_splits(config))
    for val in SHARES:
        for test in SHARES:
            trial = replace(config, val_fraction=val, test_fraction=test, window=1, horizon=1)
            _, shortest = _shortest_split(length, trial)
            if shortest < 2:
                continue
            kept = len(wanted & set(required_splits(trial)))
            nearness = -abs(val - config.val_fraction) - abs(test - config.test_fraction)
            rank = (kept, shortest, nearness)
            if best is None or rank > best[0]:
                best = (rank, replace(trial, window=shortest - 1))
    why = (
        f"This series is too short for these splits: with {config.val_fraction:.0%} validation and "
        f"{config.test_fraction:.0%} test, its {split} split has {rows:,} row(s), and one window needs at "
        "least 2 (one step in, one to predict)."
    )
    if best is None:
        return WindowFit(config, split_windows(length, config), why + " No settings work: add rows.", too_short=True)
    offer = best[1]
    return WindowFit(
        offer,
        split_windows(length, offer),
        f"{why} The largest settings that work: validation {offer.val_fraction:.0%}, test "
        f"{offer.test_fraction:.0%}, window {offer.window}, horizon {offer.horizon}.",
        too_short=True,
    )


def _default_reason(config: WindowConfig, counts: dict[str, int], season: int | None) -> str:
    window, test = config.window, counts["test"]
    if season and season >= 2 and window % season == 0:
        seasons = {1: "one season", 2: "two seasons"}.get(window // season, f"{window // season} seasons")
        why = f"{seasons} of {season} steps"
    elif not season and window == WindowConfig().window:
        why = "the app's default (the time axis shows no season)"
    else:
        enough = min(counts.values()) >= HANDFUL
        why = "the largest that leaves every split " + (f"{HANDFUL} windows" if enough else "a window")
    return f"Window {window} ({why}), horizon {config.horizon}: {test:,} test window{'s' if test != 1 else ''}."
