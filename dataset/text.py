"""Text for character-level language models: tiny Shakespeare (embedded), any UTF-8 file,
a character vocabulary, the train/validation split and random training windows.

    text = load_tiny_shakespeare()                  # 1,115,394 characters
    vocab = CharVocab.from_text(text)               # 65 characters
    train_ids, val_ids = split_ids(vocab.encode(text))
    x, t = random_windows(train_ids, batch_size=12, context=64, rng=rng)   # (12, 64) each

Tiny Shakespeare (Karpathy's char-rnn collection of Shakespeare's plays, public
domain; the text nanoGPT's character-level example uses) ships with the package,
compressed, and its SHA-256 is checked on every load: see
``dataset/TINYSHAKESPEARE_LICENSE.md``.

Word level (the second book's ``ptb.load_data`` shape), defined in ``dataset.words``
and re-exported here: ``load_words(data_type)`` -> ``(corpus, word_to_id, id_to_word)``
and ``tokenize(text)``; its inverse, ``detokenize(words)``, writes a language model's
words back as text.
"""

from __future__ import annotations

import bz2
import functools
import hashlib
import os
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import numpy as np

from .errors import DatasetError

#: Marks ``detokenize`` writes straight after the word before them (PTB's end of sentence
#: ``<eos>`` among them, written as a full stop).
ATTACHED = frozenset({",", ".", ":", ";", "?", "!", "<eos>"})
TINY_SHAKESPEARE_FILE = "tinyshakespeare.txt.bz2"
TINY_SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
#: The fewest characters ``load_text_file`` accepts by default: less is nothing to learn from.
MIN_TEXT_CHARS = 1000


@functools.lru_cache(maxsize=1)
def load_tiny_shakespeare() -> str:
    """The embedded tiny Shakespeare, 1,115,394 characters, its SHA-256 verified.

    Raises DatasetError if the packaged file is missing or damaged (reinstall the package).
    """
    try:
        packed = resources.files("dataset").joinpath(TINY_SHAKESPEARE_FILE).read_bytes()
        raw = bz2.decompress(packed)
    except (OSError, ValueError, EOFError) as err:
        raise DatasetError(f"the embedded tiny Shakespeare (dataset/{TINY_SHAKESPEARE_FILE}) "
                           f"cannot be read: {err}; reinstall the package") from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != TINY_SHAKESPEARE_SHA256:
        raise DatasetError(f"the embedded tiny Shakespeare (dataset/{TINY_SHAKESPEARE_FILE}) "
                           f"is damaged: its SHA-256 is {digest}, expected "
                           f"{TINY_SHAKESPEARE_SHA256}; reinstall the package")
    return raw.decode("utf-8")


