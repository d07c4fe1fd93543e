"""The second book's module path ``common.base_model``: ``BaseModel``, the base of its own
models (lists of weights and gradients, ``save_params``/``load_params``), implemented as
``common.nets.list_model.ListModel``.

Like the book's module it has no ``__all__``: its star import gives ``np`` and ``BaseModel``.
"""

import numpy as np  # noqa: F401 - part of the book module's star import

from common.nets.list_model import ListModel as BaseModel  # noqa: F401
