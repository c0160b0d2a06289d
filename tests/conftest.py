"""Shared fixtures: the real data sets kept beside the project (``../shared/data``), skipped where absent."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.browser_support", "tests.app_support"]

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
SAMPLES = ROOT / "lstmlab" / "samples"

# name: (rows, columns) as published (see ../shared/data/README.md)
REAL_FILES = {
    "airline-passengers.csv": (144, 2),
    "daily-min-temperatures.csv": (3650, 2),
    "pollution.csv": (43824, 13),
}


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real series; CI clones the project with ``shared/`` beside it."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is not there (the real data sets live beside the project)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def samples() -> Path:
    """The copies of the real series shipped inside the package (always present)."""
    return SAMPLES
