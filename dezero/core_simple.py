"""``dezero.core_simple``: the core of the book's steps 23-32, where a gradient is a plain
array. Those steps switch to it (``if not dezero.is_simple_core: from dezero.core_simple
import Variable``) and then write ``x.data -= lr * x.grad``.

Here it is the one core (``dezero.core``) but for ``Variable``: a subclass whose ``grad``
reads as the gradient's array (the core keeps a Variable underneath), so those programs run
unchanged and print arrays as the book's do. Every other name is the core's own.
"""

import numpy as np  # noqa: F401 - the book's module exposes np

from dezero import core
from dezero.core import (  # noqa: F401
    Add,
    Config,
    Div,
    Function,
    Mul,
    Neg,
    Pow,
    Sub,
    add,
    as_array,
    as_variable,
    div,
    mul,
    neg,
    no_grad,
    pow,
    rdiv,
    rsub,
    setup_variable,
    sub,
    using_config,
)


class Variable(core.Variable):
    """The core's Variable whose ``grad`` is an array (or None), as in the simple core:
    x.grad = ∂y/∂x after ``y.backward()``, of x.data's shape."""

    @property
    def grad(self):  # noqa: ANN201 - an array, or None before backward
        """The gradient as an array (None before ``backward``)."""
        grad = self._grad
        return grad.data if isinstance(grad, core.Variable) else grad

    @grad.setter
    def grad(self, value) -> None:  # noqa: ANN001 - an array or a Variable
        self._grad = value
