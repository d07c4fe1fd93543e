"""PTB on small files the tests write: the book's words and ids, checksums, damaged files,
the folder choice and downloads from (local file://) mirrors. Never the network."""

import hashlib

import numpy as np
import pytest

from dataset import DatasetError, ptb

# The PTB layout: a space before and after every line's words.
TEXTS = {
    "ptb.train.txt": " the cat sat on the mat \n the dog sat <unk> \n N cats \n",
    "ptb.valid.txt": " the dog sat on the cat \n",
    "ptb.test.txt": " N cats <unk> \n the mat \n",
}


@pytest.fixture(autouse=True)
def fresh(monkeypatch, tmp_path):
    """Checksums of the files these tests write, no PTB_DIR, a private cache, empty memos."""
    monkeypatch.setattr(ptb, "SHA256", {name: hashlib.sha256(text.encode()).hexdigest()
                                        for name, text in TEXTS.items()})
    monkeypatch.setattr(ptb, "MIRRORS", ["file:///nonexistent/"])
    monkeypatch.delenv("PTB_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    ptb._train_vocab.cache_clear()
    ptb._split_corpus.cache_clear()
    yield
    ptb._train_vocab.cache_clear()
    ptb._split_corpus.cache_clear()


def write_ptb(folder, **changes):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**TEXTS, **changes}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def book_words(text):
    """The book's reading of a PTB file."""
    return text.replace("\n", "<eos>").strip().split()


def test_load_data_gives_the_book_corpus_and_vocabulary(tmp_path):
    folder = write_ptb(tmp_path / "ptb")
    corpus, word_to_id, id_to_word = ptb.load_data("train", data_dir=folder)
    words = book_words(TEXTS["ptb.train.txt"])
    assert corpus.dtype == np.int32 and [id_to_word[i] for i in corpus] == words
    assert list(word_to_id) == list(dict.fromkeys(words))  # ids by first appearance
    assert word_to_id["the"] == 0 and word_to_id["<eos>"] == 5
    assert all(id_to_word[i] == w for w, i in word_to_id.items())
    for data_type, name in [("val", "ptb.valid.txt"), ("valid", "ptb.valid.txt"),
                            ("test", "ptb.test.txt")]:
        split, vocab, _ = ptb.load_data(data_type, data_dir=folder)
        assert vocab == word_to_id  # the training vocabulary everywhere
        assert [id_to_word[i] for i in split] == book_words(TEXTS[name])


def test_callers_get_their_own_copies(tmp_path):
    folder = write_ptb(tmp_path / "ptb")
    corpus, word_to_id, _ = ptb.load_data("train", data_dir=folder)
    corpus[:] = 7
    word_to_id.clear()
    again, vocab, _ = ptb.load_data("train", data_dir=folder)
    assert again[0] == 0 and vocab and again.flags.writeable


def test_ptb_dir_is_read_and_must_exist(monkeypatch, tmp_path):
    folder = write_ptb(tmp_path / "mine")
    monkeypatch.setenv("PTB_DIR", str(folder))
    assert ptb.ptb_dir() == folder and ptb.available()
    assert len(ptb.load_data("test")[0]) == len(book_words(TEXTS["ptb.test.txt"]))
    monkeypatch.setenv("PTB_DIR", str(tmp_path / "typo"))
    assert not ptb.available()
    with pytest.raises(DatasetError, match="PTB_DIR is set to .*typo.*not a folder"):
        ptb.load_data()
    assert not (tmp_path / "typo").exists()


def test_a_damaged_file_is_refused_with_what_to_do(tmp_path):
    damaged = TEXTS["ptb.train.txt"].replace("cat", "cap", 1)
    folder = write_ptb(tmp_path / "ptb", **{"ptb.train.txt": damaged})
    with pytest.raises(DatasetError, match=r"ptb.train.txt is not the published ptb.train.txt: "
                                           r"its SHA-256 is [0-9a-f]{64}.*delete it"):
        ptb.load_data("test", data_dir=folder)  # the vocabulary comes from the training file
    # verify=False reads a PTB of one's own
    assert ptb.load_data("train", data_dir=folder, verify=False)[1]["cap"] == 1


def test_a_wrong_checksum_names_the_file(monkeypatch, tmp_path):
    folder = write_ptb(tmp_path / "ptb")
    monkeypatch.setitem(ptb.SHA256, "ptb.valid.txt", "0" * 64)
    assert len(ptb.load_data("test", data_dir=folder)[0])  # the other files still load
    with pytest.raises(DatasetError, match=r"ptb.valid.txt is not the published .*expected 0{64}"):
        ptb.load_data("val", data_dir=folder)


@pytest.mark.parametrize("content, message", [
    (b"  \n\n", r"ptb.test.txt is empty"),
    (b" the \x00 cat \n", r"ptb.test.txt holds NUL bytes"),
    (b" the \xff cat \n", r"ptb.test.txt is not UTF-8 text"),
    (b" the cat \n the zebra \n", r"ptb.test.txt, line 2: the word 'zebra' is not in the "
                                  r"vocabulary of ptb.train.txt"),
])
def test_unreadable_content_is_a_clear_error(tmp_path, content, message):
    folder = write_ptb(tmp_path / "ptb")
    (folder / "ptb.test.txt").write_bytes(content)
    with pytest.raises(DatasetError, match=message):
        ptb.load_data("test", data_dir=folder, verify=False)


def test_missing_files_are_downloaded_from_the_mirrors_and_verified(monkeypatch, tmp_path):
    mirror = write_ptb(tmp_path / "mirror")
    monkeypatch.setattr(ptb, "MIRRORS", [(tmp_path / "gone").as_uri(), mirror.as_uri()])
    assert not ptb.available()  # nothing in the cache yet, and nothing downloaded by asking
    assert not (tmp_path / "cache").exists()
    corpus, _, id_to_word = ptb.load_data("val")
    cache = tmp_path / "cache" / "dlscratch" / "ptb"
    assert ptb.ptb_dir() == cache
    assert sorted(p.name for p in cache.iterdir()) == ["ptb.train.txt", "ptb.valid.txt"]
    assert [id_to_word[i] for i in corpus] == book_words(TEXTS["ptb.valid.txt"])
    assert ptb.download_ptb(progress=False) == cache and ptb.available()


def test_a_download_with_a_wrong_checksum_is_not_kept(monkeypatch, tmp_path):
    mirror = write_ptb(tmp_path / "mirror", **{"ptb.train.txt": " another text \n"})
    monkeypatch.setattr(ptb, "MIRRORS", [mirror.as_uri()])
    target = tmp_path / "target"
    expected = r"(?s)could not download ptb.train.txt .*SHA-256 .*differs.*PTB_DIR"
    with pytest.raises(DatasetError, match=expected) as info:
        ptb.load_data("train", data_dir=target)
    assert mirror.as_uri() in str(info.value)
    assert list(target.iterdir()) == []


def test_a_bad_data_type_names_the_choices():
    with pytest.raises(ValueError, match="data_type must be one of 'train', 'val', 'valid', "
                                         "'test'; got 'training'"):
        ptb.load_data("training")


def test_the_command_line_reports_sizes_or_the_problem(tmp_path, capsys):
    folder = write_ptb(tmp_path / "ptb")
    assert ptb.main([str(folder)]) == 0
    assert "train 15, valid 7, test 7 words; vocabulary 10" in capsys.readouterr().out
    (folder / "ptb.test.txt").write_text(" changed \n")
    assert ptb.main([str(folder)]) == 1
    assert "error: " in capsys.readouterr().err
