"""LSTM Lab: the router. Each page lives in pages/ and follows the user's journey (pages/common/journey.py)."""

import pandas as pd  # noqa: F401 - before any chart: plotly reads sys.modules and would see another session's half import
import streamlit as st

from pages.common import journey, links, preload, state, style

# An emoji favicon is drawn as a data: image; a :material: one would be fetched from fonts.gstatic.com.
st.set_page_config(page_title="LSTM Lab", page_icon="🔁", layout="wide")
st.html(style.STYLE)
tour = st.Page("pages/tour.py", title="Tour", icon=":material/tour:")  # the whole argument, walked on the run
compare = st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:")  # cells, window sweep
plotly_request = state.request_plotly()
page = st.navigation({"Journey": journey.pages(), "Learn": [tour, compare]})
links.restore()  # a session's first run: the settings its link describes
if page.title != journey.JOURNEY[0].title:  # only the Data page reads the parsed table: free it before torch loads
    state.forget_table()
page.run()
links.write()  # the address bar holds a link to this view
if plotly_request is not None:
    plotly_request.empty()
state.release_memory()
preload.preload_later_pages()  # after the first page's run, so it does not slow that page
