"""A general network: an ordered stack of layers topped by a loss layer.

    net = Network([Affine(W1, b1), Relu(), Affine(W2, b2)], SoftmaxWithLoss())
    grads = net.gradient(x, t)          # backprop through the layers in reverse
    SGD(lr=0.1).update(net.params, grads)

No subclassing is needed: any object with ``forward``/``backward`` is a layer (it is taken
through ``common.layers.base.as_layer``, once, when the network is built). What needs
only the parameters (save/load, float64 twins and central differences for gradient checks,
the parameter count) is ``common.nets.parameters.LayeredModel``'s, which ``Network``
extends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from common.layers.base import as_layer, layer_forward, named_layers
from common.nets.parameters import LayeredModel
from common.validation import check_binary_targets, check_labels, labels_of


def _network_input(network: Network, x: Any) -> np.ndarray:
    """x as the first layer takes it: integer ids stay integers for a layer that takes ids
    (``Embedding``: ``takes_ids``), anything else is cast to the parameters' dtype."""
    first = next(iter(network.layers.values()), None)
    if first is not None and first.takes_ids:
        return np.asarray(x)
    return np.asarray(x, dtype=network.dtype)


class Network(LayeredModel):
    """A feed-forward network: ``layers`` applied in order, then ``last_layer`` (the loss).

    ``layers`` is an OrderedDict name -> layer, or a list of layers, then named as the
    book numbers them (``common.layers.base.named_layers``): the layers holding parameters
    in one sequence (``Conv1``, ``Relu1``, ``Pool1``, ``Affine2``, ``Relu2``, ``Affine3``).
    Parameters of a layer named ``Affine2`` appear in ``params`` as ``W2`` and ``b2``, as in
    the book, and ``params`` holds the very arrays the layers use. ``weight_decay_lambda`` adds
    λ/2 · Σ ||W||² over every weight array (two or more dimensions: ``W`` of Affine and
    Convolution, ``W_qkv``, embeddings; not biases or batch-norm scales) to the loss and
    λ·W to its gradient. From ``LayeredModel``: ``numerical_gradient``, ``in_float64``,
    ``save_params``, ``load_params``, ``architecture``, ``parameter_count``, ``dtype``.
    """

    #: One sample's shape (a conv net's (C, H, W)) or size (a fully connected net's D),
    #: which ``summary`` shows a forward pass of when it is not given one; None: unknown.
    input_dim: tuple[int, ...] | None = None
    input_size: int | None = None

    def __init__(
        self,
        layers: Mapping[str, Any] | Iterable[Any],
        last_layer: Any,
        weight_decay_lambda: float = 0.0,
    ) -> None:
        if isinstance(layers, Mapping):
            layers = {name: as_layer(layer, f"layer {name!r}") for name, layer in layers.items()}
        else:
            layers = [as_layer(layer, f"layer {i}") for i, layer in enumerate(layers, 1)]
        self.layers = named_layers(layers)
        for name, layer in self.layers.items():
            # a layer's error messages name it as the network does: 'Affine2', not 'Affine'
            layer.name = name
        self.last_layer = as_layer(last_layer, "the loss layer (last_layer)")
        self.weight_decay_lambda = weight_decay_lambda
        self.last_loss: float | None = None
        self.grads: dict[str, np.ndarray] = {}  # the gradients of the last backward
        # a loss layer may hold weights too (negative sampling's output embedding): they
        # join params under its name ('out.W'), 'loss' unless it was given one
        last_name = self.last_layer.name or "loss"
        super().__init__([*self.layers.items(), (last_name, last_layer)])
        # weight decay applies to the weight arrays, not to biases or batch-norm scales (the
        # rule AdamW uses by default)
        self._decayed_keys = [key for key, param in self.params.items() if param.ndim >= 2]

    def predict(self, x: np.ndarray, train_flg: bool = False) -> np.ndarray:
        """Scores (logits) of the last layer before the loss: (N, ...) -> (N, K).

        A 1-D x is taken as one sample: its scores (K,) are returned.
        """
        x = _network_input(self, x)
        if x.ndim == 1:
            return self.predict(x[np.newaxis], train_flg)[0]
        for name, layer in self.layers.items():
            try:
                x = layer_forward(layer, x, train_flg)
            except ValueError as err:
                if str(err).startswith(name):
                    raise
                # the layer says what is wrong; the network says which of its layers it is
                raise ValueError(f"layer {name!r}: {err}") from None
        return x

    def weight_decay(self) -> float:
        """The L2 penalty λ/2 · Σ ||W||² over all weight matrices (0 without decay)."""
        if not self.weight_decay_lambda:
            return 0.0
        squares = sum(float(np.vdot(self.params[key], self.params[key]))
                      for key in self._decayed_keys)
        return 0.5 * self.weight_decay_lambda * squares

    def loss(self, x: np.ndarray, t: np.ndarray, train_flg: bool = False) -> float:
        """The loss of the last layer on predict(x) plus the weight-decay penalty."""
        return self.last_layer.forward(self.predict(x, train_flg), t) + self.weight_decay()

    #: Samples per forward pass in ``accuracy`` and ``predict_batched``: large batches are
    #: fast, but the memory a forward pass needs grows with them (conv nets set less).
    eval_batch_size = 10000

    def accuracy(self, x: np.ndarray, t: np.ndarray, batch_size: int | None = None) -> float:
        """Fraction of samples classified correctly, evaluated in batches of ``batch_size``
        (default ``eval_batch_size``).

        t: labels (N,) or one-hot (N, K). A single output unit is read as a binary
        classifier (class 1 when its logit is positive), otherwise the argmax wins.
        A 1-D x is one sample (with one label). Labels that cannot belong to x (another
        count, out of range, not integers) raise ValueError, as an empty x does.
        """
        x = np.asarray(x)
        if x.ndim == 1:
            x, t = x[np.newaxis], np.reshape(t, (1, -1))
        if len(x) == 0:
            raise ValueError("accuracy of no samples is undefined: x is empty")
        scores = self.predict_batched(x, batch_size)
        if scores.ndim == 1 or scores.shape[1] == 1:
            labels = check_binary_targets(t, len(scores), "accuracy: t")
            predicted = (scores.ravel() > 0).astype(labels.dtype)
        else:
            labels = labels_of(check_labels(t, len(scores), scores.shape[1], "accuracy: t"))
            predicted = scores.argmax(axis=1)
        return int(np.sum(predicted == labels)) / len(labels)

    def predict_batched(self, x: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        """Inference-mode scores (N, K) of ``predict``, computed ``batch_size`` samples at a
        time (default ``eval_batch_size``) to bound the memory used."""
        batch_size = batch_size or self.eval_batch_size
        if np.ndim(x) == 1 or len(x) <= batch_size:
            return self.predict(x)
        return np.concatenate([self.predict(x[i:i + batch_size])
                               for i in range(0, len(x), batch_size)])

    def forward(self, x: np.ndarray, t: np.ndarray, train_flg: bool = True) -> float:
        """The loss of x against t (the second book's ``forward``: the training pass, dropout
        on unless ``train_flg`` is False), kept in ``last_loss`` for ``backward``."""
        self.last_loss = self.loss(x, t, train_flg)
        return self.last_loss

    def backward(self, dout: float = 1) -> dict[str, np.ndarray]:
        """Backpropagate the last ``forward`` through the loss layer and the layers in
        reverse order; returns the gradients, keyed like ``params`` (also ``grads``), with
        weight decay's λ·W added."""
        dout = self.last_layer.backward(dout)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        grads = self.layer_gradients()
        if self.weight_decay_lambda:
            for key in self._decayed_keys:
                grads[key] += self.weight_decay_lambda * self.params[key]
        self.grads = grads
        return grads

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Gradients of the training loss by backpropagation, keyed like ``params``: the
        first book's ``forward(x, t)`` then ``backward()`` in one call."""
        self.forward(x, t)
        return self.backward()
