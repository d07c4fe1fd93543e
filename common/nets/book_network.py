"""``BookNetwork``: a network of the first book, trained by ``gradient(x, t)``, as a model of
the training loop (``forward(x, t)`` -> loss, ``backward()``, ``params`` and ``grads``):
how the first book's ``Trainer`` (``common.training.trainer``) trains the library's networks
and the book's own classes (``TwoLayerNet``, ...). The second book's models, whose
``params`` and ``grads`` are lists, have ``ListView`` (``common.nets.list_model``)."""

from __future__ import annotations

from typing import Any

import numpy as np


class BookNetwork:
    """A network as the first book's ``Trainer`` trains it, by ``gradient(x, t)`` (which a
    subclass may override): ``forward(x, t)`` runs ``gradient`` and returns the loss of
    that pass, ``grads`` are its gradients. The book's own classes keep no ``last_loss``
    or ``buffers`` and call their loss layer ``lastLayer``: this is where their
    differences are read, once."""

    def __init__(self, network: Any) -> None:
        self.network, self.params = network, network.params
        self.buffers = getattr(network, "buffers", {})  # running statistics (batch norm)
        # the book's chapter 5 calls its loss layer lastLayer
        self.last_layer = getattr(network, "last_layer", None) or network.lastLayer
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        """The loss of x against t, its gradients kept in ``grads``."""
        self.grads = self.network.gradient(x, t)
        loss = getattr(self.network, "last_loss", None)
        if loss is None:  # the book's classes leave it in their loss layer, without decay
            decayed = getattr(self.network, "weight_decay_lambda", 0)
            loss = self.network.loss(x, t) if decayed else self.last_layer.loss
        return float(loss)

    def backward(self) -> None:
        """Nothing left to do: ``forward`` ran the book's ``gradient``."""
