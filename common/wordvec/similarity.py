"""How alike word vectors are: cosine similarity, nearest words, analogies (a : b = c : ?)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def cos_similarity(x: np.ndarray, y: np.ndarray, eps: float = 1e-8) -> float:
    """Cosine similarity x·y / (|x| |y|) of two vectors, in [-1, 1]; ``eps`` keeps a zero
    vector from dividing by 0 (its similarity to anything is 0)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"cos_similarity takes two vectors of one length, got shapes "
                         f"{x.shape} and {y.shape}")
    nx = x / (np.sqrt(np.sum(x**2)) + eps)
    ny = y / (np.sqrt(np.sum(y**2)) + eps)
    return float(np.dot(nx, ny))


def normalize(x: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """x scaled to length 1: a vector (D,), or every row of a matrix (V, D); float64, a new
    array (the book's changes x in place). A zero vector stays zero."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim not in (1, 2):
        raise ValueError(f"normalize takes a vector or a matrix of row vectors, got shape "
                         f"{x.shape}")
    return x / (np.linalg.norm(x, axis=-1, keepdims=True) + eps)


def _word_id(word: str, word_to_id: Mapping[str, int], word_matrix: np.ndarray) -> int:
    """The row of ``word``; ValueError if the vocabulary does not have it."""
    if word not in word_to_id:
        raise ValueError(f"{word!r} is not in the vocabulary ({len(word_to_id):,} words); "
                         "ask about another word")
    i = word_to_id[word]
    if not 0 <= i < len(word_matrix):
        raise ValueError(f"{word!r} has id {i}, but the word matrix has {len(word_matrix)} "
                         "rows: the vocabulary and the vectors do not belong together")
    return i


def _check_matrix(word_matrix: np.ndarray, id_to_word: Mapping[int, str] | Sequence[str],
                  who: str) -> np.ndarray:
    word_matrix = np.asarray(word_matrix)
    if word_matrix.ndim != 2:
        raise ValueError(f"{who}: the word matrix must be 2-D (one row per word), got shape "
                         f"{word_matrix.shape}")
    if len(id_to_word) != len(word_matrix):
        raise ValueError(f"{who}: {len(id_to_word):,} words but {len(word_matrix):,} rows of "
                         "vectors: the vocabulary and the vectors do not belong together")
    return word_matrix


def _ranked(similarity: np.ndarray, id_to_word: Mapping[int, str] | Sequence[str],
            exclude: set[str], top: int) -> list[tuple[str, float]]:
    """The ``top`` most similar words and their similarities, best first, but those of
    ``exclude`` (and rows whose similarity is NaN)."""
    found = []
    for i in np.argsort(-similarity, kind="stable"):  # ties in the order of the ids
        word = id_to_word[int(i)]
        if word in exclude or np.isnan(similarity[i]):
            continue
        found.append((word, float(similarity[i])))
        if len(found) >= top:
            break
    return found


def most_similar(query: str, word_to_id: Mapping[str, int],
                 id_to_word: Mapping[int, str] | Sequence[str], word_matrix: np.ndarray,
                 top: int = 5, verbose: bool = True) -> list[tuple[str, float]]:
    """The ``top`` words whose vectors (rows of ``word_matrix``, (V, D)) have the largest
    cosine similarity to ``query``'s, the query excluded: a list of (word, similarity),
    best first. Printed the book's way unless ``verbose`` is False. A query outside the
    vocabulary raises ValueError (the book's prints a line and returns None)."""
    word_matrix = _check_matrix(word_matrix, id_to_word, "most_similar")
    query_vec = word_matrix[_word_id(query, word_to_id, word_matrix)]
    similarity = normalize(word_matrix) @ normalize(query_vec)
    found = _ranked(similarity, id_to_word, {query}, top)
    if verbose:
        print(f"\n[query] {query}")
        for word, value in found:
            print(f" {word}: {value:.4f}")
    return found


def _analogy(a: str, b: str, c: str, word_to_id: Mapping[str, int],
             id_to_word: Mapping[int, str] | Sequence[str], word_matrix: np.ndarray,
             top: int, answer: str | None, verbose: bool, unit: bool,
             who: str) -> list[tuple[str, float]]:
    """The ranking of ``analogy`` (``unit`` False) and ``analogy_cosine`` (True)."""
    word_matrix = _check_matrix(word_matrix, id_to_word, who)
    ids = [_word_id(word, word_to_id, word_matrix) for word in (a, b, c)]
    vectors = normalize(word_matrix) if unit else np.asarray(word_matrix, dtype=np.float64)
    query_vec = normalize(vectors[ids[1]] - vectors[ids[0]] + vectors[ids[2]])
    similarity = vectors @ query_vec
    found = _ranked(similarity, id_to_word, {a, b, c}, top)
    if verbose:
        print(f"\n[analogy] {a}:{b} = {c}:?")
        if answer is not None:
            print(f"==>{answer}:{similarity[_word_id(answer, word_to_id, word_matrix)]:.4f}")
        for word, value in found:
            print(f" {word}: {value:.4f}")
    return found


def analogy(a: str, b: str, c: str, word_to_id: Mapping[str, int],
            id_to_word: Mapping[int, str] | Sequence[str], word_matrix: np.ndarray,
            top: int = 5, answer: str | None = None,
            verbose: bool = True) -> list[tuple[str, float]]:
    """a : b = c : ?, the book's way: q = b - a + c taken to length 1, and the ``top``
    words (not a, b or c) of largest dot product w·q with their vectors w as they are
    (rows of ``word_matrix``, (V, D)), as a list of (word, w·q), best first.

    Long vectors (rare words' often) weigh more: ``analogy_cosine`` takes every vector to
    length 1 instead. Printed the book's way unless ``verbose`` is False, with
    ``answer``'s score first if given. A word outside the vocabulary raises ValueError
    (``common.util.analogy``, the book's path, prints that it is not found instead).
    """
    return _analogy(a, b, c, word_to_id, id_to_word, word_matrix, top, answer, verbose,
                    unit=False, who="analogy")


def analogy_cosine(a: str, b: str, c: str, word_to_id: Mapping[str, int],
                   id_to_word: Mapping[int, str] | Sequence[str], word_matrix: np.ndarray,
                   top: int = 5, answer: str | None = None,
                   verbose: bool = True) -> list[tuple[str, float]]:
    """a : b = c : ?, by cosine similarity: every vector of ``word_matrix`` (V, D) taken to
    length 1 first, then the ``top`` words (not a, b or c) most similar to b - a + c, as a
    list of (word, cosine), best first. A frequent word's long vector no longer outweighs
    the others, as in ``analogy`` (the book's). Printed as ``analogy`` prints; a word
    outside the vocabulary raises ValueError.
    """
    return _analogy(a, b, c, word_to_id, id_to_word, word_matrix, top, answer, verbose,
                    unit=True, who="analogy_cosine")
