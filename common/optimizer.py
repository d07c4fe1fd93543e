"""The book's module path ``common.optimizer``: ``SGD``, ``Momentum``, ``Nesterov``,
``AdaGrad``, ``RMSprop``, ``Adam`` (and the library's ``AdamW``, schedules and clipping),
implemented in ``common.optim``.

The book's ``ch06/optimizer_compare_mnist.py`` does ``from common.optimizer import *`` and
then calls ``np.random.choice``: the star import gives ``np``, as the book's module does.
"""

import numpy as np

from common.optim import *  # noqa: F403
from common.optim import __all__ as _optim_names

__all__ = ["np", *_optim_names]
