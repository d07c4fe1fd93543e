"""The recurrent and time layers of the second book against central differences in float64,
on random shapes: RNN, LSTM, GRU (one step and over a sequence), TimeBiLSTM, TimeDropout,
TimeSigmoidWithLoss; the carried state, dtypes, stability and the clear errors."""

import warnings

import numpy as np
import pytest

from common.checks import check_gradients
from common.checks.gradients import numerical_gradient, relative_error
from common.layers import (
    GRU,
    LSTM,
    RNN,
    TimeAffine,
    TimeBiLSTM,
    TimeDropout,
    TimeEmbedding,
    TimeGRU,
    TimeLSTM,
    TimeRNN,
    TimeSigmoidWithLoss,
    TimeSoftmaxWithLoss,
)
from common.nets.network import Network

SEEDS = range(4)
TOL = 1e-6
GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


def random_shape(rng):
    """(N, T, D, H) with N >= 2."""
    return (int(rng.integers(2, 5)), int(rng.integers(1, 6)), int(rng.integers(1, 5)),
            int(rng.integers(1, 5)))


def weights(rng, kind, d, h, dtype=np.float64):
    """Random weights of a cell: (Wx, Wh, b) or, for the GRU, (Wx, Wh, bx, bh)."""
    k = GATES[kind]
    arrays = [rng.standard_normal((d, k * h)), 0.7 * rng.standard_normal((h, k * h)),
              rng.standard_normal(k * h)]
    if kind == "GRU":
        arrays.append(rng.standard_normal(k * h))
    return [a.astype(dtype) for a in arrays]


def make(cls, rng, d, h, **kwargs):
    kind = cls.__name__.removeprefix("Time")
    return cls(*weights(rng, kind, d, h), **kwargs)


def assert_gradients(f, arrays, grads):
    """Each grads[name] is the central-difference gradient of f() w.r.t. arrays[name]."""
    for name, array in arrays.items():
        numerical = numerical_gradient(lambda _: f(), array, h=1e-5)
        assert grads[name].shape == array.shape, name
        assert relative_error(grads[name], numerical) < TOL, name


def check_time_layer(layer, xs, rng, state=()):
    """backward(G) of a time layer against L = Σ forward(xs) ⊙ G, for xs, every parameter
    and the initial state set by set_state(*state) (checked against dh, dc)."""
    def f():
        if state:
            layer.set_state(*state)
        return float(np.sum(layer.forward(xs) * G))

    G = rng.standard_normal(np.shape(layer.forward(xs)))
    G_before = G.copy()
    f()
    dxs = layer.backward(G)
    np.testing.assert_array_equal(G, G_before, err_msg="backward must not modify dout")
    grads = {"xs": dxs, **{p: getattr(layer, "d" + p).copy() for p in layer.param_names}}
    arrays = {"xs": xs, **{p: getattr(layer, p) for p in layer.param_names}}
    for name, value in zip(("h0", "c0"), state, strict=False):
        arrays[name], grads[name] = value, getattr(layer, "d" + name[0]).copy()
    assert_gradients(f, arrays, grads)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("cls", [TimeRNN, TimeLSTM, TimeGRU])
def test_time_layer_gradients_including_the_initial_state(cls, seed):
    rng = np.random.default_rng(seed)
    n, t, d, h = random_shape(rng)
    layer = make(cls, rng, d, h)
    xs = rng.standard_normal((n, t, d))
    state = [rng.standard_normal((n, h)) for _ in range(2 if cls is TimeLSTM else 1)]
    check_time_layer(layer, xs, rng, state)


@pytest.mark.parametrize("seed", SEEDS)
def test_time_lstm_gradients_from_zero_state_and_stateful_block(seed):
    rng = np.random.default_rng(seed)
    n, t, d, h = random_shape(rng)
    check_time_layer(make(TimeLSTM, rng, d, h), rng.standard_normal((n, t, d)), rng)
    # a stateful layer in its second block: the carried state is a constant (truncated BPTT)
    layer = make(TimeLSTM, rng, d, h, stateful=True)
    layer.forward(rng.standard_normal((n, t, d)))
    carried = layer.h.copy(), layer.c.copy()
    check_time_layer(layer, rng.standard_normal((n, t, d)), rng, carried)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("cls", [RNN, LSTM, GRU])
