"""The autograd's core: Variable, Function, backward, the operators, Config, memory."""

from __future__ import annotations

import gc
import math
import tracemalloc
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.autograd import (
    Config,
    Function,
    Parameter,
    Variable,
    as_variable,
    cuda,
    no_grad,
    test_mode,
    using_config,
)
from common.autograd.checks import numerical_grad
from common.autograd.elementwise import cos, sin, tanh
from common.autograd.tensor import matmul, sum_to


def v(*values, dtype=np.float64):
    return Variable(np.array(values if len(values) > 1 else values[0], dtype=dtype))


# --- Variable ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ([1, 2], "got list [1, 2]: use Variable(np.array([1, 2]))"),
        (3.0, "got float 3.0: use Variable(np.array(3.0))"),
        ("abc", "got str 'abc'"),
    ],
)
def test_variable_of_a_non_array_is_a_clear_type_error(data, said):
    with pytest.raises(TypeError, match="Variable needs a NumPy array") as info:
        Variable(data)
    assert said in str(info.value)


def test_variable_describes_its_array():
    x = Variable(np.arange(6.0).reshape(2, 3), name="x")
    assert (x.shape, x.ndim, x.size, x.dtype, len(x), x.name) == ((2, 3), 2, 6, np.float64, 2, "x")
    assert repr(x) == "variable([[0. 1. 2.]\n          [3. 4. 5.]])"
    assert repr(Variable(None)) == "variable(None)"
    assert x.T.shape == (3, 2)
    assert x.reshape(3, 2).shape == x.reshape((3, 2)).shape == (3, 2)
    assert x.transpose().shape == x.transpose(1, 0).shape == x.transpose((1, 0)).shape == (3, 2)
    assert x.sum().data == 15.0 and x.sum(axis=0, keepdims=True).shape == (1, 3)
    assert isinstance(Parameter(np.zeros(2)), Variable)


def test_as_variable_keeps_variables_and_wraps_arrays_and_numbers():
    x = v(1.0)
    assert as_variable(x) is x
    assert as_variable(np.float32(2)).dtype == np.float32
    with pytest.raises(TypeError, match="got list"):
        as_variable([1, 2])


# --- backward ---------------------------------------------------------------------------


def test_a_variable_used_twice_gets_both_gradients():
    x = v(3.0)
    (x + x).backward()
    assert x.grad.data == 2.0
    x.cleargrad()
    (x + x + x).backward()
    assert x.grad.data == 3.0


def test_the_gradient_of_a_used_variable_is_never_changed_in_place():
    x = v(3.0)
    y = x * 1.0
    y.backward()
    held = x.grad
    held_value = held.data.copy()
    (x * 2.0).backward()  # accumulates onto x.grad
    assert x.grad.data == 3.0 and held.data == held_value


def test_functions_run_in_generation_order():
    # the book's step 16: a = x², y = a² + a²
    x = v(2.0)
    a = x**2
    y = a**2 + a**2
    y.backward()
    assert (y.data, x.grad.data) == (32.0, 64.0)


def test_intermediate_gradients_are_freed_unless_retained():
    x0, x1 = v(1.0), v(1.0)
    t = x0 + x1
    y = x0 + t
    y.backward()
    assert y.grad is None and t.grad is None
    assert (x0.grad.data, x1.grad.data) == (2.0, 1.0)
    x0.cleargrad(), x1.cleargrad()
    y = x0 + t
    y.backward(retain_grad=True)
    assert y.grad.data == 1.0 and t.grad.data == 1.0


def test_newton_on_x4_minus_2x2_reaches_one_exactly_at_iterate_7():
    x = v(2.0)
    iterates = []
    for _ in range(10):
        iterates.append(float(x.data))
        y = x**4 - 2 * x**2
        x.cleargrad()
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        gx.backward()
        x.data = x.data - gx.data / x.grad.data
    assert iterates[7] == 1.0 and iterates[6] != 1.0


def test_nth_derivatives_of_sin():
    x0 = 0.7
    x = v(x0)
    y = sin(x)
    y.backward(create_graph=True)
    for n in range(1, 5):
        gx = x.grad
        assert gx.data == pytest.approx(math.sin(x0 + n * math.pi / 2), abs=1e-12)
        x.cleargrad()
        gx.backward(create_graph=True)


