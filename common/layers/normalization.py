"""Layer normalisation: every vector normalised over its own features."""

from __future__ import annotations

import numpy as np

from common.checks import check_dout, forward_cache, layer_name


class LayerNorm:
    """out = γ · (x - μ) / sqrt(σ² + eps) + β, with μ, σ² the mean and variance of each
    vector over the last axis.

    x: (..., D) of any rank; γ, β: (D,). Unlike batch normalisation it needs no batch
    statistics, so training and inference are the same. Without β (``beta=None``, as
    GPT's layers without biases) the shift is left out.
    """

    def __init__(self, gamma: np.ndarray, beta: np.ndarray | None = None,
                 eps: float = 1e-5) -> None:
        self.gamma = gamma
        self.beta = beta
        self.eps = eps
        self.param_names = ("gamma",) if beta is None else ("gamma", "beta")
        self.xhat: np.ndarray | None = None
        self.rstd: np.ndarray | None = None
        self.dgamma = np.zeros_like(gamma)
        self.dbeta = None if beta is None else np.zeros_like(beta)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """γ · x̂ + β with x̂ = (x - μ) / sqrt(σ² + eps); keeps x̂ and 1/sqrt(σ² + eps)."""
        d = self.gamma.shape[0]
        if x.ndim < 1 or x.shape[-1] != d:
            raise ValueError(f"{layer_name(self)} normalises vectors of {d} features, got x "
                             f"of shape {x.shape}")
        xc = x - x.mean(axis=-1, keepdims=True)
        var = np.mean(xc * xc, axis=-1, keepdims=True)
        self.rstd = 1 / np.sqrt(var + np.asarray(self.eps, dtype=x.dtype))
        self.xhat = xc * self.rstd
        out = self.xhat * self.gamma
        if self.beta is not None:
            out += self.beta
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dγ = Σ dout·x̂, dβ = Σ dout; dx = (g - mean(g) - x̂·mean(g·x̂)) / sqrt(σ² + eps)
        with g = γ·dout, the means over the features of each vector."""
        xhat = forward_cache(self, self.xhat)
        check_dout(self, dout, xhat.shape)
        d = xhat.shape[-1]
        rows, flat = dout.reshape(-1, d), xhat.reshape(-1, d)
        np.einsum("nd,nd->d", rows, flat, out=self.dgamma)
        if self.dbeta is not None:
            np.sum(rows, axis=0, out=self.dbeta)
        g = dout * self.gamma
        dx = g - g.mean(axis=-1, keepdims=True)
        dx -= xhat * np.mean(g * xhat, axis=-1, keepdims=True)
        dx *= self.rstd
        return dx
