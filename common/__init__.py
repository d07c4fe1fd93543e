"""The library: layers, optimizers, networks, gradient checking, training and plots.

Modules, from the bottom up (each imports only the ones above it in this list):

- ``functions``: activations and losses (stable sigmoid, log-softmax, cross-entropy);
- ``layers``: ``Affine``, ``Relu``, ``Sigmoid``, ``SoftmaxWithLoss``, ``SigmoidWithLoss``,
  ``Dropout``, ``BatchNormalization``: each a class with ``forward`` and ``backward``;
- ``optimizer``: ``SGD``, ``Momentum``, ``Nesterov``, ``AdaGrad``, ``RMSprop``, ``Adam``;
- ``gradient``: ``numerical_gradient``, ``gradient_check`` and ``check_gradients``;
- ``layer_names``: the book's numbering of layers and parameters;
- ``network``: ``Network``, any stack of layers; ``multi_layer_net``: ``MultiLayerNet``;
- ``trainer``: ``Trainer``; ``plot``: PNG figures; ``util``, ``fileio``, ``cli``: helpers;
- ``descent`` (gradient descent on hand-written gradients), ``surface`` (a loss over two
  parameters, and the path of training over it), ``plot_boundary`` (decision boundaries).

The module paths and names are those of the book "Deep Learning from Scratch", so its
chapter programs run against this package.
"""
