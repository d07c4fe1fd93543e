"""The image networks of the third book's ``dezero.models``: ``VGG16`` (Simonyan & Zisserman
2014, configuration D), ``ResNet`` 50/101/152 (He et al. 2015, bottleneck blocks; the
stride on each stage's first 1×1 convolution, as MSRA's original and the book's) and
``SqueezeNet`` (Iandola et al. 2016, version 1.0 of the paper, or 1.1).

Their layers size themselves at the first call, so an input smaller than 224×224 works too
(the classifier's width follows it), which keeps tests fast. ``pretrained=True`` loads
weights only from a file the user has put in ``~/.dezero`` (nothing is downloaded): the
error says which file, where to put it and where the book's copy is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from common.autograd import tensor
from common.autograd.core import Function, Variable
from common.autograd.elementwise import relu
from common.autograd.layers import BatchNorm, Conv2d, Layer, Linear
from common.autograd.models import Model
from common.autograd.pooling import average_pooling, pooling
from common.autograd.regularization import dropout

#: Where ``pretrained=True`` looks for weight files (the book's cache directory).
WEIGHTS_DIR = Path.home() / ".dezero"
_RELEASES = "https://github.com/koki0702/dezero-models/releases/download/v0.1/"


def load_pretrained(model: Layer, file_name: str, url: str | None) -> None:
    """Load ``WEIGHTS_DIR/file_name`` into ``model``; a FileNotFoundError saying where to put
    it (and where to get it) when it is not there."""
    path = WEIGHTS_DIR / file_name
    if not path.is_file():
        where = (f"download {url} yourself and save it there" if url else
                 "no public copy exists for the book's models: save your own trained weights "
                 "there with model.save_weights")
        raise FileNotFoundError(f"{type(model).__name__}(pretrained=True) needs the weight file "
                                f"{file_name} at {path}, and nothing is downloaded: {where}")
    model.load_weights(path)


class Concat(Function):
    """y = the inputs joined along ``axis``; each gradient is its slice of gy."""

    def __init__(self, axis: int = 1) -> None:
        self.axis = axis

    def forward(self, *xs):
        self.sizes = [x.shape[self.axis] for x in xs]
        return np.concatenate(xs, axis=self.axis)

    def backward(self, gy):
        ends = np.cumsum(self.sizes).tolist()
        lead = (slice(None),) * (self.axis % gy.ndim)
        return tuple(tensor.get_item(gy, (*lead, slice(end - size, end)))
                     for size, end in zip(self.sizes, ends, strict=True))


def concat(xs: list[Any], axis: int = 1) -> Variable:
    """Variables (or arrays) joined along ``axis`` (channels by default), differentiable."""
    return Concat(axis)(*xs)


def global_average_pooling(x: Variable) -> Variable:
    """The mean of each channel over its whole image: (N, C, H, W) -> (N, C)."""
    n, c, h, w = x.shape
    return tensor.reshape(average_pooling(x, (h, w), stride=1), (n, c))


class VGG16(Model):
    """VGG16: 13 3×3 convolutions (64, 64 | 128, 128 | 256 ×3 | 512 ×3 | 512 ×3, each
    group ended by 2×2 max pooling) and three fully connected layers (4096, 4096, 1000)
    with dropout: (N, 3, 224, 224) -> (N, 1000) scores."""

    WEIGHTS_PATH = _RELEASES + "vgg16.npz"
    _GROUPS = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))

    def __init__(self, pretrained: bool = False) -> None:
        super().__init__()
        for group, (channels, count) in enumerate(self._GROUPS, start=1):
            for i in range(1, count + 1):
                setattr(self, f"conv{group}_{i}", Conv2d(channels, kernel_size=3, stride=1, pad=1))
        self.fc6 = Linear(4096)
        self.fc7 = Linear(4096)
        self.fc8 = Linear(1000)
        if pretrained:
            load_pretrained(self, "vgg16.npz", self.WEIGHTS_PATH)

    def forward(self, x: Any) -> Variable:
        """Scores (N, 1000) of images (N, 3, H, W)."""
        for group, (_, count) in enumerate(self._GROUPS, start=1):
            for i in range(1, count + 1):
                x = relu(getattr(self, f"conv{group}_{i}")(x))
            x = pooling(x, 2, 2)
        x = tensor.reshape(x, (x.shape[0], -1))
        x = dropout(relu(self.fc6(x)))
        x = dropout(relu(self.fc7(x)))
        return self.fc8(x)

    @staticmethod
    def preprocess(image: Any, size: tuple[int, int] | None = (224, 224),
                   dtype: Any = np.float32) -> np.ndarray:
        """A PIL image as the network's input (3, H, W): BGR, minus the ImageNet means."""
        image = image.convert("RGB")
        if size:
            image = image.resize(size)
        array = np.asarray(image, dtype=dtype)[:, :, ::-1]
        array = array - np.array([103.939, 116.779, 123.68], dtype=dtype)
        return np.ascontiguousarray(array.transpose(2, 0, 1))


