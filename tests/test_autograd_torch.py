"""The autograd against ``torch.autograd`` in float64: values, gradients and the second and
third derivatives (Hessian-vector products with ``create_graph=True`` on both sides) of every
Function, and of random graphs whose nodes are shared; and ``gradient_check`` on the
functions and inputs that ``tests/test_autograd_functions.py`` does not check.

The torch tests skip without PyTorch (the project's venv); the benchmark environment
``/work/bench-envs/torch`` has it. Semantics that differ from PyTorch's are noted where the
case is defined (max pooling pads with -inf as PyTorch does; ``pooling_simple`` pads with 0,
so it is compared unpadded).
"""

from __future__ import annotations

import numpy as np
import pytest

import common.autograd  # noqa: F401 - installs the operators
from common.autograd import conv as C
from common.autograd import elementwise as E
from common.autograd import losses as L
from common.autograd import pooling as P
from common.autograd import regularization as R
from common.autograd import tensor as T
from common.autograd.checks import gradient_check
from common.autograd.core import Variable, test_mode

try:
    import torch
    import torch.nn.functional as tnf
except ImportError:  # the project's venv: the torch tests skip, gradient_check runs
    torch = tnf = None

RTOL, ATOL = 1e-10, 1e-12  # float64 rounding; atol is scaled by the largest expected value
RNG = np.random.default_rng(2027)


def away(shape, low=0.2, high=1.5):
    """Random values with |x| in [low, high): away from the kinks at 0 (relu, leaky_relu)."""
    return RNG.uniform(low, high, shape) * RNG.choice([-1.0, 1.0], shape)


def pos(shape, low=0.3, high=2.0):
    """Positive random values (log, fractional powers)."""
    return RNG.uniform(low, high, shape)


def normal(shape):
    return RNG.standard_normal(shape)


def clip_input(shape, bounds=(-0.6, 0.7), gap=0.05):
    """Random values at least ``gap`` from each bound of the clip (and from 0)."""
    x = away(shape, 0.1, 1.2)
    for b in bounds:
        near = np.abs(x - b) < gap
        x[near] += 3 * gap * np.sign(x[near] - b + 1e-300)
    return x


def dropout_mask(shape, ratio, seed):
    np.random.seed(seed)
    return np.random.rand(*shape) > ratio


def with_seed(seed, f):
    """f after seeding NumPy's global generator (dropout draws its mask from it)."""
    def run(*xs):
        np.random.seed(seed)
        return f(*xs)
    return run


def t(a):
    """A constant array as a torch tensor (float64 stays float64, integers stay integers)."""
    return torch.as_tensor(np.asarray(a))


A34, A4, A31, C34 = away((3, 4)), away(4), away((3, 1)), away((3, 4))
EXPONENTS = RNG.uniform(-1.5, 2.5, (3, 4))
LABELS = np.array([2, 0, 3, 3, 1])
TARGETS = RNG.uniform(0, 1, (5, 4))  # soft targets for the sigmoid cross-entropy
BINARY = (RNG.random((5, 4)) > 0.5).astype(np.float64)
IDS = np.array([[0, 3, 3], [1, 0, 4]])
MASK = dropout_mask((4, 5), 0.3, seed=11)
BN_SHAPES = {2: ((6, 4), (4,)), 4: ((2, 3, 2, 3), (3,))}


def batch_norm_case(ndim, train=True, fused=True):
    """batch_nrom against F.batch_norm (decay 0.9 is momentum 0.1; both keep the unbiased
    running variance), or against batch norm written with torch's primitives (``fused``
    False); the running averages are compared in their own test."""
    (xs, cs) = BN_SHAPES[ndim]
    mean, var = normal(cs) * 0.1, pos(cs, 0.5, 1.5)
    axes, shape = (0,) if ndim == 2 else (0, 2, 3), (1, -1) if ndim == 2 else (1, -1, 1, 1)

    def ours(x, gamma, beta):
        return R.batch_nrom(x, gamma, beta, mean.copy(), var.copy())

    def theirs(x, gamma, beta):
        if not fused:  # the batch's mean and biased variance, as Variables of x
            mu = x.mean(axes, keepdim=True)
            sigma2 = ((x - mu) ** 2).mean(axes, keepdim=True)
            xhat = (x - mu) / torch.sqrt(sigma2 + 2e-5)
            return xhat * gamma.reshape(shape) + beta.reshape(shape)
        return tnf.batch_norm(x, t(mean.copy()), t(var.copy()), gamma, beta, training=train,
                              momentum=0.1, eps=2e-5)

    if not train:
        return (lambda *a: _in_test_mode(ours, *a)), theirs, [normal(xs), pos(cs), normal(cs)]
    return ours, theirs, [normal(xs), pos(cs), normal(cs)]


