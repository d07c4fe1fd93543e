"""``ListModel``: the base of the second book's own models (its ``common.base_model.BaseModel``),
whose weights and gradients are lists, ``self.params`` and ``self.grads``, gathered from
their layers (``layer.params``, ``layer.grads``).

A subclass builds its layers, fills the two lists, and writes ``forward`` and
``backward``; training is ``optimizer.update(model.params, model.grads)``, or the second
book's ``Trainer(model, optimizer)`` (``common.training.model_trainer``), which also adds
up the gradients of an array that the lists name twice (tied weights). This base adds
saving and loading the weights, in place, checked, and written atomically; loading also
reads the book's pickled weights (``Rnnlm.pkl``), through ``common.safe_pickle``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from common.fileio import atomic_write
from common.nets.parameters import numeric_values, read_parameter_file


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
