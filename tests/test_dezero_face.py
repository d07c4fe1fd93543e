"""The book's module path ``dezero``: every name of ../shared/reference/book3-api.md
importable from the module the book imports it from, star imports as the book's, and each
name the very object of ``common.autograd`` (a face, not a second framework)."""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import pytest

import dezero

NAMES = {
    "dezero": """Variable Parameter Function using_config no_grad test_mode as_array
        as_variable setup_variable Config Layer Model Dataset DataLoader SeqDataLoader
        functions functions_conv layers models optimizers datasets dataloaders transforms
        utils cuda is_simple_core""",
    "dezero.core": """Config using_config no_grad test_mode Variable Parameter Function
        Add Mul Neg Sub Div Pow add mul neg sub rsub div rdiv pow as_array as_variable
        setup_variable np""",
    "dezero.core_simple": """Config using_config no_grad Variable Function Add Mul Neg Sub
        Div Pow add mul neg sub rsub div rdiv pow as_array as_variable setup_variable np""",
    "dezero.functions": """sin cos tanh exp log reshape transpose get_item expand_dims
        flatten sum sum_to broadcast_to average mean matmul linear linear_simple sigmoid
        sigmoid_simple relu leaky_relu softmax softmax_simple log_softmax mean_squared_error
        mean_squared_error_simple softmax_cross_entropy softmax_cross_entropy_simple
        sigmoid_cross_entropy binary_cross_entropy accuracy dropout batch_nrom embed_id max
        min clip conv2d deconv2d conv2d_simple pooling pooling_simple average_pooling im2col
        col2im Sin Cos Tanh Exp Log Reshape Transpose GetItem GetItemGrad Sum SumTo
        BroadcastTo MatMul Linear Sigmoid ReLU LeakyReLU Softmax LogSoftmax MeanSquaredError
        SoftmaxCrossEntropy Max Min Clip BatchNorm add sub rsub mul div neg pow np""",
    "dezero.functions_conv": """conv2d deconv2d conv2d_simple pooling pooling_simple
        average_pooling im2col col2im im2col_array col2im_array Conv2d Deconv2d Conv2DGradW
        Pooling Pooling2DGrad Pooling2DWithIndexes AveragePooling Im2col Col2im np""",
    "dezero.layers": "Layer Linear Conv2d Deconv2d RNN LSTM EmbedID BatchNorm np",
    "dezero.models": """Model Sequential MLP VGG16 ResNet ResNet50 ResNet101 ResNet152
        SqueezeNet np""",
    "dezero.optimizers": """Optimizer SGD MomentumSGD AdaGrad AdaDelta Adam WeightDecay
        ClipGrad FreezeParam np""",
    "dezero.datasets": """Dataset Spiral get_spiral MNIST SinCurve Shakespear CIFAR10
        CIFAR100 ImageNet np""",
    "dezero.dataloaders": "DataLoader SeqDataLoader np",
    "dezero.transforms": """Compose Flatten Normalize AsType ToFloat ToInt Convert Resize
        CenterCrop ToArray ToPIL np""",
    "dezero.utils": """get_dot_graph plot_dot_graph sum_to reshape_sum_backward logsumexp
        gradient_check numerical_grad array_equal array_allclose get_file
        get_conv_outsize get_deconv_outsize pair np""",
    "dezero.cuda": "gpu_enable get_array_module as_numpy as_cupy np",
}


@pytest.mark.parametrize("module", sorted(NAMES))
def test_every_name_of_the_reference_and_the_star_import(module):
    mod = importlib.import_module(module)
    names = NAMES[module].split()
    missing = [name for name in names if not hasattr(mod, name)]
    assert not missing, f"{module} lacks {missing}"
    star: dict = {}
    exec(f"from {module} import *", star)  # noqa: S102 - what a learner's star import gives
    assert not [name for name in names if name not in star]
    assert star["np"] is np if "np" in names else True


@pytest.mark.parametrize("module", sorted(set(NAMES) - {"dezero.core_simple"}))
def test_the_face_defines_nothing_of_its_own(module):
    mod = importlib.import_module(module)
    for name in NAMES[module].split():
        obj = getattr(mod, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__module__.startswith("common."), f"{module}.{name} is {obj.__module__}'s"


def test_one_framework_under_two_paths():
    from common.autograd import core, datasets, layers, optimizers

    assert dezero.Variable is core.Variable and dezero.core.Variable is core.Variable
    assert dezero.Layer is layers.Layer and dezero.optimizers.Adam is optimizers.Adam
    assert dezero.Dataset is datasets.Dataset
    assert dezero.functions.batch_nrom is dezero.functions.batch_norm
    assert dezero.cuda.gpu_enable is False or hasattr(dezero.cuda, "cupy")
    x = dezero.Variable(np.array(2.0))
    y = 3 + x * np.array(2.0) - 1  # importing dezero installed the operators
    assert isinstance(y, dezero.Variable) and float(y.data) == 6.0


def test_the_simple_core_has_array_gradients():
    from dezero.core_simple import Variable

    x = Variable(np.array(3.0))
    assert isinstance(x, dezero.Variable) and x.grad is None
    y = x * x
    y.backward()
    assert isinstance(x.grad, np.ndarray) and float(x.grad) == 6.0
    y = x * x
    y.backward()  # gradients add up until cleargrad
    assert float(x.grad) == 12.0
    x.cleargrad()
    assert x.grad is None


def test_utils_sum_to_is_the_array_helper():
    out = dezero.utils.sum_to(np.ones((2, 3)), (1, 3))
    assert isinstance(out, np.ndarray) and out.tolist() == [[2.0, 2.0, 2.0]]
