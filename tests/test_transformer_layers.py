"""The Transformer layers against central differences in float64, on random shapes; the
causal property, the attention rows, dtypes and the clear errors."""

import numpy as np
import pytest

from common.checks.gradients import numerical_gradient, relative_error
from common.layers import (
    GELU,
    CausalSelfAttention,
    Embedding,
    LayerNorm,
    PositionalEmbedding,
    Residual,
    TimeAffine,
    TimeSoftmaxWithLoss,
)
from common.nets.network import Network

SEEDS = range(4)
TOL = 1e-6


def check_layer(layer, x, params, rng, input_grad=True):
    """backward(G) against the numerical gradient of sum(forward(x) * G), for x (unless
    the layer takes ids) and every named parameter; dout must come back unchanged."""
    out = layer.forward(x)
    G = rng.standard_normal(out.shape)
    G_before = G.copy()
    dx = layer.backward(G)
    np.testing.assert_array_equal(G, G_before, err_msg="backward must not modify dout")
    grads = {name: getattr(layer, "d" + name).copy() for name in params}
    f = lambda _: float(np.sum(layer.forward(x) * G))  # noqa: E731
    if input_grad:
        assert dx.shape == x.shape
        assert relative_error(dx, numerical_gradient(f, x, h=1e-5)) < TOL
    for name in params:
        numerical = numerical_gradient(f, getattr(layer, name), h=1e-5)
        assert relative_error(grads[name], numerical) < TOL, name


def random_shape(rng):
    """(N, T, D) with N >= 2."""
    return int(rng.integers(2, 4)), int(rng.integers(1, 6)), int(rng.integers(3, 8))


@pytest.mark.parametrize("seed", SEEDS)
def test_embedding_gradient_adds_repeated_ids(seed):
    rng = np.random.default_rng(seed)
    n, t, d = random_shape(rng)
    v = int(rng.integers(2, 5))  # few ids: most occur several times
    layer = Embedding(rng.standard_normal((v, d)))
    idx = rng.integers(0, v, (n, t))
    out = layer.forward(idx)
    np.testing.assert_array_equal(out, layer.W[idx])
    check_layer(layer, idx, ["W"], rng, input_grad=False)
    G = rng.standard_normal((n, t, d))
    layer.backward(G)
    expected = np.zeros((v, d))
    np.add.at(expected, idx, G)  # the slow but obvious reference
    np.testing.assert_allclose(layer.dW, expected, atol=1e-12)


