"""Layers of the autograd (the third book's ``dezero.layers``): ``Layer``, the container of
Parameters and of other layers, and the layers with parameters: ``Linear``, ``Conv2d``,
``Deconv2d``, ``EmbedID``, ``BatchNorm`` (the recurrent ones are in ``layers_recurrent``).

A layer's state is its Parameters' arrays by name, nested layers' joined by '/'
('l0/W', 'res2/a/conv1/W'): ``state_dict()`` gives those arrays themselves,
``load_state_dict`` writes into them in place (a Parameter still without an array, a
``Linear`` whose input size is not known yet, gets a new one), checking everything first,
and ``save_weights``/``load_weights`` keep them in an .npz (no pickle), written atomically.
Weights are drawn from ``np.random`` as the book's are, so that a seeded program draws the
same ones.
"""

from __future__ import annotations

import os
import weakref
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from common.autograd import cuda, tensor
from common.autograd.array_utils import pair
from common.autograd.conv import conv2d, deconv2d
from common.autograd.core import Parameter, Variable
from common.autograd.regularization import batch_nrom, embed_id
from common.fileio import atomic_write


def _weak(obj: Any) -> Any:
    """A weak reference to ``obj``, or (for a number, which has none) a call returning it."""
    try:
        return weakref.ref(obj)
    except TypeError:
        return lambda: obj


