"""Recurrent language models of the second book (chapters 5 and 6): a simple RNN, an LSTM
and the improved two-layer LSTM with dropout and weight tying, trained on word-level tiny
Shakespeare by truncated backpropagation through time (``python -m ch_rnnlm``)."""
