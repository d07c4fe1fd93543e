"""The count-based method: how often words appear near each other (``create_co_matrix``),
how much more than chance (``ppmi``), and dense vectors from that (``truncated_svd``)."""

from __future__ import annotations

import numpy as np

from common.validation import whole_number
from common.wordvec.text import check_corpus

#: Elements of the float64 scratch of one block of rows in ``ppmi``: 4M (32 MB).
_PPMI_BLOCK = 1 << 22


def create_co_matrix(corpus: np.ndarray, vocab_size: int,
                     window_size: int = 1) -> np.ndarray:
    """Co-occurrence counts: C[i, j] = how many times word j stands within ``window_size``
    words of an occurrence of word i (either side). Symmetric, int32 (V, V).

    corpus: word ids (T,) in 0..V-1; positions holding -1 (words left out by
    ``keep_most_frequent``) count with nothing but still take their place in the text.
    The (V, V) matrix takes 4·V² bytes: 100 MB for 5,000 words, 610 MB for 12,385.
    """
    who = "create_co_matrix"
    v = whole_number(vocab_size, "vocab_size", 1, who=who)
    w = whole_number(window_size, "window_size", 1, who=who)
    corpus = check_corpus(corpus, who, v, skipped=True).astype(np.int64)
    keys = []
    for d in range(1, min(w, len(corpus) - 1) + 1):  # a loop over the offsets, not the words
        left, right = corpus[:-d], corpus[d:]
        both = (left >= 0) & (right >= 0)
        left, right = left[both], right[both]
        keys += [left * v + right, right * v + left]  # each pair, counted both ways
    co_matrix = np.zeros((v, v), dtype=np.int32)
    if keys:
        # counting the distinct (i, j) pairs once each: far less memory than a bincount
        # over all V² cells, and faster than np.add.at
        cells, counts = np.unique(np.concatenate(keys), return_counts=True)
        co_matrix.flat[cells] = counts
    return co_matrix


def ppmi(C: np.ndarray, verbose: bool = False, eps: float = 1e-8) -> np.ndarray:
    """Positive pointwise mutual information of co-occurrence counts C (V, V), float32:

        M[i, j] = max(0, log2(C[i, j] · N / (S_i · S_j) + eps)),

    N = Σ C, S_i = Σ_j C[i, j] (rows), S_j = Σ_i C[i, j] (columns): how much more often
    i and j meet than if words were placed at random. ``eps`` keeps log2 of a zero
    count finite (it is then negative, so 0), as in the book; a word with no count at
    all gets a row and a column of 0. Computed a block of rows at a time (the memory
    beyond M is bounded); ``verbose`` prints the progress per block.
    """
    C = np.asarray(C)
    if C.ndim != 2 or not (np.issubdtype(C.dtype, np.integer) or np.issubdtype(C.dtype,
                                                                               np.floating)):
        raise ValueError(f"ppmi takes a 2-D matrix of counts (create_co_matrix), got an array "
                         f"of {C.dtype} of shape {C.shape}")
    if C.size and (C.min() < 0 or not np.isfinite(C).all()):
        raise ValueError("ppmi: counts must be finite and >= 0")
    total = float(C.sum(dtype=np.float64))
    if total == 0:
        raise ValueError("ppmi: the matrix holds no co-occurrence (all counts are 0); count "
                         "them in a longer corpus or a wider window")
    rows = C.sum(axis=1, dtype=np.float64)
    cols = C.sum(axis=0, dtype=np.float64)
    M = np.zeros(C.shape, dtype=np.float32)
    block = max(1, _PPMI_BLOCK // max(C.shape[1], 1))
    for start in range(0, C.shape[0], block):
        stop = min(start + block, C.shape[0])
        expected = np.outer(rows[start:stop], cols)  # S_i · S_j
        ratio = np.divide(C[start:stop] * total, expected, out=np.zeros_like(expected),
                          where=expected > 0)
        ratio += eps
        np.log2(ratio, out=ratio)
        np.maximum(ratio, 0, out=ratio)
        M[start:stop] = ratio
        if verbose:
            print(f"ppmi: {100 * stop / C.shape[0]:.1f}% done", flush=True)
    return M


def truncated_svd(matrix: np.ndarray, rank: int, n_iter: int = 5, oversample: int = 10,
                  seed: int | np.random.Generator | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``rank`` leading singular triplets of ``matrix`` (m, n): U (m, k), S (k,), Vt (k, n)
    with matrix ≈ U · diag(S) · Vt, S falling.

    By the randomised method (Halko, Martinsson & Tropp 2011, as scikit-learn's
    ``randomized_svd``): the range of the matrix is found from its products with
    k + ``oversample`` random vectors, sharpened by ``n_iter`` power iterations, and the
    SVD is taken of the small projected matrix: O(m·n·(k + oversample)) instead of the
    O(m·n·min(m, n)) of a full SVD (seconds instead of a minute or more for 5,000 words).
    The more slowly the singular values fall, the more oversampling and iterations it
    takes to find the last of the k directions well. Small matrices get the exact SVD.
    Signs are fixed so that each column of U has its largest entry positive, so the
    result depends on nothing but the matrix and ``seed``. The count-based word vectors
    are U (the book's ``U[:, :wordvec_size]``).
    """
    who = "truncated_svd"
    A = np.asarray(matrix)
    if A.ndim != 2 or not np.issubdtype(A.dtype, np.floating) or not A.size:
        raise ValueError(f"{who} takes a non-empty 2-D float matrix, got an array of {A.dtype} "
                         f"of shape {A.shape}")
    m, n = A.shape
    k = whole_number(rank, "rank", 1, min(m, n), who=who)
    n_iter = whole_number(n_iter, "n_iter", 0, who=who)
    sketch = k + whole_number(oversample, "oversample", 0, who=who)
    if sketch >= min(m, n):
        U, S, Vt = np.linalg.svd(A, full_matrices=False)
    else:
        rng = np.random.default_rng(seed)
        Q = A @ rng.standard_normal((n, sketch)).astype(A.dtype)
        for _ in range(n_iter):  # QR between the products keeps the columns independent
            Q, _ = np.linalg.qr(Q)
            Q, _ = np.linalg.qr(A.T @ Q)
            Q = A @ Q
        Q, _ = np.linalg.qr(Q)
        small_U, S, Vt = np.linalg.svd(Q.T @ A, full_matrices=False)
        U = Q @ small_U
    U, S, Vt = U[:, :k], S[:k], Vt[:k]
    signs = np.sign(U[np.argmax(np.abs(U), axis=0), np.arange(k)])
    signs[signs == 0] = 1
    return U * signs, S, Vt * signs[:, np.newaxis]