def test_third_derivative_of_tanh():
    x0 = 0.4
    x = v(x0)
    tanh(x).backward(create_graph=True)
    for _ in range(2):
        gx = x.grad
        x.cleargrad()
        gx.backward(create_graph=True)
    t = math.tanh(x0)
    assert x.grad.data == pytest.approx(-2 * (1 - t * t) * (1 - 3 * t * t), rel=1e-12)


def test_double_backprop():
    x = v(2.0)
    y = x**2
    y.backward(create_graph=True)
    gx = x.grad
    x.cleargrad()
    z = gx**3 + y
    z.backward()
    assert x.grad.data == 100.0


def test_goldstein_price_gradient_at_1_1():
    x, y = v(1.0), v(1.0)
    z = (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)) * (
        30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2)
    )
    z.backward()
    assert (x.grad.data, y.grad.data) == (-5376.0, 8064.0)


def test_rosenbrock_gradient_descent_from_0_2():
    # the book prints (x0, x1) at the start of each of its 1,000 iterations: the last
    # line is the point after 999 steps
    x0, x1 = v(0.0), v(2.0)
    for _ in range(1000):
        printed = (round(float(x0.data), 4), round(float(x1.data), 4))
        y = 100 * (x1 - x0**2) ** 2 + (1 - x0) ** 2
        x0.cleargrad(), x1.cleargrad()
        y.backward()
        x0.data = x0.data - 0.001 * x0.grad.data
        x1.data = x1.data - 0.001 * x1.grad.data
    assert printed == (0.6835, 0.4657)


def test_cos_is_the_derivative_of_sin_and_back():
    x = v(0.3)
    cos(x).backward()
    assert x.grad.data == pytest.approx(-math.sin(0.3))


# --- Config -----------------------------------------------------------------------------


def test_no_grad_builds_no_graph_and_restores_the_switch():
    x = v(2.0)
    with no_grad():
        y = x * x
    assert y.creator is None and Config.enable_backprop
    with pytest.raises(RuntimeError), using_config("enable_backprop", False):
        raise RuntimeError
    assert Config.enable_backprop
    with test_mode():
        assert not Config.train
    assert Config.train


def test_backward_restores_enable_backprop_even_when_a_backward_fails():
    class Broken(Function):
        def forward(self, x):
            return x

        def backward(self, gy):
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        Broken()(v(1.0)).backward(create_graph=True)
    assert Config.enable_backprop is True


# --- memory -----------------------------------------------------------------------------


def test_a_freed_output_frees_its_graph():
    x = v(1.0, 2.0)
    y = sin(x * 2.0)
    creators = [weakref.ref(y.creator), weakref.ref(y.creator.inputs[0].creator)]
    enabled = gc.isenabled()
    gc.disable()  # freed by reference counting alone: no cycle is kept
    try:
        del y
        assert [ref() for ref in creators] == [None, None]
    finally:
        if enabled:
            gc.enable()


def test_a_long_loop_keeps_memory_flat():
    x = Variable(np.random.default_rng(0).standard_normal((20, 20)))
    tracemalloc.start()
    try:
        for i in range(1000):
            y = (tanh(x @ x) * x + 1.0).sum() / 3.0
            x.cleargrad()
            y.backward()
            if i == 99:
                after_100 = tracemalloc.get_traced_memory()[0]
        after_1000 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after_1000 - after_100 < 20_000


def test_unchain_backward_cuts_the_graph_behind():
    x = v(1.0)
    h = x
    for _ in range(3):
        h = tanh(h) * 2.0
    y = h + 1.0
    before = h.creator
    h.unchain_backward()
    assert h.creator is None and before.inputs[0].creator is None
    y.backward()
    assert x.grad is None and h.grad.data == 1.0  # h is now an input of y's graph


# --- Function errors and operators ------------------------------------------------------


def test_a_forward_that_returns_a_list_is_a_type_error_naming_the_function():
    class ListOut(Function):
        def forward(self, x):
            return [1, 2]

    with pytest.raises(TypeError, match="ListOut.forward must return arrays"):
        ListOut()(v(1.0))


def test_a_backward_of_the_wrong_shape_is_a_value_error_naming_the_function():
    class WrongGrad(Function):
        def forward(self, x):
            return x.sum()

        def backward(self, gy):
            return gy

    with pytest.raises(ValueError, match=r"WrongGrad.backward returned a gradient of shape \(\)"):
        WrongGrad()(v(1.0, 2.0)).backward()


