"""Data sets of the autograd (the third book's ``dezero.datasets``).

A ``Dataset`` holds ``data`` and ``label`` arrays (filled by ``prepare()``); ``dataset[i]``
is ``(transform(data[i]), target_transform(label[i]))`` and ``len(dataset)`` the number of
samples. ``get_batch(indices)`` gives the stacked samples of ``indices`` at once (what the
data loaders call): vectorised when the transforms allow it, else sample by sample.

- ``Spiral`` / ``get_spiral(train)``: 300 points of 3 spiral arms (``dataset.spiral``), in
  the book's order: like the book, it seeds NumPy's global generator (1984 for training,
  2020 for test) and shuffles with it, so the book's seeded programs see the same numbers;
- ``MNIST``: the 60,000 / 10,000 digits of ``dataset.mnist`` (``MNIST_DIR`` honoured),
  data (N, 1, 28, 28) uint8, by default flattened to float32 in [0, 1] per sample;
- ``SinCurve``: 999 steps of a noisy sine (training) or a cosine (test), float64 (N, 1);
- ``Shakespear`` (the book's spelling): the embedded tiny Shakespeare as character ids;
- ``CIFAR10``, ``CIFAR100``, ``ImageNet``: downloads this project does not make; creating
  one raises an error saying what to do instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from common.autograd.transforms import Compose, Flatten, Identity, Normalize, ToFloat, batchable
from dataset import spiral
from dataset.errors import DatasetError

Transform = Callable[[Any], Any]


class Dataset:
    """Samples ``data[i]`` with targets ``label[i]`` (None when there are none), made by
    ``prepare()``; ``transform`` / ``target_transform`` are applied per sample."""

    def __init__(self, train: bool = True, transform: Transform | None = None,
                 target_transform: Transform | None = None) -> None:
        self.train = train
        self.transform = Identity() if transform is None else transform
        self.target_transform = Identity() if target_transform is None else target_transform
        self.data: Any = None
        self.label: Any = None
        self.prepare()

    def __getitem__(self, index: Any) -> tuple[Any, Any]:
        if not np.isscalar(index):
            raise TypeError(f"{type(self).__name__}[index] takes one integer index, got "
                            f"{type(index).__name__}; for many samples use get_batch(indices)")
        x = self.transform(self.data[index])
        t = None if self.label is None else self.target_transform(self.label[index])
        return x, t

    def __len__(self) -> int:
        if self.data is None:
            raise TypeError(f"{type(self).__name__} has no data: its prepare() must set "
                            "self.data (and self.label)")
        return len(self.data)

    def prepare(self) -> None:
        """Set ``self.data`` and ``self.label`` (a subclass's work)."""

    def get_batch(self, indices: Sequence[int] | np.ndarray) -> tuple[Any, Any]:
        """The samples of ``indices`` stacked: x (B, ...), t (B, ...) (an object array of
        None without labels), exactly as ``np.array`` of ``[self[i] for i in indices]``."""
        fast = (type(self).__getitem__ is Dataset.__getitem__
                and isinstance(self.data, np.ndarray)
                and (self.label is None or isinstance(self.label, np.ndarray))
                and batchable(self.transform) and batchable(self.target_transform))
        if not fast:
            return stack_samples([self[i] for i in indices])
        indices = np.asarray(indices)
        x = self.transform.batch(self.data[indices])
        if self.label is None:
            return x, np.array([None] * len(indices))
        return x, self.target_transform.batch(self.label[indices])


def stack_samples(samples: Sequence[tuple[Any, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """[(x₀, t₀), (x₁, t₁), ...] ↦ (array of the x, array of the t)."""
    return np.array([s[0] for s in samples]), np.array([s[1] for s in samples])


def get_spiral(train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The spiral, shuffled: x float32 (300, 2), t int64 (300,) class 0..2.

    As in the book, it seeds NumPy's global generator (1984 for training, 2020 for test),
    draws the 300 angles' noise from it, then shuffles with ``np.random.permutation``: the
    global generator is left where the book's leaves it.
    """
    seed = 1984 if train else 2020
    x, onehot = spiral.load_data(seed)  # the same draws from RandomState(seed)
    np.random.seed(seed)
    np.random.standard_normal(len(x))  # advance the global generator past those draws
    order = np.random.permutation(len(x))
    return x[order], onehot.argmax(axis=1).astype(np.int64)[order]


class Spiral(Dataset):
    """The spiral of ``get_spiral``: 300 samples (x (2,) float32, t an int class)."""

    def prepare(self) -> None:
        self.data, self.label = get_spiral(self.train)


def _mnist_default() -> Compose:
    return Compose([Flatten(), ToFloat(), Normalize(0.0, 255.0)])


class MNIST(Dataset):
    """The MNIST digits: data (N, 1, 28, 28) uint8, label (N,) int64; each sample by default
    flattened to (784,) float32 in [0, 1]. Files from ``data_dir`` (a keyword of ours), else
    where ``dataset.mnist`` finds them (``MNIST_DIR``, else the user cache, downloaded there
    when missing)."""

    def __init__(self, train: bool = True, transform: Transform | None | str = "default",
                 target_transform: Transform | None = None, *,
                 data_dir: str | os.PathLike | None = None) -> None:
        if isinstance(transform, str) and transform == "default":
            transform = _mnist_default()
        self.data_dir = data_dir
        super().__init__(train, transform, target_transform)

    def prepare(self) -> None:
        from dataset.mnist import load_mnist_uint8  # reads files: only when asked for

        train, test = load_mnist_uint8(self.data_dir)
        images, labels = train if self.train else test
        self.data = images.reshape(-1, 1, 28, 28)
        self.label = labels.astype(np.int64)

    def show(self, row: int = 10, col: int = 10, to_file: str | None = None) -> None:
        """A row × col grid of random samples: in a window when there is a display, else
        written to ``to_file`` (default mnist.png) and its path printed."""
        from common.plots.figures import has_display, in_notebook, pyplot, save_figure

        picks = self.data[np.random.randint(0, len(self.data), row * col)]
        grid = picks.reshape(row, col, 28, 28).transpose(0, 2, 1, 3).reshape(row * 28, col * 28)
        shown = to_file is None and (has_display() or in_notebook())
        plt = pyplot(show=shown)
        fig, ax = plt.subplots()
        ax.imshow(grid, cmap="gray", interpolation="nearest")
        ax.axis("off")
        if shown:
            plt.show()
            return
        written = save_figure(fig, to_file or "mnist.png")
        print(f"figure written to {written}", flush=True)

    @staticmethod
    def labels() -> dict[int, str]:
        """Class id ↦ name: the digits."""
        return {i: str(i) for i in range(10)}


class SinCurve(Dataset):
    """Next-value prediction on a curve of 1,000 points over [0, 2π]: data y[:-1], label
    y[1:], both (999, 1) float64; y = sin(x) + U(−0.05, 0.05) noise (training) or cos(x)
    (test). The noise is drawn from NumPy's global generator, as the book does."""

    def prepare(self) -> None:
        x = np.linspace(0, 2 * np.pi, 1000)
        noise = np.random.uniform(-0.05, 0.05, size=x.shape)
        y = np.sin(x) + noise if self.train else np.cos(x)
        self.data = y[:-1, np.newaxis]
        self.label = y[1:, np.newaxis]


class Shakespear(Dataset):
    """Tiny Shakespeare (embedded in ``dataset.text``) as character ids, numbered in the
    order the characters first appear: data ids[:-1], label ids[1:] (int64); ``char_to_id``
    and ``id_to_char`` map between them."""

    def prepare(self) -> None:
        from dataset.text import load_tiny_shakespeare

        text = load_tiny_shakespeare()
        codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
        chars, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
        order = np.argsort(first)                      # characters by first appearance
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        ids = rank[inverse].astype(np.int64)
        self.char_to_id = {chr(chars[k]): i for i, k in enumerate(order)}
        self.id_to_char = {i: c for c, i in self.char_to_id.items()}
        self.data, self.label = ids[:-1], ids[1:]


def _download_error(name: str, what: str, url: str, layout: str) -> DatasetError:
    return DatasetError(
        f"{name} is a download ({what}, {url}) that this project does not make: "
        "everything here runs offline. Train on MNIST (needs only MNIST_DIR or one "
        "download of 11 MB), Spiral or SinCurve instead; or download it yourself and "
        f"write a Dataset subclass whose prepare() sets {layout}")


class CIFAR10(Dataset):
    """CIFAR-10 (a 163 MB download): creating one raises DatasetError saying what to do."""

    URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"

    def prepare(self) -> None:
        raise _download_error(type(self).__name__, "the 32x32 colour images", self.URL,
                              "self.data (N, 3, 32, 32) uint8 and self.label (N,) int64")

    @staticmethod
    def labels() -> dict[int, str]:
        """Class id ↦ name."""
        names = ("airplane automobile bird cat deer dog frog horse ship truck").split()
        return dict(enumerate(names))


class CIFAR100(CIFAR10):
    """CIFAR-100 (a 161 MB download): creating one raises DatasetError saying what to do."""

    URL = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"

    def __init__(self, train: bool = True, transform: Transform | None = None,
                 target_transform: Transform | None = None, label_type: str = "fine") -> None:
        self.label_type = label_type
        super().__init__(train, transform, target_transform)

    @staticmethod
    def labels(label_type: str = "fine") -> dict[int, str]:  # type: ignore[override]
        """The class names are in the download's meta file."""
        raise _download_error("CIFAR100.labels", "the class names, in the archive's meta file",
                              CIFAR100.URL, "the names from its 'meta' file")


class ImageNet(Dataset):
    """ImageNet (not downloadable without an account): creating one raises DatasetError."""

    LABELS_URL = ("https://gist.githubusercontent.com/yrevar/942d3a0ac09ec9e5eb3a/raw/"
                  "238f720ff059c1f82f368259d1ca4ffa5dd8f9f5/imagenet1000_clsidx_to_labels.txt")

    def prepare(self) -> None:
        raise DatasetError("ImageNet is not available here: its images need an account at "
                           "image-net.org and are 150 GB; only its 1,000 class names are "
                           "used by the book (ImageNet.labels(), a download)")

    @staticmethod
    def labels() -> dict[int, str]:
        """The 1,000 class names: a download this project does not make on its own."""
        raise DatasetError(
            "ImageNet.labels() needs the class-name file, a download: fetch it once with "
            f"dezero.utils.get_file({ImageNet.LABELS_URL!r}) (it is cached in ~/.dezero), "
            "then read it with ast.literal_eval(open(path).read())")
