"""The gated recurrent unit, one step (``GRU``) and over a sequence (``TimeGRU``), in
PyTorch's formulation (``torch.nn.GRU``), with an input and a recurrent bias:

    r = σ(x·Wx_r + bx_r + h·Wh_r + bh_r)            reset gate
    z = σ(x·Wx_z + bx_z + h·Wh_z + bh_z)            update gate
    n = tanh(x·Wx_n + bx_n + r ⊙ (h·Wh_n + bh_n))   candidate
    h' = (1 - z) ⊙ n + z ⊙ h

Wx: (D, 3H), Wh: (H, 3H), bx, bh: (3H,), column blocks r, z, n: PyTorch's ``weight_ih_l0``
is Wxᵀ, ``weight_hh_l0`` is Whᵀ, ``bias_ih_l0`` bx and ``bias_hh_l0`` bh.
"""

from __future__ import annotations

import numpy as np

from common.functions import sigmoid
from common.layers.base import Layer
from common.layers.recurrent_base import (
    RecurrentState,
    batch_major,
    check_sequence,
    check_step,
    check_weights,
    time_major,
)
from common.validation import check_dout, forward_cache


class GRU(Layer):
    """One GRU step: h_next from x (N, D) and h_prev (N, H), as in the module's formulas.

    ``backward(dh_next)`` stores dWx, dWh, dbx, dbh and returns (dx, dh_prev).
    """

    param_names = ("Wx", "Wh", "bx", "bh")

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, bx: np.ndarray, bh: np.ndarray) -> None:
        self.hidden_size = check_weights("GRU", Wx, Wh, (bx, bh), 3)
        self.Wx, self.Wh, self.bx, self.bh = Wx, Wh, bx, bh
        self.dWx: np.ndarray | None = None
        self.dWh: np.ndarray | None = None
        self.dbx: np.ndarray | None = None
        self.dbh: np.ndarray | None = None
        self.cache: tuple[np.ndarray, ...] | None = None

    def forward(self, x: np.ndarray, h_prev: np.ndarray) -> np.ndarray:
        """h_next = (1 - z) ⊙ n + z ⊙ h_prev: (N, H)."""
        size = self.hidden_size
        check_step(self, x, self.Wx.shape[0], {"h_prev": h_prev}, size)
        ax = x @ self.Wx + self.bx
        ah = h_prev @ self.Wh + self.bh
        rz = sigmoid(ax[:, :2 * size] + ah[:, :2 * size])
        r, z = rz[:, :size], rz[:, size:]
        n = np.tanh(ax[:, 2 * size:] + r * ah[:, 2 * size:])
        self.cache = (x, h_prev, r, z, n, ah[:, 2 * size:])
        return n + z * (h_prev - n)

    def backward(self, dh_next: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(dx, dh_prev)."""
        x, h_prev, r, z, n, ah_n = forward_cache(self, self.cache)
        check_dout(self, dh_next, n.shape)
        dan = dh_next * (1 - z) * (1 - n**2)  # gradient of n's pre-activation
        dar = dan * ah_n * r * (1 - r)
        daz = dh_next * (h_prev - n) * z * (1 - z)
        dax = np.hstack((dar, daz, dan))
        dah = np.hstack((dar, daz, dan * r))
        self.dWx = np.matmul(x.T, dax, out=self.dWx)
        self.dWh = np.matmul(h_prev.T, dah, out=self.dWh)
        self.dbx = np.sum(dax, axis=0, out=self.dbx)
        self.dbh = np.sum(dah, axis=0, out=self.dbh)
        return dax @ self.Wx.T, dh_next * z + dah @ self.Wh.T


class TimeGRU(RecurrentState, Layer):
    """The GRU over a sequence: ``GRU``'s step for t = 1..T, from h_0.

    xs: (N, T, D) -> hs: (N, T, H). h_0 is zeros, the state given by ``set_state(h)``, or
    with ``stateful=True`` the last state of the previous call (the gradient stops there).
    After forward ``h`` is h_T; after ``backward(dhs)`` (dWx, dWh, dbx, dbh stored, dxs
    returned) ``dh`` is ∂L/∂h_0. The input products of all steps are one matrix product.
    """

    param_names = ("Wx", "Wh", "bx", "bh")

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, bx: np.ndarray, bh: np.ndarray,
                 stateful: bool = False) -> None:
        self.init_state(check_weights("TimeGRU", Wx, Wh, (bx, bh), 3), stateful)
        self.Wx, self.Wh, self.bx, self.bh = Wx, Wh, bx, bh
        self.dWx: np.ndarray | None = None
        self.dWh: np.ndarray | None = None
        self.dbx: np.ndarray | None = None
        self.dbh: np.ndarray | None = None
        self.cache: tuple[np.ndarray, ...] | None = None

    def forward(self, xs: np.ndarray) -> np.ndarray:
        """hs (N, T, H), the hidden state after every step."""
        d, size = self.Wx.shape[0], self.hidden_size
        xs = check_sequence(self, xs, d)
        n, steps, _ = xs.shape
        dtype = np.result_type(xs.dtype, self.Wx.dtype)
        x_tm = time_major(xs, dtype)
        ax = np.empty((steps, n, 3 * size), dtype)  # x·Wx + bx, and bh for r and z
        np.matmul(x_tm.reshape(steps * n, d), self.Wx, out=ax.reshape(steps * n, 3 * size))
        ax += self.bx
        ax[..., :2 * size] += self.bh[:2 * size]
        ah = np.empty_like(ax)  # h·Wh, and bh for n
        gates = np.empty_like(ax)  # r, z, n
        hs = np.empty((steps + 1, n, size), dtype)
        hs[0] = self.initial_state(n, dtype)[0]
        r, z, cand = (gates[..., k * size:(k + 1) * size] for k in range(3))
        ah_n = ah[..., 2 * size:]
        for t in range(steps):
            np.matmul(hs[t], self.Wh, out=ah[t])
            ah_n[t] += self.bh[2 * size:]
            gates[t, :, :2 * size] = sigmoid(ax[t, :, :2 * size] + ah[t, :, :2 * size])
            np.multiply(r[t], ah_n[t], out=cand[t])
            cand[t] += ax[t, :, 2 * size:]
            np.tanh(cand[t], out=cand[t])
            np.subtract(hs[t], cand[t], out=hs[t + 1])  # h' = n + z ⊙ (h - n)
            hs[t + 1] *= z[t]
            hs[t + 1] += cand[t]
        self.cache = (x_tm, gates, ah_n, hs)
        self.h = hs[-1].copy()
        return batch_major(hs[1:])

    def backward(self, dhs: np.ndarray) -> np.ndarray:
        """dxs (N, T, D); stores dWx, dWh, dbx, dbh and ``dh`` = ∂L/∂h_0."""
        x_tm, gates, ah_n, hs = forward_cache(self, self.cache)
        steps, n, d = x_tm.shape
        size = self.hidden_size
        check_dout(self, dhs, (n, steps, size))
        dtype = gates.dtype
        r, z, cand = (gates[..., k * size:(k + 1) * size] for k in range(3))
        # the factors dh is multiplied by, for all steps at once
        to_dan = (1 - z) * (1 - cand * cand)  # n's pre-activation
        to_daz = (hs[:-1] - cand) * z * (1 - z)  # z's pre-activation
        dan_to_dar = ah_n * r * (1 - r)  # r's pre-activation, from n's
        dhs_tm = time_major(dhs, dtype)
        dax = np.empty((steps, n, 3 * size), dtype)
        dah = np.empty_like(dax)
        dar, daz, dan = (dax[..., k * size:(k + 1) * size] for k in range(3))
        dh, direct = np.empty((n, size), dtype), np.empty((n, size), dtype)
        rec = np.zeros((n, size), dtype)
        wh_t = np.ascontiguousarray(self.Wh.T)  # BLAS is twice as fast on it, per step
        for t in reversed(range(steps)):
            np.add(dhs_tm[t], rec, out=dh)
            np.multiply(dh, to_dan[t], out=dan[t])
            np.multiply(dh, to_daz[t], out=daz[t])
            np.multiply(dan[t], dan_to_dar[t], out=dar[t])
            dah[t, :, :2 * size] = dax[t, :, :2 * size]
            np.multiply(dan[t], r[t], out=dah[t, :, 2 * size:])
            np.matmul(dah[t], wh_t, out=rec)
            np.multiply(dh, z[t], out=direct)
            rec += direct
        self.dh = rec
        rows_x, rows_h = dax.reshape(steps * n, -1), dah.reshape(steps * n, -1)
        self.dWx = np.matmul(x_tm.reshape(steps * n, d).T, rows_x, out=self.dWx)
        self.dWh = np.matmul(hs[:-1].reshape(steps * n, size).T, rows_h, out=self.dWh)
        self.dbx = np.sum(rows_x, axis=0, out=self.dbx)
        self.dbh = np.sum(rows_h, axis=0, out=self.dbh)
        return batch_major((rows_x @ self.Wx.T).reshape(steps, n, d))
