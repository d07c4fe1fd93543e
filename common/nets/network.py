"""A general network: an ordered stack of layers topped by a loss layer.

    net = Network([Affine(W1, b1), Relu(), Affine(W2, b2)], SoftmaxWithLoss())
    grads = net.gradient(x, t)          # backprop through the layers in reverse
    SGD(lr=0.1).update(net.params, grads)

No subclassing is needed: any object with ``forward``/``backward`` is a layer.
"""

from __future__ import annotations

import contextlib
import json
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from common.checks.gradients import frozen_randomness, numerical_gradient
from common.fileio import atomic_write
from common.functions import labels_of
from common.layers import layer_forward
from common.layers.naming import described, layer_arrays, named_layers
from common.nets.summary import summary
from common.validation import check_binary_targets, check_labels


class ParamDict(dict):
    """A dict of parameter arrays that writes assignments into the existing arrays.

    ``params['W1'] = new_values`` copies the values into the array the layer
    holds (``W1[...] = new_values``), so the dict and the layers can never hold
    different arrays. Assigning a value of another shape raises ValueError.
    """

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self:
            super().__setitem__(key, value)
            return
        target = self[key]
        value = np.asarray(value)
        if value.shape != target.shape:
            raise ValueError(
                f"parameter {key!r} has shape {target.shape}; cannot assign an array of "
                f"shape {value.shape}"
            )
        target[...] = value

    def update(self, other: Mapping[str, Any] = (), **kwargs: Any) -> None:
        """Assign every item as ``self[key] = value`` does: into the existing arrays."""
        for key, value in dict(other, **kwargs).items():
            self[key] = value


def _network_input(network: Network, x: Any) -> np.ndarray:
    """x as the first layer takes it: integer ids stay integers for a layer that takes ids
    (``Embedding``: ``takes_ids``), anything else is cast to the parameters' dtype."""
    first = next(iter(network.layers.values()), None)
    if getattr(first, "takes_ids", False):
        return np.asarray(x)
    return np.asarray(x, dtype=network.dtype)