def load_text_file(path: str | os.PathLike, min_chars: int = MIN_TEXT_CHARS) -> str:
    """The contents of a UTF-8 text file (a leading byte-order mark is dropped).

    Raises DatasetError, naming the file and saying what to do, when it is missing,
    empty, binary (NUL bytes, or bytes that are not UTF-8) or shorter than
    ``min_chars`` characters.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file; give the path of a UTF-8 text file") from None
    except IsADirectoryError:
        raise DatasetError(f"{path} is a folder; give the path of a UTF-8 text file") from None
    except OSError as err:
        raise DatasetError(f"{path} cannot be read: {err.strerror or err}") from None
    if not raw.strip():
        raise DatasetError(f"{path} is empty{' (only white space)' if raw else ''}: there is "
                           "no text to learn from; give a UTF-8 text file")
    if b"\x00" in raw:
        raise DatasetError(f"{path} holds NUL bytes (the first at byte {raw.index(0)}): it is a "
                           "binary file (or UTF-16 text), not UTF-8 text; give a UTF-8 text file "
                           "(convert UTF-16, e.g. with iconv -f UTF-16 -t UTF-8)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DatasetError(f"{path} is not UTF-8 text: byte {err.start} ({raw[err.start]:#04x}) "
                           "cannot be decoded; convert it to UTF-8 (e.g. iconv -f LATIN1 -t "
                           "UTF-8) or give another file") from None
    text = text.removeprefix("\ufeff")
    if len(text) < min_chars:
        raise DatasetError(f"{path} is too short: {len(text)} characters, at least {min_chars} "
                           "are needed to train on and validate with; give a longer text")
    return text


class CharVocab:
    """The characters of a text, sorted, and the ids 0..V-1 they get (``chars[i]`` has id i).

    ``encode`` and ``decode`` work on whole strings at once (vectorised: about 20 ms for
    a million characters).
    """

    def __init__(self, chars: str | list[str]) -> None:
        chars = sorted(set(chars))
        if not chars:
            raise ValueError("CharVocab needs at least one character")
        self.chars: list[str] = chars
        # code points in increasing order: id of a character = its rank among them
        self._codes = np.array([ord(c) for c in chars], dtype=np.uint32)

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        """The vocabulary of every distinct character of ``text``."""
        if not isinstance(text, str) or not text:
            raise ValueError("CharVocab.from_text needs a non-empty string")
        return cls(list(set(text)))

    def __len__(self) -> int:
        return len(self.chars)

    def __repr__(self) -> str:
        return f"CharVocab({len(self)} characters: {''.join(self.chars)!r})"

    def encode(self, text: str) -> np.ndarray:
        """The ids of the characters of ``text``: int64 (len(text),). A character outside
        the vocabulary raises ValueError naming it."""
        codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
        ids = np.searchsorted(self._codes, codes)
        unknown = (ids == len(self._codes)) | (self._codes[np.minimum(ids, len(self) - 1)]
                                                != codes)
        if unknown.any():
            missing = sorted({chr(c) for c in codes[unknown]})
            raise ValueError(f"characters not in the vocabulary of {len(self)}: "
                             f"{''.join(missing)!r}; use characters of the training text")
        return ids.astype(np.int64)

    def decode(self, ids: np.ndarray | list[int]) -> str:
        """The text of a sequence of ids (1-D); ids outside 0..V-1 raise ValueError."""
        ids = np.asarray(ids)
        if ids.ndim == 1 and ids.size == 0:
            return ""
        if ids.ndim != 1 or ids.dtype.kind not in "iu":
            raise ValueError(f"decode takes a 1-D sequence of integer ids, got shape "
                             f"{ids.shape} and dtype {ids.dtype}")
        if (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"ids must lie in 0..{len(self) - 1} (the vocabulary), got "
                             f"{ids.min()}..{ids.max()}")
        return self._codes[ids].astype("<u4").tobytes().decode("utf-32-le")


def split_ids(ids: np.ndarray, train_fraction: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """The first ``train_fraction`` of ``ids`` for training, the rest for validation (no
    shuffling: a text's end is new text, as nanoGPT splits tiny Shakespeare)."""
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must lie strictly between 0 and 1, got "
                         f"{train_fraction!r}")
    n = int(train_fraction * len(ids))
    return ids[:n], ids[n:]


def random_windows(ids: np.ndarray, batch_size: int, context: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``batch_size`` windows of ``context`` consecutive ids, starting at random places
    (uniform, with replacement across calls): x (N, T) int64, and the targets t (N, T),
    the same windows shifted by one (t[n, i] is the id that follows x[n, i])."""
    if context < 1 or batch_size < 1:
        raise ValueError(f"batch_size and context must be at least 1, got {batch_size} and "
                         f"{context}")
    if len(ids) < context + 1:
        raise ValueError(f"a text of {len(ids)} characters is too short for windows of "
                         f"{context} with their targets: it needs at least {context + 1}")
    starts = rng.integers(0, len(ids) - context, size=batch_size)
    rows = starts[:, np.newaxis] + np.arange(context + 1)
    windows = np.asarray(ids, dtype=np.int64)[rows]
    return windows[:, :-1], windows[:, 1:]


def detokenize(words: Iterable[str]) -> str:
    """Word-level tokens (of ``tokenize``, or of the Penn Treebank) written back as text:
    separated by spaces, the marks of ``ATTACHED`` written against the word before them,
    and a new line after a speaker's name (the token ``:`` of tiny Shakespeare) and after
    PTB's end of sentence ``<eos>`` (written ``.``).

    ``detokenize(["romeo", ":", "o", ",", "she", "doth", "!"])`` is ``"romeo:\no, she
    doth!"``. It inverts ``tokenize``: ``tokenize(detokenize(tokens)) == tokens`` for the
    tokens of any text (apostrophes and hyphens keep their spaces, so that ``i ' ll``
    does not become the one token ``i'll``); the case and the line breaks of the
    original text are not restored.
    """
    parts: list[str] = []
    for word in words:
        at_line_start = not parts or parts[-1].endswith("\n")
        if word == "<eos>":
            parts.append(".\n")
        elif word in ATTACHED or at_line_start:
            parts.append(word)
        else:
            parts.append(" " + word)
        if word == ":" and len(parts) > 1:  # a speaker's name ends its line
            parts.append("\n")
    return "".join(parts)


# Re-exported last: dataset.words imports this module's loader lazily, inside a function.
from .words import load_words, tokenize  # noqa: E402, F401
