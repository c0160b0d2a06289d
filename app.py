"""LSTM Lab: the router. Each page lives in pages/ and follows the user's journey."""

import importlib
import threading

import streamlit as st

from pages import shared

st.set_page_config(page_title="LSTM Lab", page_icon=":material/repeat:", layout="wide")

# What every page after Data imports first: torch alone takes 2 to 5 s, once per server process.
AFTER_DATA = ("torch", "lstmlab.windows", "lstmlab.train", "lstmlab.figures.windows")


@st.cache_resource(show_spinner=False)
def import_in_background() -> threading.Thread:
    """Import ``AFTER_DATA`` in a thread, once per server, while the user looks at the first page.

    No Streamlit call runs in the thread. Python's per-module import locks make a page that imports
    one of these meanwhile wait for the thread's import to finish, not import it twice.
    """
    thread = threading.Thread(
        target=lambda: [importlib.import_module(name) for name in AFTER_DATA], name="import-torch", daemon=True
    )
    thread.start()
    return thread


journey = [
    st.Page("pages/data.py", title="Data", icon=":material/table:", default=True),
    st.Page("pages/windows.py", title="Windows", icon=":material/view_week:"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
    st.Page("pages/inspect.py", title="Inspect", icon=":material/troubleshoot:"),
    st.Page("pages/predictions.py", title="Predictions", icon=":material/query_stats:"),
]
plotly_request = shared.request_plotly()
page = st.navigation(journey)
if page.url_path != journey[0].url_path:  # only the Data page reads the parsed table: free it before torch loads
    shared.forget_table()
page.run()
if plotly_request is not None:
    plotly_request.empty()
shared.release_memory()
import_in_background()  # after the first page's run, so it does not slow that page
