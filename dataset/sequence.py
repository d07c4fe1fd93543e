"""The toy sequence-to-sequence problems of the second book: addition and date formats.

    (x_train, t_train), (x_test, t_test) = load_data("addition.txt")   # (45000, 7), (45000, 5)
    char_to_id, id_to_char = get_vocab()                                # 13 characters

Each problem is a text file of one example a line, in the book's format: the question
padded with spaces to a fixed width, then ``_`` and the answer padded to a fixed width.

- ``addition.txt``: ``16+75  _91  `` (question 7 characters, ``_`` + answer 4: 12 a line);
- ``date.txt``: ``september 27, 1994           _1994-09-27`` (question 29 characters,
  ``_`` + the ISO date: 40 a line).

``load_data(file_name)`` reads ``file_name`` when it is an existing file (a path), else
``$SEQUENCE_DIR/file_name`` (put the book's own ``addition.txt`` and ``date.txt`` there
to train on exactly the book's data). For the names ``addition.txt`` and ``date.txt``
found nowhere, it uses the lines ``addition_lines()`` and ``date_lines()`` generate
(50,000 each, generation seed ``GENERATION_SEED`` = 0): the same problems, the same
widths and characters as the book's files, though not the same lines.

As in the book, x holds the ids of the question's characters and t those of ``_`` and
the answer (the ``_`` is the decoder's start symbol); the lines are shuffled as the book
shuffles them, ``np.random.seed(seed)`` then ``np.random.shuffle`` (so the book's file
gives the book's split), and the last tenth is the test set. Seeding NumPy's global
generator is part of the book's loader that its programs rely on: they draw their initial
weights (``np.random.randn``) and their batches from it afterwards, and so print the
same numbers every run. Ids are given to characters in the order they
first appear, reading each line's question then its answer, as the book does.
"""

from __future__ import annotations

import datetime
import functools
import os
from collections.abc import Callable, Hashable
from pathlib import Path

import numpy as np

from .errors import DatasetError

__all__ = [
    "ADDITION_WIDTHS",
    "DATE_WIDTHS",
    "DATE_FORMATS",
    "GENERATION_SEED",
    "addition_lines",
    "write_date",
    "date_lines",
    "load_data",
    "get_vocab",
]

#: Widths of the question and of ``_`` + answer in the book's files.
ADDITION_WIDTHS = (7, 5)
DATE_WIDTHS = (29, 11)
#: Seed of the lines generated when the book's file is not found.
GENERATION_SEED = 0
GENERATED_LINES = 50_000
#: The most lines a generator gives: every question is new, and the pool is finite.
MAX_LINES = 100_000
SEPARATOR = "_"
TEST_FRACTION_DIVISOR = 10  # the book's test set: len(x) // 10 lines

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: The written forms of a date; all but "short" come lower-case, Title Case or UPPER-CASE.
#: The first four are those of the book's date.txt, the last two day-first variants.
DATE_FORMATS = {
    "short": "{m}/{d}/{yy}",                   # 9/27/94
    "medium": "{mon} {d}, {yyyy}",             # sep 27, 1994
    "long": "{month} {d}, {yyyy}",             # september 27, 1994
    "full": "{weekday}, {month} {d}, {yyyy}",  # tuesday, september 27, 1994
    "day_medium": "{d} {mon} {yyyy}",          # 27 sep 1994
    "day_long": "{d} {month} {yyyy}",          # 27 september 1994
}
_CASES = (str.lower, str.title, str.upper)
FIRST_DATE = datetime.date(1970, 1, 1)  # the book's file spans 1970 to 2017
LAST_DATE = datetime.date(2017, 12, 31)
_BATCH = 4096  # candidates drawn per round: fixed, so n lines are a prefix of n + k lines


