"""The second book's ``BetterRnnlm`` (chapter 6), a ``RnnlmBase`` (``common.nets.rnnlm``): two
stateful LSTM layers, dropout before and after each (``TimeDropout``), and the embedding
matrix reused as the output layer's weight (weight tying, ``common.layers.tied``).

    model = BetterRnnlm(vocab_size=len(word_to_id), wordvec_size=200, hidden_size=200,
                        dropout_ratio=0.5, seed=0)

Parameters: ``embed.W``, ``Wx1``, ``Wh1``, ``b1``, ``Wx2``, ``Wh2``, ``b2`` for the two
LSTMs, and ``affine.b``, but no ``affine.W``: the output layer uses ``embed.W``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from common.layers.lstm import TimeLSTM
from common.layers.regularization import TimeDropout
from common.layers.tied import TiedEmbedding
from common.nets.rnnlm import Init, RnnlmBase, checked_sizes
from common.validation import real_number


class BetterRnnlm(RnnlmBase):
    """The book's improved model (chapter 6): embedding, then twice dropout + a stateful
    TimeLSTM, dropout, and an output layer that reuses the embedding matrix W (V, D):
    scores = h · Wᵀ + b (weight tying, so ``wordvec_size`` must equal ``hidden_size``).

    Dropout (ratio ``dropout_ratio``) is on in ``forward`` (training) and off in
    ``predict`` and evaluation. ``seed`` draws the initial weights and seeds the dropout
    masks. Layer names ``embed``, ``drop1``, ``lstm1``, ``drop2``, ``lstm2``, ``drop3``,
    ``affine``; params ``embed.W``, ``Wx1``, ``Wh1``, ``b1``, ``Wx2``, ``Wh2``, ``b2``,
    ``affine.b``.
    """

    def __init__(self, vocab_size: int = 10000, wordvec_size: int = 650,
                 hidden_size: int = 650, dropout_ratio: float = 0.5,
                 seed: int | None = None, dtype: Any = np.float32) -> None:
        who = "BetterRnnlm"
        v, d, h = checked_sizes(who, vocab_size, wordvec_size, hidden_size)
        if d != h:
            raise ValueError(f"{who}: the output layer reuses the embedding matrix (weight "
                             f"tying), so wordvec_size must equal hidden_size; got {d} and {h}")
        dropout_ratio = real_number(dropout_ratio, "dropout_ratio", 0, 1, high_open=True,
                                    who=who)
        init = Init(seed, dtype)
        embed = TiedEmbedding(init.embedding(v, d))

        def lstm(rows: int) -> TimeLSTM:
            return TimeLSTM(init.xavier(rows, 4 * h), init.xavier(h, 4 * h), init.zeros(4 * h),
                            stateful=True)

        lstm1, lstm2 = lstm(d), lstm(h)
        masks = init.rng.spawn(3)  # each dropout layer draws from its own generator
        layers = OrderedDict(
            embed=embed, drop1=TimeDropout(dropout_ratio, masks[0]), lstm1=lstm1,
            drop2=TimeDropout(dropout_ratio, masks[1]), lstm2=lstm2,
            drop3=TimeDropout(dropout_ratio, masks[2]), affine=embed.output_layer(init.zeros(v)),
        )
        super().__init__(layers, v, {"vocab_size": v, "wordvec_size": d, "hidden_size": h,
                                     "dropout_ratio": dropout_ratio})


__all__ = ["BetterRnnlm"]
