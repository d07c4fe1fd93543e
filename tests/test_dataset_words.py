"""Word-level tiny Shakespeare: the tokens, the 90/5/5 split, one vocabulary for all splits,
the book's return values, determinism and the errors."""

import numpy as np
import pytest

import dataset
import dataset.text
from dataset.words import load_words, tokenize

N_TOKENS, N_WORDS = 253_147, 12_385


def test_tokenize_lower_cases_and_separates_punctuation():
    assert tokenize("First Citizen:\nBefore we proceed, hear me!") == [
        "first", "citizen", ":", "before", "we", "proceed", ",", "hear", "me", "!"]
    # apostrophes inside a word stay, at its edge they are marks; a dash is one token
    assert tokenize("Is't so? 'Tis well-met--I'll go.") == [
        "is't", "so", "?", "'", "tis", "well", "-", "met", "--", "i'll", "go", "."]
    assert tokenize("  \n\n ") == []
    with pytest.raises(TypeError, match="tokenize takes a string"):
        tokenize(b"bytes")


def test_the_whole_text_is_lower_case_words_and_single_marks():
    corpus, word_to_id, id_to_word = load_words("all")
    assert corpus.dtype == np.int32 and corpus.shape == (N_TOKENS,)
    assert len(word_to_id) == len(id_to_word) == N_WORDS
    opening = " ".join(id_to_word[i] for i in corpus[:8])
    assert opening == "first citizen : before we proceed any further"
    for word in word_to_id:
        assert word == word.lower() and word.strip() == word and word
        assert word[0].isalnum() or len(set(word)) == 1  # punctuation: one mark (or a dash)
    assert {",", ".", ":", ";", "?", "!", "--"} <= set(word_to_id)
    assert "\n" not in word_to_id and "<eos>" not in word_to_id


def test_the_book_shape_ids_by_first_appearance_and_inverse_dicts():
    corpus, word_to_id, id_to_word = load_words("all")
    assert all(id_to_word[i] == w for w, i in word_to_id.items())
    assert sorted(id_to_word) == list(range(N_WORDS))
    first_seen = np.unique(corpus, return_index=True)[1]
    assert np.all(np.diff(first_seen) > 0)  # id k first appears after id k-1, as in preprocess
    assert corpus.min() == 0 and corpus.max() == N_WORDS - 1


def test_splits_are_90_5_5_by_position_with_one_vocabulary():
    whole, vocab, _ = load_words("all")
    parts = {name: load_words(name) for name in ("train", "val", "test")}
    sizes = [len(parts[name][0]) for name in ("train", "val", "test")]
    assert sizes == [int(0.9 * N_TOKENS), int(0.95 * N_TOKENS) - int(0.9 * N_TOKENS),
                     N_TOKENS - int(0.95 * N_TOKENS)]
    np.testing.assert_array_equal(np.concatenate([parts[n][0] for n in ("train", "val", "test")]),
                                  whole)
    for corpus, word_to_id, id_to_word in parts.values():
        assert word_to_id == vocab and corpus.dtype == np.int32
        assert corpus.max() < len(id_to_word)
    np.testing.assert_array_equal(load_words("valid")[0], parts["val"][0])  # the book's name


def test_deterministic_and_callers_get_their_own_copies():
    corpus, word_to_id, id_to_word = load_words("train")
    corpus[:] = 0
    word_to_id["zzz"] = -1
    id_to_word.clear()
    again, word_to_id2, id_to_word2 = load_words("train")
    assert again[:3].tolist() == [0, 1, 2] and "zzz" not in word_to_id2 and len(id_to_word2)
    assert again.flags.writeable


def test_reexported_by_dataset_text_and_the_package():
    assert dataset.text.load_words is load_words and dataset.load_words is load_words
    assert dataset.text.tokenize is tokenize


@pytest.mark.parametrize("bad", ["training", "", None, "TRAIN"])
def test_a_bad_data_type_names_the_choices(bad):
    with pytest.raises(ValueError, match="data_type must be one of 'train', 'val', 'test', 'all'"):
        load_words(bad)
