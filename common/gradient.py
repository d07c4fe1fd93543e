"""The book's module path ``common.gradient``: ``numerical_gradient(f, x)`` by central
differences, implemented in ``common.checks`` with the library's gradient checks.

Like the book's module it has no ``__all__``: its star import gives ``np`` and
``numerical_gradient``, and this module adds the checks (``gradient_check``,
``check_gradients``).
"""

import numpy as np  # noqa: F401 - part of the book module's star import

from common.checks import (  # noqa: F401
    GradientMismatch,
    check_gradients,
    gradient_check,
    numerical_gradient,
    relative_error,
)
