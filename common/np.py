"""The second book's module path ``common.np``: its star import gives ``np``, which is NumPy
here (the book's switches to CuPy when ``common.config.GPU`` is True; this library does
not), and ``GPU``.
"""

import numpy as np  # noqa: F401 - what the book's programs take from this module

from common.config import GPU  # noqa: F401