class Layer:
    """A container of Parameters and Layers: assigning one to an attribute registers it,
    ``params()`` yields every Parameter of the layer and of the layers inside it."""

    dtype: Any = None  # of the arrays a layer makes itself (None: as its weights file has them)

    def __init__(self) -> None:
        self._params: dict[str, None] = {}  # the registered attributes, in order

    def __setattr__(self, name: str, value: Any) -> None:
        names = self.__dict__.setdefault("_params", {})
        if isinstance(value, (Parameter, Layer)):
            names[name] = None
        else:
            names.pop(name, None)
        super().__setattr__(name, value)

    def __call__(self, *inputs: Any) -> Any:
        outputs = self.forward(*inputs)
        if not isinstance(outputs, tuple):
            outputs = (outputs,)
        self.inputs = [_weak(x) for x in inputs]
        self.outputs = [_weak(y) for y in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *inputs: Any) -> Any:
        """The layer's computation (subclasses define it)."""
        raise NotImplementedError(f"{type(self).__name__} defines no forward")

    def params(self) -> Iterator[Parameter]:
        """Every Parameter, nested layers' included, each once (a shared layer too)."""
        seen: set[int] = set()
        for _, _, param in self._named():
            if id(param) not in seen:
                seen.add(id(param))
                yield param

    def cleargrads(self) -> None:
        """Forget every Parameter's gradient (before the next backward, which adds)."""
        for param in self.params():
            param.cleargrad()

    def to_cpu(self) -> None:
        """Move every Parameter's array to main memory."""
        for param in self.params():
            param.to_cpu()

    def to_gpu(self) -> None:
        """Move every Parameter's array to the GPU (needs CuPy)."""
        for param in self.params():
            param.to_gpu()

    def _named(self, prefix: str = "") -> Iterator[tuple[str, Layer, Parameter]]:
        """(key 'l0/W', owning layer, Parameter) of every Parameter, depth first."""
        for name in self.__dict__.get("_params", {}):
            obj = self.__dict__[name]
            key = f"{prefix}/{name}" if prefix else name
            if isinstance(obj, Layer):
                yield from obj._named(key)
            else:
                yield key, self, obj

    def _flatten_params(self, params_dict: dict[str, Parameter], parent_key: str = "") -> None:
        """Fill ``params_dict`` with every Parameter by its '/'-joined key (the book's)."""
        params_dict.update((key, param) for key, _, param in self._named(parent_key))

    def _lazy_shape(self, name: str) -> tuple[int | None, ...] | None:
        """The shape parameter ``name`` will have (None where not known yet), if known."""
        return None

    # --- state --------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Every Parameter's array (the arrays themselves) by its '/'-joined key; a
        ValueError for a Parameter that has none yet (a layer that sizes itself at its
        first call)."""
        state = {}
        for key, owner, param in self._named():
            if param.data is None:
                raise ValueError(f"parameter {key!r} of {type(owner).__name__} has no array "
                                 "yet: it is created at the layer's first call (call the "
                                 "model on an input first, or give the layer its input size)")
            state[key] = param.data
        return state

    def load_state_dict(self, state: Mapping[str, Any], source: str = "the state") -> None:
        """Write ``state`` (arrays by key, as ``state_dict`` gives) into the Parameters'
        own arrays, in place. Everything is checked first: missing, extra or mis-shaped
        keys raise one ValueError naming them all, and nothing is loaded."""
        own = {key: (owner, param) for key, owner, param in self._named()}
        values = {key: np.asarray(value) for key, value in state.items()}
        problems = []
        if missing := [key for key in own if key not in values]:
            problems.append(f"missing {', '.join(missing)}")
        if extra := [key for key in values if key not in own]:
            problems.append(f"not in this model: {', '.join(extra)}")
        for key, (owner, param) in own.items():
            if key not in values:
                continue
            value = values[key]
            shape = param.shape if param.data is not None else owner._lazy_shape(
                key.rsplit("/", 1)[-1])
            if shape is not None and (len(shape) != value.ndim or any(
                    n is not None and n != m for n, m in zip(shape, value.shape, strict=True))):
                wanted = "x".join("?" if n is None else str(n) for n in shape)
                problems.append(f"{key} has shape {value.shape}, this model's is ({wanted})")
            elif value.dtype.kind not in "biuf" or (
                    param.data is not None and not np.can_cast(value.dtype, param.dtype,
                                                               "same_kind")):
                problems.append(f"{key} holds {value.dtype}, not numbers for {param.dtype}")
        if problems:
            raise ValueError(f"{source} does not fit this {type(self).__name__} (nothing was "
                             f"loaded): {'; '.join(problems)}")
        for key, (owner, param) in own.items():
            if param.data is None:  # a layer that sizes itself: its array is made here
                param.data = values[key].astype(owner.dtype or values[key].dtype)
            else:
                xp = cuda.get_array_module(param.data)
                param.data[...] = xp.asarray(values[key])

    def save_weights(self, path: str | os.PathLike) -> None:
        """Write every Parameter's array to the .npz ``path`` (keys 'l0/W', ...), atomically
        (a failed write leaves the old file); '.npz' is added to a name without it."""
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        arrays = {key: cuda.as_numpy(value) for key, value in self.state_dict().items()}
        with atomic_write(path) as f:
            np.savez_compressed(f, **arrays)

    def load_weights(self, path: str | os.PathLike) -> None:
        """Load what ``save_weights`` wrote into this model's arrays, in place; a file of
        another model raises ValueError naming the keys that do not fit, and loads nothing."""
        path = Path(path)
        if not path.is_file() and Path(f"{path}.npz").is_file():
            path = Path(f"{path}.npz")
        if not path.is_file():
            raise FileNotFoundError(f"there is no weights file {path}")
        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = {key: npz[key] for key in npz.files}
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
            raise ValueError(f"{path} is not a weights file save_weights wrote: {err}") from None
        self.load_state_dict(arrays, source=str(path))


def _randn(shape: tuple[int, ...], scale: float, dtype: Any, xp: Any = np) -> Any:
    """Weights ~ N(0, scale²): ``xp.random.randn`` as the book draws them, in ``dtype``."""
    return xp.random.randn(*shape).astype(dtype) * np.dtype(dtype).type(scale)


class Linear(Layer):
    """y = x W + b: x (N, I), W (I, O) ~ N(0, 1/I), b (O,) zeros (none with ``nobias``).
    Without ``in_size``, W is created at the first call, from x's width."""

    def __init__(self, out_size: int, nobias: bool = False, dtype: Any = np.float32,
                 in_size: int | None = None) -> None:
        super().__init__()
        self.in_size, self.out_size, self.dtype = in_size, out_size, dtype
        self.W = Parameter(None, name="W")
        if in_size is not None:
            self._init_W()
        self.b = None if nobias else Parameter(np.zeros(out_size, dtype=dtype), name="b")

    def _init_W(self, xp: Any = np) -> None:  # noqa: N802 - the book's name
        self.W.data = _randn((self.in_size, self.out_size), np.sqrt(1 / self.in_size),
                             self.dtype, xp)

    def _lazy_shape(self, name: str) -> tuple[int | None, ...] | None:
        return (None, self.out_size) if name == "W" else None

    def forward(self, x: Any) -> Variable:
        """x W + b: (N, I) -> (N, O)."""
        if self.W.data is None:
            self.in_size = x.shape[1]
            self._init_W(cuda.get_array_module(x))
        return tensor.linear(x, self.W, self.b)


