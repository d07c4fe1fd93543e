"""The library's map and the book's module paths.

``common/__init__.py`` lists every top-level module and package of ``common``, and each
package's ``__init__`` every module in it: a newcomer reads the architecture there, so a
module the map does not name is a test failure. The book's programs import ``common.*``
modules by the book's paths, often with a star: each path gives them what the book's own
module gives (``np`` included: chapter 6 calls ``np.random.choice`` after
``from common.optimizer import *``).
"""

import importlib
import pkgutil

import numpy as np
import pytest

import common

#: For each of the book's module paths, names the book's programs use after a star import.
BOOK_STAR_IMPORTS = {
    "common.functions": ["np", "identity_function", "step_function", "sigmoid", "sigmoid_grad",
                         "relu", "relu_grad", "softmax", "sum_squared_error",
                         "cross_entropy_error", "softmax_loss"],
    "common.gradient": ["np", "numerical_gradient"],
    "common.util": ["np", "smooth_curve", "shuffle_dataset", "conv_output_size", "im2col",
                    "col2im",  # and the second book's:
                    "preprocess", "create_co_matrix", "cos_similarity", "most_similar",
                    "create_contexts_target", "convert_one_hot", "ppmi", "analogy",
                    "normalize", "to_cpu", "to_gpu"],
    "common.layers": ["np", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout",
                      "MatMul", "Softmax", "SigmoidWithLoss", "Embedding",  # second book
                      "BatchNormalization", "Convolution", "Pooling", "im2col", "col2im",
                      "softmax", "cross_entropy_error"],
    "common.optimizer": ["np", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"],
    "common.trainer": ["np", "Trainer", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop",
                       "Adam"],
    "common.multi_layer_net": ["np", "OrderedDict", "MultiLayerNet", "numerical_gradient",
                               "Affine", "Relu", "Sigmoid", "SoftmaxWithLoss"],
    # the second book's paths
    "common.base_model": ["np", "BaseModel"],
    "common.np": ["np", "GPU"],
    "common.time_layers": ["np", "RNN", "TimeRNN", "LSTM", "TimeLSTM", "GRU", "TimeGRU",
                           "TimeBiLSTM", "TimeEmbedding", "TimeAffine", "TimeSoftmaxWithLoss",
                           "TimeDropout", "TimeSigmoidWithLoss", "sigmoid", "softmax"],
    "common.multi_layer_net_extend": ["np", "OrderedDict", "MultiLayerNetExtend",
                                      "numerical_gradient", "Affine", "BatchNormalization",
                                      "Dropout", "SoftmaxWithLoss"],
}


def _modules(package):
    """(name, is_package) of the modules directly inside ``package``."""
    return [(info.name, info.ispkg) for info in pkgutil.iter_modules(package.__path__)]


def test_the_map_names_every_module_and_package_of_common():
    for name, _ in _modules(common):
        assert f"``{name}``" in common.__doc__, f"common/__init__.py does not name {name!r}"


@pytest.mark.parametrize("package", [name for name, ispkg in _modules(common) if ispkg])
def test_each_package_names_every_module_in_it(package):
    module = importlib.import_module(f"common.{package}")
    assert module.__doc__, f"common.{package} has no docstring saying what it holds"
    for name, _ in _modules(module):
        assert f"``{name}``" in module.__doc__, f"common/{package}/__init__.py does not name " \
                                                f"{name!r}"


def test_the_second_books_programs_find_their_helpers_in_common_util():
    from common import config
    from common.util import clip_grads, eval_perplexity, eval_seq2seq, to_gpu

    assert clip_grads.__module__ == "common.optim.clipping"
    assert eval_perplexity.__module__ == "common.nets.perplexity"
    assert eval_seq2seq.__module__ == "common.nets.seq2seq_answers"
    assert config.GPU is False
    with pytest.raises(RuntimeError, match="NumPy, on the CPU only"):
        to_gpu(np.zeros(2))
    with pytest.raises(ImportError):
        exec("from common.util import no_such_helper", {})


@pytest.mark.parametrize("path", sorted(BOOK_STAR_IMPORTS))
def test_a_star_import_of_a_book_path_gives_what_the_books_programs_use(path):
    namespace: dict = {}
    exec(f"from {path} import *", namespace)
    missing = [name for name in BOOK_STAR_IMPORTS[path] if name not in namespace]
    assert not missing, f"from {path} import * does not give {missing}"


def test_the_books_optimizer_comparison_runs_after_its_star_import():
    """The book's ch06 program: optimizers and np from one star import."""
    namespace: dict = {}
    exec("from common.optimizer import *\n"
         "batch_mask = np.random.default_rng(0).choice(60, 10)\n"
         "optimizers = {'SGD': SGD(), 'Momentum': Momentum(), 'AdaGrad': AdaGrad(), "
         "'Adam': Adam()}\n", namespace)
    assert len(namespace["batch_mask"]) == 10 and len(namespace["optimizers"]) == 4