class BottleneckA(Layer):
    """A stage's first block: relu(bn(1×1) → bn(3×3) → bn(1×1) + bn(1×1 projection of x)),
    the stride on the first 1×1 (on the 3×3 with ``downsample_fb``, Facebook's variant)."""

    def __init__(self, in_channels: int, mid_channels: int, out_channels: int,
                 stride: int = 2, downsample_fb: bool = False) -> None:
        super().__init__()
        stride_1x1, stride_3x3 = (1, stride) if downsample_fb else (stride, 1)
        self.conv1 = Conv2d(mid_channels, 1, stride_1x1, 0, nobias=True)
        self.bn1 = BatchNorm()
        self.conv2 = Conv2d(mid_channels, 3, stride_3x3, 1, nobias=True)
        self.bn2 = BatchNorm()
        self.conv3 = Conv2d(out_channels, 1, 1, 0, nobias=True)
        self.bn3 = BatchNorm()
        self.conv4 = Conv2d(out_channels, 1, stride, 0, nobias=True)
        self.bn4 = BatchNorm()

    def forward(self, x: Any) -> Variable:
        """The block's output (N, out_channels, H / stride, W / stride)."""
        h = relu(self.bn1(self.conv1(x)))
        h = relu(self.bn2(self.conv2(h)))
        return relu(self.bn3(self.conv3(h)) + self.bn4(self.conv4(x)))


class BottleneckB(Layer):
    """The other blocks: relu(x + bn(1×1) → bn(3×3) → bn(1×1)), the shape kept."""

    def __init__(self, in_channels: int, mid_channels: int) -> None:
        super().__init__()
        self.conv1 = Conv2d(mid_channels, 1, 1, 0, nobias=True)
        self.bn1 = BatchNorm()
        self.conv2 = Conv2d(mid_channels, 3, 1, 1, nobias=True)
        self.bn2 = BatchNorm()
        self.conv3 = Conv2d(in_channels, 1, 1, 0, nobias=True)
        self.bn3 = BatchNorm()

    def forward(self, x: Any) -> Variable:
        """The block's output, x's shape."""
        h = relu(self.bn1(self.conv1(x)))
        h = relu(self.bn2(self.conv2(h)))
        return relu(self.bn3(self.conv3(h)) + x)


class BuildingBlock(Layer):
    """A stage: one BottleneckA (``a``) then ``n_layers`` - 1 BottleneckB (``b1``, ...)."""

    def __init__(self, n_layers: int, in_channels: int, mid_channels: int, out_channels: int,
                 stride: int, downsample_fb: bool = False) -> None:
        super().__init__()
        self.a = BottleneckA(in_channels, mid_channels, out_channels, stride, downsample_fb)
        self._forward = ["a"]
        for i in range(1, n_layers):
            setattr(self, f"b{i}", BottleneckB(out_channels, mid_channels))
            self._forward.append(f"b{i}")

    def forward(self, x: Any) -> Variable:
        """The blocks in order."""
        for name in self._forward:
            x = getattr(self, name)(x)
        return x


