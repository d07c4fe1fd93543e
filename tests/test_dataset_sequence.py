"""The toy seq2seq problems: generated lines in the book's format with right answers,
load_data on a file in that format, the vocabulary, the 90/10 split and the errors."""

import datetime
import re

import numpy as np
import pytest

from dataset import DatasetError, sequence
from dataset.sequence import addition_lines, date_lines, get_vocab, load_data

MONTHS = {m.lower(): i + 1 for i, m in enumerate(sequence.MONTHS)}
WEEKDAYS = [w.lower() for w in sequence.WEEKDAYS]


def parse_date(question: str) -> datetime.date:
    """An independent reading of the forms the generator writes."""
    q = question.strip().lower()
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d\d)", q):
        month, day, yy = map(int, m.groups())
        return datetime.date(1900 + yy if yy >= 70 else 2000 + yy, month, day)
    weekday = None
    if m := re.fullmatch(r"([a-z]+), (.*)", q):
        weekday, q = m.groups()
    if m := re.fullmatch(r"([a-z]+) (\d{1,2}), (\d{4})", q):
        name, day, year = m.groups()
    else:
        day, name, year = re.fullmatch(r"(\d{1,2}) ([a-z]+) (\d{4})", q).groups()
    month = next(v for k, v in MONTHS.items() if k == name or (len(name) == 3 and
                                                                 k.startswith(name)))
    date = datetime.date(int(year), month, int(day))
    assert weekday is None or WEEKDAYS[date.weekday()] == weekday
    return date


def test_addition_lines_are_the_book_format_with_right_sums():
    lines = addition_lines(3000, seed=5)
    assert len(lines) == 3000 and all(len(line) == 12 and line[7] == "_" for line in lines)
    for line in lines:
        question, answer = line[:7], line[8:]
        a, b = re.fullmatch(r"(\d{1,3})\+(\d{1,3}) *", question).groups()
        assert question.rstrip() == f"{int(a)}+{int(b)}"  # no leading zeros, left-aligned
        assert answer == str(int(a) + int(b)).ljust(4)
    pairs = [tuple(sorted(map(int, line[:7].strip().split("+")))) for line in lines]
    assert len(set(pairs)) == len(pairs)  # no sum asked twice, in either order
    digits = {len(line[:7].split("+")[0]) for line in lines}
    assert digits == {1, 2, 3}


def test_date_lines_are_the_book_format_with_right_dates():
    lines = date_lines(3000, seed=5)
    assert all(len(line) == 40 and line[29] == "_" for line in lines)
    assert len({line[:29] for line in lines}) == len(lines)
    for line in lines:
        question, answer = line[:29], line[30:]
        assert question == question.rstrip().ljust(29) and not question.startswith(" ")
        date = datetime.date.fromisoformat(answer)
        assert parse_date(question) == date
        assert sequence.FIRST_DATE <= date <= sequence.LAST_DATE
    questions = [line[:29].rstrip() for line in lines]
    assert any(q.isupper() for q in questions) and any(q.islower() for q in questions)
    assert any(q.istitle() for q in questions) and any("/" in q for q in questions)


def test_the_book_examples_are_written_the_book_way():
    day = datetime.date(1994, 9, 27)
    assert sequence.write_date(day, "long", 0) == "september 27, 1994"
    assert sequence.write_date(day, "short") == "9/27/94"
    assert sequence.write_date(day, "full", 2) == "TUESDAY, SEPTEMBER 27, 1994"
    assert sequence.write_date(day, "day_medium", 0) == "27 sep 1994"
    longest = sequence.write_date(datetime.date(2017, 9, 27), "full", 0)
    assert longest == "wednesday, september 27, 2017" and len(longest) == 29


def test_generation_is_deterministic_and_prefix_stable():
    assert addition_lines(500, seed=3) == addition_lines(500, seed=3)
    assert addition_lines(500, seed=3) != addition_lines(500, seed=4)
    assert addition_lines(5000, seed=3)[:500] == addition_lines(500, seed=3)
    assert date_lines(5000, seed=3)[:500] == date_lines(500, seed=3)


@pytest.mark.parametrize("bad", [0, -1, 10**7, 2.5, True])
def test_a_bad_line_count_is_refused(bad):
    with pytest.raises(ValueError, match="n must be a whole number"):
        addition_lines(bad)