def test_step_layer_gradients(cls, seed):
    rng = np.random.default_rng(seed)
    n, _, d, h = random_shape(rng)
    layer = make(cls, rng, d, h)
    x = rng.standard_normal((n, d))
    states = [rng.standard_normal((n, h)) for _ in range(2 if cls is LSTM else 1)]
    outs = layer.forward(x, *states)
    outs = outs if isinstance(outs, tuple) else (outs,)
    Gs = [rng.standard_normal(o.shape) for o in outs]

    def f():
        outs = layer.forward(x, *states)
        outs = outs if isinstance(outs, tuple) else (outs,)
        return float(sum(np.sum(o * g) for o, g in zip(outs, Gs, strict=True)))

    f()
    dins = layer.backward(*Gs)
    names = ["x", "h_prev", "c_prev"][:1 + len(states)]
    grads = dict(zip(names, dins, strict=True))
    grads.update({p: getattr(layer, "d" + p).copy() for p in layer.param_names})
    arrays = dict(zip(names, [x, *states], strict=True))
    arrays.update({p: getattr(layer, p) for p in layer.param_names})
    assert_gradients(f, arrays, grads)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("time_cls, step_cls", [(TimeRNN, RNN), (TimeLSTM, LSTM),
                                                (TimeGRU, GRU)])
