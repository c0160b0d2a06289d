"""Checks the hostile-name tests share: Markdown read as Streamlit reads it, every string of a Plotly figure, and
``page_problems``, which reads every string a page sends (AppTest) and lists what a name turned into markup.

``assert_plain_markdown`` parses with markdown-it (CommonMark, GFM tables, strikethrough, linkify) and also looks
for what Streamlit still finds in the text once escapes resolve; ``assert_no_tags_from_names`` walks a figure's JSON.
"""

from __future__ import annotations

import html
import json
import re

import numpy as np
from google.protobuf.message import Message
from markdown_it import MarkdownIt

from lstmlab.safetext import WORD_JOINER, visible
from tests.hostile import HOSTILE_NAMES

MARKDOWN = MarkdownIt("commonmark", {"linkify": True}).enable(["table", "strikethrough", "linkify"])
FORBIDDEN = {"link_open", "image", "html_inline", "html_block", "text-level markup"}
# What Streamlit still finds in text once escapes are resolved (as tests/test_safetext.py): bare URLs, e-mail
# addresses, :shortcodes: and :color[...] directives.
TEXT_LEVEL = re.compile(r"(https?://|www(?=\.))[-.\w]+|[-.\w+]+@[-\w]+(\.[-\w]+)+|:[a-z][\w+-]*:|:\w+\[", re.I)
APP_MARKUP = {":primary["}  # the app's own directive (the journey line), not a name's
LATEX_COMMANDS = (r"\href", r"\url", r"\includegraphics")
MARKDOWN_FIELDS = {"body", "label", "help"}  # what Streamlit renders as Markdown in an element's proto
MARKDOWN_OPTIONS = {"radio", "button_group"}  # option labels rendered as Markdown (radio, pills, segmented control)
OUR_TAGS = {"<br>", "<b>", "</b>", "<extra>", "</extra>", "<span style='font-size:10px'>", "</span>"}
TAG = re.compile(r"<[A-Za-z/!][^<>]*>?")  # what Plotly.js would read as the start of a tag
FIELD = re.compile(r"%\{[^}]*\}?")  # a hover template's field reference


def markdown_read(text: str, app_markup: set[str] = APP_MARKUP) -> tuple[str, set[str]]:
    """What a reader sees of ``text`` (every block's inline text, joined; word joiners left out) and every token
    kind the parser made ("text-level markup" when Streamlit would still link or replace some of the text, other
    than the app's own ``app_markup``)."""
    kinds, seen = set(), []
    for token in MARKDOWN.parse(text):
        kinds.add(token.type)
        for child in token.children or []:
            kinds.add(child.type)
            if child.type in ("text", "code_inline"):
                seen.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                seen.append("\n")
    shown = "".join(seen)
    if any(m.group(0) not in app_markup for m in TEXT_LEVEL.finditer(shown)):
        kinds.add("text-level markup")
    return shown.replace(WORD_JOINER, ""), kinds


def assert_plain_markdown(text: str, names=()) -> None:
    """No link, image or HTML in ``text``, and each of ``names`` reads back as ``visible(name)``."""
    seen, kinds = markdown_read(text)
    assert not kinds & FORBIDDEN, (kinds & FORBIDDEN, text[:300])
    for name in names:
        assert visible(name) in seen, (visible(name)[:80], seen[:300])


def plotly_strings(node) -> list[str]:
    """Every string in a figure's JSON, walked recursively."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in plotly_strings(value)]
    if isinstance(node, (list, tuple, np.ndarray)):
        return [s for value in node for s in plotly_strings(value)]
    return []


def plotly_markup(fig) -> set[str]:
    """Every tag and hover field reference in ``fig``'s text: the figure's own, or one a name brought in."""
    strings = plotly_strings(fig.to_plotly_json())
    return {found for text in strings for found in [*TAG.findall(text), *FIELD.findall(text)]}


def assert_no_tags(strings: list[str], where: str = "") -> list[str]:
    """No string holds a tag other than the figures' own markup (``OUR_TAGS``); returns the strings."""
    for text in strings:
        tags = set(TAG.findall(text)) - OUR_TAGS
        assert not tags, (where, tags, text[:200])
    return strings


def assert_no_tags_from_names(fig) -> list[str]:
    """No string of ``fig`` (its JSON walked recursively) holds a tag a name brought in; returns the strings."""
    return assert_no_tags(plotly_strings(fig.to_plotly_json()))


def assert_shown_as_written(shown, names) -> None:
    """Plotly text ``shown`` (escaped) decodes to ``visible(name)`` for each name, and has no field reference."""
    shown = list(shown)
    assert len(shown) == len(names)
    for text, name in zip(shown, names, strict=True):
        assert "<" not in text and "%{" not in text
        assert html.unescape(text) == visible(name)