def write_book_file(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_load_data_reads_a_book_file_with_the_book_vocab_and_split(tmp_path):
    lines = ["16+75  _91  ", "52+607 _659 ", "75+22  _97  ", "8+4    _12  ", "9+3    _12  ",
             "6+2    _8   ", "18+8   _26  ", "85+52  _137 ", "9+1    _10  ", "8+20   _28  ",
             "5+3    _8   ", "706+796_1502"]
    path = write_book_file(tmp_path / "addition.txt", lines)
    (x_train, t_train), (x_test, t_test) = load_data(str(path), seed=1984)
    assert x_train.shape == (11, 7) and t_train.shape == (11, 5)  # 12 - 12 // 10 for training
    assert x_test.shape == (1, 7) and t_test.shape == (1, 5)
    char_to_id, id_to_char = get_vocab()
    # ids in order of first appearance, question then answer, line by line
    assert list(char_to_id)[:8] == ["1", "6", "+", "7", "5", " ", "_", "9"]
    assert all(id_to_char[i] == c for c, i in char_to_id.items())
    x_all, t_all = np.concatenate([x_train, x_test]), np.concatenate([t_train, t_test])
    decoded = {"".join(id_to_char[int(i)] for i in row) for row in np.hstack([x_all, t_all])}
    assert decoded == set(lines)  # round trip, every line once
    # the book's shuffle: numpy.random.seed(1984); numpy.random.shuffle(arange(12))
    order = np.arange(12)
    np.random.RandomState(1984).shuffle(order)
    first = "".join(id_to_char[int(i)] for i in x_train[0])
    assert first == lines[order[0]][:7]
    again = load_data(path, seed=1984)
    np.testing.assert_array_equal(again[0][0], x_train)
    assert x_train.dtype == t_train.dtype == np.int32


def book_program_start(path):
    """What the book's ch07/ch08 programs do first: load the data, then draw their initial
    weights from NumPy's global generator (np.random.randn)."""
    (x_train, _), _ = load_data(path)
    return x_train, np.random.randn(4, 3)


def test_load_data_seeds_the_global_generator_as_the_books_does(tmp_path):
    lines = [f"{i}+{i}  _{2 * i}".ljust(12)[:12] for i in range(10, 40)]
    path = write_book_file(tmp_path / "addition.txt", lines)
    x_first, weights_first = book_program_start(path)
    np.random.rand(7)  # whatever ran before: the next run starts the same all the same
    x_second, weights_second = book_program_start(path)
    np.testing.assert_array_equal(x_first, x_second)
    np.testing.assert_array_equal(weights_first, weights_second)
    # the book's order and state: seed(1984), shuffle(arange(N)), then the program's draws
    book = np.random.RandomState(1984)
    order = np.arange(len(lines))
    book.shuffle(order)
    char_to_id = get_vocab()[0]
    assert [[char_to_id[c] for c in lines[i][:7]] for i in order[:27]] == x_first.tolist()
    np.testing.assert_array_equal(weights_first, book.randn(4, 3))
    # seed=None shuffles with the global generator as it stands, as the book's does
    np.random.seed(5)
    (x_none, _), _ = load_data(path, seed=None)
    mine = np.random.RandomState(5)
    order = np.arange(len(lines))
    mine.shuffle(order)
    assert [[char_to_id[c] for c in lines[i][:7]] for i in order[:27]] == x_none.tolist()


def test_the_book_names_fall_back_to_generated_data(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEQUENCE_DIR", raising=False)
    (x_train, t_train), (x_test, t_test) = load_data("addition.txt")
    assert x_train.shape == (45000, 7) and t_train.shape == (45000, 5)
    assert x_test.shape == (5000, 7) and t_test.shape == (5000, 5)
    char_to_id, id_to_char = get_vocab()
    assert sorted(char_to_id) == sorted("0123456789+ _")
    assert set(t_train[:, 0]) == {char_to_id["_"]}
    (x_train, t_train), _ = load_data("date.txt")
    assert x_train.shape == (45000, 29) and t_train.shape == (45000, 11)
    assert len(get_vocab()[0]) == 59  # vocabulary of the last data loaded


def test_sequence_dir_is_searched(monkeypatch, tmp_path):
    write_book_file(tmp_path / "addition.txt", ["1+1  _2 ", "2+2  _4 "])
    monkeypatch.setenv("SEQUENCE_DIR", str(tmp_path))
    (x_train, t_train), (x_test, _) = load_data("addition.txt")
    assert x_train.shape == (2, 5) and t_train.shape == (2, 3) and len(x_test) == 0
    monkeypatch.setenv("SEQUENCE_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(DatasetError, match="SEQUENCE_DIR is set to .*nowhere.*not a folder"):
        load_data("addition.txt")


@pytest.mark.parametrize("content, message", [
    ("", r"is empty"),
    ("\n\n", r"is empty"),
    ("1+1  _2 \n2+2   4 \n", r"line 2: no '_' between question and answer"),
    ("1+1  _2 \n12+1_13 \n", r"line 2: .* question of 4 and an answer of 4 .*line 1 has 5 and 3"),
    ("1+1  _2 \n12+10_22\n3+3  _6  \n", r"line 3: .*answer of 4 .*pad every question"),
])
def test_bad_files_name_the_file_and_line(tmp_path, content, message):
    path = tmp_path / "mine.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DatasetError, match=message) as info:
        load_data(path)
    assert "mine.txt" in str(info.value)


def test_a_missing_file_says_where_it_looked(monkeypatch, tmp_path):
    monkeypatch.delenv("SEQUENCE_DIR", raising=False)
    with pytest.raises(DatasetError, match="no such file .*SEQUENCE_DIR"):
        load_data(tmp_path / "addition.txt")  # a path, not the bare name: no fallback
    with pytest.raises(DatasetError, match="nothing.txt: no such file"):
        load_data("nothing.txt")
