"""Layers: each one a small class with ``forward`` and ``backward``.

``forward`` computes the layer's output and caches what ``backward`` needs;
``backward(dout)`` takes ∂L/∂out and returns ∂L/∂x, storing the gradients of
the layer's own parameters as ``d<name>`` (``dW``, ``db``, ...). ``backward``
never writes into ``dout``.

Layers with parameters list them in ``param_names``; the arrays are the ones
passed in and are only ever changed in place, so a network's ``params`` dict and
its layers always hold the same arrays. Layers that behave differently while
training set ``uses_train_flg = True`` and take ``forward(x, train_flg)``.
"""

from __future__ import annotations

import numpy as np

from common.functions import (
    binary_cross_entropy_with_logits,
    log_softmax,
    nll_from_log_probs,
    sigmoid,
)


class Relu:
    """out = max(0, x), element-wise; any shape."""

    def __init__(self) -> None:
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """max(0, x); remembers where x > 0."""
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout where the input was positive, 0 elsewhere."""
        return dout * self.mask


class Sigmoid:
    """out = σ(x) = 1 / (1 + exp(-x)), element-wise and overflow-free; any shape."""

    def __init__(self) -> None:
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """σ(x); remembers it, since σ' = σ(1 - σ)."""
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout · σ(x)(1 - σ(x))."""
        return dout * self.out * (1 - self.out)


class Affine:
    """Fully connected layer: out = x W + b.

    W: (D, M), b: (M,). ``forward`` takes x of shape (N, D) or (N, ...) with D
    elements per sample (images are flattened); ``backward`` returns dx in the
    shape x had, and writes dW = xᵀ dout and db = Σ_n dout into arrays of W's and
    b's shapes that are reused by every backward pass (so keep a copy of them if
    you need them after the next one). With ``input_grad=False`` backward skips
    dx (and returns None): a network's first layer never needs the gradient with
    respect to its input, and it is the most expensive product of the backward pass.
    """

    param_names = ("W", "b")

    def __init__(self, W: np.ndarray, b: np.ndarray, input_grad: bool = True) -> None:
        self.W = W
        self.b = b
        self.input_grad = input_grad
        self.x: np.ndarray | None = None
        self.original_x_shape: tuple[int, ...] | None = None
        self.dW = np.zeros_like(W)
        self.db = np.zeros_like(b)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x (N, ...) flattened to (N, D), times W, plus b: (N, M)."""
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        out = self.x @ self.W
        out += self.b
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        """dW = xᵀ dout, db = Σ_n dout; returns dx = dout Wᵀ in x's shape (or None)."""
        # out= also lets NumPy multiply by the transpose xᵀ without a slower generic path
        np.matmul(self.x.T, dout, out=self.dW)
        np.sum(dout, axis=0, out=self.db)
        if not self.input_grad:
            return None
        return (dout @ self.W.T).reshape(self.original_x_shape)


class SoftmaxWithLoss:
    """Softmax followed by the mean cross-entropy loss.

    ``forward(x, t)``: logits x (N, K), labels t as integers (N,) or one-hot (N, K);
    returns L = -1/N Σ_n log softmax(x_n)[t_n], computed with log-sum-exp.
    ``backward(dout=1)`` returns dout · (y - onehot(t)) / N, shape (N, K).
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        """Mean cross-entropy of softmax(x) (N, K) against t; keeps y = softmax(x)."""
        logp = log_softmax(x)
        self.y = np.exp(logp)
        self.t = t
        self.loss = nll_from_log_probs(logp, t)
        return self.loss

    def backward(self, dout: float = 1) -> np.ndarray:
        """dout · (y - onehot(t)) / N, shape (N, K)."""
        n = self.y.shape[0]
        if self.t.ndim == 2:
            dx = self.y - self.t
        else:
            dx = self.y.copy()
            dx[np.arange(n), self.t] -= 1
        dx *= dout / n
        return dx


class SigmoidWithLoss:
    """Sigmoid of a single output unit followed by the mean binary cross-entropy.

    ``forward(x, t)``: logits x of shape (N,) or (N, 1), targets t ∈ {0, 1} of
    shape (N,) or (N, 1); returns L = mean(max(x,0) - x t + log(1 + exp(-|x|))),
    the stable form of -[t log σ(x) + (1-t) log(1-σ(x))].
    ``backward(dout=1)`` returns dout · (σ(x) - t) / N in the shape of x.
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        """Mean binary cross-entropy of σ(x) against t; keeps y = σ(x)."""
        if np.size(t) != x.shape[0] or x.size != x.shape[0]:
            raise ValueError(
                f"SigmoidWithLoss expects one logit and one 0/1 target per sample; got "
                f"logits of shape {x.shape} and targets of shape {np.shape(t)}"
            )
        self.y = sigmoid(x)
        self.t = np.reshape(t, x.shape).astype(x.dtype)
        self.loss = binary_cross_entropy_with_logits(x, self.t)
        return self.loss

    def backward(self, dout: float = 1) -> np.ndarray:
        """dout · (σ(x) - t) / N, in the shape of x."""
        dx = self.y - self.t
        dx *= dout / self.y.shape[0]
        return dx


