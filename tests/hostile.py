"""A corpus of hostile names (file names, column headers, category values) and a series that carries them.

Each name tries one way of turning data into markup or code: Markdown images and links, raw HTML, ``javascript:``
URLs, bare URLs that GFM would link, LaTeX, Streamlit directives, Plotly's ``%{...}`` fields, Python string
breakers, invisible and right-to-left characters, 10,000 characters, nothing at all, and pairs that look the same
once escaped or shortened. ``OUTSIDE`` is the host no page may ever make a browser call.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

OUTSIDE = "example.invalid"

HOSTILE_NAMES: list[str] = [
    f"![x](https://{OUTSIDE}/beacon.png) [click](https://{OUTSIDE})",
    f'<a href="https://{OUTSIDE}">evil</a>',
    f'<img src="https://{OUTSIDE}/i.png" onerror="alert(1)">',
    f'<span style="font-size:90px">big</span><script src="https://{OUTSIDE}/s.js"></script>',
    "[open me](javascript:alert(1)) <javascript:alert(2)>",
    f"see https://{OUTSIDE}/bare and www.{OUTSIDE}",
    rf"$\href{{https://{OUTSIDE}}}{{tex}}$ $$\frac{{1}}{{0}}$$ \(x\)",
    ":red[alarm] :material/warning: :tada: :streamlit:",
    '"""\nopen("pwned", "w").write("x")\n"""',
    "'''; import os; os.remove('x') #",
    r"C:\new\N{BULLET}\x41 \u0041 back\slash\\",
    "\u202eevil.csv\u202c",
    "zero\u200bwidth\ufeff\x07bell",
    "# heading\n- item\n> quote\n---",
    "| a | b |\n| --- | --- |",
    "**bold** _em_ `code` ~~strike~~ <b>tag</b>",
    "%{y} %{customdata[0]} %{x|%Y}",
    "北京 Straße 👩\u200d💻 ~rtl עברית",
    "x" * 10_000,
    "x" * 9_000 + "middle one" + "x" * 990,  # shortened, it looks like the one above
    "a\u202eb",
    "a\\u202eb",  # written out, it looks like the one above
    "",
    "   ",
]

HOSTILE_FILE = f"![t](https://{OUTSIDE}/t.png) <a href=x>f</a> $x$ \\N.csv"


def hostile_frame(rows: int = 96, seed: int = 0) -> pd.DataFrame:
    """A monthly series with one numeric column per hostile name (empty and blank names kept as pandas reads them)."""
    rng = np.random.default_rng(seed)
    t = np.arange(rows)
    columns = {"month": pd.date_range("2000-01-01", periods=rows, freq="MS").strftime("%Y-%m")}
    for k, name in enumerate(HOSTILE_NAMES):
        wave = 10 + np.sin(2 * np.pi * t / 12 + k) * (k + 1) + 0.05 * t
        columns[name] = np.round(wave + rng.normal(0, 0.2, rows), 3)
    return pd.DataFrame(columns)


def hostile_csv(rows: int = 96, seed: int = 0) -> bytes:
    """``hostile_frame`` as a quoted CSV file, the way a spreadsheet would write it."""
    buffer = io.StringIO()
    hostile_frame(rows, seed).to_csv(buffer, index=False)
    return buffer.getvalue().encode()
