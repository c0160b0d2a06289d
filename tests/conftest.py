"""Shared fixtures: the real public series, all inside the project (a plain clone needs nothing beside it)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.browser_support", "tests.app_support"]

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "lstmlab" / "samples"  # the three series the app ships
SERIES = ROOT / "tests" / "data"  # nine more, for tests and benchmarks only (tests/data/README.md)

# name: (rows, columns) as published
REAL_FILES = {
    "airline-passengers.csv": (144, 2),
    "daily-min-temperatures.csv": (3650, 2),
    "pollution.csv": (43824, 13),
}
MORE_FILES = {
    "daily-total-female-births.csv": (365, 2),
    "monthly-car-sales.csv": (108, 2),
    "monthly-mean-temp.csv": (240, 2),
    "monthly-robberies.csv": (118, 2),
    "monthly-shampoo-sales.csv": (36, 2),
    "monthly-sunspots.csv": (2820, 2),
    "monthly-writing-paper-sales.csv": (147, 2),
    "monthly_champagne_sales.csv": (105, 2),
    "yearly-water-usage.csv": (79, 2),
}


def real_file(name: str) -> Path:
    """One of the twelve public series, from the package's samples or tests/data."""
    return SAMPLES / name if name in REAL_FILES else SERIES / name


@pytest.fixture(scope="session")
def samples() -> Path:
    """The three real series shipped inside the package (lstmlab/samples)."""
    return SAMPLES


@pytest.fixture(scope="session")
def series() -> Path:
    """The nine other real series (tests/data)."""
    return SERIES
