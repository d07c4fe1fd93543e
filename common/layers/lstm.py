"""The LSTM, one step (``LSTM``) and over a sequence (``TimeLSTM``), and the bidirectional
``TimeBiLSTM``; the gate blocks in the second book's order f, g, i, o.

``LSTM`` shows the math; ``TimeLSTM`` computes the same, fast: the input products x·Wx of
all T steps are one matrix product, only h·Wh is done step by step, into arrays allocated
once per call, time-major (T, N, ·) so that every step reads and writes contiguous rows.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from common.functions import sigmoid
from common.layers.base import Container, Layer
from common.layers.recurrent_base import (
    RecurrentState,
    batch_major,
    check_sequence,
    check_step,
    check_weights,
    time_major,
    weight_gradients,
)
from common.validation import check_dout, forward_cache, layer_name


class LSTM(Layer):
    """One step of the LSTM cell, the gates in the book's order f, g, i, o.

    a = x·Wx + h_prev·Wh + b, split into four blocks of H:
    f = σ(a_f), g = tanh(a_g), i = σ(a_i), o = σ(a_o);
    c_next = f ⊙ c_prev + g ⊙ i,   h_next = o ⊙ tanh(c_next).

    Wx: (D, 4H), Wh: (H, 4H), b: (4H,); x: (N, D), h_prev, c_prev: (N, H).
    ``backward(dh_next, dc_next)`` stores dWx, dWh, db and returns (dx, dh_prev, dc_prev).
    """

    param_names = ("Wx", "Wh", "b")

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray) -> None:
        self.hidden_size = check_weights("LSTM", Wx, Wh, (b,), 4)
        self.Wx, self.Wh, self.b = Wx, Wh, b
        self.dWx: np.ndarray | None = None
        self.dWh: np.ndarray | None = None
        self.db: np.ndarray | None = None
        self.cache: tuple[np.ndarray, ...] | None = None

    def forward(self, x: np.ndarray, h_prev: np.ndarray,
                c_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(h_next, c_next), both (N, H)."""
        size = self.hidden_size
        check_step(self, x, self.Wx.shape[0], {"h_prev": h_prev, "c_prev": c_prev}, size)
        a = x @ self.Wx + h_prev @ self.Wh + self.b
        gates = sigmoid(a)  # f, i, o; the block of g is its tanh instead
        np.tanh(a[:, size:2 * size], out=gates[:, size:2 * size])
        f, g, i, o = np.split(gates, 4, axis=1)
        c_next = f * c_prev + g * i
        tanh_c = np.tanh(c_next)
        h_next = o * tanh_c
        self.cache = (x, h_prev, c_prev, gates, tanh_c)
        return h_next, c_next

    def backward(self, dh_next: np.ndarray,
                 dc_next: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(dx, dh_prev, dc_prev); ds = dc_next + dh_next ⊙ o ⊙ (1 - tanh²(c_next)) is
        the gradient of c_next along both of its paths."""
        x, h_prev, c_prev, gates, tanh_c = forward_cache(self, self.cache)
        check_dout(self, dh_next, tanh_c.shape)
        check_dout(self, dc_next, tanh_c.shape)
        f, g, i, o = np.split(gates, 4, axis=1)
        ds = dc_next + dh_next * o * (1 - tanh_c**2)
        da = np.hstack((ds * c_prev * f * (1 - f), ds * i * (1 - g**2),
                        ds * g * i * (1 - i), dh_next * tanh_c * o * (1 - o)))
        self.dWx = np.matmul(x.T, da, out=self.dWx)
        self.dWh = np.matmul(h_prev.T, da, out=self.dWh)
        self.db = np.sum(da, axis=0, out=self.db)
        return da @ self.Wx.T, da @ self.Wh.T, ds * f


class TimeLSTM(RecurrentState, Layer):
    """The LSTM over a sequence: ``LSTM``'s step for t = 1..T, from (h_0, c_0).

    xs: (N, T, D) -> hs: (N, T, H), with Wx (D, 4H), Wh (H, 4H), b (4H,), gate blocks
    f, g, i, o. (h_0, c_0) are zeros, the state given by ``set_state(h, c)``, or with
    ``stateful=True`` the last state of the previous call (truncated backpropagation: the
    state goes on, the gradient stops at the block's start). After forward ``h``, ``c``
    are h_T, c_T; after ``backward(dhs)`` (dWx, dWh, db stored, dxs returned) ``dh`` and
    ``dc`` are ∂L/∂h_0 and ∂L/∂c_0.
    """

    param_names = ("Wx", "Wh", "b")
    has_cell = True

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray,
                 stateful: bool = False) -> None:
        self.init_state(check_weights("TimeLSTM", Wx, Wh, (b,), 4), stateful)
        self.Wx, self.Wh, self.b = Wx, Wh, b
        self.dWx: np.ndarray | None = None
        self.dWh: np.ndarray | None = None
        self.db: np.ndarray | None = None
        self.cache: tuple[np.ndarray, ...] | None = None

    def forward(self, xs: np.ndarray) -> np.ndarray:
        """hs (N, T, H), the hidden state after every step."""
        d, size = self.Wx.shape[0], self.hidden_size
        xs = check_sequence(self, xs, d)
        n, steps, _ = xs.shape
        dtype = np.result_type(xs.dtype, self.Wx.dtype)
        x_tm = time_major(xs, dtype)
        # a: the pre-activations of every step, x·Wx + b for all steps in one product
        a = np.empty((steps, n, 4 * size), dtype)
        np.matmul(x_tm.reshape(steps * n, d), self.Wx, out=a.reshape(steps * n, 4 * size))
        a += self.b
        gates = np.empty_like(a)
        hs = np.empty((steps + 1, n, size), dtype)  # hs[t] = h_t, cs[t] = c_t
        cs = np.empty((steps + 1, n, size), dtype)
        hs[0], cs[0] = self.initial_state(n, dtype)
        tanh_c = np.empty((steps, n, size), dtype)
        rec, gi = np.empty((n, 4 * size), dtype), np.empty((n, size), dtype)
        f, g, i, o = (gates[..., k * size:(k + 1) * size] for k in range(4))
        for t in range(steps):
            np.matmul(hs[t], self.Wh, out=rec)
            a[t] += rec
            gates[t] = sigmoid(a[t])  # f, i, o; the block of g is its tanh instead
            np.tanh(a[t, :, size:2 * size], out=g[t])
            np.multiply(f[t], cs[t], out=cs[t + 1])
            np.multiply(g[t], i[t], out=gi)
            cs[t + 1] += gi
            np.tanh(cs[t + 1], out=tanh_c[t])
            np.multiply(o[t], tanh_c[t], out=hs[t + 1])
        self.cache = (x_tm, gates, hs, cs, tanh_c)
        self.h, self.c = hs[-1].copy(), cs[-1].copy()
        return batch_major(hs[1:])

    def backward(self, dhs: np.ndarray) -> np.ndarray:
        """dxs (N, T, D); stores dWx, dWh, db and ``dh``, ``dc`` = ∂L/∂h_0, ∂L/∂c_0."""
        x_tm, gates, hs, cs, tanh_c = forward_cache(self, self.cache)
        steps, n, _ = x_tm.shape
        size = self.hidden_size
        check_dout(self, dhs, (n, steps, size))
        dtype = gates.dtype
        f, g, i, o = (gates[..., k * size:(k + 1) * size] for k in range(4))
        # Everything that does not depend on the gradient flowing back, for all steps at
        # once: each gate's slope, σ(1 - σ) for f, i, o and 1 - g² for g, times the factor
        # its block's gradient takes from ds (c_{t-1}, i, g) or from dh (tanh c_t).
        slope = 1 - gates
        slope *= gates
        slope4 = slope.reshape(steps, n, 4, size)
        np.multiply(g, g, out=slope4[:, :, 1])
        np.subtract(1, slope4[:, :, 1], out=slope4[:, :, 1])
        from_ds = np.empty((steps, n, 3, size), dtype)
        np.multiply(cs[:-1], slope4[:, :, 0], out=from_ds[:, :, 0])
        np.multiply(i, slope4[:, :, 1], out=from_ds[:, :, 1])
        np.multiply(g, slope4[:, :, 2], out=from_ds[:, :, 2])
        from_dh = tanh_c * slope4[:, :, 3]
        ds_from_dh = tanh_c * tanh_c  # ∂c_t reached through h_t: o ⊙ (1 - tanh² c_t)
        np.subtract(1, ds_from_dh, out=ds_from_dh)
        ds_from_dh *= o
        dhs_tm = time_major(dhs, dtype)
        da = np.empty((steps, n, 4 * size), dtype)
        da4 = da.reshape(steps, n, 4, size)
        dh, ds = np.empty((n, size), dtype), np.empty((n, size), dtype)
        dc, rec = np.zeros((n, size), dtype), np.zeros((n, size), dtype)
        wh_t = np.ascontiguousarray(self.Wh.T)  # BLAS is twice as fast on it, per step
        for t in reversed(range(steps)):
            np.add(dhs_tm[t], rec, out=dh)
            np.multiply(dh, ds_from_dh[t], out=ds)
            ds += dc
            np.multiply(from_ds[t], ds[:, np.newaxis], out=da4[t, :, :3])
            np.multiply(dh, from_dh[t], out=da4[t, :, 3])
            np.multiply(ds, f[t], out=dc)
            np.matmul(da[t], wh_t, out=rec)
        self.dh, self.dc = rec, dc
        return weight_gradients(self, x_tm, hs[:-1], da)


class TimeBiLSTM(Container):
    """A bidirectional LSTM: one ``TimeLSTM`` reads the sequence forwards, a second one
    reads it backwards, and their hidden states at each position are concatenated.

    xs: (N, T, D) -> (N, T, 2H): [h_t of the forward pass | h_t of the backward pass,
    which has read x_T .. x_t]. Wx1, Wh1, b1 are the forward LSTM's weights, Wx2, Wh2, b2
    the backward one's. A ``Network`` lists them as ``<name>.forward_lstm.Wx``, ...
    """

    def __init__(self, Wx1: np.ndarray, Wh1: np.ndarray, b1: np.ndarray, Wx2: np.ndarray,
                 Wh2: np.ndarray, b2: np.ndarray, stateful: bool = False) -> None:
        who = "TimeBiLSTM"
        h1 = check_weights(who, Wx1, Wh1, (b1,), 4, names=("Wx1", "Wh1", "b1"))
        h2 = check_weights(who, Wx2, Wh2, (b2,), 4, names=("Wx2", "Wh2", "b2"))
        # backward splits dhs at H: both halves of the output must be H wide
        if h1 != h2:
            raise ValueError(f"{who}: both directions need the same hidden size H, but Wh1 has "
                             f"shape {Wh1.shape} (H = {h1}) and Wh2 {Wh2.shape} (H = {h2}); "
                             "draw both directions' weights with one hidden size")
        if Wx1.shape[0] != Wx2.shape[0]:
            raise ValueError(f"{who}: both directions read the same inputs, but Wx1 has "
                             f"{Wx1.shape[0]} rows and Wx2 {Wx2.shape[0]}")
        self.forward_lstm = TimeLSTM(Wx1, Wh1, b1, stateful)
        self.backward_lstm = TimeLSTM(Wx2, Wh2, b2, stateful)
        self.layers = OrderedDict(forward_lstm=self.forward_lstm,
                                  backward_lstm=self.backward_lstm)
        self.name = "TimeBiLSTM"

    def forward(self, xs: np.ndarray) -> np.ndarray:
        """[forward LSTM(xs) | reversed(backward LSTM(reversed xs))]: (N, T, 2H)."""
        if np.ndim(xs) != 3:
            raise ValueError(f"{layer_name(self)} takes a batch of sequences of shape "
                             f"(N, T, D); got an array of shape {np.shape(xs)}")
        ahead = self.forward_lstm.forward(xs)
        back = self.backward_lstm.forward(xs[:, ::-1])
        return np.concatenate((ahead, back[:, ::-1]), axis=2)

    def backward(self, dhs: np.ndarray) -> np.ndarray:
        """dxs (N, T, D), the sum of both directions' input gradients."""
        size = self.forward_lstm.hidden_size
        cache = forward_cache(self, self.forward_lstm.cache)
        check_dout(self, dhs, (cache[0].shape[1], cache[0].shape[0], 2 * size))
        dxs = self.forward_lstm.backward(dhs[:, :, :size])
        dxs += self.backward_lstm.backward(dhs[:, ::-1, size:])[:, ::-1]
        return dxs

    def reset_state(self) -> None:
        """Both directions start from zeros again."""
        self.forward_lstm.reset_state()
        self.backward_lstm.reset_state()
