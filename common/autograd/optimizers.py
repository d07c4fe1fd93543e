"""Optimizers of the autograd (the third book's ``dezero.optimizers``) and their hooks.

    optimizer = Adam().setup(model)        # model: a Layer (anything with params())
    optimizer.add_hook(WeightDecay(1e-4))
    ...; loss.backward(); optimizer.update()

``update()`` takes every parameter of the target that has a gradient, lets the hooks see
them all (``WeightDecay`` adds to the gradients, ``ClipGrad`` scales them, ``FreezeParam``
drops some), then changes each in place with ``update_one``: ``param.data`` is never
replaced, so arrays held elsewhere (a layer's, a saved view) see the new values. The
updates use work arrays kept between steps (no temporary arrays) and compute the book's
formulas in the book's order, so they give the book's numbers. ``Optimizer`` and the
saving of the state (``state_dict``, by parameter name) are in ``optimizer_base``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from common.autograd.core import Parameter, Variable
from common.autograd.layers import Layer
from common.autograd.optimizer_base import Optimizer, Scratch, blocks
from common.validation import real_number


class SGD(Optimizer):
    """W ← W − lr · ∂L/∂W."""

    settings = ("lr",)

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__()
        self.lr = real_number(lr, "lr", who="SGD")

    def update_one(self, param: Parameter) -> None:
        """W ← W − lr · g, in place."""
        (tmp,) = self._scratch.get(param.data, 1)
        np.multiply(param.grad.data, self.lr, out=tmp)
        param.data -= tmp


class MomentumSGD(Optimizer):
    """v ← momentum · v − lr · g;  W ← W + v."""

    settings = ("lr", "momentum")
    slots = ("vs",)

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__()
        self.lr = real_number(lr, "lr", who="MomentumSGD")
        self.momentum = real_number(momentum, "momentum", 0, 1, high_open=True,
                                    who="MomentumSGD")

    def update_one(self, param: Parameter) -> None:
        """v ← momentum · v − lr · g;  W ← W + v, in place."""
        v = self._slot("vs", param)
        (tmp,) = self._scratch.get(param.data, 1)
        np.multiply(param.grad.data, self.lr, out=tmp)
        v *= self.momentum
        v -= tmp
        param.data += v


class AdaGrad(Optimizer):
    """h ← h + g ⊙ g;  W ← W − lr · g / (√h + eps)."""

    settings = ("lr", "eps")
    slots = ("hs",)

    def __init__(self, lr: float = 0.001, eps: float = 1e-8) -> None:
        super().__init__()
        self.lr = real_number(lr, "lr", who="AdaGrad")
        self.eps = real_number(eps, "eps", who="AdaGrad")

    def update_one(self, param: Parameter) -> None:
        """h ← h + g²;  W ← W − lr · g / (√h + eps), in place."""
        grad, h = param.grad.data, self._slot("hs", param)
        tmp, step = self._scratch.get(param.data, 2)
        np.multiply(grad, grad, out=tmp)
        h += tmp
        np.sqrt(h, out=tmp)
        tmp += self.eps
        np.multiply(grad, self.lr, out=step)
        step /= tmp
        param.data -= step


class AdaDelta(Optimizer):
    """msg ← ρ·msg + (1−ρ)·g²;  Δ = √((msdx + eps) / (msg + eps)) · g;
    msdx ← ρ·msdx + (1−ρ)·Δ²;  W ← W − Δ (no learning rate)."""

    settings = ("rho", "eps")
    slots = ("msg", "msdx")

    def __init__(self, rho: float = 0.95, eps: float = 1e-6) -> None:
        super().__init__()
        self.rho = real_number(rho, "rho", 0, 1, high_open=True, who="AdaDelta")
        self.eps = real_number(eps, "eps", who="AdaDelta")

    def update_one(self, param: Parameter) -> None:
        """One AdaDelta step, in place."""
        grad, rho, eps = param.grad.data, self.rho, self.eps
        msg, msdx = self._slot("msg", param), self._slot("msdx", param)
        dx, tmp = self._scratch.get(param.data, 2)
        msg *= rho
        np.multiply(grad, 1 - rho, out=tmp)
        tmp *= grad
        msg += tmp
        np.add(msdx, eps, out=dx)
        np.add(msg, eps, out=tmp)
        dx /= tmp
        np.sqrt(dx, out=dx)
        dx *= grad
        msdx *= rho
        np.multiply(dx, 1 - rho, out=tmp)
        tmp *= dx
        msdx += tmp
        param.data -= dx


class Adam(Optimizer):
    """m ← m + (1−β1)(g − m);  v ← v + (1−β2)(g² − v);  W ← W − lr · m / (√v + eps), with
    the bias-corrected lr = alpha · √(1 − β2ᵗ) / (1 − β1ᵗ) at step t (``lr``)."""

    settings = ("alpha", "beta1", "beta2", "eps", "t")
    slots = ("ms", "vs")

    def __init__(self, alpha: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        super().__init__()
        self.t = 0
        self.alpha = real_number(alpha, "alpha", who="Adam")
        self.beta1 = real_number(beta1, "beta1", 0, 1, high_open=True, who="Adam")
        self.beta2 = real_number(beta2, "beta2", 0, 1, high_open=True, who="Adam")
        self.eps = real_number(eps, "eps", who="Adam")

    def update(self) -> None:
        """Count the step (t ← t + 1), then update every parameter."""
        self.t += 1
        super().update()

    @property
    def lr(self) -> float:
        """alpha · √(1 − β2ᵗ) / (1 − β1ᵗ): the step size with Adam's bias correction."""
        fix1 = 1.0 - math.pow(self.beta1, self.t)
        fix2 = 1.0 - math.pow(self.beta2, self.t)
        return self.alpha * math.sqrt(fix2) / fix1

    def update_one(self, param: Parameter) -> None:
        """One Adam step, in place (two work arrays, no temporaries), block by block so that
        its twelve passes find their data in the cache (``blocks``)."""
        lr = self.lr
        ms, vs = self._slot("ms", param), self._slot("vs", param)
        for data, grad, m, v in blocks(param.data, param.grad.data, ms, vs):
            tmp, step = self._scratch.get(data, 2)
            np.subtract(grad, m, out=tmp)
            tmp *= 1 - self.beta1
            m += tmp
            np.multiply(grad, grad, out=tmp)
            tmp -= v
            tmp *= 1 - self.beta2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += self.eps
            np.multiply(m, lr, out=step)
            step /= tmp
            data -= step


