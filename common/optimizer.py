"""Gradient-descent optimizers with the book's interface: ``update(params, grads)``.

``params`` and ``grads`` are dicts of arrays with the same keys. ``update``
changes every array of ``params`` in place, so the layers holding those arrays
see the new values. Per-parameter state (velocities, moment estimates) is
created on the first update, with the parameter's shape and dtype.
"""

from __future__ import annotations

import inspect
import math
import numbers
from typing import Any

import numpy as np

Params = dict[str, np.ndarray]


def _checked(optimizer: Any, params: Params, grads: Params) -> Any:
    """``params.items()``, once every parameter has a gradient of its shape (else a
    ValueError that says which): no parameter is changed by an update that cannot finish."""
    who = f"{type(optimizer).__name__}.update"
    for key, param in params.items():
        if key not in grads:
            raise ValueError(f"{who}: grads has no {key!r}; params and grads need the same "
                             f"keys (params: {', '.join(params)}; grads: {', '.join(grads)})")
        if np.shape(grads[key]) != param.shape:
            raise ValueError(f"{who}: the gradient of {key!r} has shape "
                             f"{np.shape(grads[key])}, but the parameter has shape {param.shape}")
    return params.items()


def _check_settings(optimizer: Any, lr: float, **ratios: float) -> None:
    """Raise ValueError unless lr is a finite number >= 0 and every ratio lies in [0, 1)."""
    name = type(optimizer).__name__
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 <= lr < math.inf:
        raise ValueError(f"{name}: the learning rate lr must be a number >= 0, got {lr!r}")
    for key, value in ratios.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
            raise ValueError(f"{name}: {key} must be a number in [0, 1), got {value!r}")


def _state(store: Params, key: str, like: np.ndarray) -> np.ndarray:
    """``store[key]``, created as zeros shaped like ``like`` the first time it is asked for."""
    if key not in store:
        store[key] = np.zeros_like(like)
    return store[key]


class SGD:
    """Stochastic gradient descent: W ← W - lr · ∂L/∂W."""

    def __init__(self, lr: float = 0.01) -> None:
        _check_settings(self, lr)
        self.lr = lr

    def update(self, params: Params, grads: Params) -> None:
        """One step on every array of ``params`` (in place), with ``grads`` of the same keys."""
        for key, param in _checked(self, params, grads):
            param -= self.lr * grads[key]


