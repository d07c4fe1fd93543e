"""Wrong arguments to constructors and models, each answered by a clear error that names the
argument and says what to pass (issue #26): an int where a list of sizes goes, weights given
as lists or of mismatched sizes, a sentence where a batch of sentences goes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from common.layers import Affine, MatMul, TimeAffine, TimeBiLSTM, TimeLSTM
from common.nets.better_rnnlm import BetterRnnlm
from common.nets.multi_layer import MultiLayerNet, TwoLayerNet
from common.nets.multi_layer_extend import MultiLayerNetExtend
from common.nets.rnnlm import Rnnlm
from common.nets.simple_rnnlm import SimpleRnnlm


def raises_from_common(exc_type, match, call, *args, **kwargs):
    """``call(*args, **kwargs)`` raises ``exc_type`` matching ``match``, from common/."""
    with pytest.raises(exc_type, match=match) as info:
        call(*args, **kwargs)
    origin = Path(info.traceback[-1].path)
    assert "common" in origin.parts, f"raised in {origin}, not in the project's code"


def f32(*shape):
    return np.zeros(shape, np.float32)


# --- MultiLayerNet(input_size, hidden_size_list, output_size) -------------------------------

@pytest.mark.parametrize("cls", [MultiLayerNet, MultiLayerNetExtend])
def test_an_int_where_the_list_of_hidden_sizes_goes(cls):
    raises_from_common(TypeError, rf"{cls.__name__}: hidden_size_list must be a list .*such "
                       r"as \[50\].*got 50 \(int\)", cls, 784, 50, 10)


def test_a_list_where_two_layer_nets_hidden_size_goes():
    raises_from_common(TypeError, r"TwoLayerNet: hidden_size is the size of its one hidden "
                       r"layer.*got \[50\] \(list\).*MultiLayerNet", TwoLayerNet, 784, [50], 10)


# --- Affine, MatMul, TimeAffine: weights checked when the layer is made ---------------------

@pytest.mark.parametrize("cls", [Affine, TimeAffine])
def test_a_bias_of_the_wrong_size(cls):
    raises_from_common(ValueError, rf"{cls.__name__}: b must have shape \(M,\) = \(4,\), one "
                       r"bias per column of W \(shape \(3, 4\)\); got shape \(5,\)",
                       cls, f32(3, 4), f32(5))


@pytest.mark.parametrize("make, name", [
    (lambda: Affine([[1.0, 2.0], [3.0, 4.0]], f32(2)), "W"),
    (lambda: Affine(f32(2, 2), [0.0, 0.0]), "b"),
    (lambda: MatMul([[1.0, 2.0]]), "W"),
    (lambda: TimeAffine([[1.0, 2.0]]), "W"),
], ids=["Affine-W", "Affine-b", "MatMul-W", "TimeAffine-W"])
def test_lists_instead_of_arrays(make, name):
    raises_from_common(TypeError, rf"{name} must be a NumPy array .*got a list; pass "
                       rf"np\.array\({name}", make)


def test_a_weight_matrix_that_is_not_a_matrix():
    raises_from_common(ValueError, r"MatMul: W must have shape \(D, M\).*got shape \(3,\)",
                       MatMul, f32(3))


# --- TimeBiLSTM: two directions of one hidden size ------------------------------------------

def test_bidirectional_lstm_with_directions_of_different_sizes():
    d, h1, h2 = 3, 2, 5
    raises_from_common(ValueError, r"TimeBiLSTM: both directions need the same hidden size H.*"
                       r"Wh1 .*\(H = 2\).*Wh2 .*\(H = 5\)", TimeBiLSTM,
                       f32(d, 4 * h1), f32(h1, 4 * h1), f32(4 * h1),
                       f32(d, 4 * h2), f32(h2, 4 * h2), f32(4 * h2))


@pytest.mark.parametrize("wrong, shapes", [
    ("b2", [(3, 8), (2, 8), (8,), (3, 8), (2, 8), (12,)]),
    ("Wh2", [(3, 8), (2, 8), (8,), (3, 8), (3, 8), (8,)]),
    ("Wx1", [(3, 12), (2, 8), (8,), (3, 8), (2, 8), (8,)]),
])
def test_bidirectional_lstm_with_inconsistent_weights_names_the_argument(wrong, shapes):
    raises_from_common(ValueError, rf"TimeBiLSTM needs {wrong} of shape",
                       TimeBiLSTM, *(f32(*s) for s in shapes))


def test_recurrent_weights_given_as_lists():
    raises_from_common(TypeError, r"TimeLSTM: Wx must be a NumPy array, got a list",
                       TimeLSTM, f32(3, 8).tolist(), f32(2, 8), f32(8))


# --- the language models take batches of sentences (N, T) -----------------------------------

@pytest.mark.parametrize("cls", [SimpleRnnlm, Rnnlm, BetterRnnlm])
def test_one_sentence_into_a_language_model(cls):
    model = cls(vocab_size=20, wordvec_size=8, hidden_size=8, seed=0)
    xs, ts = np.arange(5), np.arange(1, 6)
    raises_from_common(ValueError, rf"{cls.__name__}\.forward: xs must be a batch of word-id "
                       r"sequences of shape \(N, T\); got shape \(5,\)\. .*xs\[np\.newaxis\], "
                       r"of shape \(1, T\) = \(1, 5\)", model.forward, xs, ts)
    raises_from_common(ValueError, r"ts must be a batch .*ts\[np\.newaxis\]",
                       model.forward, xs[np.newaxis], ts)
    # a batch of one is what it asks for
    assert np.isfinite(model.forward(xs[np.newaxis], ts[np.newaxis]))