def _unique_lines(n: int, seed: int, draw: Callable[[np.random.Generator], list],
                  render: Callable[[object], str], who: str,
                  key: Callable[[object], Hashable] | None = None) -> list[str]:
    """``n`` lines ``render(item)`` of items drawn by batches, skipping an item whose
    ``key`` (default: its line) was seen (no question twice: the test split then holds
    only new questions)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_LINES:
        raise ValueError(f"{who}: n must be a whole number in 1..{MAX_LINES}; got {n!r}")
    rng = np.random.default_rng(seed)
    seen: set[Hashable] = set()
    lines: list[str] = []
    while len(lines) < n:
        for item in draw(rng):
            line = render(item)
            k = line if key is None else key(item)
            if k not in seen:
                seen.add(k)
                lines.append(line)
                if len(lines) == n:
                    break
    return lines


def _draw_numbers(rng: np.random.Generator) -> list[tuple[int, int]]:
    # As the book's data (Keras's addition example): 1 to 3 digits, then the digits, so
    # that small numbers are as frequent as large ones and carries of every length occur.
    digits = rng.integers(1, 4, size=(_BATCH, 2))
    values = rng.integers(0, 10 ** digits)
    return [(int(a), int(b)) for a, b in values]


def addition_lines(n: int = GENERATED_LINES, seed: int = GENERATION_SEED) -> list[str]:
    """``n`` lines of the book's addition.txt format, e.g. ``'16+75  _91  '`` (12 characters:
    ``a+b`` padded to 7, ``_``, ``a+b``'s value padded to 4), a and b in 0..999 with 1, 2 or
    3 digits equally likely. No sum is asked twice (a+b and b+a count as one).
    Deterministic for a seed; the first k lines do not depend on n."""
    width_q, width_a = ADDITION_WIDTHS
    return _unique_lines(
        n, seed, _draw_numbers, key=lambda ab: (min(ab), max(ab)),
        render=lambda ab: f"{ab[0]}+{ab[1]}".ljust(width_q) + f"_{ab[0] + ab[1]}".ljust(width_a),
        who="addition_lines")


def _draw_dates(rng: np.random.Generator) -> list[tuple[datetime.date, str, int]]:
    span = (LAST_DATE - FIRST_DATE).days + 1
    days = rng.integers(0, span, size=_BATCH)
    forms = rng.integers(0, len(DATE_FORMATS), size=_BATCH)
    cases = rng.integers(0, len(_CASES), size=_BATCH)
    names = list(DATE_FORMATS)
    return [(FIRST_DATE + datetime.timedelta(days=int(d)), names[f], int(c))
            for d, f, c in zip(days, forms, cases, strict=True)]


def write_date(date: datetime.date, form: str, case: int = 0) -> str:
    """``date`` written in the form ``form`` (a key of ``DATE_FORMATS``) and case ``case``
    (0 lower, 1 Title, 2 UPPER), e.g. ``write_date(date(1994, 9, 27), "full", 1)`` is
    ``'Tuesday, September 27, 1994'``."""
    month = MONTHS[date.month - 1]
    text = DATE_FORMATS[form].format(
        m=date.month, d=date.day, yy=f"{date.year % 100:02d}", yyyy=date.year,
        mon=month[:3], month=month, weekday=WEEKDAYS[date.weekday()])
    return _CASES[case](text)


def date_lines(n: int = GENERATED_LINES, seed: int = GENERATION_SEED) -> list[str]:
    """``n`` lines of the book's date.txt format, e.g.
    ``'september 27, 1994           _1994-09-27'`` (40 characters: a date from 1970 to 2017
    written in one of the 16 forms of ``DATE_FORMATS`` x case, padded to 29, ``_``, the ISO
    date). No question twice. Deterministic for a seed; the first k lines do not depend on n."""
    width_q, _ = DATE_WIDTHS

    def render(item: tuple[datetime.date, str, int]) -> str:
        date, form, case = item
        return write_date(date, form, case).ljust(width_q) + SEPARATOR + date.isoformat()

    return _unique_lines(n, seed, _draw_dates, render=render, who="date_lines")


_GENERATORS = {"addition.txt": addition_lines, "date.txt": date_lines}


@functools.lru_cache(maxsize=4)
def _generated(name: str) -> tuple[str, ...]:
    return tuple(_GENERATORS[name](GENERATED_LINES, GENERATION_SEED))


def _read_lines(path: Path) -> list[str]:
    """The lines of a text file without their line ends; trailing blank lines dropped."""
    try:
        text = path.read_text(encoding="utf-8")
    except IsADirectoryError:
        raise DatasetError(f"{path} is a folder; give a text file in the book's format "
                           "(question_answer on each line)") from None
    except UnicodeDecodeError as err:
        raise DatasetError(f"{path} is not UTF-8 text (byte {err.start} cannot be decoded); "
                           "give a text file in the book's format") from None
    except OSError as err:
        raise DatasetError(f"{path} cannot be read: {err.strerror or err}") from None
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise DatasetError(f"{path} is empty: it needs one question_answer example per line, "
                           "e.g. '16+75  _91  '")
    return lines


def parse_lines(lines: list[str] | tuple[str, ...], source: str) -> tuple[list[str], list[str]]:
    """Cut each line at its first ``_``: the questions, and the answers with their leading
    ``_``. All questions must have one width and all answers one width; DatasetError naming
    ``source`` and the line (counted from 1) otherwise."""
    questions, answers = [], []
    for number, line in enumerate(lines, start=1):
        cut = line.find(SEPARATOR)
        if cut < 0:
            raise DatasetError(f"{source}, line {number}: no '{SEPARATOR}' between question "
                               f"and answer in {line!r}; each line must read question_answer, "
                               "padded to fixed widths, e.g. '16+75  _91  '")
        questions.append(line[:cut])
        answers.append(line[cut:])
        if (cut, len(line)) != (len(questions[0]), len(questions[0]) + len(answers[0])):
            raise DatasetError(
                f"{source}, line {number}: {line!r} has a question of {cut} and an answer of "
                f"{len(line) - cut} characters ('_' included), while line 1 has "
                f"{len(questions[0])} and {len(answers[0])}; pad every question and every "
                "answer with spaces to the same width")
    return questions, answers


def _resolve(file_name: str | os.PathLike[str]) -> tuple[list[str] | tuple[str, ...], str]:
    """The lines to load and a name for them in messages (see the module docstring)."""
    path = Path(file_name).expanduser()
    if path.is_file() or path.is_dir():
        return _read_lines(path), str(path)
    searched = [str(path)]
    folder = os.environ.get("SEQUENCE_DIR", "")
    if folder:
        if not Path(folder).expanduser().is_dir():
            raise DatasetError(f"SEQUENCE_DIR is set to {folder}, which is not a folder; set it "
                               "to the folder of addition.txt / date.txt, or unset it")
        beside = Path(folder).expanduser() / path
        if beside.is_file():
            return _read_lines(beside), str(beside)
        searched.append(str(beside))
    if path.name in _GENERATORS and str(path) == path.name:
        return _generated(path.name), f"<generated {path.name}>"
    raise DatasetError(f"{file_name}: no such file (looked for {' and '.join(searched)}); give "
                       "the path of a file in the book's format, set SEQUENCE_DIR to its "
                       "folder, or use 'addition.txt' / 'date.txt' (generated when not found)")


_char_to_id: dict[str, int] = {}
_id_to_char: dict[int, str] = {}


def load_data(file_name: str | os.PathLike[str] = "addition.txt", seed: int | None = 1984
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """A problem as ``(x_train, t_train), (x_test, t_test)``, the book's ``sequence.load_data``.

    x: int32 (N, Q), the ids of each question's Q characters; t: int32 (N, A), the ids of
    ``_`` and the answer. The lines are shuffled as the book's loader shuffles them: NumPy's
    global generator is seeded with ``seed`` (``np.random.seed(seed)``, a side effect the
    book's programs rely on: the weights and batches they draw next are the same every
    run; ``None``: not seeded, the shuffle draws from it as it stands) and
    ``np.random.shuffle`` orders the lines. Then the last ``N // 10`` are the test set:
    with the 50,000 lines of addition.txt, 45,000 + 5,000 of shapes (., 7) and (., 5); of
    date.txt (., 29), (., 11).
    The vocabulary of these lines is then what ``get_vocab()`` returns. Raises
    DatasetError, naming the file and the line, for a missing or empty file or a line
    without ``_`` or of another width than the first.
    """
    lines, source = _resolve(file_name)
    questions, answers = parse_lines(lines, source)
    char_to_id: dict[str, int] = {}
    for question, answer in zip(questions, answers, strict=True):
        for char in question + answer:
            char_to_id.setdefault(char, len(char_to_id))
    x = np.array([[char_to_id[c] for c in q] for q in questions], dtype=np.int32)
    t = np.array([[char_to_id[c] for c in a] for a in answers], dtype=np.int32)
    x = x.reshape(len(questions), len(questions[0]))  # stays 2-D even for one-column data

    # the book's shuffle, global seed included (see the docstring)
    order = np.arange(len(x))
    if seed is not None:
        np.random.seed(seed)
    np.random.shuffle(order)
    x, t = x[order], t[order]
    split_at = len(x) - len(x) // TEST_FRACTION_DIVISOR

    _char_to_id.clear()
    _char_to_id.update(char_to_id)
    _id_to_char.clear()
    _id_to_char.update({i: c for c, i in char_to_id.items()})
    return (x[:split_at], t[:split_at]), (x[split_at:], t[split_at:])


def get_vocab() -> tuple[dict[str, int], dict[int, str]]:
    """``(char_to_id, id_to_char)`` of the data ``load_data`` loaded last (copies)."""
    if not _char_to_id:
        raise RuntimeError("get_vocab: no data loaded yet; call sequence.load_data(...) first")
    return dict(_char_to_id), dict(_id_to_char)
