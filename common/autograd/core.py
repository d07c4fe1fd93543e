"""The heart of the autograd: ``Variable``, ``Function`` and the backward pass.

A ``Variable`` holds an array (``data``) and, after ``backward()``, its gradient (``grad``, a
Variable too). A ``Function`` computes new arrays from the inputs' arrays in ``forward`` and,
when backpropagation is enabled, remembers its inputs and (weakly) its outputs, which
remember it as their ``creator``: the graph is built while the program runs (define-by-run).
``Variable.backward`` then walks that graph from the output back, newest function first.

Ownership goes one way only: an output holds its creator, a creator holds its inputs, and a
creator sees its outputs through weak references. So the graph lives exactly as long as the
output that ends it, and a training loop keeps no old graph alive.

Operators (``+ - * / **``, ``x[...]``) come from ``common.autograd.arithmetic``, installed
on Variable when the package ``common.autograd`` is imported.
"""

from __future__ import annotations

import contextlib
import heapq
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

from common.autograd import cuda


class Config:
    """Switches read by every Function: ``enable_backprop`` (build graphs), ``train`` (mode)."""

    enable_backprop = True
    train = True


@contextlib.contextmanager
def using_config(name: str, value: Any) -> Iterator[None]:
    """Set ``Config.<name>`` to ``value`` inside a ``with`` block, and restore it after."""
    old = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, old)


def no_grad() -> contextlib.AbstractContextManager[None]:
    """A ``with`` block that builds no graph (inference, parameter updates)."""
    return using_config("enable_backprop", False)


def test_mode() -> contextlib.AbstractContextManager[None]:
    """A ``with`` block in test mode: dropout off, batch norm uses its running averages."""
    return using_config("train", False)


test_mode.__test__ = False  # not a test, whatever pytest thinks of the name


def _describe(value: Any) -> tuple[str, str]:
    """A short ``type value`` text for an error, and the value's text for a suggestion."""
    text = repr(value)
    if len(text) > 40:
        text = "..."
    return f"{type(value).__name__} {text}", text


class Variable:
    """A node of the graph: an array ``data``, its gradient ``grad`` and the ``creator``.

    ``generation`` counts the functions between this variable and the graph's inputs, so
    that ``backward`` can run every function after all the ones that use its output.
    """

    __array_priority__ = 200  # ndarray op Variable calls the Variable's operator
    constant = False  # True for an array that a Function wrapped itself (no one asks its grad)

    def __init__(self, data: Any, name: str | None = None) -> None:
        if data is not None and not isinstance(data, cuda.array_types):
            what, text = _describe(data)
            raise TypeError(
                f"Variable needs a NumPy array, got {what}: use Variable(np.array({text}))"
            )
        self.data = data
        self.name = name
        self.grad: Variable | None = None
        self.creator: Function | None = None
        self.generation = 0

    # the array's description
    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of ``data``."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of axes of ``data``."""
        return self.data.ndim

    @property
    def size(self) -> int:
        """The number of elements of ``data``."""
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        """The dtype of ``data``."""
        return self.data.dtype

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        if self.data is None:
            return "variable(None)"
        body = str(self.data).replace("\n", "\n" + " " * len("variable("))
        return f"variable({body})"

    # the graph
    def set_creator(self, func: Function) -> None:
        """Record ``func`` as the function that made this variable, one generation later."""
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self) -> None:
        """Forget the gradient (before a new backward pass, which would add to it)."""
        self.grad = None

    def unchain(self) -> None:
        """Cut the link to the creator: this variable becomes an input of its graph."""
        self.creator = None

    def unchain_backward(self) -> None:
        """Cut every link behind this variable (truncated BPTT): the old graph can be freed."""
        funcs = [self.creator] if self.creator is not None else []
        self.unchain()
        while funcs:
            f = funcs.pop()
            for x in f.inputs:
                if x.creator is not None:
                    funcs.append(x.creator)
                    x.unchain()

    def backward(self, retain_grad: bool = False, create_graph: bool = False) -> None:
        """Gradients of this variable with respect to every variable of its graph.

        Starts from d self / d self = 1 (ones of ``data``'s shape) and runs each function's
        ``backward`` once, newest generation first, adding the gradients of a variable that
        is used more than once. The gradients of intermediate variables are dropped unless
        ``retain_grad``; the backward pass is itself a graph only with ``create_graph``
        (for higher-order derivatives).
        """
        if self.grad is None:
            xp = cuda.get_array_module(self.data)
            self.grad = Variable(xp.ones_like(self.data))

        heap: list[tuple[int, int, Function]] = []
        seen: set[int] = set()

        def add_func(f: Function) -> None:
            if id(f) not in seen:
                seen.add(id(f))
                heapq.heappush(heap, (-f.generation, len(seen), f))

        if self.creator is not None:
            add_func(self.creator)
        old = Config.enable_backprop
        Config.enable_backprop = create_graph
        try:
            while heap:
                f = heapq.heappop(heap)[2]
                outputs = [ref() for ref in f.outputs]
                gys = [None if y is None else y.grad for y in outputs]
                gxs = f.backward(*gys)
                if not isinstance(gxs, tuple):
                    gxs = (gxs,)
                if len(gxs) > len(f.inputs):
                    raise ValueError(
                        f"{type(f).__name__}.backward returned {len(gxs)} gradients for "
                        f"{len(f.inputs)} inputs"
                    )
                # fewer gradients than inputs: the last inputs (labels, say) get none
                for x, gx in zip(f.inputs, gxs, strict=False):
                    if gx is None or x.constant:
                        continue
                    gx = _check_grad(f, x, gx)
                    x.grad = gx if x.grad is None else x.grad + gx  # a new Variable
                    if x.creator is not None:
                        add_func(x.creator)
                if not retain_grad:
                    for y in outputs:
                        if y is not None:
                            y.grad = None
        finally:
            Config.enable_backprop = old

    # reshape, transpose, T, sum, max, min and the operators: installed by arithmetic

    # devices
    def to_cpu(self) -> None:
        """Move ``data`` to main memory (a NumPy array)."""
        if self.data is not None:
            self.data = cuda.as_numpy(self.data)

    def to_gpu(self) -> None:
        """Move ``data`` to the GPU (a CuPy array; needs CuPy)."""
        if self.data is not None:
            self.data = cuda.as_cupy(self.data)