class Dropout:
    """Inverted dropout: in training, out = x · mask / (1 - p) with mask ~ Bernoulli(1 - p).

    At inference (``train_flg=False``) it is the identity; scaling during
    training keeps the expected activation equal in both modes, which is the
    same network as the book's "multiply by (1 - p) at test time".
    ``rng`` (a ``np.random.Generator`` or a seed) makes the masks reproducible.
    """

    uses_train_flg = True

    def __init__(
        self, dropout_ratio: float = 0.5, rng: np.random.Generator | int | None = None
    ) -> None:
        if not 0 <= dropout_ratio < 1:
            raise ValueError(f"dropout_ratio must be in [0, 1), got {dropout_ratio}")
        self.dropout_ratio = dropout_ratio
        self.rng = np.random.default_rng(rng)
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        """x · mask / (1 - p) while training (a new mask each call), x at inference."""
        if not train_flg:
            self.mask = None
            return x
        keep = 1 - self.dropout_ratio
        self.mask = (self.rng.random(x.shape, dtype=np.float32) < keep) / np.asarray(
            keep, dtype=x.dtype
        )
        return x * self.mask

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout through the same mask."""
        return dout if self.mask is None else dout * self.mask


class BatchNormalization:
    """Batch normalisation: out = γ · (x - μ) / sqrt(σ² + eps) + β, per feature.

    In training (``train_flg=True``) μ and σ² are the batch's mean and variance,
    and the running estimates move towards them:
    running = momentum · running + (1 - momentum) · batch.
    At inference the running estimates are used. x is (N, D) or (N, C, H, W)
    (normalised over the flattened C·H·W features, as in the book); γ, β: (D,).
    """

    uses_train_flg = True
    param_names = ("gamma", "beta")
    buffer_names = ("running_mean", "running_var")

    def __init__(
        self,
        gamma: np.ndarray,
        beta: np.ndarray,
        momentum: float = 0.9,
        running_mean: np.ndarray | None = None,
        running_var: np.ndarray | None = None,
        eps: float = 1e-5,
    ) -> None:
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.eps = eps
        self.running_mean = np.zeros_like(gamma) if running_mean is None else running_mean
        self.running_var = np.ones_like(gamma) if running_var is None else running_var
        self.input_shape: tuple[int, ...] | None = None
        self.xhat: np.ndarray | None = None
        self.inv_std: np.ndarray | None = None
        self.dgamma: np.ndarray | None = None
        self.dbeta: np.ndarray | None = None

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        """γ · x̂ + β with x̂ normalised by batch (training) or running statistics."""
        self.input_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if train_flg:
            mu = x.mean(axis=0)
            var = x.var(axis=0)
            self.running_mean *= self.momentum
            self.running_mean += (1 - self.momentum) * mu
            self.running_var *= self.momentum
            self.running_var += (1 - self.momentum) * var
        else:
            mu, var = self.running_mean, self.running_var
        self.inv_std = 1 / np.sqrt(var + self.eps)
        self.xhat = (x - mu) * self.inv_std
        return (self.gamma * self.xhat + self.beta).reshape(self.input_shape)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Sets dγ, dβ; returns dx in x's shape."""
        dout = dout.reshape(dout.shape[0], -1)
        n = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * self.xhat).sum(axis=0)
        # ∂L/∂x for the batch statistics, folded into one expression:
        # dx = γ/(N σ) · (N dout - Σ dout - x̂ Σ dout·x̂)
        dx = (self.gamma * self.inv_std / n) * (n * dout - self.dbeta - self.xhat * self.dgamma)
        return dx.reshape(self.input_shape)
