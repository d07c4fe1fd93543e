"""``dezero.utils``: the graph pictures, the array helpers of the backward passes, the
gradient checks and ``get_file`` (defined in ``common.autograd``: graph, array_utils,
checks)."""

import numpy as np  # noqa: F401 - the book's module exposes np

from common.autograd.array_utils import (  # noqa: F401
    get_conv_outsize,
    get_deconv_outsize,
    logsumexp,
    max_backward_shape,
    pair,
    reshape_sum_backward,
)
from common.autograd.array_utils import sum_to_array as sum_to  # noqa: F401
from common.autograd.checks import (  # noqa: F401
    array_allclose,
    array_equal,
    gradient_check,
    numerical_grad,
)
from common.autograd.graph import (  # noqa: F401
    _dot_func,
    _dot_var,
    cache_dir,
    get_dot_graph,
    get_file,
    plot_dot_graph,
)
