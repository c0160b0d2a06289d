"""Escaping user text: rendered by a CommonMark parser (with GFM tables, strikethrough and autolinks), by an HTML
entity decoder as Plotly.js decodes, and by Python's own compiler, the escaped text reads back exactly as written."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmlab.safetext import SHORT, WORD_JOINER, latex_text, md, md_code, md_text, plot_text, visible
from tests.hostile import HOSTILE_NAMES
from tests.hostile_checks import MARKDOWN, TEXT_LEVEL, markdown_read

PARAGRAPH = {"paragraph_open", "paragraph_close", "inline", "text"}  # one paragraph of plain text


def rendered_inline(markdown: str) -> tuple[str, set[str]]:
    """The text a reader sees and the markup the parser found, for one paragraph of Markdown: any markup at all,
    text-level markup that looks like the app's own (``:primary[``) included."""
    text, kinds = markdown_read(markdown, app_markup=set())
    return text, kinds - PARAGRAPH


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_every_hostile_name_reads_back_as_plain_text_in_markdown(name: str) -> None:
    text, markup = rendered_inline(f"target: {md(name)}.")
    assert markup == set()
    assert text == f"target: {visible(name)}."


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_any_text_reads_back_as_plain_text_in_markdown(name: str) -> None:
    text, markup = rendered_inline(f"**File** {md(name)} is read.")
    assert markup == {"strong_open", "strong_close"}
    assert text == f"File {visible(name)} is read."


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_stays_one_cell_of_a_markdown_table(name: str) -> None:
    tokens = MARKDOWN.parse(f"| column | rows |\n| --- | --- |\n| {md(name)} | 3 |")
    cells = [t for t in tokens if t.type == "inline"]
    assert len(cells) == 4
    assert all(child.type == "text" for cell in cells for child in cell.children)
    assert "".join(child.content for child in cells[2].children).replace(WORD_JOINER, "") == visible(name)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_a_code_span_holds_any_text_whole(name: str) -> None:
    code = [t for t in MARKDOWN.parse(f"column {md_code(name)} kept")[1].children if t.type == "code_inline"]
    if visible(name).strip(" "):
        assert [c.content for c in code] == [visible(name)]


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_plot_text_has_no_tags_and_decodes_to_the_visible_text(name: str) -> None:
    shown = plot_text(name)
    assert "<" not in shown and ">" not in shown
    assert "%{" not in shown  # a hover template's field reference
    assert html.unescape(shown) == visible(name)


def test_invisible_characters_are_written_out_and_others_kept() -> None:
    assert visible("gpj.\u202eexe") == "gpj.\\u202eexe"
    assert visible("a\nb\tc\x00") == "a\\nb\\tc\\x00"
    assert visible("zero\u200bwidth\ufeff") == "zero\\u200bwidth\\ufeff"
    assert visible("👩\u200d💻 Straße 北京 é") == "👩\u200d💻 Straße 北京 é"


def test_long_names_keep_their_start_and_end_and_never_split_an_escape() -> None:
    long = "a" * 5000 + "\u202e" * 3000 + "z" * 2000
    shown = visible(long)
    assert len(shown) <= SHORT
    assert shown.startswith("a" * 79) and shown.endswith("z" * 30)
    assert shown.count("…") == 1
    assert re.fullmatch(r"a+…(\\u202e)*z+", shown)
    assert visible(long, limit=None).count("\\u202e") == 3000


def test_spaces_around_a_name_stay_text_not_a_code_block_or_a_line_break() -> None:
    text, markup = rendered_inline(md("    # indented  "))
    assert markup == set()
    assert text == "    # indented  "


def test_latex_text_escapes_every_command_and_group() -> None:
    assert latex_text(r"\href{javascript:alert(1)}{x}") == (
        r"\textbackslash{}href\{javascript:alert(1)\}\{x\}")
    assert latex_text("$a_b^c & 100% #1~") == r"\$a\_b\textasciicircum{}c \& 100\% \#1\textasciitilde{}"


def test_a_message_keeps_its_paragraphs_and_lines_and_shows_its_names_as_written() -> None:
    message = f"{HOSTILE_NAMES[1]} is empty.\nUpload another.\n\nStill using [x](y)."
    blocks = MARKDOWN.parse(md_text(message))
    paragraphs = [b for b in blocks if b.type == "inline"]
    assert [[c.type for c in p.children] for p in paragraphs] == [["text", "hardbreak", "text"], ["text"]]
    assert paragraphs[0].children[0].content.replace(WORD_JOINER, "") == f"{HOSTILE_NAMES[1]} is empty."
    assert paragraphs[1].children[0].content == "Still using [x](y)."


def test_bare_urls_addresses_and_shortcodes_stay_text_after_escapes_resolve() -> None:
    for name in ("https://example.invalid/x", "WWW.example.invalid", "me@example.invalid", ":tada:", ":red[x]"):
        assert TEXT_LEVEL.search(name)  # the pattern finds them raw...
        text, markup = rendered_inline(md(name))
        assert markup == set() and text == name  # ...and not once escaped
