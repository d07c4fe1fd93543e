"""``dezero.functions_conv``: convolution, pooling and im2col as Functions (defined in
``common.autograd.conv`` and ``common.autograd.pooling``, on the im2col of
``common.layers``)."""

import numpy as np  # noqa: F401 - the book's module exposes np

from common.autograd.array_utils import get_conv_outsize, get_deconv_outsize, pair  # noqa: F401
from common.autograd.conv import (  # noqa: F401
    Col2im,
    Conv2d,
    Conv2DGradW,
    Deconv2d,
    Im2col,
    col2im,
    col2im_array,
    conv2d,
    conv2d_simple,
    deconv2d,
    im2col,
    im2col_array,
)
from common.autograd.core import Function, as_variable  # noqa: F401
from common.autograd.pooling import (  # noqa: F401
    AveragePooling,
    Pooling,
    Pooling2DGrad,
    Pooling2DWithIndexes,
    average_pooling,
    pooling,
    pooling_simple,
)
from common.autograd.tensor import broadcast_to, linear  # noqa: F401
from dezero import cuda  # noqa: F401, E402
