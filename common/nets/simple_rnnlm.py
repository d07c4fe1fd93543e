"""The second book's ``SimpleRnnlm`` (chapter 5): embedding -> simple RNN -> affine to the
vocabulary, a ``RnnlmBase`` (``common.nets.rnnlm``) like ``Rnnlm``, with ``TimeRNN`` where
``Rnnlm`` has its LSTM.

    model = SimpleRnnlm(vocab_size=len(word_to_id), wordvec_size=100, hidden_size=100, seed=0)
    loss = model.forward(xs, ts)       # xs, ts: word ids (N, T); ts the words that follow
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from common.layers.affine import TimeAffine
from common.layers.embedding import TimeEmbedding
from common.layers.recurrent import TimeRNN
from common.nets.rnnlm import Init, RnnlmBase, checked_sizes


class SimpleRnnlm(RnnlmBase):
    """Embedding (V, D) -> TimeRNN (hidden H, stateful) -> TimeAffine (H, V), softmax loss.

    ``seed`` draws the book's initial weights (``dtype`` float32 by default). Layer names
    ``embed``, ``rnn``, ``affine``: params ``embed.W``, ``rnn.Wx``, ``rnn.Wh``, ``rnn.b``,
    ``affine.W``, ``affine.b``.
    """

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int,
                 seed: int | None = None, dtype: Any = np.float32) -> None:
        v, d, h = checked_sizes("SimpleRnnlm", vocab_size, wordvec_size, hidden_size)
        init = Init(seed, dtype)
        layers = OrderedDict(
            embed=TimeEmbedding(init.embedding(v, d)),
            rnn=TimeRNN(init.xavier(d, h), init.xavier(h, h), init.zeros(h), stateful=True),
            affine=TimeAffine(init.xavier(h, v), init.zeros(v)),
        )
        super().__init__(layers, v, {"vocab_size": v, "wordvec_size": d, "hidden_size": h})


__all__ = ["SimpleRnnlm"]
