"""The AppTest helpers the page tests share: a fresh app, and a session that has trained a model.

Loaded as a pytest plugin by ``tests/conftest.py``: ``trained_session`` is one module's session after
training the standard small model (``TRAINED``) on the built-in airline series, on the Train page.
Training runs in a background thread: ``finish_training`` waits for it and reruns, as the page's
progress fragment would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lstmlab.config import WindowConfig
from pages.common.training import KEY

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TRAINED = {"h_size": 16, "epochs": 3}  # small enough to train in a second, large enough to show 16 units


def first_run_in_a_fresh_process(code: str) -> list[str]:
    """Run ``code`` (Python that runs the app with AppTest and prints) in a new interpreter, as on a server's first
    session, with the early torch import off; the words it printed."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "LSTMLAB_PRELOAD": "0"})  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


def open_app(timeout: float = 120) -> AppTest:
    """The app after its first run, on the Data page, with no exception."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    assert not at.exception, at.exception
    return at


def train_session(window_config: WindowConfig | None = None, **settings) -> AppTest:
    """A fresh session on the built-in series that trained one run on the Train page (``train``)."""
    at = open_app()
    if window_config is not None:
        at.session_state["window_config"] = window_config
    return train(at, **settings)


def train(at: AppTest, **settings) -> AppTest:
    """``at``'s session after training one run on the Train page (``TRAINED`` overridden by ``settings``).

    Settings are Train page widgets by key: ``h_size`` (select slider), booleans (checkboxes), numbers.
    """
    at.switch_page("pages/train.py").run()
    for key, value in {**TRAINED, **settings}.items():
        if key == "h_size":
            at.select_slider(key=key).set_value(value)
        else:
            (at.checkbox if isinstance(value, bool) else at.number_input)(key=key).set_value(value)
    at.button(key="train_start").click().run()
    assert not at.exception, at.exception
    finish_training(at)
    assert at.success, "training on the Train page did not finish"
    return at


def training_worker(at: AppTest):
    """The session's background training (``lstmlab.background.Training``), or None when none runs."""
    background = at.session_state[KEY] if KEY in at.session_state else None  # noqa: SIM401 - no .get here
    return None if background is None else background.training


def finish_training(at: AppTest, timeout: float = 120) -> AppTest:
    """Wait for the session's background training to end, then rerun: the page keeps the run."""
    if (worker := training_worker(at)) is not None:
        assert worker.join(timeout), f"training still running after {timeout} s"
    at.run()
    assert not at.exception, at.exception
    assert training_worker(at) is None
    return at


@pytest.fixture(scope="module")
def trained_session() -> AppTest:
    """One session per test module, trained with ``TRAINED``; tests switch to their page from it."""
    return train_session()
