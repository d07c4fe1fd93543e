"""``load_params`` (``common.nets.files``): a file is checked whole before any parameter is written;
pickled objects are refused without inviting allow_pickle; the first book's pickled dict
of arrays is read through the restricted reader."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from common.nets.files import load_params, save_params
from common.nets.multi_layer import MultiLayerNet


def small_net(seed: int = 0) -> MultiLayerNet:
    return MultiLayerNet(6, [4], 3, seed=seed)


def tampered(tmp_path, change) -> tuple:
    """A file saved from a small net, with its arrays changed by ``change(arrays)``; a
    fresh net and a copy of its parameters."""
    save_params(small_net(0), tmp_path / "net.npz")
    with np.load(tmp_path / "net.npz") as archive:
        arrays = dict(archive)
    change(arrays)
    np.savez(tmp_path / "bad.npz", **arrays)
    net = small_net(1)
    return net, {key: value.copy() for key, value in net.params.items()}


def assert_unchanged(net, before) -> None:
    for key, value in before.items():
        np.testing.assert_array_equal(net.params[key], value, err_msg=key)


def test_a_text_array_second_changes_nothing(tmp_path):
    def text_b1(arrays):
        arrays["b1"] = np.full(arrays["b1"].shape, "text")

    net, before = tampered(tmp_path, text_b1)
    with pytest.raises(ValueError, match=r"parameter 'b1' in .*bad\.npz holds <U4 values, not "
                                         r"numbers"):
        load_params(net, tmp_path / "bad.npz")
    assert_unchanged(net, before)  # W1 comes first in the file and was not overwritten


def test_non_finite_values_are_refused_and_change_nothing(tmp_path):
    def nan_w2(arrays):
        arrays["W2"] = arrays["W2"].astype(np.float64)
        arrays["W2"][0, 0] = 1e300  # finite in float64, infinite in the net's float32

    net, before = tampered(tmp_path, nan_w2)
    with pytest.raises(ValueError, match=r"'W2'.*NaN or infinite values \(in float32\)"):
        load_params(net, tmp_path / "bad.npz")
    assert_unchanged(net, before)


def test_an_object_array_is_refused_for_safety_without_suggesting_allow_pickle(tmp_path):
    def object_b2(arrays):
        arrays["b2"] = np.array([{"a": 1}, None, 3], dtype=object)

    net, before = tampered(tmp_path, object_b2)
    with pytest.raises(ValueError, match=r"'b2'.*refused for safety") as info:
        load_params(net, tmp_path / "bad.npz")
    assert "allow_pickle" not in str(info.value)
    assert_unchanged(net, before)


def test_the_first_books_pickled_dict_of_arrays_loads(tmp_path):
    trained = small_net(0)
    with open(tmp_path / "params.pkl", "wb") as f:  # the first book's save_params
        pickle.dump({key: value.copy() for key, value in trained.params.items()}, f)
    net = small_net(1)
    load_params(net, tmp_path / "params.pkl")
    for key, value in trained.params.items():
        np.testing.assert_array_equal(net.params[key], value)


def test_a_damaged_architecture_is_a_clear_error(tmp_path):
    def damage(arrays):
        arrays["__architecture__"] = np.array("{not json")

    net, before = tampered(tmp_path, damage)
    with pytest.raises(ValueError, match="architecture is not JSON"):
        load_params(net, tmp_path / "bad.npz")
    assert_unchanged(net, before)
