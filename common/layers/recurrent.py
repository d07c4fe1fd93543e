"""The simple recurrent layer, one step (``RNN``) and over a sequence (``TimeRNN``); the
LSTM family is ``common.layers.lstm``'s, the GRU ``common.layers.gru``'s.

The one-step layer shows the math; the time layer computes the same, fast: the input
products x·Wx of all T steps are one matrix product (N·T, D) @ (D, H), only the recurrent
product h·Wh is done step by step, into arrays allocated once per call, time-major
(T, N, ·) so that every step reads and writes contiguous rows.
"""

from __future__ import annotations

import numpy as np

from common.layers.base import Layer
from common.layers.recurrent_base import (
    RecurrentState,
    batch_major,
    check_sequence,
    check_step,
    check_weights,
    time_major,
    weight_gradients,
)
from common.validation import check_dout, forward_cache


class RNN(Layer):
    """One step of the simple recurrent cell: h_next = tanh(x·Wx + h_prev·Wh + b).

    Wx: (D, H), Wh: (H, H), b: (H,); x: (N, D), h_prev: (N, H) -> h_next: (N, H).
    ``backward(dh_next)`` stores dWx, dWh, db and returns (dx, dh_prev).
    """

    param_names = ("Wx", "Wh", "b")

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray) -> None:
        self.hidden_size = check_weights("RNN", Wx, Wh, (b,), 1)
        self.Wx, self.Wh, self.b = Wx, Wh, b
        self.dWx: np.ndarray | None = None
        self.dWh: np.ndarray | None = None
        self.db: np.ndarray | None = None
        self.cache: tuple[np.ndarray, ...] | None = None

    def forward(self, x: np.ndarray, h_prev: np.ndarray) -> np.ndarray:
        """tanh(x·Wx + h_prev·Wh + b): (N, H)."""
        check_step(self, x, self.Wx.shape[0], {"h_prev": h_prev}, self.hidden_size)
        h_next = np.tanh(x @ self.Wx + h_prev @ self.Wh + self.b)
        self.cache = (x, h_prev, h_next)
        return h_next

    def backward(self, dh_next: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(dx, dh_prev), through da = dh_next ⊙ (1 - h_next²)."""
        x, h_prev, h_next = forward_cache(self, self.cache)
        check_dout(self, dh_next, h_next.shape)
        da = dh_next * (1 - h_next**2)
        self.dWx = np.matmul(x.T, da, out=self.dWx)
        self.dWh = np.matmul(h_prev.T, da, out=self.dWh)
        self.db = np.sum(da, axis=0, out=self.db)
        return da @ self.Wx.T, da @ self.Wh.T


class TimeRNN(RecurrentState, Layer):
    """The simple RNN over a sequence: h_t = tanh(x_t·Wx + h_{t-1}·Wh + b), t = 1..T.

    xs: (N, T, D) -> hs: (N, T, H), with Wx (D, H), Wh (H, H), b (H,). h_0 is zeros, the
    state given by ``set_state(h)``, or with ``stateful=True`` the last state of the
    previous call (the gradient stops there). After forward ``h`` is h_T; after
    ``backward(dhs)`` (which stores dWx, dWh, db and returns dxs) ``dh`` is ∂L/∂h_0.
    """

    param_names = ("Wx", "Wh", "b")

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray,
                 stateful: bool = False) -> None:
        self.init_state(check_weights("TimeRNN", Wx, Wh, (b,), 1), stateful)
        self.Wx, self.Wh, self.b = Wx, Wh, b
        self.dWx: np.ndarray | None = None
        self.dWh: np.ndarray | None = None
        self.db: np.ndarray | None = None
        self.cache: tuple[np.ndarray, np.ndarray] | None = None

    def forward(self, xs: np.ndarray) -> np.ndarray:
        """hs (N, T, H), the hidden state after every step."""
        d, size = self.Wx.shape
        xs = check_sequence(self, xs, d)
        n, steps, _ = xs.shape
        dtype = np.result_type(xs.dtype, self.Wx.dtype)
        x_tm = time_major(xs, dtype)
        hs = np.empty((steps + 1, n, size), dtype)  # hs[0] = h_0, hs[t] = h_t
        hs[0] = self.initial_state(n, dtype)[0]
        np.matmul(x_tm.reshape(steps * n, d), self.Wx, out=hs[1:].reshape(steps * n, size))
        hs[1:] += self.b
        rec = np.empty((n, size), dtype)
        for t in range(steps):
            np.matmul(hs[t], self.Wh, out=rec)
            hs[t + 1] += rec
            np.tanh(hs[t + 1], out=hs[t + 1])
        self.cache = (x_tm, hs)
        self.h = hs[-1].copy()
        return batch_major(hs[1:])

    def backward(self, dhs: np.ndarray) -> np.ndarray:
        """dxs (N, T, D); stores dWx, dWh, db and ``dh`` = ∂L/∂h_0."""
        x_tm, hs = forward_cache(self, self.cache)
        steps, n, d = x_tm.shape
        size = self.hidden_size
        check_dout(self, dhs, (n, steps, size))
        # da_t = (dhs_t + dh from step t+1) ⊙ (1 - h_t²); the factor for all steps at once
        da = time_major(dhs, hs.dtype)
        slope = hs[1:] * hs[1:]
        np.subtract(1, slope, out=slope)
        rec = np.zeros((n, size), hs.dtype)
        wh_t = np.ascontiguousarray(self.Wh.T)  # BLAS is twice as fast on it, per step
        for t in reversed(range(steps)):
            da[t] += rec
            da[t] *= slope[t]
            np.matmul(da[t], wh_t, out=rec)
        self.dh = rec
        return weight_gradients(self, x_tm, hs[:-1], da)


__all__ = ["RNN", "TimeRNN"]
