"""``common.safe_pickle``: pickles of NumPy arrays (the second book's weights) are read back
exactly, and a pickle that names anything else is refused before it can run."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest

from common.safe_pickle import RefusedPickle, is_pickle, load_pickle


def write(path, value, protocol=pickle.DEFAULT_PROTOCOL):
    with open(path, "wb") as f:
        pickle.dump(value, f, protocol=protocol)
    return path


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_arrays_lists_and_dicts_read_back_exactly(tmp_path, protocol):
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((4, 3)).astype(np.float16), np.arange(5, dtype=np.int64),
               np.asfortranarray(rng.standard_normal((2, 3)))]
    value = {"weights": weights, "pair": (np.float32(1.5), 3), "name": "rnnlm",
             "raw": b"\x00\x01", "ids": {1, 2}, "z": 1 + 2j}
    loaded = load_pickle(write(tmp_path / "w.pkl", value, protocol))
    for got, want in zip(loaded["weights"], weights, strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    assert loaded["pair"] == (np.float32(1.5), 3) and loaded["name"] == "rnnlm"
    assert loaded["raw"] == b"\x00\x01" and loaded["ids"] == {1, 2} and loaded["z"] == 1 + 2j


def test_the_books_cbow_params_dict_reads_back(tmp_path):
    words = ["you", "say", "goodbye"]
    params = {"word_vecs": np.arange(6, dtype=np.float16).reshape(3, 2),
              "word_to_id": {w: i for i, w in enumerate(words)},
              "id_to_word": dict(enumerate(words))}
    loaded = load_pickle(write(tmp_path / "cbow_params.pkl", params, 3))
    np.testing.assert_array_equal(loaded["word_vecs"], params["word_vecs"])
    assert loaded["word_to_id"] == params["word_to_id"]
    assert loaded["id_to_word"] == params["id_to_word"]
    assert is_pickle(tmp_path / "cbow_params.pkl")


class Exploit:
    """What a crafted .pkl holds: unpickling it calls os.system."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


@pytest.mark.parametrize("protocol", [2, 4])
def test_a_crafted_pickle_is_refused_and_runs_nothing(tmp_path, protocol):
    marker = tmp_path / "pwned"
    path = write(tmp_path / "Rnnlm.pkl", [np.ones(2), Exploit(f"echo pwned > {marker}")],
                 protocol)
    with pytest.raises(RefusedPickle, match=r"os\.system|posix\.system") as info:
        load_pickle(path)
    assert "refused for safety" in str(info.value) and "allow_pickle" not in str(info.value)
    assert not marker.exists()
    assert isinstance(info.value, ValueError)


def test_other_globals_are_refused_by_name(tmp_path):
    import collections
    path = write(tmp_path / "od.pkl", collections.OrderedDict(a=np.ones(1)))
    with pytest.raises(RefusedPickle, match=r"collections\.OrderedDict"):
        load_pickle(path)


def test_damaged_and_missing_files_are_clear_errors(tmp_path):
    path = write(tmp_path / "w.pkl", [np.ones((50, 50))])
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ValueError, match=r"w\.pkl is damaged or not a pickle"):
        load_pickle(path)
    with pytest.raises(ValueError, match="no such file"):
        load_pickle(tmp_path / "missing.pkl")
    (tmp_path / "text.txt").write_text("hello")
    assert not is_pickle(tmp_path / "text.txt") and not is_pickle(tmp_path / "missing.pkl")
