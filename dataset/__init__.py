"""Data sets of the book, as NumPy arrays, with no dependency beyond NumPy and matplotlib.

Loaders (each returns ``((x_train, t_train), (x_test, t_test))`` unless noted):

- ``load_mnist``: MNIST handwritten digits, 60000 + 10000 images of 28x28; the IDX
  files are found in ``data_dir``, ``$MNIST_DIR`` or the per-user cache, downloaded
  there when missing (``dataset.mnist``);
- ``load_image_folder``: MNIST exported as ``root/{train,test}/<digit>/*.png``
  (``dataset.image_folder``);
- ``load_iris``: Fisher's Iris table, bundled with the package, stratified split
  (``dataset.iris``);
- ``logic_gate``: truth tables of AND, OR, NAND, NOR, XOR, XNOR and NOT, as ``(x, t)``
  (``dataset.logic``);
- ``load_tiny_shakespeare``, ``load_text_file``, ``CharVocab``, ``split_ids``,
  ``random_windows``: text for character-level language models, tiny Shakespeare
  embedded (``dataset.text``);
- ``load_words``: word-level tiny Shakespeare as ``(corpus, word_to_id, id_to_word)``,
  split 90/5/5, with ``tokenize`` (``dataset.words``, re-exported by ``dataset.text``);
- ``ptb.load_data``: the Penn Treebank files of the second book, ``(corpus, word_to_id,
  id_to_word)``, downloaded and verified like MNIST (``dataset.ptb``);
- ``sequence.load_data``, ``sequence.get_vocab``: the toy seq2seq problems of the second
  book (addition, dates), read from a file in the book's format or generated with a
  fixed seed (``dataset.sequence``);
- ``spiral.load_data``: the three-arm spiral of the second book's chapter 1, the book's
  very points for its seed, as ``(x, t)`` (``dataset.spiral``);
- ``noisy_line``, ``three_clusters_1d``, ``gaussian_blobs``, ``noisy_circles``: small
  seeded synthetic sets of the backpropagation tutorials, as ``(x, t)`` (``dataset.toy``).

Every problem with a data file raises ``DatasetError``, whose message names the
file, what is wrong and how to fix it. ``python -m dataset`` downloads and checks MNIST.
Nothing is downloaded at import time.
"""

from .errors import DatasetError
from .image_folder import load_image_folder
from .iris import CLASS_NAMES as IRIS_CLASS_NAMES
from .iris import iris_class_names, load_iris
from .logic import GATES, logic_gate
from .mnist import download_mnist, load_mnist
from .text import CharVocab, load_text_file, load_tiny_shakespeare, random_windows, split_ids
from .toy import gaussian_blobs, noisy_circles, noisy_line, three_clusters_1d
from .words import load_words

__all__ = [
    "CharVocab",
    "DatasetError",
    "GATES",
    "IRIS_CLASS_NAMES",
    "download_mnist",
    "iris_class_names",
    "load_image_folder",
    "load_iris",
    "load_mnist",
    "load_text_file",
    "load_tiny_shakespeare",
    "load_words",
    "logic_gate",
    "gaussian_blobs",
    "noisy_circles",
    "noisy_line",
    "random_windows",
    "split_ids",
    "three_clusters_1d",
]
