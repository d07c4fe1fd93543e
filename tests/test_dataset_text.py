"""Text data: the embedded tiny Shakespeare, text files and their errors, the character
vocabulary, the 90/10 split, the random windows with their shifted targets, and
``detokenize``, the inverse of the word-level ``tokenize``."""

import bz2
import hashlib
from pathlib import Path

import numpy as np
import pytest

import dataset.text as text_module
from dataset import DatasetError
from dataset.text import (
    TINY_SHAKESPEARE_SHA256,
    CharVocab,
    detokenize,
    load_text_file,
    load_tiny_shakespeare,
    random_windows,
    split_ids,
    tokenize,
)

SHARED_COPY = Path(__file__).resolve().parents[2] / "shared/data/tinyshakespeare/input.txt"


def test_tiny_shakespeare_is_the_published_text():
    text = load_tiny_shakespeare()
    assert len(text) == 1_115_394
    assert text.startswith("First Citizen:\nBefore we proceed any further, hear me speak.")
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == TINY_SHAKESPEARE_SHA256
    vocab = CharVocab.from_text(text)
    assert len(vocab) == 65 and vocab.chars[:3] == ["\n", " ", "!"]
    if SHARED_COPY.is_file():  # the reference copy beside the checkout
        assert text == SHARED_COPY.read_text(encoding="utf-8")


def test_a_damaged_embedded_copy_is_refused(monkeypatch, tmp_path):
    good = Path(text_module.__file__).with_name(text_module.TINY_SHAKESPEARE_FILE).read_bytes()
    damaged = bz2.compress(bz2.decompress(good).replace(b"ROMEO", b"ROMEE", 1))
    fake = tmp_path / "dataset"
    fake.mkdir()
    (fake / text_module.TINY_SHAKESPEARE_FILE).write_bytes(damaged)
    monkeypatch.setattr(text_module.resources, "files", lambda package: fake)
    load_tiny_shakespeare.cache_clear()
    try:
        with pytest.raises(DatasetError, match="is damaged: its SHA-256 is .*reinstall"):
            load_tiny_shakespeare()
        (fake / text_module.TINY_SHAKESPEARE_FILE).write_bytes(good[:1000])
        with pytest.raises(DatasetError, match="cannot be read.*reinstall"):
            load_tiny_shakespeare()
    finally:
        load_tiny_shakespeare.cache_clear()


def test_load_text_file_reads_utf8_and_drops_a_bom(tmp_path):
    path = tmp_path / "poem.txt"
    body = "Grüße, 世界! " * 100
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    assert load_text_file(path) == body


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"  \n\n ", r"is empty \(only white space\)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 100, "NUL bytes.*not UTF-8 text"),
    ("Hello world. ".encode("utf-16") * 100, "NUL bytes.*UTF-16"),
    ("café ".encode("latin-1") * 300, r"is not UTF-8 text: byte 3 \(0xe9\).*iconv"),
    (b"To be, or not to be", "too short: 19 characters, at least 1000"),
])
def test_load_text_file_errors_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=message) as info:
        load_text_file(path)
    assert str(path) in str(info.value)


def test_load_text_file_missing_file_folder_and_own_minimum(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        load_text_file(tmp_path / "nothing.txt")
    with pytest.raises(DatasetError, match="is a folder"):
        load_text_file(tmp_path)
    short = tmp_path / "short.txt"
    short.write_text("abc" * 10, encoding="utf-8")
    assert load_text_file(short, min_chars=30) == "abc" * 10


def test_char_vocab_round_trip_and_errors():
    vocab = CharVocab.from_text("hello, wörld\n")
    assert vocab.chars == sorted(set("hello, wörld\n")) and len(vocab) == 11
    ids = vocab.encode("old hell\n")
    assert ids.dtype == np.int64
    np.testing.assert_array_equal(ids, [vocab.chars.index(c) for c in "old hell\n"])
    assert vocab.decode(ids) == "old hell\n" and vocab.decode(list(ids)) == "old hell\n"
    assert vocab.encode("").shape == (0,) and vocab.decode([]) == ""
    with pytest.raises(ValueError, match="not in the vocabulary of 11: 'axz'"):
        vocab.encode("zax")
    with pytest.raises(ValueError, match=r"ids must lie in 0..10"):
        vocab.decode([0, 11])
    with pytest.raises(ValueError, match="integer ids"):
        vocab.decode(np.zeros((2, 2), dtype=int))
    with pytest.raises(ValueError, match="non-empty string"):
        CharVocab.from_text("")


def test_split_is_nanogpts_first_90_percent():
    ids = np.arange(1_115_394)
    train, val = split_ids(ids)
    assert (len(train), len(val)) == (1_003_854, 111_540)  # nanoGPT's shakespeare_char sizes
    np.testing.assert_array_equal(np.concatenate([train, val]), ids)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        split_ids(ids, 1.0)


def test_random_windows_are_consecutive_and_targets_are_shifted_by_one():
    ids = np.arange(1000, 1100)
    x, t = random_windows(ids, batch_size=50, context=7, rng=np.random.default_rng(0))
    assert x.shape == t.shape == (50, 7) and x.dtype == t.dtype == np.int64
    np.testing.assert_array_equal(np.diff(x, axis=1), 1)  # consecutive ids
    np.testing.assert_array_equal(t, x + 1)  # the next id
    assert x.min() >= 1000 and t.max() <= 1099  # every window inside the text
    starts = {int(row[0]) for row in x}
    assert len(starts) > 20  # spread over the text
    again, _ = random_windows(ids, 50, 7, np.random.default_rng(0))
    np.testing.assert_array_equal(again, x)  # deterministic for a seed
    edge, edge_t = random_windows(np.arange(8), 20, 7, np.random.default_rng(1))
    np.testing.assert_array_equal(edge, np.tile(np.arange(7), (20, 1)))  # the only window
    np.testing.assert_array_equal(edge_t, np.arange(1, 8)[np.newaxis].repeat(20, 0))
    with pytest.raises(ValueError, match="too short for windows of 7.*at least 8"):
        random_windows(np.arange(7), 2, 7, np.random.default_rng(0))


def test_detokenize_writes_punctuation_against_words():
    assert detokenize(["romeo", ":", "o", ",", "she", "doth", "!"]) == "romeo:\no, she doth!"
    assert detokenize(["the", "end", "<eos>", "a"]) == "the end.\na"  # PTB's end of sentence
    assert detokenize(iter(["to", "be", "?"])) == "to be?"
    assert detokenize([]) == ""


def test_detokenize_inverts_tokenize_on_the_whole_text():
    # apostrophes and hyphens keep their spaces: "i ' ll" must not become "i'll"
    tokens = tokenize("Is't so? Well-met--I'll go. 'Tis, O Romeo: - - -- &c.")
    assert tokenize(detokenize(tokens)) == tokens
    tokens = tokenize(load_tiny_shakespeare())
    text = detokenize(tokens)
    assert tokenize(text) == tokens
    assert text.startswith("first citizen:\nbefore we proceed any further, hear me speak.")
