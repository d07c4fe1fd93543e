"""AdamW, gradient clipping, the warm-up + cosine schedule, and every optimizer's state_dict:
hand-computed steps (PyTorch's formulas for AdamW) and bit-exact save and restore."""

import math

import numpy as np
import pytest

from common.optim import (
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    Momentum,
    Nesterov,
    RMSprop,
    StepDecay,
    WarmupCosine,
    clip_grads,
    make_optimizer,
)


def adamw_reference(params, grads_per_step, lr, b1, b2, wd, eps, decayed):
    """PyTorch's AdamW algorithm (torch.optim.AdamW docs), written out in float64:
    θ ← θ - γλθ; m ← β1 m + (1-β1) g; v ← β2 v + (1-β2) g²;
    θ ← θ - γ m̂ / (sqrt(v̂) + ε) with m̂ = m/(1-β1ᵗ), v̂ = v/(1-β2ᵗ)."""
    params = {k: p.astype(np.float64).copy() for k, p in params.items()}
    m = {k: np.zeros_like(p) for k, p in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    for t, grads in enumerate(grads_per_step, start=1):
        for k, p in params.items():
            g = grads[k]
            if k in decayed:
                p -= lr * wd * p
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            m_hat = m[k] / (1 - b1**t)
            v_hat = v[k] / (1 - b2**t)
            p -= lr * m_hat / (np.sqrt(v_hat) + eps)
    return params


def test_adamw_matches_pytorchs_formulas_and_decays_matrices_only():
    rng = np.random.default_rng(0)
    start = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4),
             "gamma": np.ones(4)}
    steps = [{k: rng.standard_normal(p.shape) for k, p in start.items()} for _ in range(3)]
    params = {k: p.copy() for k, p in start.items()}
    opt = AdamW(lr=0.01, beta1=0.9, beta2=0.99, weight_decay=0.1)
    for grads in steps:
        opt.update(params, grads)
    expected = adamw_reference(start, steps, 0.01, 0.9, 0.99, 0.1, 1e-8, decayed={"W"})
    for k in start:
        np.testing.assert_allclose(params[k], expected[k], rtol=1e-12, atol=1e-14)
    # the first step by hand: m̂ = g, v̂ = g², so the step is lr·g/(|g| + eps) ≈ lr·sign(g)
    first = {k: p.copy() for k, p in start.items()}
    AdamW(lr=0.01, weight_decay=0.1).update(first, steps[0])
    g = steps[0]["W"]
    np.testing.assert_allclose(first["W"], start["W"] * (1 - 0.001) - 0.01 * g / (abs(g) + 1e-8))
    np.testing.assert_allclose(first["b"], start["b"] - 0.01 * steps[0]["b"]
                               / (abs(steps[0]["b"]) + 1e-8))


def test_adamw_weight_decay_alone_shrinks_by_lr_times_lambda_per_step():
    w = np.full((2, 2), 3.0)
    b = np.full(2, 3.0)
    opt = AdamW(lr=0.1, weight_decay=0.5)
    for _ in range(4):
        opt.update({"W": w, "b": b}, {"W": np.zeros((2, 2)), "b": np.zeros(2)})
    np.testing.assert_allclose(w, 3.0 * (1 - 0.05) ** 4, rtol=1e-14)
    np.testing.assert_array_equal(b, 3.0)  # a vector: not decayed


def test_adamw_decay_rule_is_overridable():
    params = {"W": np.ones((2, 2)), "b": np.ones(2)}
    grads = {"W": np.zeros((2, 2)), "b": np.zeros(2)}
    everything = AdamW(lr=0.1, weight_decay=0.5, decay=lambda key, p: True)
    everything.update(params, grads)
    np.testing.assert_allclose(params["b"], 0.95)
    only_b = AdamW(lr=0.1, weight_decay=0.5, decay=lambda key, p: key == "b")
    only_b.update(params, grads)
    np.testing.assert_allclose(params["W"], 0.95)
    np.testing.assert_allclose(params["b"], 0.95**2)
    with pytest.raises(ValueError, match="decay must be a function"):
        AdamW(decay="matrices")
    with pytest.raises(ValueError, match="weight_decay must be a number >= 0"):
        AdamW(weight_decay=-1)


def test_adamw_keeps_float32_and_is_made_by_name():
    opt = make_optimizer("AdamW", lr=0.01, weight_decay=0.1)
    assert isinstance(opt, AdamW) and opt.eps == 1e-8 and opt.weight_decay == 0.1
    w = np.ones((3, 2), dtype=np.float32)
    for _ in range(2):
        opt.update({"w": w}, {"w": np.full((3, 2), 0.5, dtype=np.float32)})
    assert w.dtype == np.float32 and np.all(w < 1)
    assert all(s.dtype == np.float32 for s in (*opt.m.values(), *opt.v.values()))


def test_clip_grads_scales_to_the_maximum_and_returns_the_norm_before():
    grads = {"a": np.array([3.0, 0.0], dtype=np.float32), "b": np.array([[4.0]], np.float32)}
    norm = clip_grads(grads, max_norm=1.0)
    assert norm == pytest.approx(5.0)
    scale = 1.0 / (5.0 + 1e-6)  # PyTorch's clip_grad_norm_ coefficient
    np.testing.assert_allclose(grads["a"], [3.0 * scale, 0.0], rtol=1e-6)
    np.testing.assert_allclose(grads["b"], [[4.0 * scale]], rtol=1e-6)
    assert grads["a"].dtype == np.float32
    after = math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads.values()))
    assert after <= 1.0


