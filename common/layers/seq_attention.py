"""Attention of a decoder on its encoder's states (the second book's chapter 8).

The encoder leaves one state per input position, hs (N, T, H). A decoder state h (N, H)
asks "which positions matter now?": its dot product with each of them, through a softmax,
gives the weights a (N, T) (``AttentionWeight``), and the context vector is the weighted
sum c = Σ_t a_t hs_t (N, H) (``WeightSum``). ``Attention`` is the two in one;
``TimeAttention`` does it for all T' decoder states of a sequence at once.

Every layer here also takes a stack of queries h (N, T', H) in place of one (N, H): the
weights are then (N, T', T) and the contexts (N, T', H), the same sums computed by one
batched matrix product instead of a loop over the decoder's steps. None has parameters.
"""

from __future__ import annotations

import numpy as np

from common.layers.base import Layer
from common.validation import check_dout, forward_cache, layer_name


def _check_states(layer: object, hs: np.ndarray, h: np.ndarray, h_name: str) -> None:
    """hs must be (N, T, H) and h (N, H) or (N, T', H), with the same N and H."""
    if hs.ndim != 3 or h.ndim not in (2, 3) or h.shape[0] != hs.shape[0] \
            or h.shape[-1] != hs.shape[2]:
        raise ValueError(f"{layer_name(layer)} takes hs of shape (N, T, H) and {h_name} of "
                         f"shape (N, H) or (N, T', H), with the same N and H; got hs "
                         f"{hs.shape} and {h_name} {h.shape}")


def _queries(x: np.ndarray) -> np.ndarray:
    """A single step (N, H) as a stack of one query (N, 1, H); a stack (N, T', H) as it is."""
    return x[:, np.newaxis] if x.ndim == 2 else x


def _as_given(x: np.ndarray, single: bool) -> np.ndarray:
    """(N, 1, ...) back to (N, ...) when the input was a single step."""
    return x[:, 0] if single else x