class Momentum:
    """Momentum SGD: v ← momentum · v - lr · ∂L/∂W;  W ← W + v."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        _check_settings(self, lr, momentum=momentum)
        self.lr = lr
        self.momentum = momentum
        self.v: Params = {}

    def update(self, params: Params, grads: Params) -> None:
        """One step on every array of ``params`` (in place), with ``grads`` of the same keys."""
        for key, param in _checked(self, params, grads):
            v = _state(self.v, key, param)
            v *= self.momentum
            v -= self.lr * grads[key]
            param += v


class Nesterov(Momentum):
    """Nesterov's accelerated gradient, in the form that needs only the current gradient:

    v ← momentum · v - lr · g;  W ← W + momentum · v - lr · g   (g = ∂L/∂W).
    """

    def update(self, params: Params, grads: Params) -> None:
        """One step on every array of ``params`` (in place), with ``grads`` of the same keys."""
        for key, param in _checked(self, params, grads):
            v = _state(self.v, key, param)
            step = self.lr * grads[key]
            v *= self.momentum
            v -= step
            param += self.momentum * v
            param -= step


class AdaGrad:
    """AdaGrad: h ← h + g²;  W ← W - lr · g / (sqrt(h) + 1e-7)   (g = ∂L/∂W)."""

    def __init__(self, lr: float = 0.01, eps: float = 1e-7) -> None:
        _check_settings(self, lr)
        self.lr = lr
        self.eps = eps
        self.h: Params = {}
        self.tmp: Params = {}

    def update(self, params: Params, grads: Params) -> None:
        """One step on every array of ``params`` (in place), with ``grads`` of the same keys."""
        for key, param in _checked(self, params, grads):
            g, h, tmp = grads[key], _state(self.h, key, param), _state(self.tmp, key, param)
            np.multiply(g, g, out=tmp)
            h += tmp
            _scaled_step(param, g, h, self.lr, self.eps, tmp)


class RMSprop:
    """RMSprop: h ← ρ h + (1 - ρ) g²;  W ← W - lr · g / (sqrt(h) + 1e-7)   (ρ = decay_rate)."""

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-7) -> None:
        _check_settings(self, lr, decay_rate=decay_rate)
        self.lr = lr
        self.decay_rate = decay_rate
        self.eps = eps
        self.h: Params = {}
        self.tmp: Params = {}

    def update(self, params: Params, grads: Params) -> None:
        """One step on every array of ``params`` (in place), with ``grads`` of the same keys."""
        for key, param in _checked(self, params, grads):
            g, h, tmp = grads[key], _state(self.h, key, param), _state(self.tmp, key, param)
            np.multiply(g, g, out=tmp)
            tmp -= h
            tmp *= 1 - self.decay_rate
            h += tmp  # h + (1-ρ)(g² - h) = ρ h + (1-ρ) g²
            _scaled_step(param, g, h, self.lr, self.eps, tmp)


class Adam:
    """Adam (Kingma & Ba 2015), with the bias corrections folded into the step size:

    m ← m + (1-β1)(g - m);  v ← v + (1-β2)(g² - v);
    W ← W - lr · sqrt(1-β2ᵗ)/(1-β1ᵗ) · m / (sqrt(v) + 1e-7).
    """

    def __init__(
        self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7
    ) -> None:
        _check_settings(self, lr, beta1=beta1, beta2=beta2)
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.iter = 0
        self.m: Params = {}
        self.v: Params = {}
        self.tmp: Params = {}

    def update(self, params: Params, grads: Params) -> None:
        """One step on every array of ``params`` (in place), with ``grads`` of the same keys."""
        self.iter += 1
        # a Python float, so that float32 parameters are not promoted to float64
        lr_t = self.lr * math.sqrt(1 - self.beta2**self.iter) / (1 - self.beta1**self.iter)
        for key, param in _checked(self, params, grads):
            g, tmp = grads[key], _state(self.tmp, key, param)
            m, v = _state(self.m, key, param), _state(self.v, key, param)
            np.subtract(g, m, out=tmp)
            tmp *= 1 - self.beta1
            m += tmp  # m + (1-β1)(g - m)
            np.multiply(g, g, out=tmp)
            tmp -= v
            tmp *= 1 - self.beta2
            v += tmp  # v + (1-β2)(g² - v)
            _scaled_step(param, m, v, lr_t, self.eps, tmp)


def _scaled_step(param: np.ndarray, step: np.ndarray, h: np.ndarray, lr: float, eps: float,
                 tmp: np.ndarray) -> None:
    """W ← W - lr · step / (sqrt(h) + eps), in place, with ``tmp`` as the only scratch array.

    The adaptive optimizers share this last line; writing it with ``out=`` keeps
    the update free of temporary arrays, which matters for a 160k-weight layer
    updated hundreds of times per epoch.
    """
    np.sqrt(h, out=tmp)
    tmp += eps
    np.divide(step, tmp, out=tmp)
    tmp *= lr
    param -= tmp


class StepDecay:
    """A learning-rate step: wraps an optimizer, and from update ``decay_at + 1`` on
    multiplies its ``lr`` by ``factor`` (once): lr_t = lr · factor^[t > decay_at].

    With a constant step, Adam keeps jumping around the minimum it has found; a
    smaller step for the last epochs lets it settle. Anything that accepts an
    optimizer (the Trainer) accepts this one.
    """

    def __init__(self, optimizer: Any, decay_at: int, factor: float = 0.1) -> None:
        self.optimizer = optimizer
        self.decay_at = decay_at
        self.factor = factor
        self.updates = 0

    @property
    def lr(self) -> float:
        """The learning rate the wrapped optimizer uses now."""
        return self.optimizer.lr

    def update(self, params: Params, grads: Params) -> None:
        """One step on every array of ``params`` (in place), with ``grads`` of the same keys."""
        if self.updates == self.decay_at:
            self.optimizer.lr *= self.factor
        self.optimizer.update(params, grads)
        self.updates += 1


OPTIMIZERS = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}


def make_optimizer(name: str, **params: float) -> Any:
    """Build an optimizer from its name (case-insensitive: 'sgd', 'Adam', ...) and settings."""
    try:
        cls = OPTIMIZERS[name.lower()]
    except KeyError:
        raise ValueError(
            f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}"
        ) from None
    accepted = list(inspect.signature(cls).parameters)
    unknown = [key for key in params if key not in accepted]
    if unknown:
        raise ValueError(f"{cls.__name__} has no setting {', '.join(map(repr, unknown))}; "
                         f"it takes: {', '.join(accepted)}")
    return cls(**params)