def test_clip_grads_leaves_small_and_non_finite_gradients_alone():
    small = {"a": np.array([0.3, 0.4])}
    assert clip_grads(small, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(small["a"], [0.3, 0.4])
    bad = {"a": np.array([np.inf, 1.0])}
    assert clip_grads(bad, 1.0) == math.inf
    np.testing.assert_array_equal(bad["a"], [np.inf, 1.0])
    for max_norm in (0, -1.0, math.nan, "1"):
        with pytest.raises(ValueError, match="max_norm must be a number > 0"):
            clip_grads(small, max_norm)


def test_warmup_cosine_learning_rates_by_hand():
    w = np.zeros(1)
    opt = WarmupCosine(SGD(lr=1.0), warmup=4, total=10, min_lr=0.1)
    used = []
    for _ in range(13):
        before = w.copy()
        opt.update({"w": w}, {"w": np.ones(1)})  # SGD with gradient 1: W drops by lr
        used.append(float(before[0] - w[0]))
        assert opt.lr == pytest.approx(used[-1])
    cosine = [0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * k / 6)) for k in range(7)]
    np.testing.assert_allclose(used, [0.25, 0.5, 0.75, 1.0, *cosine, 0.1, 0.1])
    assert used[4] == pytest.approx(1.0) and used[7] == pytest.approx(0.55)
    assert opt.lr_at(10) == pytest.approx(0.1) and opt.lr_at(1000) == 0.1


def test_warmup_cosine_edge_cases_and_errors():
    no_warmup = WarmupCosine(SGD(lr=1.0), warmup=0, total=0, min_lr=0.0)
    assert no_warmup.lr_at(0) == 0.0 and no_warmup.lr_at(5) == 0.0
    assert WarmupCosine(SGD(lr=1.0), warmup=2, total=2, min_lr=0.5).lr_at(2) == 0.5
    with pytest.raises(ValueError, match="total must be a whole number >= 5"):
        WarmupCosine(SGD(), warmup=5, total=3, min_lr=0.0)
    with pytest.raises(ValueError, match="min_lr must be a number in"):
        WarmupCosine(SGD(lr=0.01), warmup=1, total=3, min_lr=0.1)
    with pytest.raises(ValueError, match="wraps an optimizer"):
        WarmupCosine("adam", warmup=1, total=3, min_lr=0.0)


def _schedule_of(inner):
    return lambda: WarmupCosine(inner(), warmup=2, total=5, min_lr=0.001)


FACTORIES = {
    "SGD": lambda: SGD(0.05), "Momentum": lambda: Momentum(0.05),
    "Nesterov": lambda: Nesterov(0.05), "AdaGrad": lambda: AdaGrad(0.05),
    "RMSprop": lambda: RMSprop(0.01), "Adam": lambda: Adam(0.01),
    "AdamW": lambda: AdamW(0.01, beta2=0.99, weight_decay=0.1),
    "StepDecay": lambda: StepDecay(Adam(0.01), decay_at=3, factor=0.3),
    "WarmupCosine": _schedule_of(lambda: AdamW(0.01, weight_decay=0.1)),
}


@pytest.mark.parametrize("name", list(FACTORIES))
def test_state_dict_restores_every_optimizer_bit_for_bit(name):
    rng = np.random.default_rng(1)
    params = {"W1": rng.standard_normal((4, 3)).astype(np.float32),
              "b1": rng.standard_normal(3).astype(np.float32)}
    grads = [{k: rng.standard_normal(p.shape).astype(np.float32) for k, p in params.items()}
             for _ in range(8)]
    original = FACTORIES[name]()
    for g in grads[:4]:
        original.update(params, g)
    state = original.state_dict()
    assert all(isinstance(v, (int, float, np.ndarray)) for v in state.values())
    # through an .npz file, as a checkpoint stores it: numbers come back as 0-d arrays
    state = {k: np.asarray(v) for k, v in state.items()}
    resumed, resumed_params = FACTORIES[name](), {k: p.copy() for k, p in params.items()}
    resumed.load_state_dict(state)
    for g in grads[4:]:
        original.update(params, g)
        resumed.update(resumed_params, {k: v.copy() for k, v in g.items()})
    for k in params:
        np.testing.assert_array_equal(resumed_params[k], params[k])
    assert resumed.lr == original.lr
    assert resumed.state_dict().keys() == original.state_dict().keys()


def test_state_dict_is_a_copy_and_a_foreign_state_is_refused_unchanged():
    opt = Adam(0.01)
    w = np.ones(3)
    opt.update({"w": w}, {"w": np.ones(3)})
    state = opt.state_dict()
    assert state["iter"] == 1 and set(state) == {"lr", "beta1", "beta2", "eps", "iter",
                                                 "m:w", "v:w"}
    opt.update({"w": w}, {"w": np.ones(3)})
    assert state["iter"] == 1 and not np.array_equal(state["m:w"], opt.m["w"])
    sgd = SGD(0.5)
    with pytest.raises(ValueError, match="'beta1' is not part of a SGD's state"):
        sgd.load_state_dict(state)
    assert sgd.lr == 0.5
    with pytest.raises(ValueError, match="the state has no 'weight_decay'"):
        AdamW().load_state_dict(state)
    schedule = StepDecay(Adam(), decay_at=3)
    with pytest.raises(ValueError, match="does not belong to a StepDecay"):
        schedule.load_state_dict(state)
    assert schedule.updates == 0 and schedule.optimizer.iter == 0
    with pytest.raises(ValueError, match="'iter' must be a whole number"):
        Adam().load_state_dict({**state, "iter": 1.5})
