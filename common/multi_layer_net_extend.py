"""The book's module path ``common.multi_layer_net_extend``: ``MultiLayerNetExtend``
(``MultiLayerNet`` with dropout and batch normalisation), implemented in
``common.nets.multi_layer_extend``.

Like the book's module it has no ``__all__``: its star import gives what the book's gives
(``np``, ``OrderedDict``, the layers, ``numerical_gradient``, ``MultiLayerNetExtend``).
"""

from collections import OrderedDict  # noqa: F401 - part of the book module's star import

import numpy as np  # noqa: F401 - part of the book module's star import

from common.checks import numerical_gradient  # noqa: F401
from common.layers import *  # noqa: F403 - the book's module imports the layers so
from common.nets.multi_layer_extend import MultiLayerNetExtend  # noqa: F401