def test_time_layer_is_its_step_repeated(time_cls, step_cls, seed):
    rng = np.random.default_rng(seed)
    n, t, d, h = random_shape(rng)
    params = weights(rng, step_cls.__name__, d, h)
    layer, step = time_cls(*params), step_cls(*params)
    xs = rng.standard_normal((n, t, d))
    states = [rng.standard_normal((n, h)) for _ in range(2 if step_cls is LSTM else 1)]
    layer.set_state(*states)
    hs = layer.forward(xs)
    for k in range(t):
        out = step.forward(xs[:, k], *states)
        states = list(out) if isinstance(out, tuple) else [out]
        np.testing.assert_allclose(hs[:, k], states[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.h, states[0], rtol=1e-12, atol=1e-12)
    if step_cls is LSTM:
        np.testing.assert_allclose(layer.c, states[1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_time_bilstm_gradients_and_directions(seed):
    rng = np.random.default_rng(seed)
    n, t, d, h = random_shape(rng)
    layer = TimeBiLSTM(*weights(rng, "LSTM", d, h), *weights(rng, "LSTM", d, h))
    xs = rng.standard_normal((n, t, d))
    out = layer.forward(xs)
    assert out.shape == (n, t, 2 * h)
    np.testing.assert_allclose(out[..., :h], layer.forward_lstm.forward(xs))
    # the backward half at position k has read x_T .. x_k
    np.testing.assert_allclose(out[:, ::-1, h:], layer.backward_lstm.forward(xs[:, ::-1]))
    G = rng.standard_normal(out.shape)
    f = lambda: float(np.sum(layer.forward(xs) * G))  # noqa: E731
    f()
    grads = {"xs": layer.backward(G)}
    arrays = {"xs": xs}
    for key, inner in layer.layers.items():
        for p in inner.param_names:
            grads[f"{key}.{p}"] = getattr(inner, "d" + p).copy()
            arrays[f"{key}.{p}"] = getattr(inner, p)
    assert_gradients(f, arrays, grads)


@pytest.mark.parametrize("cls", [TimeRNN, TimeLSTM, TimeGRU])
def test_stateful_blocks_continue_one_sequence(cls):
    rng = np.random.default_rng(5)
    n, t, d, h = 3, 7, 4, 5
    params = weights(rng, cls.__name__.removeprefix("Time"), d, h)
    xs = rng.standard_normal((n, t, d))
    whole = cls(*params).forward(xs)
    layer = cls(*params, stateful=True)
    blocks = [layer.forward(xs[:, :3]), layer.forward(xs[:, 3:])]
    np.testing.assert_allclose(np.concatenate(blocks, axis=1), whole, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(layer.h, blocks[1][:, -1])
    # reset_state: the next block starts from zeros again, as a fresh layer's first call
    layer.reset_state()
    np.testing.assert_array_equal(layer.forward(xs[:, 3:]), cls(*params).forward(xs[:, 3:]))
    # a batch of another size holds other sequences: it starts from zeros
    layer.forward(xs[:2, :3])
    np.testing.assert_array_equal(layer.forward(xs[:, 3:]), cls(*params).forward(xs[:, 3:]))
    # not stateful: every call starts from zeros
    plain = cls(*params)
    plain.forward(xs[:, :3])
    np.testing.assert_array_equal(plain.forward(xs[:, 3:]), cls(*params).forward(xs[:, 3:]))


def test_set_state_is_used_once_and_c_defaults_to_zeros():
    rng = np.random.default_rng(6)
    n, t, d, h = 2, 3, 3, 4
    params = weights(rng, "LSTM", d, h)
    xs = rng.standard_normal((n, t, d))
    h0 = rng.standard_normal((n, h))
    layer = TimeLSTM(*params)
    layer.set_state(h0)
    given = layer.forward(xs)
    reference = TimeLSTM(*params)
    reference.set_state(h0, np.zeros((n, h)))
    np.testing.assert_array_equal(given, reference.forward(xs))
    assert not np.allclose(given, TimeLSTM(*params).forward(xs))
    np.testing.assert_array_equal(layer.forward(xs), TimeLSTM(*params).forward(xs))


def test_float32_in_float32_out():
    rng = np.random.default_rng(7)
    n, t, d, h = 2, 4, 3, 5
    xs = rng.standard_normal((n, t, d)).astype(np.float32)
    layers = [make(cls, rng, d, h) for cls in (TimeRNN, TimeLSTM, TimeGRU)]
    for layer in layers:
        for p in layer.param_names:
            setattr(layer, p, getattr(layer, p).astype(np.float32))
    layers.append(TimeBiLSTM(*weights(rng, "LSTM", d, h, np.float32),
                             *weights(rng, "LSTM", d, h, np.float32)))
    for layer in layers:
        out = layer.forward(xs)
        assert out.dtype == np.float32, type(layer).__name__
        assert layer.backward(np.ones_like(out)).dtype == np.float32
        for inner in (layer.layers or {"": layer}).values():  # a container's, or itself
            assert all(getattr(inner, "d" + p).dtype == np.float32 for p in inner.param_names)
    for cls in (RNN, LSTM, GRU):
        step = cls(*weights(rng, cls.__name__, d, h, np.float32))
        states = [np.zeros((n, h), np.float32)] * (2 if cls is LSTM else 1)
        out = step.forward(xs[:, 0], *states)
        outs = out if isinstance(out, tuple) else (out,)
        assert all(o.dtype == np.float32 for o in outs)
        back = step.backward(*[np.ones_like(o) for o in outs])
        assert all(b.dtype == np.float32 for b in back)
    scores = rng.standard_normal((n, t)).astype(np.float32)
    loss_layer = TimeSigmoidWithLoss()
    loss_layer.forward(scores, rng.integers(0, 2, (n, t)))
    assert loss_layer.backward().dtype == np.float32
    drop = TimeDropout(0.3, seed=0)
    assert drop.forward(xs, True).dtype == np.float32
    assert drop.backward(xs).dtype == np.float32


def test_large_inputs_give_no_warnings_and_saturate():
    rng = np.random.default_rng(8)
    n, t, d, h = 2, 3, 3, 4
    xs = 1e4 * rng.standard_normal((n, t, d)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for cls in (TimeRNN, TimeLSTM, TimeGRU):
            layer = cls(*weights(rng, cls.__name__.removeprefix("Time"), d, h, np.float32))
            out = layer.forward(xs)
            assert np.all(np.isfinite(out)) and np.all(np.abs(out) <= 1)
            assert np.all(np.isfinite(layer.backward(np.ones_like(out))))
        loss_layer = TimeSigmoidWithLoss()
        loss = loss_layer.forward(np.array([[1e4, -1e4]], np.float32), np.array([[0, 1]]))
        assert loss == pytest.approx(1e4)
        np.testing.assert_allclose(loss_layer.backward(), [[0.5, -0.5]])


@pytest.mark.parametrize("seed", SEEDS)
def test_time_sigmoid_with_loss(seed):
    rng = np.random.default_rng(seed)
    n, t = random_shape(rng)[:2]
    shape = (n, t, 1) if seed % 2 else (n, t)
    xs = 3 * rng.standard_normal(shape)
    ts = rng.integers(0, 2, (n, t))
    layer = TimeSigmoidWithLoss()
    y = 1 / (1 + np.exp(-xs.reshape(n, t)))
    naive = -np.mean(ts * np.log(y) + (1 - ts) * np.log(1 - y))
    assert layer.forward(xs, ts) == pytest.approx(naive, rel=1e-12)
    dx = layer.backward(2.0)
    assert dx.shape == xs.shape
    numerical = numerical_gradient(lambda _: 2.0 * layer.forward(xs, ts), xs, h=1e-5)
    assert relative_error(dx, numerical) < TOL


def test_time_dropout_mask_gradient_and_modes():
    rng = np.random.default_rng(9)
    xs = rng.standard_normal((4, 6, 5))
    layer = TimeDropout(0.25, seed=3)
    state = layer.rng.bit_generator.state

    def f():  # the same mask in every probe
        layer.rng.bit_generator.state = state
        return float(np.sum(layer.forward(xs, True) * G))

    G = rng.standard_normal(xs.shape)
    f()
    assert set(np.unique(layer.mask)) <= {0.0, np.float64(1 / 0.75)}
    assert 0.5 < np.mean(layer.mask > 0) < 0.95
    assert_gradients(f, {"xs": xs}, {"xs": layer.backward(G)})
    # a new mask per call, the same masks for the same seed
    first, second = layer.forward(xs, True), layer.forward(xs, True)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(TimeDropout(0.25, seed=3).forward(xs, True),
                                  TimeDropout(0.25, seed=3).forward(xs, True))
    # inference: the identity; the book switches the layer by its train_flg attribute
    np.testing.assert_array_equal(layer.forward(xs, False), xs)
    layer.train_flg = False
    np.testing.assert_array_equal(layer.forward(xs), xs)
    assert TimeDropout.uses_train_flg


def test_time_embedding_reuses_embedding():
    W = np.arange(12.0).reshape(4, 3)
    layer = TimeEmbedding(W)
    ids = np.array([[0, 3], [3, 1]])
    np.testing.assert_array_equal(layer.forward(ids), W[ids])
    assert layer.takes_ids and layer.backward(np.ones((2, 2, 3))) is None
    np.testing.assert_array_equal(layer.dW, [[1] * 3, [1] * 3, [0] * 3, [2] * 3])


def test_network_of_time_layers_names_parameters_and_checks_gradients():
    rng = np.random.default_rng(10)
    v, d, h = 7, 4, 5
    f32 = lambda *shape: (0.5 * rng.standard_normal(shape)).astype(np.float32)  # noqa: E731
    net = Network([TimeEmbedding(f32(v, d)), TimeDropout(0.2, seed=1),
                   TimeLSTM(f32(d, 4 * h), f32(h, 4 * h), f32(4 * h)),
                   TimeGRU(f32(h, 3 * h), f32(h, 3 * h), f32(3 * h), f32(3 * h)),
                   TimeBiLSTM(f32(h, 4 * h), f32(h, 4 * h), f32(4 * h),
                              f32(h, 4 * h), f32(h, 4 * h), f32(4 * h)),
                   TimeAffine(f32(2 * h, v), f32(v))], TimeSoftmaxWithLoss())
    # numbered the book's way (common.layers.base): a layer whose names are new keeps
    # the number, so the LSTM's arrays are Wx1, Wh1, b1 next to the embedding's W1
    assert {"W1", "Wx1", "Wh1", "b1", "Wx2", "bx2", "bh2", "W2", "b2",
            "TimeBiLSTM1.forward_lstm.Wx", "TimeBiLSTM1.backward_lstm.b"} <= set(net.params)
    ids = rng.integers(0, v, (2, 4))
    check_gradients(net, ids, np.roll(ids, 1, axis=1))
    assert net.params["Wx1"].dtype == np.float32


def test_clear_errors():
    rng = np.random.default_rng(11)
    layer = TimeLSTM(*weights(rng, "LSTM", 3, 4))
    layer.name = "TimeLSTM1"
    with pytest.raises(ValueError, match=r"TimeLSTM1 takes a batch of sequences .*xs\[:, "):
        layer.forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"TimeLSTM1 expects 3 features .*\(its Wx has 3 "
                                         r"rows\), got 5"):
        layer.forward(np.zeros((2, 4, 5)))
    with pytest.raises(RuntimeError, match="TimeLSTM1.backward was called before its forward"):
        layer.backward(np.zeros((2, 4, 4)))
    layer.forward(np.zeros((2, 6, 3)))
    with pytest.raises(ValueError, match="TimeLSTM1.backward got dout of shape"):
        layer.backward(np.zeros((2, 6, 5)))
    with pytest.raises(ValueError, match=r"TimeLSTM1.set_state: h must have shape \(N, 4\)"):
        layer.set_state(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="TimeLSTM1.set_state: c must have h's shape"):
        layer.set_state(np.zeros((2, 4)), np.zeros((3, 4)))
    layer.set_state(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="TimeLSTM1: set_state gave a state for 2 sequences, "
                                         "but the batch has 5"):
        layer.forward(np.zeros((5, 6, 3)))
    with pytest.raises(ValueError, match="TimeRNN.set_state: this layer has no cell state"):
        TimeRNN(*weights(rng, "RNN", 3, 4)).set_state(np.zeros((2, 4)), np.zeros((2, 4)))
    Wx, Wh, b = weights(rng, "LSTM", 3, 4)
    with pytest.raises(ValueError, match=r"TimeLSTM needs Wh of shape \(H, 4H\)"):
        TimeLSTM(Wx, Wh[:, :8], b)
    with pytest.raises(ValueError, match=r"TimeLSTM needs Wx of shape \(D, 4H\) = \(D, 16\)"):
        TimeLSTM(Wx[:, :12], Wh, b)
    with pytest.raises(ValueError, match=r"TimeGRU needs biases of shape \(3H,\) = \(12,\)"):
        TimeGRU(*weights(rng, "GRU", 3, 4)[:3], np.zeros(4))
    with pytest.raises(ValueError, match=r"LSTM: c_prev must have shape \(N, H\) = \(2, 4\)"):
        LSTM(Wx, Wh, b).forward(np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"RNN takes one time step x of shape \(N, 3\)"):
        RNN(*weights(rng, "RNN", 3, 4)).forward(np.zeros((2, 1, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"TimeEmbedding takes token ids of shape \(N, T\)"):
        TimeEmbedding(np.zeros((5, 2))).forward(np.array([1, 2]))
    with pytest.raises(ValueError, match=r"TimeSigmoidWithLoss: scores of shape \(2, 3\) need"):
        TimeSigmoidWithLoss().forward(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"TimeSigmoidWithLoss takes one score per position"):
        TimeSigmoidWithLoss().forward(np.zeros((2, 3, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"TimeDropout: dropout_ratio must be a number in"):
        TimeDropout(1.0)
    net = Network([TimeLSTM(*weights(rng, "LSTM", 3, 4))], TimeSigmoidWithLoss())
    with pytest.raises(ValueError, match="TimeLSTM1 expects 3 features per time step"):
        net.predict(np.zeros((2, 5, 2)))


def test_book_module_star_import():
    namespace: dict = {}
    exec("from common.time_layers import *", namespace)  # noqa: S102 - the book's import
    book_names = {"np", "GPU", "softmax", "sigmoid", "MatMul", "Affine", "SoftmaxWithLoss",
                  "Sigmoid", "SigmoidWithLoss", "Dropout", "Embedding", "RNN", "TimeRNN",
                  "LSTM", "TimeLSTM", "TimeEmbedding", "TimeAffine", "TimeSoftmaxWithLoss",
                  "TimeDropout", "TimeBiLSTM", "TimeSigmoidWithLoss", "GRU", "TimeGRU",
                  "Simple_TimeSoftmaxWithLoss", "Simple_TimeAffine", "cross_entropy_error"}
    assert book_names <= set(namespace)
    assert namespace["np"] is np and namespace["GPU"] is False
