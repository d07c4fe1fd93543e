"""Word vectors on disk: one ``.npz`` archive with the vectors, their words and a header,
written atomically and checked when read.

    save_word_vectors("out/cbow.npz", net.word_vecs, id_to_word)
    word_vecs, word_to_id, id_to_word = load_word_vectors("out/cbow.npz")

The archive holds ``word_vecs`` (V, D), ``words`` (V,) (a Unicode array, word i the
word of row i: no pickle is needed to read it back) and ``__format__`` (JSON: format
name, version, V and D), as ``Network.save_params`` stores its architecture.
``load_word_vectors`` also reads the book's pickled ``cbow_params.pkl`` (restricted: the
file can run nothing).
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from common.fileio import atomic_write
from common.safe_pickle import is_pickle, load_pickle

FORMAT = "dlscratch-word-vectors"
VERSION = 1


def _words_in_order(id_to_word: Mapping[int, str] | Sequence[str], rows: int) -> list[str]:
    """The words of ids 0..rows-1, checked: one distinct string per row."""
    if len(id_to_word) != rows:
        raise ValueError(f"save_word_vectors: {len(id_to_word):,} words for {rows:,} rows of "
                         "vectors: give one word per row")
    try:
        words = [id_to_word[i] for i in range(rows)]
    except (KeyError, IndexError):
        raise ValueError("save_word_vectors: id_to_word must give a word for every id "
                         f"0..{rows - 1}") from None
    if not all(isinstance(word, str) and word for word in words):
        raise ValueError("save_word_vectors: every word must be a non-empty string")
    if len(set(words)) != rows:
        raise ValueError("save_word_vectors: the words are not distinct: two rows would have "
                         "the same word")
    return words


def save_word_vectors(path: str | os.PathLike, word_vecs: np.ndarray,
                      id_to_word: Mapping[int, str] | Sequence[str]) -> Path:
    """Write ``word_vecs`` (V, D) and the word of each row (``id_to_word``: a dict id ->
    word or a list) to ``path`` (.npz), atomically; returns the path."""
    word_vecs = np.asarray(word_vecs)
    if word_vecs.ndim != 2 or not np.issubdtype(word_vecs.dtype, np.floating):
        raise ValueError(f"save_word_vectors: word_vecs must be a 2-D float array (V, D), got "
                         f"an array of {word_vecs.dtype} of shape {word_vecs.shape}")
    if not np.isfinite(word_vecs).all():
        raise ValueError("save_word_vectors: word_vecs holds NaN or infinite values")
    words = _words_in_order(id_to_word, len(word_vecs))
    header = {"format": FORMAT, "version": VERSION, "vocab_size": int(word_vecs.shape[0]),
              "dim": int(word_vecs.shape[1])}
    path = Path(path)
    with atomic_write(path) as f:
        np.savez(f, __format__=np.array(json.dumps(header)), word_vecs=word_vecs,
                 words=np.array(words, dtype=str))
    return path


def load_word_vectors(path: str | os.PathLike
                      ) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """(word_vecs, word_to_id, id_to_word) saved by ``save_word_vectors``, or by the book
    in its pickled ``cbow_params.pkl`` (the same three entries, read by the restricted
    reader of ``common.safe_pickle``, which lets the file run nothing). ValueError, naming
    the file and the problem, for a missing, damaged or foreign file."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"cannot load word vectors: there is no file {path}")
    if is_pickle(path):
        return _books_pickle(path)
    problem = f"{path} is not a file of word vectors written by save_word_vectors"
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{problem} (an .npz archive)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            stored = {name: archive[name] for name in archive.files}
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error) as err:
        if "allow_pickle" in str(err):
            # NumPy's message suggests allow_pickle=True: the one fix never to make
            raise ValueError(f"{path} holds an array of Python objects, stored as a pickle: "
                             "refused for safety, since unpickling can run any code; write "
                             "the vectors with save_word_vectors") from None
        raise ValueError(f"{path} is damaged ({err}); write it again with "
                         "save_word_vectors") from None
    try:
        header = json.loads(str(stored["__format__"]))
        word_vecs, words = stored["word_vecs"], stored["words"]
    except (KeyError, json.JSONDecodeError):
        raise ValueError(problem) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(problem)
    if header.get("version") != VERSION:
        raise ValueError(f"{path} is in version {header.get('version')} of the word-vector "
                         f"format; this library reads version {VERSION}")
    shape = (header.get("vocab_size"), header.get("dim"))
    if (word_vecs.shape != shape or words.shape != shape[:1] or words.dtype.kind != "U"
            or not np.issubdtype(word_vecs.dtype, np.floating)):
        raise ValueError(f"{path} is damaged: its header says {shape[0]} words of "
                         f"{shape[1]} numbers, but it holds vectors of shape {word_vecs.shape} "
                         f"({word_vecs.dtype}) and words of shape {words.shape}")
    if not np.isfinite(word_vecs).all():
        raise ValueError(f"{path} is damaged: its vectors hold NaN or infinite values")
    id_to_word = {i: str(word) for i, word in enumerate(words)}
    word_to_id = {word: i for i, word in id_to_word.items()}
    if len(word_to_id) != len(id_to_word):
        raise ValueError(f"{path} is damaged: its words are not distinct")
    return word_vecs, word_to_id, id_to_word


def _books_pickle(path: Path) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """(word_vecs, word_to_id, id_to_word) of the book's ``cbow_params.pkl``: a pickled
    dict of the three, the vectors in float16 (kept so), checked as ``.npz`` files are."""
    problem = (f"{path} is not the book's cbow_params.pkl: it must hold a dict of "
               "'word_vecs' (V, D), 'word_to_id' and 'id_to_word'")
    stored = load_pickle(path)
    if not isinstance(stored, dict) or not {"word_vecs", "id_to_word"} <= set(stored):
        raise ValueError(problem)
    word_vecs, id_to_word = stored["word_vecs"], stored["id_to_word"]
    if (not isinstance(word_vecs, np.ndarray) or word_vecs.ndim != 2
            or not np.issubdtype(word_vecs.dtype, np.floating)
            or not isinstance(id_to_word, dict)):
        raise ValueError(problem)
    if not np.isfinite(word_vecs).all():
        raise ValueError(f"{path} is damaged: its vectors hold NaN or infinite values")
    words = [id_to_word.get(i) for i in range(len(word_vecs))]
    if (len(id_to_word) != len(word_vecs)
            or not all(isinstance(word, str) and word for word in words)):
        raise ValueError(f"{path} is damaged: its id_to_word does not give one word for each "
                         f"of its {len(word_vecs):,} vectors")
    word_to_id = {word: i for i, word in enumerate(words)}
    if len(word_to_id) != len(words):
        raise ValueError(f"{path} is damaged: its words are not distinct")
    return word_vecs, word_to_id, dict(enumerate(words))
