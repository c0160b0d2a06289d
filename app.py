"""LSTM Lab: the router. Each page lives in pages/ and follows the user's journey (pages/common/journey.py)."""

import sys
from importlib.machinery import ModuleSpec

import streamlit as st

from pages.common import state, style  # neither imports numpy or pandas: the Plotly request goes out first

# A sweep's worker processes (lstmlab/sweep_pool.py) re-import the parent's __main__, the module Streamlit made for
# this run: by its path, that would run the router again outside Streamlit; named "__main__" by a spec, it is skipped.
sys.modules["__main__"].__spec__ = ModuleSpec("__main__", None)

# An emoji favicon is drawn as a data: image; a :material: one would be fetched from fonts.gstatic.com.
st.set_page_config(page_title="LSTM Lab", page_icon="🔁", layout="wide")
st.html(style.STYLE)
plotly_request = state.request_plotly()  # the browser fetches Plotly.js (a second's work) during the imports below
with state.FIRST_IMPORTS:  # before any page chart: plotly reads sys.modules and would see another session's half import
    import pandas as pd  # noqa: F401

from pages.common import journey, links, preload, warmup  # noqa: E402

tour = st.Page("pages/tour.py", title="Tour", icon=":material/tour:")  # the whole argument, walked on the run
compare = st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:")  # cells, window sweep
page = st.navigation({"Journey": journey.pages(), "Learn": [tour, compare]})
links.restore()  # a session's first run: the settings its link describes
if page.title != journey.JOURNEY[0].title:  # only the Data page reads the parsed table: free it before torch loads
    state.forget_table()
page.run()
warmup.draw(page.title)  # the first Data run: the Windows page's element kinds, drawn later out of sight
links.write()  # the address bar holds a link to this view
if plotly_request is not None:
    plotly_request.empty()
state.release_memory()
preload.preload_later_pages()  # after the first page's run, and a little later still: see preload.py
