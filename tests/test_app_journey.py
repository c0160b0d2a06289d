"""The journey across pages (AppTest): every page says where the learner is and ends with a link to the next step."""

import pytest

from pages.common.journey import JOURNEY, breadcrumb
from tests.app_support import open_app

NEXT = {"data": "windows", "windows": "train", "train": "inspect", "inspect": "whatif", "whatif": "predictions",
        "predictions": "train"}


def _where(at) -> str:
    return at.caption[0].value  # the first element on every page, above its title


def _links(at) -> list[str]:
    return [link.proto.page for link in at.get("page_link")]


def test_breadcrumb_highlights_only_the_current_step():
    text = breadcrumb("Train")
    assert text == "Data → Windows → **:primary[Train]** → Inspect → What if → Predictions"
    assert [s.title for s in JOURNEY] == ["Data", "Windows", "Train", "Inspect", "What if", "Predictions"]
    assert breadcrumb("Tour") == ""  # a page off the journey gets no breadcrumb


def test_before_training_the_links_stop_at_train():
    at = open_app()
    assert "**:primary[Data]**" in _where(at) and _links(at)[-1] == "windows"
    at.switch_page("pages/windows.py").run()
    assert "**:primary[Windows]**" in _where(at) and _links(at)[-1] == "train"
    at.switch_page("pages/train.py").run()
    assert "**:primary[Train]**" in _where(at)
    assert "inspect" not in _links(at)  # nothing to inspect yet: the page says to press Start training


@pytest.mark.parametrize("page", list(NEXT))
def test_after_training_every_page_links_to_the_next_step(trained_session, page):
    at = trained_session.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    title = next(step.title for step in JOURNEY if step.path == f"pages/{page}.py")
    assert f"**:primary[{title}]**" in _where(at) and _where(at).count(":primary[") == 1
    assert _links(at)[-1] == NEXT[page]  # the last element of the page
