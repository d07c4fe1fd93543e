"""The mistakes a learner makes, each answered by a clear error from the project's own code.

Every test asserts the exception type, the key words of its message (what was
expected, what was given) and that it was raised in ``common``, not deep inside
NumPy; label -1, which NumPy would silently read as the last class, is refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from common.functions import cross_entropy_error, softmax_cross_entropy
from common.layers import (
    Affine,
    BatchNormalization,
    Convolution,
    Dropout,
    ExpLayer,
    Gaussian,
    MatMul,
    MulLayer,
    Pooling,
    ReciprocalLayer,
    Relu,
    Sigmoid,
    SigmoidWithLoss,
    SoftmaxWithLoss,
    SquaredErrorLoss,
    Tanh,
)
from common.nets.conv import SimpleConvNet
from common.nets.files import load_params, save_params
from common.nets.multi_layer import MultiLayerNet
from common.optim import SGD, Adam, Momentum, make_optimizer
from common.training.trainer import Trainer

RNG = np.random.default_rng(0)
X = RNG.standard_normal((8, 784)).astype(np.float32)
T = np.arange(8) % 10


def raises_from_common(exc_type, match, call, *args, **kwargs):
    """``call(*args, **kwargs)`` raises ``exc_type`` matching ``match``, from common/."""
    with pytest.raises(exc_type, match=match) as info:
        call(*args, **kwargs)
    origin = Path(info.traceback[-1].path)
    assert "common" in origin.parts, f"raised in {origin}, not in the project's code"
    return info.value


@pytest.fixture
def net():
    return MultiLayerNet(784, [20], 10, seed=0)


# --- the table, one test per mistake --------------------------------------------

@pytest.mark.parametrize("call", ["predict", "loss", "gradient", "accuracy"])
def test_785_features_into_a_784_input_network(net, call):
    x = np.zeros((8, 785), np.float32)
    args = (x,) if call == "predict" else (x, T)
    raises_from_common(ValueError, r"Affine1 expects 784 features per sample, got 785 "
                       r"\(input shape \(8, 785\)\)", getattr(net, call), *args)


@pytest.mark.parametrize("call", ["loss", "gradient", "accuracy"])
def test_label_10_with_10_classes(net, call):
    t = T.copy()
    t[3] = 10
    raises_from_common(ValueError, r"label 10 is out of range for 10 classes.*0\.\.9",
                       getattr(net, call), X, t)


@pytest.mark.parametrize("call", ["loss", "gradient", "accuracy"])
def test_label_minus_1_is_refused_not_read_as_class_9(net, call):
    t = T.copy()
    t[0] = -1
    raises_from_common(ValueError, r"label -1 is out of range.*0\.\.9", getattr(net, call), X, t)


def test_labels_as_floats(net):
    err = raises_from_common(ValueError, r"labels must be integers.*float64", net.loss, X,
                             T.astype(np.float64))
    assert "astype(int)" in str(err)


def test_8_samples_7_labels(net):
    raises_from_common(ValueError, r"8 samples but 7 labels", net.gradient, X, T[:7])
    raises_from_common(ValueError, r"8 samples but 7 labels", net.accuracy, X, T[:7])


def test_one_hot_labels_9_wide_for_10_outputs(net):
    raises_from_common(ValueError, r"one-hot labels 9 wide.*10 outputs", net.loss, X,
                       np.eye(9)[T % 9])


def test_one_sample_as_a_1d_array_is_taken_as_one_sample(net):
    np.testing.assert_array_equal(net.predict(X[0]), net.predict(X[:1])[0])
    assert net.predict(X[0]).shape == (10,)
    label = int(net.predict(X[0]).argmax())
    assert net.accuracy(X[0], label) == 1.0
    assert net.accuracy(X[0], (label + 1) % 10) == 0.0


def test_one_flat_image_into_a_conv_net_is_one_sample():
    net = SimpleConvNet(seed=0)
    np.testing.assert_allclose(net.predict(X[0]), net.predict(X[:1])[0], rtol=1e-6)


@pytest.mark.parametrize("make", [
    Relu, Sigmoid, Tanh, Gaussian, SoftmaxWithLoss, SigmoidWithLoss, SquaredErrorLoss,
    lambda: Affine(np.ones((3, 2)), np.zeros(2)), lambda: MatMul(np.ones((3, 2))),
    lambda: BatchNormalization(np.ones(3), np.zeros(3)),
    lambda: Convolution(np.ones((2, 1, 3, 3)), np.zeros(2)), lambda: Pooling(2, 2),
    MulLayer, ExpLayer, ReciprocalLayer,
], ids=lambda make: getattr(make, "__name__", "layer"))
def test_backward_before_forward(make):
    layer = make()
    raises_from_common(RuntimeError, rf"{type(layer).__name__}\.backward was called before "
                       r"its forward.*run forward", layer.backward, np.ones((2, 2)))


def test_accuracy_on_an_empty_array(net):
    raises_from_common(ValueError, "x is empty", net.accuracy, X[:0], T[:0])


def test_load_params_on_a_file_that_is_not_an_npz(net, tmp_path):
    text = tmp_path / "params.pkl"
    text.write_bytes(b"\x80\x04not an npz at all")
    err = raises_from_common(ValueError, r"not a parameter file written by save_params",
                             load_params, net, text)
    assert "allow_pickle" not in str(err)
    raises_from_common(ValueError, r"there is no file", load_params, net,
                       tmp_path / "none.npz")


def test_load_params_on_a_damaged_npz(net, tmp_path):
    path = tmp_path / "params.npz"
    save_params(net, path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 500] = bytes(500)  # zeros over W1's stored values
    path.write_bytes(bytes(data))
    raises_from_common(ValueError, r"params\.npz is damaged.*CRC",
                       load_params, MultiLayerNet(784, [20], 10), path)


# --- and the like of them elsewhere in common ----------------------------------------------

def test_dout_of_another_shape_than_the_output():
    relu = Relu()
    relu.forward(np.ones((4, 3)))
    raises_from_common(ValueError, r"Relu\.backward got dout of shape \(4, 1\).*\(4, 3\)",
                       relu.backward, np.ones((4, 1)))  # would broadcast silently
    affine = Affine(np.ones((3, 2)), np.zeros(2))
    affine.forward(np.ones((4, 3)))
    raises_from_common(ValueError, r"got dout of shape \(4, 3\).*\(4, 2\)", affine.backward,
                       np.ones((4, 3)))
    drop = Dropout(0.5, rng=0)
    drop.forward(np.ones((4, 3)), train_flg=True)
    raises_from_common(ValueError, r"Dropout\.backward got dout", drop.backward, np.ones(3))


def test_a_layer_names_itself_as_the_network_named_it(net):
    relu = net.layers["Activation_function1"]
    relu.mask = None
    raises_from_common(RuntimeError, r"Activation_function1\.backward", relu.backward,
                       np.ones((2, 20)))


def test_batchnorm_with_another_number_of_features():
    bn = BatchNormalization(np.ones(5), np.zeros(5))
    raises_from_common(ValueError, r"BatchNormalization expects 5 features per sample, got 4",
                       bn.forward, np.ones((3, 4)))


def test_loss_layers_name_what_is_wrong_with_targets():
    raises_from_common(ValueError, r"SoftmaxWithLoss takes scores of shape \(N, K\)",
                       SoftmaxWithLoss().forward, np.ones(10), np.array([1]))
    raises_from_common(ValueError, r"targets of a sigmoid output must lie in \[0, 1\].*2",
                       SigmoidWithLoss().forward, np.ones((3, 1)), np.array([0, 1, 2]))
    raises_from_common(ValueError, r"one target per output.*\(3, 2\).*\(3,\)",
                       SquaredErrorLoss().forward, np.ones((3, 2)), np.ones(3))


def test_the_book_functions_check_their_labels():
    y = np.full((2, 3), 1 / 3)
    raises_from_common(ValueError, r"cross_entropy_error: t: label 3 is out of range",
                       cross_entropy_error, y, np.array([0, 3]))
    raises_from_common(ValueError, r"softmax_cross_entropy: t: label -1",
                       softmax_cross_entropy, y, np.array([0, -1]))


def test_labels_in_a_column_and_one_hot_rows_still_work(net):
    assert np.isfinite(net.loss(X, T.reshape(-1, 1)))
    assert net.loss(X, np.eye(10)[T]) == pytest.approx(net.loss(X, T), rel=1e-6)


def test_optimizers_check_their_settings_and_gradients():
    raises_from_common(ValueError, r"SGD: the learning rate lr must be a number >= 0, got -0\.1",
                       SGD, lr=-0.1)
    raises_from_common(ValueError, r"lr must be a number >= 0, got '0\.01'", Adam, lr="0.01")
    raises_from_common(ValueError, r"Momentum: momentum must be a number in \[0, 1\), got 1\.5",
                       Momentum, momentum=1.5)
    raises_from_common(ValueError, r"SGD has no setting 'momentum'; it takes: lr",
                       make_optimizer, "sgd", lr=0.1, momentum=0.9)
    params = {"W1": np.ones((3, 2)), "b1": np.zeros(2)}
    before = {key: p.copy() for key, p in params.items()}
    raises_from_common(ValueError, r"grads has no 'b1'", Adam().update, params,
                       {"W1": np.ones((3, 2))})
    raises_from_common(ValueError, r"gradient of 'b1' has shape \(3,\).*\(2,\)",
                       SGD().update, params, {"W1": np.ones((3, 2)), "b1": np.ones(3)})
    for key, p in params.items():  # an update that cannot finish changes nothing
        np.testing.assert_array_equal(p, before[key])


def test_a_network_layer_without_forward_is_refused():
    from common.nets.network import Network
    raises_from_common(TypeError, r"layer 'oops' \(int\) has no forward method",
                       Network, {"oops": 3}, SoftmaxWithLoss())


# --- the Trainer checks its data before the first update -------------------------------

def trainer_on(net, x, t, **kwargs):
    return Trainer(net, x, t, X, T, epochs=1, mini_batch_size=4, verbose=False, **kwargs)


def test_the_trainer_checks_features_before_training(net):
    x = np.zeros((8, 785), np.float32)
    raises_from_common(ValueError, r"x_train of shape \(8, 785\) does not fit the network: "
                       r"Affine1 expects 784 features per sample, got 785", trainer_on, net, x, T)


def test_the_trainer_checks_labels_before_training(net):
    t = T.copy()
    t[5] = 12
    raises_from_common(ValueError, r"t_train: label 12 is out of range for 10 classes",
                       trainer_on, net, X, t)
    raises_from_common(ValueError, r"t_train: class labels must be integers", trainer_on, net,
                       X, T.astype(np.float32))
    raises_from_common(ValueError, r"x_train has 8 samples but t_train has 7 labels",
                       trainer_on, net, X, T[:7])
    with pytest.raises(ValueError, match=r"t_test: label -1"):
        Trainer(net, X, T, X, np.full(8, -1), verbose=False)
    with pytest.raises(ValueError, match=r"t_test: one-hot labels 3 wide"):
        Trainer(net, X, T, X, np.eye(3)[T % 3], verbose=False)


def test_the_trainer_refuses_nan_and_empty_data(net):
    x = X.copy()
    x[6, 100] = np.nan
    x[2, 0] = np.inf
    raises_from_common(ValueError, r"x_train has 2 NaN or infinite values, in 2 samples "
                       r"\(the first: sample 2\)", trainer_on, net, x, T)
    raises_from_common(ValueError, r"x_train is empty", trainer_on, net, X[:0], T[:0])


def test_the_trainer_checks_its_settings(net):
    with pytest.raises(ValueError, match=r"mini_batch_size must be a whole number >= 1, got 0"):
        Trainer(net, X, T, X, T, mini_batch_size=0)
    with pytest.raises(ValueError, match=r"epochs must be a whole number >= 0, got 2\.5"):
        Trainer(net, X, T, X, T, epochs=2.5)


def test_layer_sizes_must_be_positive_whole_numbers():
    raises_from_common(ValueError, r"sizes that are whole numbers >= 1.*\[100, 0\]",
                       MultiLayerNet, 784, [100, 0], 10)
    raises_from_common(ValueError, r"input_size 784\.5", MultiLayerNet, 784.5, [10], 10)


def test_confusion_matrix_refuses_labels_out_of_range():
    from common.util import confusion_matrix
    raises_from_common(ValueError, r"confusion_matrix: t: label 10 is out of range",
                       confusion_matrix, np.array([0, 10]), np.array([0, 1]), 10)
    raises_from_common(ValueError, r"confusion_matrix: y: label -1", confusion_matrix,
                       np.array([0, 1]), np.array([0, -1]), 10)
    raises_from_common(ValueError, r"confusion_matrix: t: 2 samples but 3 labels",
                       confusion_matrix, np.array([0, 1, 2]), np.array([0, 1]), 10)
