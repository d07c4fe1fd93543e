"""What the recurrent time layers share: the checks of their weights and inputs, the hidden
state they carry from one call to the next, and the weight gradients of all steps.

A time layer (``TimeRNN``, ``TimeLSTM``, ``TimeGRU``) takes a batch of sequences
xs (N, T, D) and runs one cell over the T steps, starting from an initial state h0 (N, H)
(and, for the LSTM, a cell state c0). That state is the one given by ``set_state`` (for
the next call only), or, for a ``stateful`` layer, the last state of the previous call if
that batch had as many sequences, else zeros. A stateful layer reads a long text in blocks
of T steps (truncated backpropagation through time: the state goes on, the gradient stops
at the block's start).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from common.validation import layer_name


def check_weights(who: str, Wx: Any, Wh: Any, biases: tuple[Any, ...], gates: int,
                  names: tuple[str, str, str] = ("Wx", "Wh", "biases")) -> int:
    """The hidden size H of a cell with ``gates`` blocks: Wx (D, gates·H), Wh (H, gates·H)
    and every bias (gates·H,), all NumPy arrays; a TypeError or ValueError naming ``who``
    and the argument (its ``names``: Wx, Wh, the biases) otherwise."""
    wx_name, wh_name, b_name = names
    for name, value in ((wx_name, Wx), (wh_name, Wh), *((b_name, b) for b in biases)):
        # the layer trains its arrays in place (W -= lr·dW), which it cannot do to a list
        if not isinstance(value, np.ndarray):
            raise TypeError(f"{who}: {name} must be a NumPy array, got a "
                            f"{type(value).__name__}; pass np.array(..., dtype=np.float32)")
    h = np.shape(Wh)[0] if np.ndim(Wh) == 2 else -1
    width = f"{gates}H" if gates > 1 else "H"
    if h < 1 or np.shape(Wh) != (h, gates * h):
        raise ValueError(f"{who} needs {wh_name} of shape (H, {width}), got shape "
                         f"{np.shape(Wh)}")
    if np.ndim(Wx) != 2 or np.shape(Wx)[1] != gates * h:
        raise ValueError(f"{who} needs {wx_name} of shape (D, {width}) = (D, {gates * h}) for "
                         f"{wh_name} of shape {np.shape(Wh)}, got shape {np.shape(Wx)}")
    for b in biases:
        if np.shape(b) != (gates * h,):
            raise ValueError(f"{who} needs {b_name} of shape ({width},) = ({gates * h},), got "
                             f"shape {np.shape(b)}")
    return h


def check_sequence(layer: Any, xs: np.ndarray, d: int) -> np.ndarray:
    """xs as a batch of sequences (N, T, D) with D = ``d`` features per step."""
    xs = np.asarray(xs)
    if xs.ndim != 3:
        hint = (" (for a batch of single steps use xs[:, np.newaxis])" if xs.ndim == 2
                else "")
        raise ValueError(f"{layer_name(layer)} takes a batch of sequences of shape (N, T, {d}); "
                         f"got an array of shape {xs.shape}{hint}")
    if xs.shape[2] != d:
        raise ValueError(f"{layer_name(layer)} expects {d} features per time step (its Wx has "
                         f"{d} rows), got {xs.shape[2]} (input shape {xs.shape})")
    return xs


def check_step(layer: Any, x: np.ndarray, d: int, states: dict[str, np.ndarray],
               h: int) -> None:
    """One step's input x (N, D) and states (N, H) of a cell, checked."""
    who = layer_name(layer)
    if np.ndim(x) != 2 or np.shape(x)[1] != d:
        raise ValueError(f"{who} takes one time step x of shape (N, {d}), got shape "
                         f"{np.shape(x)}")
    for name, s in states.items():
        if np.shape(s) != (np.shape(x)[0], h):
            raise ValueError(f"{who}: {name} must have shape (N, H) = ({np.shape(x)[0]}, {h}) "
                             f"for x of shape {np.shape(x)}, got shape {np.shape(s)}")


