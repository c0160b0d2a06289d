"""Reading what a page shows the way a browser would: the Markdown of every body, label and help text in an
AppTest, parsed by a CommonMark parser with GFM tables, strikethrough and autolinks (as tests/test_safetext.py
does), for the markup it holds and the text a reader sees."""

from __future__ import annotations

from collections.abc import Iterator

from markdown_it import MarkdownIt
from markdown_it.token import Token
from streamlit.testing.v1 import AppTest

from lstmlab.safetext import WORD_JOINER

MARKDOWN = MarkdownIt("commonmark", {"linkify": True}).enable(["table", "strikethrough", "linkify"])
FETCHES = {"link_open", "image", "html_inline", "html_block"}  # what turns text into a request or a link
BODIES = {"markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader"}


def _tokens(markdown: str) -> Iterator[Token]:
    for token in MARKDOWN.parse(markdown):
        yield token
        yield from token.children or ()


def markup(markdown: str) -> set[str]:
    """The kinds of link, image or HTML markup the parser finds in ``markdown`` (none, for text from a file)."""
    return {token.type for token in _tokens(markdown)} & FETCHES


def rendered(markdown: str) -> str:
    """The text a reader sees: escapes resolved, emphasis marks and md()'s zero-width word joiners gone, one line
    per line break or block."""
    lines: list[str] = []
    for block in MARKDOWN.parse(markdown):
        if block.type != "inline":
            continue
        line = "".join("\n" if t.type in ("softbreak", "hardbreak") else t.content for t in block.children or ())
        lines.append(line)
    return "\n".join(lines).replace(WORD_JOINER, "")


def shown_markdown(at: AppTest) -> Iterator[str]:
    """Every Markdown string the page sends: bodies of text, alerts and headings, and every label and help."""
    stack = [at._tree]
    while stack:
        node = stack.pop()
        stack.extend(getattr(node, "children", {}).values())
        if getattr(node, "type", None) in BODIES:
            yield node.value
        for text in (getattr(node, "label", None), getattr(node, "help", None)):
            if isinstance(text, str) and text:
                yield text