class Parameter(Variable):
    """A Variable that a layer owns and an optimizer updates (a marker class)."""


def _check_grad(f: Function, x: Variable, gx: Any) -> Variable:
    """``gx`` as a Variable of ``x``'s shape, or a clear error naming the Function."""
    if not isinstance(gx, Variable):
        gx = Variable(as_array(gx))
    if x.data is not None and gx.shape != x.shape:
        raise ValueError(
            f"{type(f).__name__}.backward returned a gradient of shape {gx.shape} for an "
            f"input of shape {x.shape}: each gradient must have its input's shape"
        )
    return gx


def as_array(x: Any, array_module: Any = np) -> Any:
    """A number as a 0-d array (its own dtype: np.float32 stays float32); arrays unchanged."""
    if np.isscalar(x):
        return array_module.array(x)
    return x


def as_variable(obj: Any) -> Variable:
    """``obj`` if it is a Variable, else ``Variable(obj)`` (numbers become 0-d arrays)."""
    if isinstance(obj, Variable):
        return obj
    return Variable(as_array(obj))


def _constant(x: Any) -> Variable:
    """An array given to a Function directly, as a Variable marked ``constant``."""
    var = Variable(as_array(x))
    var.constant = True
    return var


def _as_output(y: Any, func: Function) -> Any:
    """A forward's result as an array, or a TypeError naming the Function."""
    if isinstance(y, cuda.array_types):
        return y
    if np.isscalar(y) and not isinstance(y, str | bytes):
        return np.asarray(y)
    what, _ = _describe(y)
    raise TypeError(
        f"{type(func).__name__}.forward must return arrays (one, or a tuple of them), "
        f"got {what}"
    )


class Function:
    """An operation of the graph: ``forward`` on arrays, ``backward`` on Variables.

    Subclasses define ``forward(*xs)`` (arrays in, an array or a tuple of arrays out) and
    ``backward(*gys)`` (the outputs' gradients as Variables in, one gradient per input out:
    a Variable, or None for an input that needs none). Written with Variables, a backward
    is itself differentiable, which gives higher-order derivatives.

    An array (or number) passed to a Function directly, not as a Variable, is a constant:
    nobody holds a Variable to read its gradient, so ``backward`` may skip computing it
    (``needs_grad(i)`` is False for it; the data batch of a network, for instance).
    """

    generation = 0

    def __call__(self, *inputs: Any) -> Any:
        inputs = [x if isinstance(x, Variable) else _constant(x) for x in inputs]
        ys = self.forward(*[x.data for x in inputs])
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(_as_output(y, self)) for y in ys]
        if Config.enable_backprop:
            self.generation = max([x.generation for x in inputs])
            for output in outputs:
                output.set_creator(self)
            self.inputs = inputs
            self.outputs = [weakref.ref(output) for output in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

    def needs_grad(self, i: int) -> bool:
        """Whether input ``i`` wants a gradient (False for an array passed in directly)."""
        return not self.inputs[i].constant

    def forward(self, *xs: Any) -> Any:
        """The outputs' arrays from the inputs' arrays."""
        raise NotImplementedError(f"{type(self).__name__} defines no forward")

    def backward(self, *gys: Any) -> Any:
        """The inputs' gradients (Variables) from the outputs' gradients (Variables)."""
        raise NotImplementedError(f"{type(self).__name__} defines no backward")
