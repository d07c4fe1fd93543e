"""Recurrent layers of the autograd (the third book's): ``RNN`` and ``LSTM``, one step per
call, keeping their state (``h``, and ``c`` for the LSTM) until ``reset_state()``.

A sequence is unrolled by calling the layer once per step: the graph grows with the steps,
and ``loss.unchain_backward()`` after an update cuts it (truncated backpropagation).
"""

from __future__ import annotations

from typing import Any

from common.autograd.core import Variable
from common.autograd.elementwise import sigmoid, tanh
from common.autograd.layers import Layer, Linear


class RNN(Layer):
    """h = tanh(x Wx + bx + h_prev Wh) (no h_prev at the first step): x (N, I) -> h (N, H)."""

    def __init__(self, hidden_size: int, in_size: int | None = None) -> None:
        super().__init__()
        self.x2h = Linear(hidden_size, in_size=in_size)
        # h2h takes h: its input size is hidden_size (the book's passes in_size, which only
        # works when the two are equal); created at once when x2h is, as the book's
        self.h2h = Linear(hidden_size, in_size=in_size and hidden_size, nobias=True)
        self.h: Variable | None = None

    def reset_state(self) -> None:
        """Forget the hidden state: the next call starts a new sequence."""
        self.h = None

    def forward(self, x: Any) -> Variable:
        """The next hidden state (also kept as ``h``)."""
        if self.h is None:
            h_new = tanh(self.x2h(x))
        else:
            h_new = tanh(self.x2h(x) + self.h2h(self.h))
        self.h = h_new
        return h_new


class LSTM(Layer):
    """The LSTM step: f, i, o = σ(x Wx_* + b_* + h Wh_*), u = tanh(x Wx_u + b_u + h Wh_u),
    c = f ⊙ c_prev + i ⊙ u, h = o ⊙ tanh(c); x (N, I) -> h (N, H), state (h, c)."""

    def __init__(self, hidden_size: int, in_size: int | None = None) -> None:
        super().__init__()
        h, i = hidden_size, in_size
        self.x2f = Linear(h, in_size=i)
        self.x2i = Linear(h, in_size=i)
        self.x2o = Linear(h, in_size=i)
        self.x2u = Linear(h, in_size=i)
        self.h2f = Linear(h, in_size=h, nobias=True)
        self.h2i = Linear(h, in_size=h, nobias=True)
        self.h2o = Linear(h, in_size=h, nobias=True)
        self.h2u = Linear(h, in_size=h, nobias=True)
        self.reset_state()

    def reset_state(self) -> None:
        """Forget h and c: the next call starts a new sequence."""
        self.h: Variable | None = None
        self.c: Variable | None = None

    def forward(self, x: Any) -> Variable:
        """The next hidden state h (the cell state is kept as ``c``)."""
        if self.h is None:
            f, i = sigmoid(self.x2f(x)), sigmoid(self.x2i(x))
            o, u = sigmoid(self.x2o(x)), tanh(self.x2u(x))
        else:
            f = sigmoid(self.x2f(x) + self.h2f(self.h))
            i = sigmoid(self.x2i(x) + self.h2i(self.h))
            o = sigmoid(self.x2o(x) + self.h2o(self.h))
            u = tanh(self.x2u(x) + self.h2u(self.h))
        c_new = i * u if self.c is None else f * self.c + i * u
        h_new = o * tanh(c_new)
        self.h, self.c = h_new, c_new
        return h_new


__all__ = ["LSTM", "RNN"]
