"""``dezero.models``: Model, Sequential, MLP and the architectures VGG16, ResNet and
SqueezeNet (defined in ``common.autograd.models`` and ``common.autograd.architectures``;
``pretrained=True`` names the weight file it needs and where to put it)."""

import numpy as np  # noqa: F401 - the book's module exposes np

import dezero.functions as F  # noqa: F401, N812 - the book's names
import dezero.layers as L  # noqa: F401, N812
from common.autograd.architectures import (  # noqa: F401
    VGG16,
    BottleneckA,
    BottleneckB,
    BuildingBlock,
    ResNet,
    ResNet50,
    ResNet101,
    ResNet152,
    SqueezeNet,
)
from common.autograd.layers import Layer  # noqa: F401
from common.autograd.models import MLP, Model, Sequential  # noqa: F401
from dezero import utils  # noqa: F401
