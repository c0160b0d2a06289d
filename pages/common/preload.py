"""Import what the pages after Data need in the background, once per server, where memory allows.

torch alone takes 2 to 5 s to import; doing it while the user reads the first page makes the first
click to another page cost what a later one does. It also makes torch (about 150 MB) resident before
an upload is parsed, so where the process has little memory (Community Cloud's smallest tier is
690 MB) the import waits for the first page that needs it instead.

The import starts ``FIRST_PAGE_GRACE`` seconds after the first page's run: this process still serves that
page's element code and charts then, and loading libtorch holds the GIL for up to 0.17 s at a time (the first
page measured 2.85-3.0 s in chromium with the import at once, 2.36-2.57 s with it 1.5 s later; row 5a).
"""

from __future__ import annotations

import gc
import importlib
import os
import threading
import time
from pathlib import Path

import streamlit as st

AFTER_DATA = ("torch", "lstmlab.windows", "lstmlab.train", "lstmlab.figures.windows")
FIRST_PAGE_GRACE = 1.5  # seconds between the first page's run and the import
PRELOAD_MIN_MEMORY = 1_500_000_000  # bytes: below this limit an early torch would squeeze a large upload
CGROUP_LIMITS = (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"))


def memory_limit(files: tuple[Path, ...] = CGROUP_LIMITS) -> int | None:
    """The process's memory limit in bytes (cgroup v2, then v1), or None where there is none."""
    for file in files:
        try:
            text = file.read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:  # v1 writes a huge number for "no limit", v2 "max"
            return int(text)
        return None
    return None


def should_preload(limit: int | None, setting: str | None) -> bool:
    """``LSTMLAB_PRELOAD`` = 1 or 0 decides; unset, preload unless the memory limit is under the floor."""
    if setting in ("0", "1"):
        return setting == "1"
    return limit is None or limit >= PRELOAD_MIN_MEMORY


@st.cache_resource(show_spinner=False)  # one thread per server: a handle, no user's data
def preload_later_pages() -> threading.Thread | None:
    """Start importing ``AFTER_DATA`` in a thread, unless memory is tight; no Streamlit call runs in it.

    Python's per-module import locks make a page that imports one of these meanwhile wait for the
    thread's import to finish, not import it twice.
    """
    if not should_preload(memory_limit(), os.environ.get("LSTMLAB_PRELOAD")):
        return None
    thread = threading.Thread(target=import_later_pages, args=(FIRST_PAGE_GRACE,), name="preload-torch", daemon=True)
    thread.start()
    return thread


def import_later_pages(grace: float = 0.0) -> None:
    """After ``grace`` seconds, import ``AFTER_DATA``, then set everything now loaded aside from the garbage
    collector (``gc.freeze``).

    The imports add about 140,000 tracked objects. Left young, they made the next script run pay a full
    collection (0.15 s); kept, every full collection Streamlit runs after a script run (holding the GIL while
    that run's last messages wait to go out) walked them all: 0.18 to 0.28 s on 2 cores, under 1 ms frozen.
    Garbage is collected first. The price: a reference cycle among objects alive now (modules, the first
    session's small sample) is never freed.
    """
    time.sleep(grace)
    for name in AFTER_DATA:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()