class ResNet(Model):
    """ResNet-50/101/152: 7×7/2 convolution, 3×3/2 max pooling, four stages of bottleneck
    blocks (256, 512, 1024, 2048 channels), global average pooling, 1000 scores."""

    WEIGHTS_PATH = _RELEASES + "resnet{}.npz"
    BLOCKS = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3)}

    def __init__(self, n_layers: int = 152, pretrained: bool = False) -> None:
        super().__init__()
        if n_layers not in self.BLOCKS:
            raise ValueError(f"ResNet: n_layers must be 50, 101 or 152, got {n_layers!r}")
        blocks = self.BLOCKS[n_layers]
        self.conv1 = Conv2d(64, 7, 2, 3)
        self.bn1 = BatchNorm()
        self.res2 = BuildingBlock(blocks[0], 64, 64, 256, 1)
        self.res3 = BuildingBlock(blocks[1], 256, 128, 512, 2)
        self.res4 = BuildingBlock(blocks[2], 512, 256, 1024, 2)
        self.res5 = BuildingBlock(blocks[3], 1024, 512, 2048, 2)
        self.fc6 = Linear(1000)
        if pretrained:
            load_pretrained(self, f"resnet{n_layers}.npz", self.WEIGHTS_PATH.format(n_layers))

    def forward(self, x: Any) -> Variable:
        """Scores (N, 1000) of images (N, 3, H, W)."""
        x = relu(self.bn1(self.conv1(x)))
        x = pooling(x, kernel_size=3, stride=2)
        x = self.res5(self.res4(self.res3(self.res2(x))))
        return self.fc6(global_average_pooling(x))


class ResNet50(ResNet):
    """ResNet with 50 layers (blocks 3, 4, 6, 3)."""

    def __init__(self, pretrained: bool = False) -> None:
        super().__init__(50, pretrained)


class ResNet101(ResNet):
    """ResNet with 101 layers (blocks 3, 4, 23, 3)."""

    def __init__(self, pretrained: bool = False) -> None:
        super().__init__(101, pretrained)


class ResNet152(ResNet):
    """ResNet with 152 layers (blocks 3, 8, 36, 3)."""

    def __init__(self, pretrained: bool = False) -> None:
        super().__init__(152, pretrained)


class Fire(Layer):
    """SqueezeNet's module: squeeze to s channels (1×1), then expand by e1 1×1 and e3 3×3
    filters side by side: (N, C, H, W) -> (N, e1 + e3, H, W)."""

    def __init__(self, squeeze: int, expand1x1: int, expand3x3: int) -> None:
        super().__init__()
        self.squeeze = Conv2d(squeeze, 1)
        self.expand1x1 = Conv2d(expand1x1, 1)
        self.expand3x3 = Conv2d(expand3x3, 3, pad=1)

    def forward(self, x: Any) -> Variable:
        """relu of both expansions of relu(squeeze(x)), joined along the channels."""
        s = relu(self.squeeze(x))
        return concat([relu(self.expand1x1(s)), relu(self.expand3x3(s))], axis=1)


class SqueezeNet(Model):
    """SqueezeNet: a convolution, eight Fire modules with max pooling between groups,
    dropout, a 1×1 convolution to 1000 channels and global average pooling (no fully
    connected layer). Version '1.0' is the paper's (96 7×7/2 filters first), '1.1' the
    cheaper one (64 3×3/2 filters, pooling earlier)."""

    _FIRES = ((16, 64), (16, 64), (32, 128), (32, 128), (48, 192), (48, 192), (64, 256),
              (64, 256))
    _POOL_AFTER = {"1.0": (1, 4, 8), "1.1": (1, 3, 5)}  # after conv1 (1) and fire<k>

    def __init__(self, pretrained: bool = False, version: str = "1.0") -> None:
        super().__init__()
        if version not in self._POOL_AFTER:
            raise ValueError(f"SqueezeNet: version must be '1.0' or '1.1', got {version!r}")
        self.version = version
        self.conv1 = Conv2d(96, 7, 2) if version == "1.0" else Conv2d(64, 3, 2)
        for k, (s, e) in enumerate(self._FIRES, start=2):
            setattr(self, f"fire{k}", Fire(s, e, e))
        self.conv10 = Conv2d(1000, 1)
        if pretrained:
            load_pretrained(self, f"squeezenet{version.replace('.', '_')}.npz", None)

    def forward(self, x: Any) -> Variable:
        """Scores (N, 1000) of images (N, 3, H, W)."""
        pools = self._POOL_AFTER[self.version]
        x = relu(self.conv1(x))
        if 1 in pools:
            x = pooling(x, 3, 2)
        for k in range(2, 10):
            x = getattr(self, f"fire{k}")(x)
            if k in pools:
                x = pooling(x, 3, 2)
        x = dropout(x, 0.5)  # the identity in test mode
        return global_average_pooling(relu(self.conv10(x)))


__all__ = [
    "BottleneckA", "BottleneckB", "BuildingBlock", "Concat", "Fire", "ResNet", "ResNet50",
    "ResNet101", "ResNet152", "SqueezeNet", "VGG16", "WEIGHTS_DIR", "concat",
    "global_average_pooling", "load_pretrained",
]
