"""Gradient-descent optimizers with the book's interface: ``update(params, grads)``.

``params`` and ``grads`` are dicts of arrays with the same keys. ``update``
changes every array of ``params`` in place, so the layers holding those arrays
see the new values. Per-parameter state (velocities, moment estimates) is
created on the first update, with the parameter's shape and dtype.
"""

from __future__ import annotations

import math

import numpy as np

Params = dict[str, np.ndarray]


class SGD:
    """Stochastic gradient descent: W ← W - lr · ∂L/∂W."""

    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr

    def update(self, params: Params, grads: Params) -> None:
        for key, param in params.items():
            param -= self.lr * grads[key]


class Momentum:
    """Momentum SGD: v ← momentum · v - lr · ∂L/∂W;  W ← W + v."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        self.lr = lr
        self.momentum = momentum
        self.v: Params = {}

    def update(self, params: Params, grads: Params) -> None:
        for key, param in params.items():
            v = self.v.setdefault(key, np.zeros_like(param))
            v *= self.momentum
            v -= self.lr * grads[key]
            param += v


class Nesterov(Momentum):
    """Nesterov's accelerated gradient, in the form that needs only the current gradient:

    v ← momentum · v - lr · g;  W ← W + momentum · v - lr · g   (g = ∂L/∂W).
    """

    def update(self, params: Params, grads: Params) -> None:
        for key, param in params.items():
            v = self.v.setdefault(key, np.zeros_like(param))
            step = self.lr * grads[key]
            v *= self.momentum
            v -= step
            param += self.momentum * v
            param -= step


class AdaGrad:
    """AdaGrad: h ← h + g²;  W ← W - lr · g / (sqrt(h) + 1e-7)   (g = ∂L/∂W)."""

    def __init__(self, lr: float = 0.01, eps: float = 1e-7) -> None:
        self.lr = lr
        self.eps = eps
        self.h: Params = {}

    def update(self, params: Params, grads: Params) -> None:
        for key, param in params.items():
            g = grads[key]
            h = self.h.setdefault(key, np.zeros_like(param))
            h += g * g
            param -= self.lr * g / (np.sqrt(h) + self.eps)


class RMSprop:
    """RMSprop: h ← ρ h + (1 - ρ) g²;  W ← W - lr · g / (sqrt(h) + 1e-7)   (ρ = decay_rate)."""

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-7) -> None:
        self.lr = lr
        self.decay_rate = decay_rate
        self.eps = eps
        self.h: Params = {}

    def update(self, params: Params, grads: Params) -> None:
        for key, param in params.items():
            g = grads[key]
            h = self.h.setdefault(key, np.zeros_like(param))
            h *= self.decay_rate
            h += (1 - self.decay_rate) * g * g
            param -= self.lr * g / (np.sqrt(h) + self.eps)


class Adam:
    """Adam (Kingma & Ba 2015), with the bias corrections folded into the step size:

    m ← m + (1-β1)(g - m);  v ← v + (1-β2)(g² - v);
    W ← W - lr · sqrt(1-β2ᵗ)/(1-β1ᵗ) · m / (sqrt(v) + 1e-7).
    """

    def __init__(
        self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7
    ) -> None:
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.iter = 0
        self.m: Params = {}
        self.v: Params = {}

    def update(self, params: Params, grads: Params) -> None:
        self.iter += 1
        # a Python float, so that float32 parameters are not promoted to float64
        lr_t = self.lr * math.sqrt(1 - self.beta2**self.iter) / (1 - self.beta1**self.iter)
        for key, param in params.items():
            g = grads[key]
            m = self.m.setdefault(key, np.zeros_like(param))
            v = self.v.setdefault(key, np.zeros_like(param))
            m += (1 - self.beta1) * (g - m)
            v += (1 - self.beta2) * (g * g - v)
            param -= lr_t * m / (np.sqrt(v) + self.eps)


OPTIMIZERS = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}


def make_optimizer(name: str, **params: float):
    """Build an optimizer from its name (case-insensitive: 'sgd', 'Adam', ...) and settings."""
    try:
        cls = OPTIMIZERS[name.lower()]
    except KeyError:
        raise ValueError(
            f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}"
        ) from None
    return cls(**params)
