"""Word vectors by counting (the second book's chapter 2) and the tools to read them.

- ``text``: ``preprocess`` (a text -> corpus of ids and the two vocabularies),
  ``create_contexts_target`` and ``convert_one_hot`` (the training data of CBOW, chapter 3),
  ``keep_most_frequent`` (a corpus restricted to its most frequent words);
- ``count``: ``create_co_matrix`` (co-occurrence counts in a window), ``ppmi`` (positive
  pointwise mutual information), ``truncated_svd`` (the leading singular vectors, by a
  randomised method: the dense vectors of the count-based method);
- ``similarity``: ``cos_similarity``, ``normalize``, ``most_similar``, ``analogy`` (the
  book's ranking) and ``analogy_cosine`` (every vector at length 1);
- ``files``: ``save_word_vectors`` / ``load_word_vectors``, an ``.npz`` of the vectors and
  their words, written atomically and checked on loading.

The book's programs import these names from ``common.util``, which re-exports them.
Imports: NumPy, ``common.validation`` and ``common.fileio`` only (a foundation).
"""

from common.wordvec.count import create_co_matrix, ppmi, truncated_svd
from common.wordvec.files import load_word_vectors, save_word_vectors
from common.wordvec.similarity import (
    analogy,
    analogy_cosine,
    cos_similarity,
    most_similar,
    normalize,
)
from common.wordvec.text import (
    convert_one_hot,
    create_contexts_target,
    keep_most_frequent,
    preprocess,
)

__all__ = [
    "analogy",
    "analogy_cosine",
    "convert_one_hot",
    "cos_similarity",
    "create_co_matrix",
    "create_contexts_target",
    "keep_most_frequent",
    "load_word_vectors",
    "most_similar",
    "normalize",
    "ppmi",
    "preprocess",
    "save_word_vectors",
    "truncated_svd",
]