def time_major(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """(N, T, ·) -> a contiguous (T, N, ·) copy in ``dtype``: inside a time layer every
    step then reads and writes contiguous rows."""
    return np.array(a.transpose(1, 0, 2), dtype=dtype, order="C")  # always a copy


def batch_major(a: np.ndarray) -> np.ndarray:
    """(T, N, ·) -> a contiguous (N, T, ·) copy."""
    return np.ascontiguousarray(a.transpose(1, 0, 2))


def weight_gradients(layer: Any, x_tm: np.ndarray, h_prev: np.ndarray,
                     da: np.ndarray) -> np.ndarray:
    """The gradients of a time layer with one bias, from the pre-activation gradients
    da (T, N, ·) of all steps, each a single product: layer.dWx = Xᵀ·dA,
    layer.dWh = H_prevᵀ·dA, layer.db = Σ dA; returns dxs = dA·Wxᵀ as (N, T, D).
    x_tm (T, N, D) and h_prev (T, N, H) are the inputs and the states h_0..h_{T-1}."""
    steps, n, d = x_tm.shape
    rows = da.reshape(steps * n, -1)
    layer.dWx = np.matmul(x_tm.reshape(steps * n, d).T, rows, out=layer.dWx)
    layer.dWh = np.matmul(h_prev.reshape(steps * n, -1).T, rows, out=layer.dWh)
    layer.db = np.sum(rows, axis=0, out=layer.db)
    return batch_major((rows @ layer.Wx.T).reshape(steps, n, d))


class RecurrentState:
    """The state a time layer carries between calls: ``h`` (and ``c`` for an LSTM), the
    last state of the last forward call; ``dh`` (and ``dc``), the gradient of the loss with
    respect to the initial state after backward (an encoder passes it back to its own
    layers). Subclasses call ``init_state`` in ``__init__``."""

    #: Whether the cell has a cell state c besides h (the LSTM).
    has_cell = False

    def init_state(self, hidden_size: int, stateful: bool) -> None:
        """No state yet; ``stateful`` layers keep theirs from one forward call to the next."""
        self.hidden_size = hidden_size
        self.stateful = bool(stateful)
        self.h: np.ndarray | None = None
        self.c: np.ndarray | None = None
        self.dh: np.ndarray | None = None
        self.dc: np.ndarray | None = None
        self._state_given = False

    def set_state(self, h: np.ndarray, c: np.ndarray | None = None) -> None:
        """Start the next forward call from h (N, H) (and c (N, H); zeros when None)."""
        who, size = layer_name(self), self.hidden_size
        h = np.asarray(h)
        if h.ndim != 2 or h.shape[1] != size:
            raise ValueError(f"{who}.set_state: h must have shape (N, {size}), one hidden "
                             f"state of size H = {size} per sequence; got shape {h.shape}")
        if c is not None:
            if not self.has_cell:
                raise ValueError(f"{who}.set_state: this layer has no cell state c; pass h "
                                 "only")
            c = np.asarray(c)
            if c.shape != h.shape:
                raise ValueError(f"{who}.set_state: c must have h's shape {h.shape}, got "
                                 f"shape {c.shape}")
        self.h, self.c = h, c
        self._state_given = True

    def reset_state(self) -> None:
        """Forget the carried state: the next forward call starts from zeros."""
        self.h, self.c = None, None
        self._state_given = False

    def initial_state(self, n: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray | None]:
        """(h0, c0) for a batch of n sequences: the state given by ``set_state``, or the
        carried one of a stateful layer (if it is for n sequences), else zeros (c0 is None
        for a cell without c)."""
        size = (n, self.hidden_size)
        given, self._state_given = self._state_given, False
        if given and self.h.shape[0] != n:
            raise ValueError(f"{layer_name(self)}: set_state gave a state for "
                             f"{self.h.shape[0]} sequences, but the batch has {n}")
        # a stateful layer's state goes on while the batch keeps its size; a batch of
        # another size holds other sequences (a summary's single sample, an evaluation)
        carried = given or (self.stateful and self.h is not None and self.h.shape[0] == n)
        if not carried:
            return np.zeros(size, dtype), (np.zeros(size, dtype) if self.has_cell else None)
        h0 = np.array(self.h, dtype=dtype)
        if not self.has_cell:
            return h0, None
        c0 = np.zeros(size, dtype) if self.c is None else np.array(self.c, dtype=dtype)
        return h0, c0