def _own_grads(params: Iterable[Parameter]) -> None:
    """Give a parameter that shares its gradient Variable with one before it (the two inputs
    of an Add get the same one) a copy of its own, so a hook that changes gradients in place
    changes each once."""
    seen: set[int] = set()
    for param in params:
        if id(param.grad) in seen:
            param.grad = Variable(param.grad.data.copy())
        seen.add(id(param.grad))


class WeightDecay:
    """L2 regularisation as a hook: g ← g + rate · W for every parameter."""

    def __init__(self, rate: float) -> None:
        self.rate = real_number(rate, "rate", who="WeightDecay")
        self._scratch = Scratch()

    def __call__(self, params: list[Parameter]) -> None:
        """Add rate · W to each gradient, in place."""
        _own_grads(params)
        for param in params:
            for data, grad in blocks(param.data, param.grad.data):
                (tmp,) = self._scratch.get(data, 1)
                np.multiply(data, self.rate, out=tmp)
                grad += tmp


class ClipGrad:
    """Gradient clipping by the global norm: when ‖g‖ = √(Σ g²) over all parameters exceeds
    max_norm, every g ← g · max_norm / (‖g‖ + 1e-6)."""

    def __init__(self, max_norm: float) -> None:
        self.max_norm = real_number(max_norm, "max_norm", who="ClipGrad")

    def __call__(self, params: list[Parameter]) -> None:
        """Scale all gradients together, in place, when their norm is above max_norm."""
        _own_grads(params)
        total = 0.0
        for param in params:
            g = param.grad.data
            total += float((g * g).sum())
        rate = self.max_norm / (math.sqrt(total) + 1e-6)
        if rate < 1:
            for param in params:
                param.grad.data *= rate


class FreezeParam:
    """Keep the parameters of ``layers`` (Layers or Parameters) fixed: their gradients are
    dropped before the update."""

    def __init__(self, *layers: Any) -> None:
        self.freeze_params: list[Parameter] = []
        for layer in layers:
            if isinstance(layer, Parameter):
                self.freeze_params.append(layer)
            elif isinstance(layer, Layer):
                self.freeze_params.extend(layer.params())
            else:
                raise TypeError(f"FreezeParam takes Layers or Parameters, got "
                                f"{type(layer).__name__}")

    def __call__(self, params: list[Parameter]) -> None:
        """Set the gradients of the frozen parameters to None."""
        for param in self.freeze_params:
            param.grad = None