def test_embedding_large_vocabulary_path_matches():
    rng = np.random.default_rng(0)
    layer = Embedding(rng.standard_normal((70000, 3)))  # V · N·T > 2**24: sorted sums
    idx = rng.integers(0, 50, (4, 64))
    layer.forward(idx)
    G = rng.standard_normal((4, 64, 3))
    layer.backward(G)
    expected = np.zeros_like(layer.W)
    np.add.at(expected, idx, G)
    np.testing.assert_allclose(layer.dW, expected, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_positional_embedding_gradients(seed):
    rng = np.random.default_rng(seed)
    n, t, d = random_shape(rng)
    layer = PositionalEmbedding(rng.standard_normal((t + 2, d)))
    check_layer(layer, rng.standard_normal((n, t, d)), ["W"], rng)
    assert not layer.dW[t:].any()  # positions past T get no gradient


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("with_beta", [True, False])
def test_layer_norm_gradients(seed, with_beta):
    rng = np.random.default_rng(seed)
    n, t, d = random_shape(rng)
    beta = rng.standard_normal(d) if with_beta else None
    layer = LayerNorm(rng.standard_normal(d), beta)
    x = rng.standard_normal((n, t, d)) * 3 + 1
    check_layer(layer, x, ["gamma", "beta"] if with_beta else ["gamma"], rng)
    normed = LayerNorm(np.ones(d)).forward(x)
    np.testing.assert_allclose(normed.mean(axis=-1), 0, atol=1e-12)
    np.testing.assert_allclose(normed.var(axis=-1), 1, rtol=1e-3)


@pytest.mark.parametrize("seed", SEEDS)
def test_gelu_gradient_and_values(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(random_shape(rng)) * 3
    check_layer(GELU(), x, [], rng)
    c = np.sqrt(2 / np.pi)
    expected = 0.5 * x * (1 + np.tanh(c * (x + 0.044715 * x**3)))
    # atol: for x < -5 the reference loses digits in 1 + tanh(u) ≈ 0; x·σ(2u) does not
    np.testing.assert_allclose(GELU().forward(x), expected, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("bias", [True, False])
def test_time_affine_gradients_on_any_rank(seed, bias):
    rng = np.random.default_rng(seed)
    d, m = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    shape = (*rng.integers(2, 4, rng.integers(1, 4)), d)  # (N, D) up to (N, A, B, D)
    layer = TimeAffine(rng.standard_normal((d, m)), rng.standard_normal(m) if bias else None)
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(layer.forward(x), x @ layer.W + (layer.b if bias else 0))
    check_layer(layer, x, ["W", "b"] if bias else ["W"], rng)


def attention_layer(rng, d, heads, scale=0.5):
    return CausalSelfAttention(rng.standard_normal((d, 3 * d)) * scale,
                               rng.standard_normal((d, d)) * scale, heads)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("heads", [1, 2, 3])
def test_attention_gradients(seed, heads):
    rng = np.random.default_rng(seed)
    n, t = int(rng.integers(2, 4)), int(rng.integers(1, 7))
    d = heads * int(rng.integers(1, 4))
    layer = attention_layer(rng, d, heads)
    check_layer(layer, rng.standard_normal((n, t, d)), ["W_qkv", "W_out"], rng)


def reference_attention(x, W_qkv, W_out, heads):
    """The definition, one sample and one head at a time (loops are fine in a reference)."""
    n, t, d = x.shape
    hd = d // heads
    out = np.zeros((n, t, d))
    for s in range(n):
        q, k, v = np.split(x[s] @ W_qkv, 3, axis=1)
        ys = []
        for h in range(heads):
            cols = slice(h * hd, (h + 1) * hd)
            scores = q[:, cols] @ k[:, cols].T / np.sqrt(hd)
            scores[np.triu_indices(t, 1)] = -np.inf
            a = np.exp(scores - scores.max(axis=1, keepdims=True))
            ys.append(a / a.sum(axis=1, keepdims=True) @ v[:, cols])
        out[s] = np.concatenate(ys, axis=1) @ W_out
    return out


def test_attention_matches_its_definition_head_by_head():
    rng = np.random.default_rng(1)
    layer = attention_layer(rng, 6, 3)
    x = rng.standard_normal((2, 5, 6))
    np.testing.assert_allclose(layer.forward(x),
                               reference_attention(x, layer.W_qkv, layer.W_out, 3), atol=1e-12)


def test_attention_is_causal_and_rows_sum_to_one():
    rng = np.random.default_rng(2)
    layer = attention_layer(rng, 8, 2)
    x = rng.standard_normal((3, 7, 8))
    out = layer.forward(x)
    a = layer.attention
    assert a.shape == (3, 2, 7, 7)
    np.testing.assert_allclose(a.sum(axis=-1), 1, atol=1e-12)
    assert not np.triu(a, 1).any()  # no weight on a later position
    for t in range(7):
        changed = x.copy()
        changed[:, t + 1:] = rng.standard_normal(changed[:, t + 1:].shape) * 10
        np.testing.assert_allclose(layer.forward(changed)[:, :t + 1], out[:, :t + 1],
                                   atol=1e-12)


def test_attention_is_stable_for_huge_scores():
    rng = np.random.default_rng(3)
    layer = CausalSelfAttention(rng.standard_normal((4, 12)).astype(np.float32) * 1e3,
                                np.eye(4, dtype=np.float32), 2)
    out = layer.forward((rng.standard_normal((2, 5, 4)) * 1e3).astype(np.float32))
    assert np.isfinite(out).all() and np.isfinite(layer.attention).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_residual_gradients_and_identity_path(seed):
    rng = np.random.default_rng(seed)
    n, t, d = random_shape(rng)
    norm, fc, proj = (LayerNorm(rng.standard_normal(d)), TimeAffine(rng.standard_normal((d, 5))),
                      TimeAffine(rng.standard_normal((5, d))))
    block = Residual([norm, fc, GELU(), proj])
    x = rng.standard_normal((n, t, d))
    f = proj.forward(GELU().forward(fc.forward(norm.forward(x))))
    np.testing.assert_allclose(block.forward(x), x + f)
    check_layer(block, x, [], rng)
    for layer, name in ((norm, "gamma"), (fc, "W"), (proj, "W")):
        check_layer(block, x, [], rng, input_grad=False)
        G = rng.standard_normal(x.shape)
        block.forward(x)
        block.backward(G)
        analytic = getattr(layer, "d" + name).copy()
        numerical = numerical_gradient(lambda _: float(np.sum(block.forward(x) * G)),  # noqa: B023
                                       getattr(layer, name), h=1e-5)
        assert relative_error(analytic, numerical) < TOL, name


@pytest.mark.parametrize("seed", SEEDS)
def test_time_softmax_with_loss(seed):
    rng = np.random.default_rng(seed)
    n, t, v = random_shape(rng)
    x, target = rng.standard_normal((n, t, v)) * 3, rng.integers(0, v, (n, t))
    layer = TimeSoftmaxWithLoss()
    loss = layer.forward(x, target)
    p = np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)
    expected = -np.mean(np.log(np.take_along_axis(p, target[..., None], -1)))
    assert loss == pytest.approx(expected, rel=1e-12)
    dx = layer.backward(2.0)
    numerical = numerical_gradient(lambda _: 2.0 * layer.forward(x, target), x, h=1e-5)
    assert relative_error(dx, numerical) < TOL
    big = TimeSoftmaxWithLoss().forward(np.float32(1e4) * x.astype(np.float32), target)
    assert np.isfinite(big)


@pytest.mark.parametrize("seed", SEEDS)
def test_time_softmax_with_loss_ignores_label_minus_1(seed):
    """Positions whose target is -1 (padding, as in the second book) count for nothing: the
    loss is the mean over the others, and their gradient is zero."""
    rng = np.random.default_rng(seed)
    n, t, v = random_shape(rng)
    x, target = rng.standard_normal((n, t, v)) * 3, rng.integers(0, v, (n, t))
    target[0, 0] = target[-1, -1] = -1
    kept = target != -1
    layer = TimeSoftmaxWithLoss()
    loss = layer.forward(x, target)
    p = np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)
    picked = np.take_along_axis(p, np.where(kept, target, 0)[..., None], -1)[..., 0]
    assert loss == pytest.approx(-np.mean(np.log(picked[kept])), rel=1e-12)
    dx = layer.backward()
    assert not dx[0, 0].any() and not dx[-1, -1].any()
    numerical = numerical_gradient(lambda _: layer.forward(x, target), x, h=1e-5)
    assert relative_error(dx, numerical) < TOL
    with pytest.raises(ValueError, match="label -2 is out of range"):
        layer.forward(x, np.full((n, t), -2))


def test_float32_in_float32_out():
    rng = np.random.default_rng(0)
    f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)  # noqa: E731
    x = f32(2, 5, 8)
    layers = [PositionalEmbedding(f32(6, 8)), LayerNorm(f32(8)), GELU(),
              TimeAffine(f32(8, 8), f32(8)), CausalSelfAttention(f32(8, 24), f32(8, 8), 2),
              Residual([LayerNorm(f32(8)), TimeAffine(f32(8, 8))])]
    for layer in layers:
        out = layer.forward(x)
        assert out.dtype == np.float32, type(layer).__name__
        assert layer.backward(f32(*out.shape)).dtype == np.float32, type(layer).__name__
        for name in getattr(layer, "param_names", ()):
            assert getattr(layer, "d" + name).dtype == np.float32
    emb = Embedding(f32(5, 8))
    assert emb.forward(np.array([[1, 4]])).dtype == np.float32
    loss = TimeSoftmaxWithLoss()
    loss.forward(x, rng.integers(0, 8, (2, 5)))
    assert loss.backward().dtype == np.float32