def _in_test_mode(f, *xs):
    with test_mode():
        return f(*xs)


def deconv_padding(h, k, s, p, out):
    return out - ((h - 1) * s - 2 * p + k)


# name -> (ours on Variables, torch on tensors, input arrays, highest derivative order)
CASES = {
    # arithmetic, with broadcasting, numbers and arrays on either side
    "add": (lambda a, b: a + b, lambda a, b: a + b, [A34, A4], 3),
    "add_number": (lambda a: 2.5 + a, lambda a: 2.5 + a, [A34], 3),
    "add_array_left": (lambda a: C34 + a, lambda a: t(C34) + a, [A4], 3),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, [A34, A31], 3),
    "rsub": (lambda a: 2.0 - a, lambda a: 2.0 - a, [A34], 3),
    "rsub_array": (lambda a: C34 - a, lambda a: t(C34) - a, [A31], 3),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, [away((2, 3, 4)), A31], 3),
    "mul_array_left": (lambda a: C34 * a, lambda a: t(C34) * a, [A34], 3),
    "div": (lambda a, b: a / b, lambda a, b: a / b, [A34, A4], 3),
    "rdiv": (lambda a: 1.5 / a, lambda a: 1.5 / a, [A34], 3),
    "rdiv_array": (lambda a: C34 / a, lambda a: t(C34) / a, [A4], 3),
    "neg": (lambda a: -a, lambda a: -a, [A34], 3),
    "pow_int": (lambda a: a**3, lambda a: a**3, [A34], 3),
    "pow_negative": (lambda a: a**-1.5, lambda a: a**-1.5, [pos((3, 4))], 3),
    "pow_half": (lambda a: a**0.5, lambda a: a**0.5, [pos((3, 4))], 3),
    "pow_array": (lambda a: a**EXPONENTS, lambda a: a ** t(EXPONENTS), [pos((3, 4))], 3),
    "matmul_operator": (lambda a, b: a @ b, lambda a, b: a @ b, [A34, away((4, 2))], 3),
    "rmatmul": (lambda a: C34.T @ a, lambda a: t(C34.T) @ a, [away((3, 2))], 3),
    # element-wise
    "sin": (E.sin, torch and torch.sin, [away((3, 4), 0, 3)], 3),
    "cos": (E.cos, torch and torch.cos, [away((3, 4), 0, 3)], 3),
    "tanh": (E.tanh, torch and torch.tanh, [away((3, 4), 0, 2)], 3),
    "exp": (E.exp, torch and torch.exp, [away((3, 4), 0, 2)], 3),
    "log": (E.log, torch and torch.log, [pos((3, 4), 0.1, 4)], 3),
    "sigmoid": (E.sigmoid, torch and torch.sigmoid, [away((3, 4), 0, 5)], 3),
    "sigmoid_simple": (E.sigmoid_simple, torch and torch.sigmoid, [away((3, 4), 0, 5)], 3),
    "relu": (E.relu, torch and torch.relu, [A34], 3),
    "leaky_relu": (E.leaky_relu, lambda a: tnf.leaky_relu(a, 0.2), [A34], 3),
    "leaky_relu_slope": (lambda a: E.leaky_relu(a, 0.05), lambda a: tnf.leaky_relu(a, 0.05),
                         [A34], 3),
    "clip": (lambda a: E.clip(a, -0.6, 0.7), lambda a: torch.clamp(a, -0.6, 0.7),
             [clip_input((4, 5))], 3),
    # shapes, selections, reductions, products
    "reshape": (lambda a: T.reshape(a, (4, 3)), lambda a: a.reshape(4, 3), [A34], 3),
    "reshape_method": (lambda a: a.reshape(2, -1), lambda a: a.reshape(2, -1), [A34], 3),
    "transpose": (lambda a: T.transpose(a, (2, 0, 1)), lambda a: a.permute(2, 0, 1),
                  [away((2, 3, 4))], 3),
    "transpose_reversed": (T.transpose, lambda a: a.permute(2, 1, 0), [away((2, 3, 4))], 3),
    "transpose_property": (lambda a: a.T, lambda a: a.T, [A34], 3),
    "get_item_slice": (lambda a: a[1:, ::2], lambda a: a[1:, ::2], [A34], 3),
    "get_item_repeated": (lambda a: a[[0, 0, 2]], lambda a: a[[0, 0, 2]], [A34], 3),
    "get_item_pairs": (lambda a: T.get_item(a, (np.array([0, 2, 2]), np.array([1, 3, 1]))),
                       lambda a: a[t([0, 2, 2]), t([1, 3, 1])], [A34], 3),
    "expand_dims": (lambda a: T.expand_dims(a, 1), lambda a: a.unsqueeze(1), [A34], 3),
    "flatten": (T.flatten, lambda a: torch.flatten(a, 1), [away((2, 3, 4))], 3),
    "sum_all": (T.sum, torch and torch.sum, [A34], 3),
    "sum_axes": (lambda a: T.sum(a, axis=(0, 2)), lambda a: a.sum((0, 2)),
                 [away((2, 3, 4))], 3),
    "sum_keepdims": (lambda a: a.sum(axis=1, keepdims=True), lambda a: a.sum(1, keepdim=True),
                     [A34], 3),
    "sum_to_row": (lambda a: T.sum_to(a, (1, 4)), lambda a: a.sum(0, keepdim=True), [A34], 3),
    "sum_to_leading": (lambda a: T.sum_to(a, (3, 1)), lambda a: a.sum((0, 2)).reshape(3, 1),
                       [away((2, 3, 4))], 3),
    "broadcast_to": (lambda a: T.broadcast_to(a, (2, 3, 4)), lambda a: a.expand(2, 3, 4),
                     [A4], 3),
    "broadcast_column": (lambda a: T.broadcast_to(a, (3, 4)), lambda a: a.expand(3, 4),
                         [A31], 3),
    "mean_all": (T.mean, torch and torch.mean, [A34], 3),
    "mean_axis": (lambda a: T.mean(a, axis=0), lambda a: a.mean(0), [A34], 3),
    "average_keepdims": (lambda a: T.average(a, axis=(1, 2), keepdims=True),
                         lambda a: a.mean((1, 2), keepdim=True), [away((2, 3, 4))], 3),
    "matmul": (T.matmul, torch and torch.matmul, [A34, away((4, 2))], 3),
    "linear": (T.linear, lambda x, W, b: x @ W + b, [A34, away((4, 2)), away(2)], 3),
    "linear_no_bias": (T.linear, lambda x, W: tnf.linear(x, W.T), [A34, away((4, 2))], 3),
    "linear_simple": (T.linear_simple, lambda x, W, b: tnf.linear(x, W.T, b),
                      [A34, away((4, 2)), away(2)], 3),
    "max_all": (T.max, lambda a: a.max(), [normal((3, 4))], 3),
    "max_axis": (lambda a: a.max(axis=1), lambda a: a.amax(1), [normal((3, 4))], 3),
    "max_keepdims": (lambda a: T.max(a, axis=0, keepdims=True),
                     lambda a: a.amax(0, keepdim=True), [normal((3, 4))], 3),
    "min_all": (T.min, lambda a: a.min(), [normal((3, 4))], 3),
    "min_axes": (lambda a: a.min(axis=(0, 2)), lambda a: a.amin((0, 2)),
                 [normal((2, 3, 4))], 3),
    # softmax and the losses
    "softmax": (L.softmax, lambda a: torch.softmax(a, 1), [normal((3, 4)) * 2], 3),
    "softmax_axis0": (lambda a: L.softmax(a, axis=0), lambda a: torch.softmax(a, 0),
                      [normal((3, 4)) * 2], 3),
    "softmax_simple": (L.softmax_simple, lambda a: torch.softmax(a, 1), [normal((3, 4)) * 2], 3),
    "log_softmax": (L.log_softmax, lambda a: torch.log_softmax(a, 1), [normal((3, 4)) * 2], 3),
    "mean_squared_error": (L.mean_squared_error,
                           lambda a, b: tnf.mse_loss(a, b, reduction="sum") / len(a),
                           [normal((5, 4)), normal((5, 4))], 3),
    "mean_squared_error_simple": (L.mean_squared_error_simple,
                                  lambda a, b: tnf.mse_loss(a, b, reduction="sum") / len(a),
                                  [normal((5, 4)), normal((5, 4))], 3),
    "softmax_cross_entropy": (lambda a: L.softmax_cross_entropy(a, LABELS),
                              lambda a: tnf.cross_entropy(a, t(LABELS)),
                              [normal((5, 4)) * 2], 3),
    "softmax_cross_entropy_simple": (lambda a: L.softmax_cross_entropy_simple(a, LABELS),
                                     lambda a: tnf.cross_entropy(a, t(LABELS)),
                                     [normal((5, 4)) * 2], 3),
    "sigmoid_cross_entropy": (  # the sum over the elements divided by N (rows), as the book
        lambda a: L.sigmoid_cross_entropy(a, TARGETS),
        lambda a: tnf.binary_cross_entropy_with_logits(a, t(TARGETS), reduction="sum") / len(a),
        [normal((5, 4)) * 2], 3),
    # p inside [eps, 1 - eps], where the clip is the identity. F.binary_cross_entropy's
    # hand-written higher derivatives lose digits (second 3e-11, third 2e-10 relative off a
    # long-double run of ours, ours 3e-15): compared to the first, and the formula to the third
    "binary_cross_entropy": (
        lambda p: L.binary_cross_entropy(p, BINARY),
        lambda p: tnf.binary_cross_entropy(p, t(BINARY), reduction="sum") / len(p),
        [RNG.uniform(0.05, 0.95, (5, 4))], 1),
    "binary_cross_entropy_formula": (
        lambda p: L.binary_cross_entropy(p, BINARY),
        lambda p: -(t(BINARY) * torch.log(p) + (1 - t(BINARY)) * torch.log(1 - p)).sum()
        / len(p), [RNG.uniform(0.05, 0.95, (5, 4))], 3),
    # dropout (the same mask: NumPy's generator seeded alike), batch norm, embedding
    "dropout": (with_seed(11, lambda a: R.dropout(a, 0.3)), lambda a: a * t(MASK) / 0.7,
                [normal((4, 5))], 3),
    # PyTorch's fused batch norm has wrong third derivatives in training mode (its double
    # backward treats the batch statistics as constants: pytorch/pytorch#186256; ours agree
    # with central differences), so it is compared to the second and the formula to the third
    "batch_nrom": (*batch_norm_case(2), 2),
    "batch_nrom_4d": (*batch_norm_case(4), 2),
    "batch_nrom_formula": (*batch_norm_case(2, fused=False), 3),
    "batch_nrom_4d_formula": (*batch_norm_case(4, fused=False), 3),
    "batch_nrom_test_mode": (*batch_norm_case(2, train=False), 3),
    "batch_nrom_4d_test_mode": (*batch_norm_case(4, train=False), 3),
    "embed_id": (lambda W: R.embed_id(IDS, W), lambda W: tnf.embedding(t(IDS), W),
                 [normal((5, 3))], 3),
    # convolution and pooling (N, C, H, W)
    "conv2d": (C.conv2d, tnf.conv2d if tnf else None,
               [normal((2, 3, 5, 6)), normal((4, 3, 3, 2)), normal(4)], 3),
    "conv2d_stride_pad": (lambda x, W: C.conv2d(x, W, None, 2, 1),
                          lambda x, W: tnf.conv2d(x, W, None, 2, 1),
                          [normal((2, 2, 6, 5)), normal((3, 2, 3, 3))], 3),
    "conv2d_pairs": (lambda x, W, b: C.conv2d(x, W, b, (2, 1), (1, 0)),
                     lambda x, W, b: tnf.conv2d(x, W, b, (2, 1), (1, 0)),
                     [normal((2, 2, 6, 5)), normal((3, 2, 3, 2)), normal(3)], 3),
    "conv2d_simple": (lambda x, W, b: C.conv2d_simple(x, W, b, 2, 1),
                      lambda x, W, b: tnf.conv2d(x, W, b, 2, 1),
                      [normal((2, 3, 5, 5)), normal((2, 3, 3, 3)), normal(2)], 3),
    "deconv2d": (lambda x, W, b: C.deconv2d(x, W, b, 2, 1),
                 lambda x, W, b: tnf.conv_transpose2d(x, W, b, 2, 1),
                 [normal((2, 3, 3, 4)), normal((3, 2, 3, 3)), normal(2)], 3),
    "deconv2d_outsize": (  # an outsize beyond the default is PyTorch's output_padding (its
        # third derivative raises "output_padding is not supported for non-transposed ...")
        lambda x, W: C.deconv2d(x, W, None, 2, 1, outsize=(6, 8)),
        lambda x, W: tnf.conv_transpose2d(x, W, None, 2, 1, output_padding=(
            deconv_padding(3, 3, 2, 1, 6), deconv_padding(4, 3, 2, 1, 8))),
        [normal((2, 3, 3, 4)), normal((3, 2, 3, 3))], 2),
    "im2col": (  # rows (n, oh, ow), columns (c, kh, kw): F.unfold's columns, transposed
        lambda x: C.im2col(x, (3, 2), (2, 1), (1, 0)),
        lambda x: tnf.unfold(x, (3, 2), 1, (1, 0), (2, 1)).transpose(1, 2).reshape(-1, 12),
        [normal((2, 2, 5, 4))], 3),
    "im2col_6d": (lambda x: C.im2col(x, 3, 2, 1, to_matrix=False),
                  lambda x: tnf.unfold(x, 3, 1, 1, 2).reshape(2, 2, 3, 3, 3, 2),
                  [normal((2, 2, 5, 4))], 3),
    "col2im": (lambda c: C.col2im(c, (2, 2, 5, 4), (3, 2), (2, 1), (1, 0)),
               lambda c: tnf.fold(c.reshape(2, 9, 12).transpose(1, 2), (5, 4), (3, 2), 1,
                                  (1, 0), (2, 1)),
               [normal((18, 12))], 3),
    "pooling": (lambda x: P.pooling(x, 2, 2), lambda x: tnf.max_pool2d(x, 2, 2),
                [normal((2, 3, 4, 6))], 3),
    "pooling_padded": (  # padding is -inf in both: never a maximum
        lambda x: P.pooling(x, 3, (2, 1), (1, 0)),
        lambda x: tnf.max_pool2d(x, 3, (2, 1), (1, 0)), [normal((2, 3, 5, 6))], 3),
    "pooling_simple": (  # the book's version pads with 0, so it is compared unpadded
        lambda x: P.pooling_simple(x, 2, 1), lambda x: tnf.max_pool2d(x, 2, 1),
        [normal((2, 2, 4, 5))], 3),
    "average_pooling": (lambda x: P.average_pooling(x, 2, 2),
                        lambda x: tnf.avg_pool2d(x, 2, 2), [normal((2, 3, 4, 6))], 3),
    "average_pooling_padded": (  # padding counts as zeros: count_include_pad
        lambda x: P.average_pooling(x, (3, 2), (1, 2), 1),
        lambda x: tnf.avg_pool2d(x, (3, 2), (1, 2), 1, count_include_pad=True),
        [normal((2, 2, 5, 6))], 3),
}


