"""``ListModel``: the base of the second book's own models (its ``common.base_model.BaseModel``),
whose weights and gradients are lists, ``self.params`` and ``self.grads``, gathered from
their layers (``layer.params``, ``layer.grads``).

A subclass builds its layers, fills the two lists, and writes ``forward`` and
``backward``; training is ``optimizer.update(model.params, model.grads)``, or the second
book's ``Trainer(model, optimizer)`` (``common.training.model_trainer``), which trains any
such model through ``ListView``: its arrays named, each once, by identity (a list may name
an array twice, or its transpose for tied weights: the gradients are added up). This base adds
saving and loading the weights, in place, checked, and written atomically; loading also
reads the book's pickled weights (``Rnnlm.pkl``), through ``common.safe_pickle``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from common.fileio import atomic_write
from common.nets.files import numeric_values, read_parameter_file


class ListModel:
    """The second book's ``BaseModel``: ``params`` and ``grads`` (lists, set by the
    subclass), ``forward``/``backward`` (written by the subclass), and
    ``save_params``/``load_params``."""

    def __init__(self) -> None:
        self.params: list[np.ndarray] | None = None
        self.grads: list[np.ndarray] | None = None

    def forward(self, *args: Any) -> Any:
        """The subclass's forward pass (the loss, for training)."""
        raise NotImplementedError(f"{type(self).__name__} must define forward")

    def backward(self, *args: Any) -> Any:
        """The subclass's backward pass, which leaves the gradients in ``grads``."""
        raise NotImplementedError(f"{type(self).__name__} must define backward")

    def _checked_params(self, who: str) -> list[np.ndarray]:
        if not isinstance(self.params, (list, tuple)) or not self.params:
            raise ValueError(f"{type(self).__name__}.{who}: self.params must be the list of "
                             "the model's weight arrays (fill it in __init__ from the layers' "
                             "params)")
        return list(self.params)

    def default_file_name(self) -> str:
        """'<ClassName>.pkl', the book's name, where the weights go when no file name is
        given (the book's programs load that name); what is inside is an .npz archive."""
        return f"{type(self).__name__}.pkl"

    def save_params(self, file_name: str | Path | None = None) -> None:
        """Write every array of ``params``, in its order and dtype, as an .npz archive to
        ``file_name`` (``default_file_name()`` when None; the name is kept as given, no
        '.npz' added), atomically: a crash never leaves half a file."""
        params = self._checked_params("save_params")
        with atomic_write(file_name or self.default_file_name()) as f:
            np.savez(f, **{f"param{i}": p for i, p in enumerate(params)})

    def load_params(self, file_name: str | Path | None = None) -> None:
        """Copy the arrays that ``save_params`` wrote into ``params``, in place (layers and
        lists keep their arrays), cast to each parameter's dtype. Also reads the book's own
        files, a pickled list of arrays (float16 in its ``Rnnlm.pkl``), through the
        restricted reader of ``common.safe_pickle``, which lets a file run nothing. A
        missing, damaged or foreign file, or one of another model (count or shapes differ),
        is a ValueError that says which, and nothing is changed: every array is checked
        before any is written."""
        params = self._checked_params("load_params")
        path = Path(file_name or self.default_file_name())
        arrays = read_parameter_file(path)
        try:
            stored = [arrays[f"param{i}"] for i in range(len(arrays))]
        except KeyError:
            raise ValueError(f"{path} was not written by {type(self).__name__}.save_params: "
                             f"it holds {', '.join(sorted(arrays))}") from None
        if len(stored) != len(params):
            raise ValueError(f"{path} holds {len(stored)} arrays but {type(self).__name__} has "
                             f"{len(params)} parameters: it was saved from another model")
        values = []
        for i, (array, param) in enumerate(zip(stored, params, strict=True)):
            if array.shape != param.shape:
                raise ValueError(f"parameter {i} in {path} has shape {array.shape}, but "
                                 f"{type(self).__name__}'s has shape {param.shape}")
            values.append(numeric_values(f"parameter {i} in {path}", array, param.dtype))
        for value, param in zip(values, params, strict=True):
            param[...] = value


def _transposed_view(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a`` is ``b.T``: the same memory read with the axes swapped."""
    return (a.ndim == 2 and a.shape == b.shape[::-1] and a.strides == b.strides[::-1]
            and a.__array_interface__["data"][0] == b.__array_interface__["data"][0])


def same_array(param: np.ndarray, kept: Sequence[np.ndarray]) -> tuple[int, bool] | None:
    """(index in ``kept`` of the array ``param`` is, whether ``param`` reads it transposed),
    or None for an array not kept yet."""
    for i, array in enumerate(kept):
        if param is array:
            return i, False
        if _transposed_view(param, array):
            return i, True
    return None


def merge_duplicates(params: Sequence[np.ndarray], grads: Sequence[np.ndarray]
                     ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """({'0': W, '1': b, ...}, their gradients): every array of ``params`` once, named by
    its first position, with the sum of the gradients of all the entries that name it (an
    entry that is the transpose of another array adds its gradient transposed). An array
    named once keeps its own gradient array; a merged gradient is a new array."""
    if len(params) != len(grads):
        raise ValueError(f"model.params has {len(params)} arrays but model.grads has "
                         f"{len(grads)}: a layer must give one gradient per parameter")
    unique: list[np.ndarray] = []
    merged: list[np.ndarray] = []
    for param, grad in zip(params, grads, strict=True):
        match = same_array(param, unique)
        if match is None:
            unique.append(param)
            merged.append(grad)
        else:
            i, transposed = match
            merged[i] = merged[i] + (grad.T if transposed else grad)
    names = [str(i) for i in range(len(unique))]
    return dict(zip(names, unique, strict=True)), dict(zip(names, merged, strict=True))


class ListView:
    """A model of the second book's (``params`` and ``grads`` lists) with named arrays, as
    the training loop wants them: ``params`` {'0': W, '1': b, ...} holds each array of the
    lists once, and after ``backward`` ``grads`` holds their gradients, summed where the
    lists name an array twice (``merge_duplicates``). ``forward`` is the model's."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.params = merge_duplicates(model.params, model.params)[0]  # each array once
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, *args: Any) -> float:
        """The model's loss."""
        return self.model.forward(*args)

    def backward(self) -> None:
        """The model's backward pass, then its gradients by name."""
        self.model.backward()
        self.grads = merge_duplicates(self.model.params, self.model.grads)[1]

    def state_dict(self) -> dict[str, Any]:
        """The arrays, by name."""
        return {"params": dict(self.params)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Write saved arrays into the model's own (ValueError, nothing changed, for another
        model's)."""
        stored = state["params"]
        if set(stored) != set(self.params) or any(
                np.shape(stored[key]) != array.shape for key, array in self.params.items()):
            raise ValueError("the arrays are of another model")
        for key, array in self.params.items():
            np.copyto(array, stored[key])