def test_clear_errors():
    rng = np.random.default_rng(0)
    emb = Embedding(rng.standard_normal((5, 3)))
    with pytest.raises(ValueError, match="integer token ids"):
        emb.forward(np.array([[0.0, 1.0]]))
    with pytest.raises(ValueError, match="token id 5 is out of range.*0..4"):
        emb.forward(np.array([[0, 5]]))
    with pytest.raises(ValueError, match="token id -1"):
        emb.forward(np.array([[-1, 2]]))
    with pytest.raises(ValueError, match="7 positions.*for 4 only"):
        PositionalEmbedding(np.zeros((4, 3))).forward(np.zeros((1, 7, 3)))
    with pytest.raises(ValueError, match="divides the width D = 6"):
        CausalSelfAttention(np.zeros((6, 18)), np.zeros((6, 6)), 4)
    with pytest.raises(ValueError, match=r"W_qkv \(D, 3D\)"):
        CausalSelfAttention(np.zeros((6, 12)), np.zeros((6, 6)), 2)
    with pytest.raises(ValueError, match=r"shape \(N, T, 6\)"):
        CausalSelfAttention(np.zeros((6, 18)), np.zeros((6, 6)), 2).forward(np.zeros((2, 6)))
    with pytest.raises(ValueError, match="8 features"):
        LayerNorm(np.ones(8)).forward(np.zeros((2, 3, 7)))
    with pytest.raises(ValueError, match=r"\(\.\.\., 4\)"):
        TimeAffine(np.zeros((4, 2))).forward(np.zeros((2, 3, 5)))
    with pytest.raises(ValueError, match="f\\(x\\) of x's shape"):
        Residual([TimeAffine(np.zeros((4, 2)))]).forward(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match=r"targets of shape \(2, 3\)"):
        TimeSoftmaxWithLoss().forward(np.zeros((2, 3, 4)), np.zeros((2, 4), dtype=int))
    with pytest.raises(ValueError, match="out of range"):
        TimeSoftmaxWithLoss().forward(np.zeros((2, 3, 4)), np.full((2, 3), 4))
    with pytest.raises(RuntimeError, match="before its forward"):
        GELU().backward(np.zeros(3))