def test_shapes_that_do_not_broadcast_are_a_clear_error():
    x = Variable(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"cannot add shapes \(2, 3\) and \(4,\)"):
        x + np.zeros(4)
    with pytest.raises(ValueError, match=r"cannot multiply shapes \(2, 3\) and \(2,\)"):
        x * Variable(np.zeros(2))


def test_operators_on_either_side():
    x = v(2.0, 4.0)
    a = np.array([1.0, 1.0])
    for y, want in [
        (a + x, [3, 5]), (x + a, [3, 5]), (a - x, [-1, -3]), (x - 1, [1, 3]), (1 - x, [-1, -3]),
        (a * x, [2, 4]), (3 * x, [6, 12]), (a / x, [0.5, 0.25]), (x / 2, [1, 2]),
        (8 / x, [4, 2]), (x**2, [4, 16]), (-x, [-2, -4]), (np.float64(2) * x, [4, 8]),
    ]:
        assert type(y) is Variable and np.array_equal(y.data, want)
    with pytest.raises(TypeError, match="exponent"):
        x**x


def test_numbers_take_the_other_operands_dtype():
    x = Variable(np.ones(3, np.float32))
    for y in (x + 1, 1 + x, x * 2.5, 2.5 * x, x - 1.0, 1.0 - x, x / 3, 3 / x, x**2, x**0.5,
              np.float64(2.0) * x, -x):
        assert y.dtype == np.float32
    i = Variable(np.arange(3))
    assert (i * 2.5).dtype == np.float64 and (i + 1).dtype == i.dtype


def test_matmul_operator_and_item():
    a = Variable(np.arange(6.0).reshape(2, 3))
    assert type(np.ones((4, 2)) @ a) is Variable and (a @ np.ones((3, 1))).shape == (2, 1)
    a[1, 1:].sum().backward()
    assert np.array_equal(a.grad.data, [[0, 0, 0], [0, 1, 1]])
    assert a.max().data == 5.0 and a.min(axis=1).shape == (2,)


def test_arrays_passed_to_a_function_are_constants_whose_gradient_is_skipped():
    w = Variable(np.ones((3, 2)))
    data = np.arange(6.0).reshape(2, 3)
    y = matmul(data, w) * np.ones(2)
    batch = y.creator.inputs[0].creator.inputs[0]
    assert batch.constant and not w.constant
    y.backward()
    assert batch.grad is None and np.array_equal(w.grad.data, data.T @ np.ones((2, 2)))
    x = Variable(data)
    (2.0 - x / 3.0 + 1.0).backward()
    assert np.allclose(x.grad.data, -1 / 3)


def test_sum_to_returns_the_same_variable_when_shapes_agree():
    x = v(1.0, 2.0)
    assert sum_to(x, (2,)) is x


def test_cuda_without_cupy():
    if cuda.gpu_enable:
        pytest.skip("CuPy is installed")
    assert cuda.get_array_module(v(1.0)) is np
    assert cuda.as_numpy(v(1.0, 2.0)).tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="CuPy is not installed"):
        cuda.as_cupy(np.zeros(2))
    x = v(1.0)
    with pytest.raises(RuntimeError, match="CuPy"):
        x.to_gpu()
    x.to_cpu()
    assert type(x.data) is np.ndarray


# --- random graphs with shared nodes ------------------------------------------------------

OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1.0),
    "tanh": lambda a, b: tanh(a) + b,
    "sin": lambda a, b: sin(a * b),
    "pow": lambda a, b: a**2 - b,
}


def build(program, x):
    """Evaluate a random straight-line program whose nodes reuse earlier nodes."""
    nodes = [x, x * 0.5]
    for op, i, j in program:
        nodes.append(OPS[op](nodes[i % len(nodes)], nodes[j % len(nodes)]))
    return nodes[-1]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 50), st.integers(0, 50)),
        min_size=1, max_size=8,
    ),
    st.integers(0, 2**16),
)
def test_random_graphs_with_shared_nodes_match_numerical_gradients(program, seed):
    x0 = np.random.default_rng(seed).uniform(-0.8, 0.8, size=(2, 3))
    x = Variable(x0.copy())
    y = build(program, x)
    if y.creator is None or np.any(np.abs(y.data) > 1e6):
        return
    y.backward()
    num = numerical_grad(lambda a: build(program, Variable(a)), x0, eps=1e-6)
    got = np.zeros_like(x0) if x.grad is None else x.grad.data
    np.testing.assert_allclose(got, num, rtol=1e-5, atol=1e-6)