class AttentionWeight(Layer):
    """How much each encoder state matters to a decoder state: a = softmax_t(hs_t · h).

    ``forward(hs, h)``: hs (N, T, H), h (N, H) -> a (N, T), each row summing to 1 (or h
    (N, T', H) -> a (N, T', T)). ``backward(da)`` returns (dhs, dh): with s the scores
    hs·h, ds = a ⊙ (da - Σ_t da ⊙ a), dhs = dsᵀ h and dh = ds hs.
    """

    def __init__(self) -> None:
        self.hs: np.ndarray | None = None
        self.q: np.ndarray | None = None
        self.a: np.ndarray | None = None  # (N, T', T)
        self.single = False

    def forward(self, hs: np.ndarray, h: np.ndarray) -> np.ndarray:
        """The softmax over t of the dot products hs_t · h: (N, T) (or (N, T', T))."""
        _check_states(self, hs, h, "h")
        self.single = h.ndim == 2
        self.hs, self.q = hs, _queries(h)
        s = self.q @ hs.transpose(0, 2, 1)
        s -= s.max(axis=-1, keepdims=True)  # the max-shift keeps exp from overflowing
        np.exp(s, out=s)
        s /= s.sum(axis=-1, keepdims=True)
        self.a = s
        return _as_given(s, self.single)

    def backward(self, da: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(dhs (N, T, H), dh shaped as h) from da shaped as a."""
        a = forward_cache(self, self.a)
        check_dout(self, da, _as_given(a, self.single).shape)
        da = _queries(da)
        ds = a * (da - np.sum(da * a, axis=-1, keepdims=True))  # the softmax's Jacobian
        dhs = ds.transpose(0, 2, 1) @ self.q
        dh = ds @ self.hs
        return dhs, _as_given(dh, self.single)


class WeightSum(Layer):
    """The context vector: the encoder states weighted by the attention, c = Σ_t a_t hs_t.

    ``forward(hs, a)``: hs (N, T, H), a (N, T) -> c (N, H) (or a (N, T', T) -> c
    (N, T', H)). ``backward(dc)`` returns (dhs, da): dhs = aᵀ dc, da_t = hs_t · dc.
    """

    def __init__(self) -> None:
        self.hs: np.ndarray | None = None
        self.a: np.ndarray | None = None  # (N, T', T)
        self.single = False
        self.out_shape: tuple[int, ...] = ()

    def forward(self, hs: np.ndarray, a: np.ndarray) -> np.ndarray:
        """Σ_t a_t hs_t: (N, H) (or (N, T', H))."""
        if hs.ndim != 3 or a.ndim not in (2, 3) or a.shape[0] != hs.shape[0] \
                or a.shape[-1] != hs.shape[1]:
            raise ValueError(f"{layer_name(self)} takes hs of shape (N, T, H) and weights a "
                             f"of shape (N, T) or (N, T', T), with the same N and T; got hs "
                             f"{hs.shape} and a {a.shape}")
        self.single = a.ndim == 2
        self.hs, self.a = hs, _queries(a)
        c = _as_given(self.a @ hs, self.single)
        self.out_shape = c.shape
        return c

    def backward(self, dc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(dhs (N, T, H), da shaped as a) from dc shaped as c."""
        hs = forward_cache(self, self.hs)
        check_dout(self, dc, self.out_shape)
        dc = _queries(dc)
        dhs = self.a.transpose(0, 2, 1) @ dc
        da = dc @ hs.transpose(0, 2, 1)
        return dhs, _as_given(da, self.single)


class Attention(Layer):
    """``AttentionWeight`` then ``WeightSum``: the context c (N, H) of the encoder states
    hs (N, T, H) for a decoder state h (N, H) (or the contexts (N, T', H) of T' states).

    ``attention_weight`` keeps the last weights a, (N, T) (or (N, T', T)).
    ``backward(dc)`` returns (dhs, dh); hs gets gradient from both paths, the weights and
    the sum.
    """

    def __init__(self) -> None:
        self.weight = AttentionWeight()
        self.sum = WeightSum()
        self.attention_weight: np.ndarray | None = None

    def forward(self, hs: np.ndarray, h: np.ndarray) -> np.ndarray:
        """c = Σ_t softmax_t(hs_t · h) hs_t."""
        _check_states(self, hs, h, "h")
        self.attention_weight = self.weight.forward(hs, h)
        return self.sum.forward(hs, self.attention_weight)

    def backward(self, dc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(dhs (N, T, H), dh shaped as h)."""
        forward_cache(self, self.attention_weight)
        dhs_sum, da = self.sum.backward(dc)
        dhs_weight, dh = self.weight.backward(da)
        return dhs_sum + dhs_weight, dh


class TimeAttention(Attention):
    """``Attention`` for every step of a decoder: ``forward(hs_enc, hs_dec)`` with the
    encoder's states hs_enc (N, T, H) and the decoder's hs_dec (N, T', H) returns the
    contexts (N, T', H), step t' attending with hs_dec[:, t'].

    The steps do not depend on each other (the contexts go to the output, not back into
    the LSTM), so all are computed by batched matrix products, with no loop over t'.
    ``attention_weights`` keeps the last weights, (N, T', T): row t' says how much
    decoder step t' looked at each input position (for heat maps).
    ``backward(dcs)`` returns (dhs_enc, dhs_dec).
    """

    def forward(self, hs_enc: np.ndarray, hs_dec: np.ndarray) -> np.ndarray:
        """The context of every decoder step: (N, T', H)."""
        if hs_dec.ndim != 3:
            raise ValueError(f"{layer_name(self)} takes the decoder's states as a sequence "
                             f"(N, T', H), got shape {hs_dec.shape}; for a single step use "
                             "Attention")
        _check_states(self, hs_enc, hs_dec, "hs_dec")
        return super().forward(hs_enc, hs_dec)

    @property
    def attention_weights(self) -> np.ndarray | None:
        """The weights of the last forward pass, (N, T', T)."""
        return self.attention_weight
