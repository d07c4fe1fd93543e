"""Plain and momentum gradient descent: SGD, Momentum, Nesterov (the book's chapter 6)."""

from __future__ import annotations

from common.optim.base import Params, Stateful, checked_items, optimizer, slot


@optimizer
class SGD(Stateful):
    """Stochastic gradient descent: W ← W - lr · ∂L/∂W."""

    settings = ("lr",)

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr=lr)

    def update(self, params: Params, grads: Params) -> None:
        """One step on every array of ``params`` (in place), with ``grads`` of the same keys
        (or two lists in the same order, the second book's ``model.params, model.grads``)."""
        for _key, param, g in checked_items(self, params, grads):
            param -= self.lr * g


@optimizer
class Momentum(Stateful):
    """Momentum SGD: v ← momentum · v - lr · ∂L/∂W;  W ← W + v."""

    settings = ("lr", "momentum")
    ratios = ("momentum",)
    slots = ("v",)
    v: Params

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr=lr, momentum=momentum)

    def update(self, params: Params, grads: Params) -> None:
        """One step on every array of ``params`` (in place), with ``grads`` of the same keys
        (or two lists in the same order, the second book's ``model.params, model.grads``)."""
        for key, param, g in checked_items(self, params, grads):
            v = slot(self.v, key, param)
            v *= self.momentum
            v -= self.lr * g
            param += v


@optimizer
class Nesterov(Momentum):
    """Nesterov's accelerated gradient, in the form that needs only the current gradient:

    v ← momentum · v - lr · g;  W ← W + momentum · v - lr · g   (g = ∂L/∂W).
    """

    def update(self, params: Params, grads: Params) -> None:
        """One step on every array of ``params`` (in place), with ``grads`` of the same keys
        (or two lists in the same order, the second book's ``model.params, model.grads``)."""
        for key, param, g in checked_items(self, params, grads):
            v = slot(self.v, key, param)
            step = self.lr * g
            v *= self.momentum
            v -= step
            param += self.momentum * v
            param -= step
