"""Layers: each one a small class with ``forward`` and ``backward``.

``forward`` computes the layer's output and caches what ``backward`` needs;
``backward(dout)`` takes ∂L/∂out and returns ∂L/∂x, storing the gradients of
the layer's own parameters as ``d<name>`` (``dW``, ``db``, ...). ``backward``
never writes into ``dout``.

Layers with parameters list them in ``param_names``; the arrays are the ones
passed in and are only ever changed in place, so a network's ``params`` dict and
its layers always hold the same arrays. Layers that behave differently while
training set ``uses_train_flg = True`` and take ``forward(x, train_flg)``.
"""

from common.layers.activations import Relu, Sigmoid
from common.layers.affine import Affine
from common.layers.conv import Convolution, Pooling
from common.layers.losses import SigmoidWithLoss, SoftmaxWithLoss
from common.layers.regularization import BatchNormalization, Dropout

__all__ = [
    "Affine",
    "BatchNormalization",
    "Convolution",
    "Dropout",
    "Pooling",
    "Relu",
    "Sigmoid",
    "SigmoidWithLoss",
    "SoftmaxWithLoss",
]