class Network:
    """A feed-forward network: ``layers`` applied in order, then ``last_layer`` (the loss).

    ``layers`` is an OrderedDict name -> layer, or a list of layers, then named as the
    book numbers them (``common.layers.naming.named_layers``): the layers holding parameters
    in one sequence (``Conv1``, ``Relu1``, ``Pool1``, ``Affine2``, ``Relu2``, ``Affine3``).
    Parameters of a layer named ``Affine2`` appear in ``params`` as ``W2`` and ``b2``, as in
    the book, and ``params`` holds the very arrays the layers use. ``weight_decay_lambda`` adds
    λ/2 · Σ ||W||² over every weight array (two or more dimensions: ``W`` of Affine and
    Convolution, ``W_qkv``, embeddings; not biases or batch-norm scales) to the loss and
    λ·W to its gradient.
    """

    def __init__(
        self,
        layers: Mapping[str, Any] | Iterable[Any],
        last_layer: Any,
        weight_decay_lambda: float = 0.0,
    ) -> None:
        self.layers = named_layers(layers)
        for name, layer in self.layers.items():
            if not callable(getattr(layer, "forward", None)):
                raise TypeError(f"layer {name!r} ({type(layer).__name__}) has no forward "
                                "method: a layer is an object with forward and backward")
            # a layer's error messages name it as the network does: 'Affine2', not 'Affine'
            layer.name = name
        self.last_layer = last_layer
        self.weight_decay_lambda = weight_decay_lambda
        self.last_loss: float | None = None
        self.params = ParamDict()
        self.buffers = ParamDict()
        # key -> (layer, attribute name), to collect d<attr> after backward
        self._param_owner: dict[str, tuple[Any, str]] = {}
        # a loss layer may hold weights too (negative sampling's output embedding): they
        # join params under its name ('out.W'), 'loss' unless it was given one
        last_name = getattr(last_layer, "name", None) or "loss"
        for name, layer in [*self.layers.items(), (last_name, last_layer)]:
            for key, owner, attr, is_buffer in layer_arrays(name, layer):
                if key in self.params or key in self.buffers:
                    raise ValueError(
                        f"two layers give a parameter the name {key!r}; rename layer "
                        f"{name!r} so that its trailing number is unique"
                    )
                (self.buffers if is_buffer else self.params)[key] = getattr(owner, attr)
                if not is_buffer:
                    self._param_owner[key] = (owner, attr)
        # weight decay applies to the weight arrays, not to biases or batch-norm scales (the
        # rule AdamW uses by default)
        self._decayed_keys = [key for key, param in self.params.items() if param.ndim >= 2]

    @property
    def dtype(self) -> np.dtype | None:
        """The floating-point type of the parameters (None for a network without any)."""
        return next(iter(self.params.values())).dtype if self.params else None

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

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Gradients of the training loss by backpropagation, keyed like ``params``.

        Runs the forward pass in training mode (its loss is kept in ``last_loss``),
        then ``backward`` through the loss layer and the layers in reverse order.
        """
        self.last_loss = self.loss(x, t, train_flg=True)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        grads = {key: getattr(layer, "d" + attr) for key, (layer, attr) in
                 self._param_owner.items()}
        if self.weight_decay_lambda:
            for key in self._decayed_keys:
                grads[key] += self.weight_decay_lambda * self.params[key]
        return grads

    def numerical_gradient(
        self, x: np.ndarray, t: np.ndarray, train_flg: bool = True, h: float = 1e-4
    ) -> dict[str, np.ndarray]:
        """Gradients of ``loss(x, t, train_flg)`` by central differences, keyed like ``params``:
        float64 arrays, whatever the network's dtype.

        Computed on a float64 twin of the parameters (``in_float64``): in float32, a central
        difference of step 1e-4 is mostly rounding noise (differences of 1e-3 where the
        book's float64 check shows 1e-7). The network's own arrays, their dtype and its
        running statistics are as they were afterwards. Slow (two forward passes per
        parameter element): for checking backprop on small inputs. Random layers (Dropout)
        draw the same masks on every evaluation, so the result matches ``gradient``. ``h``
        is the step of the central differences.
        """
        with self.in_float64(), frozen_randomness(self) as rewind:

            def f(_: np.ndarray) -> float:
                rewind()
                return self.loss(x, t, train_flg)

            return {key: numerical_gradient(f, param, h) for key, param in self.params.items()}

    @contextlib.contextmanager
    def in_float64(self) -> Iterator[None]:
        """Within the block, the network computes in float64: its layers and ``params`` hold
        float64 copies of every parameter that is not float64 already (a twin, which gradient
        checks may probe in place), so inputs are taken in float64 too. Afterwards the
        layers and ``params`` hold their own arrays again, unchanged and in their own
        dtype, and the running statistics (``buffers``) have the values they had before."""
        originals: dict[str, Any] = {}
        for key, (layer, attr) in self._param_owner.items():
            array = self.params[key]
            if np.asarray(array).dtype != np.float64:
                originals[key] = array
                twin = np.array(array, dtype=np.float64)
                setattr(layer, attr, twin)
                dict.__setitem__(self.params, key, twin)  # not ParamDict's copy into the array
        saved = {key: np.copy(values) for key, values in self.buffers.items()}
        try:
            yield
        finally:
            for key, array in originals.items():
                layer, attr = self._param_owner[key]
                setattr(layer, attr, array)
                dict.__setitem__(self.params, key, array)
            for key, values in saved.items():
                self.buffers[key][...] = values

    def summary(self, input_shape: Sequence[int] | int | None = None) -> str:
        """Print and return a table of the layers: name, type, output shape for N samples
        of ``input_shape`` (one sample's shape; by default the network's own) and
        parameter count, then the total parameters, their dtype and memory
        (``common.nets.summary.summary``; a layer that rejects its input is shown with its
        error)."""
        return summary(self, input_shape)

    def architecture(self) -> dict[str, Any]:
        """A JSON-able description of the structure, stored with saved parameters."""
        return {
            "class": type(self).__name__,
            "layers": [[name, *described(layer)] for name, layer in self.layers.items()],
        }

    def save_params(self, file_name: str | Path = "params.npz") -> None:
        """Save parameters, running statistics and architecture to an .npz file, atomically."""
        arrays = {**self.params, **self.buffers}
        with atomic_write(file_name) as f:
            np.savez(f, __architecture__=np.array(json.dumps(self.architecture())), **arrays)

    def load_params(self, file_name: str | Path = "params.npz") -> None:
        """Load parameters saved by ``save_params`` into this network's arrays, in place.

        Raises ValueError naming the parameter when the file's shapes or names do
        not fit this network, and when it was saved from another architecture.
        """
        path = Path(file_name)
        if not path.is_file():
            raise ValueError(f"cannot load parameters: there is no file {path}")
        if not zipfile.is_zipfile(path):
            raise ValueError(
                f"{path} is not a parameter file written by save_params (an .npz archive); "
                "the book's pickled .pkl weights cannot be loaded: train and save_params anew"
            )
        try:
            with np.load(path, allow_pickle=False) as archive:
                stored = {name: archive[name] for name in archive.files}
        except (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error) as err:
            raise ValueError(f"{path} is damaged or not a parameter file of save_params: "
                             f"{err}") from None
        expected = {**self.params, **self.buffers}
        for key, target in expected.items():
            if key not in stored:
                raise ValueError(f"{path} has no parameter {key!r} that this network needs")
            if stored[key].shape != target.shape:
                raise ValueError(
                    f"parameter {key!r} in {path} has shape {stored[key].shape}, but "
                    f"this network's {key!r} has shape {target.shape}"
                )
        extra = set(stored) - set(expected) - {"__architecture__"}
        if extra:
            raise ValueError(f"{path} has parameters this network lacks: "
                             f"{', '.join(sorted(extra))}")
        if "__architecture__" in stored:
            saved = json.loads(str(stored["__architecture__"]))
            if saved != self.architecture():
                raise ValueError(
                    f"{path} was saved from a different architecture:\n  saved: {saved}\n"
                    f"  this:  {self.architecture()}"
                )
        for key, target in expected.items():
            target[...] = stored[key]