def heads(shape, seed):
    """Weights of the scalar head Σ w1 y + Σ w2 y² / 2 and of the derivative directions."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape), rng.standard_normal(shape)


def ours_derivatives(f, arrays, w1, w2, directions, order):
    """[y, dS/dx, d<dS/dx, v>/dx, ...] by our backward with create_graph."""
    xs = [Variable(a.copy()) for a in arrays]
    y = f(*xs)
    out = [[y.data]]
    s = T.sum(y * w1) + T.sum(y * y * w2) / 2
    for k in range(order):
        for x in xs:
            x.cleargrad()
        if s is not None:
            s.backward(create_graph=True)
        grads = [x.grad for x in xs]
        out.append([np.zeros(x.shape) if x.grad is None else x.grad.data for x in xs])
        terms = [T.sum(g * v) for g, v in zip(grads, directions[k], strict=True) if g is not None]
        s = None
        for term in terms:
            s = term if s is None else s + term
        if s is not None and s.creator is None:
            s = None  # a constant: every further derivative is zero
    return out


def torch_derivatives(f, arrays, w1, w2, directions, order):
    """The same list by torch.autograd.grad(create_graph=True)."""
    xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = f(*xs)
    out = [[y.detach().numpy()]]
    s = (y * t(w1)).sum() + (y * y * t(w2)).sum() / 2
    for k in range(order):
        if s is not None and s.requires_grad:
            grads = torch.autograd.grad(s, xs, create_graph=True, allow_unused=True,
                                        materialize_grads=True)
        else:
            grads = [torch.zeros_like(x) for x in xs]
        out.append([g.detach().numpy() for g in grads])
        s = sum((g * t(v)).sum() for g, v in zip(grads, directions[k], strict=True))
    return out


def assert_same(got, expected, what):
    for k, (g_list, e_list) in enumerate(zip(got, expected, strict=True)):
        for i, (g, e) in enumerate(zip(g_list, e_list, strict=True)):
            scale = max(1.0, float(np.abs(e).max(initial=0.0)))
            np.testing.assert_allclose(
                g, e, rtol=RTOL, atol=ATOL * scale,
                err_msg=f"{what}: " + ("value" if k == 0 else f"order {k}, input {i}"))


def compare(ours, theirs, arrays, order, seed, what):
    y_shape = np.shape(ours(*[Variable(a.copy()) for a in arrays]).data)
    w1, w2 = heads(y_shape, seed)
    rng = np.random.default_rng(seed + 1)
    directions = [[rng.standard_normal(a.shape) for a in arrays] for _ in range(order)]
    got = ours_derivatives(ours, arrays, w1, w2, directions, order)
    expected = torch_derivatives(theirs, arrays, w1, w2, directions, order)
    assert [np.shape(a) for a in got[0]] == [np.shape(a) for a in expected[0]], what
    assert_same(got, expected, what)
    return got


@pytest.fixture(scope="module")
def torch_module():
    return pytest.importorskip("torch", reason="needs PyTorch (the benchmark environment has it)")


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_function_matches_torch_to_the_third_derivative(torch_module, name):
    ours, theirs, arrays, order = CASES[name]
    got = compare(ours, theirs, arrays, order, seed=len(name), what=name)
    assert any(np.any(g != 0) for g in got[1]), f"{name}: the gradient is all zeros"


def test_the_comparison_can_fail(torch_module):
    """A derivative wrong in the last place but one is caught (the tolerance is float64's)."""
    class SlightlyWrongSin(E.Sin):
        def backward(self, gy):
            return gy * E.cos(self.inputs[0]) * (1 + 1e-9)

    with pytest.raises(AssertionError, match="order 1"):
        compare(lambda a: SlightlyWrongSin()(a), torch.sin, [A34], 1, 0, "sin")


@pytest.mark.parametrize("ndim", [2, 4])
def test_batch_norm_running_averages_match_torch(torch_module, ndim):
    """Running mean and unbiased running variance after one training step, as PyTorch's."""
    (xs, cs), rng = BN_SHAPES[ndim], np.random.default_rng(ndim)
    x, gamma, beta = rng.standard_normal(xs), rng.uniform(0.5, 1.5, cs), rng.standard_normal(cs)
    mean, var = rng.standard_normal(cs), rng.uniform(0.5, 1.5, cs)
    tmean, tvar = t(mean.copy()), t(var.copy())
    R.batch_nrom(x, gamma, beta, mean, var, decay=0.8)
    tnf.batch_norm(t(x), tmean, tvar, t(gamma), t(beta), training=True, momentum=0.2, eps=2e-5)
    np.testing.assert_allclose(mean, tmean.numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(var, tvar.numpy(), rtol=RTOL, atol=ATOL)


# --- random graphs whose nodes are shared ------------------------------------------------
# Every node is (2, 3); an op takes earlier nodes (often the same one twice), so most nodes
# are used several times. Each entry: (arity, ours, torch).
GRAPH_OPS = [
    (2, lambda a, b: a + b, lambda a, b: a + b),
    (2, lambda a, b: a - b * 0.5, lambda a, b: a - b * 0.5),
    (2, lambda a, b: a * b, lambda a, b: a * b),
    (2, lambda a, b: a / (b * b + 1.0), lambda a, b: a / (b * b + 1.0)),
    (1, E.tanh, lambda a: torch.tanh(a)),
    (1, E.sin, lambda a: torch.sin(a)),
    (1, E.sigmoid, lambda a: torch.sigmoid(a)),
    (1, lambda a: E.exp(E.tanh(a)), lambda a: torch.exp(torch.tanh(a))),
    (1, lambda a: E.log(a * a + 1.0), lambda a: torch.log(a * a + 1.0)),
    (1, lambda a: L.softmax(a, axis=1), lambda a: torch.softmax(a, 1)),
    (1, lambda a: a**2, lambda a: a**2),
    (1, lambda a: a[[1, 0]], lambda a: a[[1, 0]]),
    (1, lambda a: a[:, [2, 2, 0]], lambda a: a[:, [2, 2, 0]]),
    (1, lambda a: a.T.reshape(2, 3), lambda a: a.T.reshape(2, 3)),
    (2, lambda a, b: a + b.sum(axis=0, keepdims=True), lambda a, b: a + b.sum(0, keepdim=True)),
    (2, lambda a, b: a * T.mean(b, axis=1, keepdims=True),
     lambda a, b: a * b.mean(1, keepdim=True)),
    (3, lambda a, b, c: T.matmul(T.matmul(a, b.T), c) / 3, lambda a, b, c: a @ b.T @ c / 3),
    (2, lambda a, b: T.linear(a, T.matmul(b.T, b) * 0.5, b[0]),
     lambda a, b: a @ (b.T @ b * 0.5) + b[0]),
]


def random_graph(seed, size):
    """A program: for each new node, an op and the indexes of the earlier nodes it reads."""
    rng = np.random.default_rng(seed)
    program = []
    for n in range(3, 3 + size):
        arity = GRAPH_OPS[op := int(rng.integers(len(GRAPH_OPS)))][0]
        recent = rng.integers(max(0, n - 3), n, arity)  # the newest nodes, shared often
        program.append((op, [int(i) if rng.random() < 0.7 else int(rng.integers(n))
                             for i in recent]))
    return program


def run_graph(program, which, *inputs):
    nodes = list(inputs)
    for op, args in program:
        nodes.append(GRAPH_OPS[op][which](*[nodes[i] for i in args]))
    total = nodes[-1]
    for node in nodes[3:-1:2]:  # and half of the intermediate nodes: more sharing
        total = total + node
    return total


@pytest.mark.parametrize("seed", range(30))
def test_random_graphs_with_shared_nodes_match_torch(torch_module, seed):
    program = random_graph(seed, size=4 + seed % 9)
    uses = np.bincount([i for _, args in program for i in args])
    assert uses.max() >= 2, "no node is shared"
    arrays = [np.random.default_rng(1000 + seed).uniform(-1, 1, (2, 3)) for _ in range(3)]
    compare(lambda *xs: run_graph(program, 1, *xs), lambda *xs: run_graph(program, 2, *xs),
            arrays, 3, seed, f"graph {seed}: {program}")


# --- gradient_check (no torch needed) ------------------------------------------------------
# tests/test_autograd_functions.py checks the one-input functions (arithmetic with a constant,
# element-wise, shapes, losses, batch norm, dropout, embed_id) with respect to their input;
# here every input of every multi-input function and the convolution functions.
CHECKED_ELSEWHERE = {
    "sin", "cos", "tanh", "exp", "sigmoid", "sigmoid_simple", "relu", "leaky_relu", "clip",
    "neg", "pow_int", "rdiv", "reshape", "transpose", "get_item_slice", "get_item_repeated",
    "expand_dims", "flatten", "sum_axes", "sum_keepdims", "sum_to_row", "broadcast_to",
    "mean_axis", "max_axis", "min_all", "softmax", "softmax_axis0", "softmax_simple",
    "log_softmax", "softmax_cross_entropy", "softmax_cross_entropy_simple",
    "sigmoid_cross_entropy", "binary_cross_entropy", "dropout", "embed_id",
}
GRADIENT_CHECKS = [(name, i) for name in sorted(CASES) if name not in CHECKED_ELSEWHERE
                   for i in range(len(CASES[name][2]))]


def test_the_functions_checked_elsewhere_are_cases_here():
    assert CHECKED_ELSEWHERE <= set(CASES)


@pytest.mark.parametrize("name,i", GRADIENT_CHECKS)
def test_gradient_check_passes_for_every_input(name, i):
    ours, _, arrays, _ = CASES[name]
    others = [Variable(a) for a in arrays]
    weights = np.random.default_rng(i).standard_normal(ours(*others).shape)

    def f(x):
        xs = list(others)
        xs[i] = x
        y = ours(*xs)
        return y * weights + y * y

    assert gradient_check(f, arrays[i], rtol=1e-5, atol=1e-7)
