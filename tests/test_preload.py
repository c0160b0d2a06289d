"""The background import of torch: once per server, and never where memory is tight."""

import gc
import sys
import threading

import pytest

from pages.common import preload


@pytest.mark.parametrize(
    ("v2", "v1", "expected"),
    [
        ("max\n", None, None),  # cgroup v2, no limit
        ("734003200\n", None, 734_003_200),  # Community Cloud's smallest tier, about 700 MB
        (None, "9223372036854771712\n", None),  # cgroup v1 writes a huge number for "no limit"
        (None, "2899102924\n", 2_899_102_924),
        (None, None, None),  # not Linux, or no cgroup mounted
    ],
)
def test_memory_limit_reads_cgroup_v2_then_v1(tmp_path, v2, v1, expected):
    files = (tmp_path / "memory.max", tmp_path / "memory.limit_in_bytes")
    for file, text in zip(files, (v2, v1), strict=True):
        if text is not None:
            file.write_text(text)
    assert preload.memory_limit(files) == expected


@pytest.mark.parametrize(
    ("limit", "setting", "expected"),
    [
        (None, None, True),
        (734_003_200, None, False),  # 690 MB tier: torch waits for the first page that needs it
        (2_899_102_924, None, True),
        (734_003_200, "1", True),
        (None, "0", False),
        (None, "yes", True),  # anything but 0 or 1 leaves the decision to the limit
    ],
)
def test_should_preload(limit, setting, expected):
    assert preload.should_preload(limit, setting) is expected


def test_preload_starts_one_thread_that_imports_the_later_pages(monkeypatch):
    monkeypatch.delenv("LSTMLAB_PRELOAD", raising=False)
    monkeypatch.setattr(preload, "memory_limit", lambda: None)
    preload.preload_later_pages.clear()
    first = preload.preload_later_pages()
    assert isinstance(first, threading.Thread) and preload.preload_later_pages() is first  # once per server
    first.join(timeout=120)
    gc.unfreeze()  # the thread froze what it loaded (next test); give the other tests an ordinary collector
    assert all(name in sys.modules for name in preload.AFTER_DATA)
    preload.preload_later_pages.clear()
    monkeypatch.setenv("LSTMLAB_PRELOAD", "0")
    assert preload.preload_later_pages() is None
    preload.preload_later_pages.clear()


def test_the_import_sets_what_is_loaded_aside_from_the_collector():
    """After the import, the full collection Streamlit runs after every script run walks only what is new."""
    gc.unfreeze()
    tracked = len(gc.get_objects())  # every generation but the frozen one
    try:
        preload.import_later_pages()
        assert all(name in sys.modules for name in preload.AFTER_DATA)
        assert gc.get_freeze_count() >= tracked // 2  # what was alive, less the garbage collected first
        assert len(gc.get_objects()) < gc.get_freeze_count() // 100  # left to a full collection: almost nothing
        fresh = {"rows": []}  # what a session makes later is still the collector's
        assert any(o is fresh for o in gc.get_objects())
    finally:
        gc.unfreeze()
