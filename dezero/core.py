"""``dezero.core``: Variable, Parameter, Function, the configuration and the operators
(defined in ``common.autograd.core`` and ``common.autograd.arithmetic``)."""

import numpy as np  # noqa: F401 - the book's module exposes np

from common.autograd.arithmetic import (  # noqa: F401
    Add,
    Div,
    Mul,
    Neg,
    Pow,
    Sub,
    add,
    div,
    mul,
    neg,
    pow,
    rdiv,
    rsub,
    setup_variable,
    sub,
)
from common.autograd.core import (  # noqa: F401
    Config,
    Function,
    Parameter,
    Variable,
    as_array,
    as_variable,
    no_grad,
    test_mode,
    using_config,
)
from common.autograd.cuda import array_types  # noqa: F401
