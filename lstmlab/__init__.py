"""LSTM Lab: window a time series, train the tutorial's SimpleLSTM, and trace a batch through it.

Submodules are imported where needed so that reading data does not wait for torch.
"""

__version__ = "0.1.0"
