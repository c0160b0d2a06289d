"""Plotly figures, one module per page; every builder is a pure function returning a ``go.Figure``."""