def test_network_lists_nested_parameters_and_names_errors():
    rng = np.random.default_rng(0)
    inner = TimeAffine(rng.standard_normal((4, 4)))
    norm = LayerNorm(np.ones(4))
    net = Network({"embedding": Embedding(rng.standard_normal((6, 4))),
                   "block1": Residual({"norm": norm, "fc": inner}),
                   "head": TimeAffine(rng.standard_normal((4, 6)))}, TimeSoftmaxWithLoss())
    assert list(net.params) == ["embedding.W", "block1.norm.gamma", "block1.fc.W", "head.W"]
    assert net.params["block1.fc.W"] is inner.W  # the very same array
    idx = rng.integers(0, 6, (2, 3))
    assert net.predict(idx).shape == (2, 3, 6)  # integer ids are not cast to floats
    grads = net.gradient(idx, rng.integers(0, 6, (2, 3)))
    assert grads["block1.fc.W"] is inner.dW and grads["block1.norm.gamma"] is norm.dgamma
    with pytest.raises(ValueError, match="Residual1.fc expects x of shape"):
        Network([Residual({"fc": TimeAffine(np.zeros((5, 5)))})],
                TimeSoftmaxWithLoss()).predict(np.zeros((1, 2, 4)))


def test_gelu_is_stable_for_huge_inputs():
    x = np.array([-1e30, -100.0, -10.0, 0.0, 10.0, 1e30], dtype=np.float32)
    layer = GELU()
    out = layer.forward(x)  # no overflow warning (pytest turns it into an error)
    np.testing.assert_allclose(out, [0, 0, -0.0, 0, 10, 1e30], atol=1e-6)
    assert np.isfinite(layer.backward(np.ones_like(x))).all()
