"""Chapter program: handwritten digits (MNIST) with fully connected networks.

``python -m ch_mnist`` trains ThreeNet (784-200-80-10) or the book's TwoLayerNet
(784-50-10) with the training loop of ``common.training`` (``ch_mnist.training``) and
reports the test accuracy, a confusion matrix and the misclassified digits;
``python -m ch_mnist.gradient_check`` compares backpropagation with numerical gradients on
a few MNIST images.
"""
