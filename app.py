"""LSTM Lab: the router. Each page lives in pages/ and follows the user's journey."""

import streamlit as st

from pages.common import state

st.set_page_config(page_title="LSTM Lab", page_icon=":material/repeat:", layout="wide")

journey = [
    st.Page("pages/data.py", title="Data", icon=":material/table:", default=True),
    st.Page("pages/windows.py", title="Windows", icon=":material/view_week:"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
    st.Page("pages/inspect.py", title="Inspect", icon=":material/troubleshoot:"),
    st.Page("pages/whatif.py", title="What if", icon=":material/edit_note:"),
    st.Page("pages/predictions.py", title="Predictions", icon=":material/query_stats:"),
]
plotly_request = state.request_plotly()
page = st.navigation(journey)
if page.url_path != journey[0].url_path:  # only the Data page reads the parsed table: free it before torch loads
    state.forget_table()
page.run()
if plotly_request is not None:
    plotly_request.empty()
state.release_memory()
