"""Text from a user's file or a link, shown as data: escaped for Markdown, Plotly, LaTeX and code spans.

A file name or column header is data, not markup. Everything that shows one goes through a function here, so a
header such as ``![x](https://host/beacon.png)`` reads exactly as written instead of fetching an image, and
``<a href=...>`` inside a chart shows its tags instead of a link. Characters that would be invisible (bidi
overrides, zero-width spaces, control characters) are written out as ``\\u202e`` and the like, so what a user sees
is what the file holds; very long names are shortened with an ellipsis, counted in characters.
"""

from __future__ import annotations

import re
import string
import unicodedata

SHORT = 120  # characters of a name kept in a heading, caption or label: past that, layouts break
_KEEP_FORMAT = {"\u200c", "\u200d"}  # ZWNJ and ZWJ shape real scripts and emoji; the rest of Cf hides text
WORD_JOINER = "\u2060"  # zero-width, never in shown user text (visible() writes every Cf character out)
# Streamlit links bare URLs and e-mail addresses, and reads :shortcodes:, :material/icons: and :color[...], in the
# text *after* Markdown has resolved backslash escapes: a word joiner after the ':' or '@' that starts one, or
# inside 'www.', keeps them text. Other colons ("Run 1: H=64") stay as they are, so the text still reads the same.
_TEXT_LEVEL_MARKUP = re.compile(r":(?=//|[\w+/-]+[:\[])|@|(?i:www)(?=\.)")
_MARKDOWN_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%",
    "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}


def visible(text: object, limit: int | None = SHORT) -> str:
    """``text`` as a string whose every character shows: controls and invisible formats written as escapes.

    Longer than ``limit`` characters (after escaping), it keeps the start and the end around an ellipsis.
    """
    pieces = [_visible_char(ch) for ch in str(text)]
    if limit is None or sum(map(len, pieces)) <= limit:
        return "".join(pieces)
    head = _fit(pieces, (limit - 1) * 2 // 3)  # whole escapes only: never half of a \\u202e
    tail = _fit(pieces[::-1], limit - 1 - sum(map(len, head)))[::-1]
    return "".join(head) + "…" + "".join(tail)


def _fit(pieces: list[str], budget: int) -> list[str]:
    kept: list[str] = []
    used = 0
    for piece in pieces:
        if used + len(piece) > budget:
            break
        kept.append(piece)
        used += len(piece)
    return kept


def _visible_char(ch: str) -> str:
    if ch == " " or ch in _KEEP_FORMAT:
        return ch
    if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
        return ch.encode("unicode_escape").decode("ascii") if ord(ch) > 0xFF or ch in "\n\r\t" else f"\\x{ord(ch):02x}"
    return ch


def md(text: object, limit: int | None = SHORT) -> str:
    """``text`` for Markdown (``st.markdown``, captions, alerts, labels, ``st.table`` cells): shown exactly as written.

    Every ASCII punctuation mark is backslash-escaped (CommonMark allows it for all of them), which stops links,
    images, emphasis, HTML, LaTeX ``$``, tables and Streamlit's ``:color[...]`` directives; a zero-width word
    joiner stops what Streamlit finds in plain text (bare URLs, e-mail addresses, ``:emoji:`` shortcodes, which it
    reads after escapes are resolved).
    """
    joined = _TEXT_LEVEL_MARKUP.sub(lambda m: m.group(0) + WORD_JOINER, visible(text, limit))
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", joined)
    # Spaces at either end would make an indented code block, a line break or a trimmed table cell: as character
    # references they stay text.
    core = escaped.strip()
    start = len(escaped) - len(escaped.lstrip()) if core else len(escaped)
    end = start + len(core)
    return _references(escaped[:start]) + core + _references(escaped[end:])


def _references(spaces: str) -> str:
    return "".join(f"&#{ord(ch)};" for ch in spaces)


def md_text(text: object) -> str:
    """A plain-text message (an error, a note) for Markdown: every line escaped whole, its line breaks kept."""
    paragraphs = str(text).split("\n\n")
    return "\n\n".join("  \n".join(md(line, None) for line in p.split("\n")) for p in paragraphs)


def md_code(text: object, limit: int | None = SHORT) -> str:
    """``text`` as a Markdown code span: a fence of one more backtick than the longest run inside."""
    shown = visible(text, limit)
    fence = "`" * (max((len(run) for run in re.findall("`+", shown)), default=0) + 1)
    return f"{fence} {shown} {fence}" if shown else ""


def plot_text(text: object, limit: int | None = SHORT) -> str:
    """``text`` for Plotly (trace names, titles, tick labels, hover text): tags show as written, never as links.

    Plotly.js reads a subset of HTML (``<a href>``, ``<b>``, ``<span style>``) in every text it draws and decodes
    entities, so ``&``, ``<`` and ``>`` become entities; ``%`` too, since ``%{...}`` in a hover template is a
    field reference.
    """
    shown = visible(text, limit)
    return shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("%", "&#37;")


def latex_text(text: object, limit: int | None = 40) -> str:
    """``text`` for use inside LaTeX's ``\\text{...}``: every special character escaped, so no command runs."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in visible(text, limit))