def markdown_texts(node, kind: str = "") -> list[tuple[str, str]]:
    """(element type, text) for every Markdown-rendered string under ``node`` of an AppTest tree: bodies, labels
    and help of every element, option labels of radios, pills and segmented controls, ``st.table`` cells."""
    found = []
    if isinstance(proto := getattr(node, "proto", None), Message):
        found += [(getattr(node, "type", kind), text) for text in _proto_texts(proto, getattr(node, "type", kind))]
    if getattr(node, "type", "") == "table":
        frame = node.value
        found += [("table", str(text)) for text in [*frame.columns, *frame.to_numpy().ravel()]]
    for child in getattr(node, "children", {}).values():
        found += markdown_texts(child)
    return found


def _proto_texts(proto: Message, kind: str) -> list[str]:
    texts = []
    for field, value in proto.ListFields():
        if field.name in MARKDOWN_FIELDS and isinstance(value, str):
            texts.append(value)
        elif field.name == "options" and kind in MARKDOWN_OPTIONS:
            texts += [v if isinstance(v, str) else getattr(v, "content", "") for v in value]
        elif isinstance(value, Message):
            texts += _proto_texts(value, kind)
    return texts


def rendered(markdown: str) -> str:
    """The text a reader sees: escapes resolved, emphasis marks and md()'s word joiners gone, one line per line
    break or block."""
    lines = ["".join("\n" if t.type in ("softbreak", "hardbreak") else t.content for t in block.children or ())
             for block in MARKDOWN.parse(markdown) if block.type == "inline"]
    return "\n".join(lines).replace(WORD_JOINER, "")


HIDDEN = re.compile("[\u0007\u200b\u202a-\u202e\u2066-\u2069\ufeff]")  # as hostile.py's names hold them
PLOTLY_MARKUP_NAMES = [n for n in HOSTILE_NAMES if re.search(r"[<>&%]", n)]  # markup once inside a Plotly text


def page_problems(at, where: str) -> list[str]:
    """What the page in ``at`` shows that a hostile name turned into markup, code or hidden text (empty: none).

    Every Markdown string (``markdown_texts``) must parse without link, image, HTML or text-level markup; LaTeX
    may run no command a name brought; every string of every element proto, plain-text ones included, may hold no
    invisible control character and no name of 300 characters or more in full; Plotly specs hold no tag but the
    figures' own and no raw name with ``<``, ``>``, ``&`` or ``%``; the app's raw HTML (its style sheet) no name.
    """
    found = []
    for kind, text in markdown_texts(at._tree):
        if kind == "html":  # the app's own style sheet, checked below for names
            continue
        if kind == "latex":  # one $$ block, rendered by KaTeX alone: a name cannot close it or run a command
            if any(command in text for command in LATEX_COMMANDS):
                found.append(f"{where}: a LaTeX command from a name in {text[:120]!r}")
            continue
        if kinds := markdown_read(text)[1] & FORBIDDEN:
            found.append(f"{where}: {sorted(kinds)} in {kind} {text[:120]!r}")
    for node in _nodes(at._tree):
        if not isinstance(proto := getattr(node, "proto", None), Message):
            continue
        kind = getattr(node, "type", "")
        for field, text in _strings(proto):
            if field == "spec":  # a Plotly figure, as JSON
                for shown in plotly_strings(json.loads(text)):
                    if set(TAG.findall(shown)) - OUR_TAGS or any(n in shown for n in PLOTLY_MARKUP_NAMES):
                        found.append(f"{where}: chart text {shown[:120]!r}")
            elif kind == "html" and any(n.strip() and n in text for n in HOSTILE_NAMES):
                found.append(f"{where}: a name in raw HTML {text[:120]!r}")
            elif HIDDEN.search(text):
                found.append(f"{where}: a hidden character in {kind}.{field} {text[:120]!r}")
            elif "x" * 300 in text and not (kind == "dataframe" and field == "columns"):
                # (a data frame's column configuration is keyed by the raw names; its labels are checked here too)
                found.append(f"{where}: a 10,000-character name in full in {kind}.{field}")
    return found


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _strings(message: Message) -> list[tuple[str, str]]:
    """Every (field name, string) in a protobuf message, nested messages and repeated fields included."""
    found = []
    for descriptor, value in message.ListFields():
        for item in value if descriptor.is_repeated else [value]:
            if isinstance(item, str):
                found.append((descriptor.name, item))
            elif isinstance(item, Message):
                found += _strings(item)
    return found
