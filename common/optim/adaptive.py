"""Optimizers with a step size per weight: AdaGrad, RMSprop, Adam and AdamW."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from common.optim.base import (
    Params,
    Stateful,
    checked_items,
    optimizer,
    scaled_step,
    slot,
)
from common.validation import real_number


@optimizer
class AdaGrad(Stateful):
    """AdaGrad: h ← h + g²;  W ← W - lr · g / (sqrt(h) + 1e-7)   (g = ∂L/∂W)."""

    settings = ("lr", "eps")
    slots = ("h",)
    h: Params

    def __init__(self, lr: float = 0.01, eps: float = 1e-7) -> None:
        super().__init__(lr=lr, eps=eps)

    def update(self, params: Params, grads: Params) -> None:
        """One step on every array of ``params`` (in place), with ``grads`` of the same keys
        (or two lists in the same order, the second book's ``model.params, model.grads``)."""
        for key, param, g in checked_items(self, params, grads):
            h, tmp = slot(self.h, key, param), slot(self.tmp, key, param)
            np.multiply(g, g, out=tmp)
            h += tmp
            scaled_step(param, g, h, self.lr, self.eps, tmp)


@optimizer
class RMSprop(Stateful):
    """RMSprop: h ← ρ h + (1 - ρ) g²;  W ← W - lr · g / (sqrt(h) + 1e-7)   (ρ = decay_rate)."""

    settings = ("lr", "decay_rate", "eps")
    ratios = ("decay_rate",)
    slots = ("h",)
    h: Params

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-7) -> None:
        super().__init__(lr=lr, decay_rate=decay_rate, eps=eps)

    def update(self, params: Params, grads: Params) -> None:
        """One step on every array of ``params`` (in place), with ``grads`` of the same keys
        (or two lists in the same order, the second book's ``model.params, model.grads``)."""
        for key, param, g in checked_items(self, params, grads):
            h, tmp = slot(self.h, key, param), slot(self.tmp, key, param)
            np.multiply(g, g, out=tmp)
            tmp -= h
            tmp *= 1 - self.decay_rate
            h += tmp  # h + (1-ρ)(g² - h) = ρ h + (1-ρ) g²
            scaled_step(param, g, h, self.lr, self.eps, tmp)


def _update_moments(g: np.ndarray, m: np.ndarray, v: np.ndarray, beta1: float, beta2: float,
                    tmp: np.ndarray) -> None:
    """Adam's moving averages, in place: m ← m + (1-β1)(g - m);  v ← v + (1-β2)(g² - v)."""
    np.subtract(g, m, out=tmp)
    tmp *= 1 - beta1
    m += tmp
    np.multiply(g, g, out=tmp)
    tmp -= v
    tmp *= 1 - beta2
    v += tmp


@optimizer
class Adam(Stateful):
    """Adam (Kingma & Ba 2015), with the bias corrections folded into the step size:

    m ← m + (1-β1)(g - m);  v ← v + (1-β2)(g² - v);
    W ← W - lr · sqrt(1-β2ᵗ)/(1-β1ᵗ) · m / (sqrt(v) + 1e-7).
    """

    settings = ("lr", "beta1", "beta2", "eps", "iter")
    ratios = ("beta1", "beta2")
    slots = ("m", "v")
    m: Params
    v: Params

    def __init__(
        self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7
    ) -> None:
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps, iter=0)

    def update(self, params: Params, grads: Params) -> None:
        """One step on every array of ``params`` (in place), with ``grads`` of the same keys
        (or two lists in the same order, the second book's ``model.params, model.grads``)."""
        self.iter += 1
        # a Python float, so that float32 parameters are not promoted to float64
        lr_t = self.lr * math.sqrt(1 - self.beta2**self.iter) / (1 - self.beta1**self.iter)
        for key, param, g in checked_items(self, params, grads):
            tmp = slot(self.tmp, key, param)
            m, v = slot(self.m, key, param), slot(self.v, key, param)
            _update_moments(g, m, v, self.beta1, self.beta2, tmp)
            scaled_step(param, m, v, lr_t, self.eps, tmp)


def decay_matrices(key: str, param: np.ndarray) -> bool:
    """AdamW's default choice of the parameters to decay: those with two or more dimensions
    (weight matrices, embeddings, filters), never biases or LayerNorm/BatchNorm gains."""
    return param.ndim >= 2


@optimizer
class AdamW(Stateful):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019), as PyTorch's AdamW:

    W ← W - lr·λ·W   (only the parameters ``decay(key, W)`` chooses);
    m ← β1 m + (1-β1) g;  v ← β2 v + (1-β2) g²;
    W ← W - lr/(1-β1ᵗ) · m / (sqrt(v)/sqrt(1-β2ᵗ) + eps).

    Unlike an L2 penalty added to the loss (``weight_decay_lambda``), the decay does not
    pass through the moment estimates, so every decayed weight shrinks by the same
    fraction lr·λ per step whatever its gradient's scale. ``decay`` is a function
    (key, param) -> bool; the default, ``decay_matrices``, decays parameters with
    ``ndim >= 2``. Pass your own, e.g. ``decay=lambda key, p: key.startswith('W')``.
    """

    settings = ("lr", "beta1", "beta2", "weight_decay", "eps", "iter")
    ratios = ("beta1", "beta2")
    slots = ("m", "v")
    m: Params
    v: Params

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        weight_decay: float = 0.01,
        eps: float = 1e-8,
        decay: Callable[[str, np.ndarray], bool] | None = None,
    ) -> None:
        for name, value in (("weight_decay", weight_decay), ("eps", eps)):
            real_number(value, name, who="AdamW")
        if decay is not None and not callable(decay):
            raise ValueError(f"AdamW: decay must be a function (key, param) -> bool choosing "
                             f"the parameters to decay, got {decay!r}")
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps,
                         iter=0)
        self.decay = decay_matrices if decay is None else decay

    def update(self, params: Params, grads: Params) -> None:
        """One step on every array of ``params`` (in place), with ``grads`` of the same keys
        (or two lists in the same order, the second book's ``model.params, model.grads``)."""
        self.iter += 1
        # Python floats, so that float32 parameters stay float32
        step_size = self.lr / (1 - self.beta1**self.iter)
        root_correction = 1 / math.sqrt(1 - self.beta2**self.iter)
        shrink = 1 - self.lr * self.weight_decay
        for key, param, g in checked_items(self, params, grads):
            tmp = slot(self.tmp, key, param)
            m, v = slot(self.m, key, param), slot(self.v, key, param)
            if self.weight_decay and self.decay(key, param):
                param *= shrink
            _update_moments(g, m, v, self.beta1, self.beta2, tmp)
            np.sqrt(v, out=tmp)
            tmp *= root_correction
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= step_size
            param -= tmp
