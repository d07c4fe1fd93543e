"""``dezero.datasets``: Dataset and the book's data sets (defined in
``common.autograd.datasets``; MNIST through ``dataset.mnist``, which honours MNIST_DIR)."""

import numpy as np  # noqa: F401 - the book's module exposes np

from common.autograd.datasets import (  # noqa: F401
    CIFAR10,
    CIFAR100,
    MNIST,
    Dataset,
    ImageNet,
    Shakespear,
    SinCurve,
    Spiral,
    get_spiral,
)
from common.autograd.graph import cache_dir, get_file  # noqa: F401
from common.autograd.transforms import Compose, Flatten, Normalize, ToFloat  # noqa: F401