class Conv2d(Layer):
    """y = conv2d(x, W, b): W (OC, C, KH, KW) ~ N(0, 1/(C KH KW)), b (OC,) zeros. Without
    ``in_channels``, W is created at the first call, from x's channels."""

    def __init__(self, out_channels: int, kernel_size: int | tuple[int, int], stride: Any = 1,
                 pad: Any = 0, nobias: bool = False, dtype: Any = np.float32,
                 in_channels: int | None = None) -> None:
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.pad, self.dtype = kernel_size, stride, pad, dtype
        self.W = Parameter(None, name="W")
        if in_channels is not None:
            self._init_W()
        self.b = None if nobias else Parameter(np.zeros(out_channels, dtype=dtype), name="b")

    def _filter_shape(self) -> tuple[int | None, ...]:
        return (self.out_channels, self.in_channels, *pair(self.kernel_size))

    def _init_W(self, xp: Any = np) -> None:  # noqa: N802
        shape = self._filter_shape()
        self.W.data = _randn(shape, np.sqrt(1 / (self.in_channels * shape[2] * shape[3])),
                             self.dtype, xp)

    def _lazy_shape(self, name: str) -> tuple[int | None, ...] | None:
        return self._filter_shape() if name == "W" else None

    def forward(self, x: Any) -> Variable:
        """conv2d: (N, C, H, W) -> (N, OC, OH, OW)."""
        if self.W.data is None:
            self.in_channels = x.shape[1]
            self._init_W(cuda.get_array_module(x))
        return conv2d(x, self.W, self.b, self.stride, self.pad)


class Deconv2d(Conv2d):
    """y = deconv2d(x, W, b): W (C, OC, KH, KW) ~ N(0, 1/(C KH KW)), b (OC,) zeros; the
    transposed convolution (it enlarges images)."""

    def _filter_shape(self) -> tuple[int | None, ...]:
        return (self.in_channels, self.out_channels, *pair(self.kernel_size))

    def forward(self, x: Any) -> Variable:
        """deconv2d: (N, C, H, W) -> (N, OC, OH, OW)."""
        if self.W.data is None:
            self.in_channels = x.shape[1]
            self._init_W(cuda.get_array_module(x))
        return deconv2d(x, self.W, self.b, self.stride, self.pad)


class EmbedID(Layer):
    """y = W[ids]: W (in_size, out_size) ~ N(0, 1), one row per id."""

    def __init__(self, in_size: int, out_size: int, dtype: Any = np.float32) -> None:
        super().__init__()
        self.W = Parameter(np.random.randn(in_size, out_size).astype(dtype), name="W")

    def forward(self, x: Any) -> Variable:
        """ids (...) -> vectors (..., out_size)."""
        return embed_id(x, self.W)


class BatchNorm(Layer):
    """Batch normalization with γ, β and the running averages ``avg_mean``, ``avg_var``
    (Parameters without gradients, so they are saved), all sized at the first call:
    (N, C) or (N, C, H, W), per feature or channel C."""

    def __init__(self) -> None:
        super().__init__()
        self.avg_mean = Parameter(None, name="avg_mean")
        self.avg_var = Parameter(None, name="avg_var")
        self.gamma = Parameter(None, name="gamma")
        self.beta = Parameter(None, name="beta")

    def _init_params(self, x: Any) -> None:
        xp, (d, dtype) = cuda.get_array_module(x), (x.shape[1], x.dtype)
        for param, fill in ((self.avg_mean, 0), (self.avg_var, 1), (self.gamma, 1),
                            (self.beta, 0)):
            if param.data is None:
                param.data = xp.full(d, fill, dtype=dtype)

    def forward(self, x: Any) -> Variable:
        """γ x̂ + β (batch statistics in training, running averages in test mode)."""
        if self.avg_mean.data is None or self.gamma.data is None:
            self._init_params(x)
        return batch_nrom(x, self.gamma, self.beta, self.avg_mean.data, self.avg_var.data)


__all__ = ["BatchNorm", "Conv2d", "Deconv2d", "EmbedID", "Layer", "Linear"]
