"""The GPT model: its gradient check, initialisation, generation, attention maps, summary,
save/load and errors."""

import numpy as np
import pytest

from ch_gpt import gradient_check
from common.layers import GELU
from common.nets.files import load_params, save_params
from common.nets.gpt import GPT
from common.nets.summary import summary


def tiny(seed=0, dtype=np.float32, **kwargs):
    sizes = {"vocab_size": 7, "context": 6, "dim": 8, "num_layers": 2, "num_heads": 2,
             **kwargs}
    return GPT(seed=seed, dtype=dtype, **sizes)


def test_whole_tiny_gpt_gradient_check_passes(capsys):
    assert gradient_check.main([]) == 0
    out = capsys.readouterr().out
    assert "16 parameters" in out and "passed" in out


def test_gradient_check_catches_a_wrong_backward(monkeypatch, capsys):
    right = GELU.backward
    monkeypatch.setattr(GELU, "backward", lambda self, dout: 1.01 * right(self, dout))
    assert gradient_check.main([]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_initialisation_as_gpt2():
    net = GPT(65, context=64, dim=128, num_layers=4, num_heads=4, seed=0)
    assert sum(p.size for p in net.params.values()) == 812_416
    assert all(p.dtype == np.float32 for p in net.params.values())
    assert np.std(net.params["mlp1.fc.W"]) == pytest.approx(0.02, rel=0.02)
    assert np.std(net.params["attention1.attn.W_qkv"]) == pytest.approx(0.02, rel=0.02)
    for key in ("attention2.attn.W_out", "mlp3.proj.W"):  # scaled by 1/sqrt(2 * layers)
        assert np.std(net.params[key]) == pytest.approx(0.02 / np.sqrt(8), rel=0.03)
    assert (net.params["norm.gamma"] == 1).all()
    x = np.random.default_rng(0).integers(0, 65, (2, 64))
    # an untrained model spreads its bets: the loss is close to ln 65
    assert net.loss(x, x) == pytest.approx(np.log(65), abs=0.1)


def test_same_seed_same_model_and_float32_throughout():
    a, b = tiny(seed=3), tiny(seed=3)
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])
    idx = np.random.default_rng(0).integers(0, 7, (3, 6))
    assert a.predict(idx).dtype == np.float32 and a.predict(idx).shape == (3, 6, 7)
    grads = a.gradient(idx, idx)
    assert all(g.dtype == np.float32 for g in grads.values())
    assert set(grads) == set(a.params)


def test_prediction_at_t_ignores_later_ids():
    net = tiny(dtype=np.float64)
    rng = np.random.default_rng(1)
    for key, p in net.params.items():  # weights large enough for attention to matter
        p[...] = (1.0 if key.endswith("gamma") else 0) + rng.normal(0, 0.5, p.shape)
    idx = rng.integers(0, 7, (2, 6))
    logits = net.predict(idx)
    changed = idx.copy()
    changed[:, 3:] = (changed[:, 3:] + 1) % 7
    np.testing.assert_allclose(net.predict(changed)[:, :3], logits[:, :3], atol=1e-12)
    assert not np.allclose(net.predict(changed)[:, 3:], logits[:, 3:])


def test_generation_is_deterministic_for_a_seed():
    net = tiny()
    prompt = np.array([[1, 2, 3], [4, 5, 6]])
    a = net.generate(prompt, 12, temperature=0.8, top_k=3, rng=5)
    b = net.generate(prompt, 12, temperature=0.8, top_k=3, rng=np.random.default_rng(5))
    assert a.shape == (2, 15) and a.dtype == np.int64
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a[:, :3], prompt)
    assert a.min() >= 0 and a.max() < 7
    assert not np.array_equal(a, net.generate(prompt, 12, rng=6))  # other seed, other text
    # longer than the context: the model sees the last 6 ids
    assert net.generate(prompt, 20, rng=0).shape == (2, 23)


def test_greedy_and_top_1_take_the_most_likely_id():
    net = tiny()
    prompt = np.array([[1, 2]])
    greedy = net.generate(prompt, 5, temperature=0)
    np.testing.assert_array_equal(net.generate(prompt, 5, top_k=1, rng=0), greedy)
    first = net.predict(prompt)[0, -1].argmax()
    assert greedy[0, 2] == first


def test_top_k_samples_only_the_k_most_likely():
    net = tiny(seed=1)
    prompt = np.zeros((400, 1), dtype=np.int64)
    logits = net.predict(prompt[:1])[0, -1]
    top2 = set(np.argsort(logits)[-2:])
    drawn = net.generate(prompt, 1, temperature=5.0, top_k=2, rng=0)[:, 1]
    assert set(drawn) == top2


def test_attention_weights_for_the_heat_map():
    net = tiny()
    idx = np.array([[1, 2, 3, 4, 5]])
    a = net.attention_weights(idx, 1)
    assert a.shape == (2, 5, 5)
    np.testing.assert_allclose(a.sum(axis=-1), 1, rtol=1e-5)
    assert not np.triu(a, 1).any()
    with pytest.raises(ValueError, match=r"layer must be a whole number in 0..1"):
        net.attention_weights(idx, 2)
    with pytest.raises(ValueError, match=r"one sequence"):
        net.attention_weights(np.zeros((2, 3), dtype=int), 0)


def test_summary_shows_the_nesting():
    text = summary(tiny())
    lines = text.splitlines()
    assert any(line.startswith("attention1") and "Residual" in line for line in lines)
    assert any(line.startswith("  attn") and "CausalSelfAttention" in line for line in lines)
    assert any(line.startswith("  gelu") and "(N, 6, 32)" in line for line in lines)
    assert "Total parameters: 1,736" in text


def test_save_load_round_trip(tmp_path):
    a, b = tiny(seed=0), tiny(seed=1)
    idx = np.random.default_rng(0).integers(0, 7, (2, 6))
    save_params(a, tmp_path / "gpt.npz")
    arrays = dict(b.params)
    load_params(b, tmp_path / "gpt.npz")
    np.testing.assert_array_equal(b.predict(idx), a.predict(idx))
    assert all(b.params[k] is arrays[k] for k in arrays)  # loaded in place
    with pytest.raises(ValueError, match="different architecture|shape"):
        load_params(tiny(num_heads=4), tmp_path / "gpt.npz")
    with pytest.raises(ValueError, match="shape"):
        load_params(tiny(dim=12, num_heads=2), tmp_path / "gpt.npz")


def test_clear_errors():
    with pytest.raises(ValueError, match="multiple of num_heads"):
        GPT(10, dim=10, num_heads=4)
    with pytest.raises(ValueError, match="vocab_size must be a whole number"):
        GPT(0)
    net = tiny()
    with pytest.raises(ValueError, match="integer token ids"):
        net.predict(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="token id 7 is out of range"):
        net.gradient(np.array([[1, 7]]), np.array([[1, 2]]))
    with pytest.raises(ValueError, match="8 positions.*for 6 only"):
        net.predict(np.zeros((1, 8), dtype=int))
    with pytest.raises(ValueError, match=r"shape \(N, T\)"):
        net.generate(np.array([1, 2]), 3)
    with pytest.raises(ValueError, match="top_k"):
        net.generate(np.array([[1, 2]]), 3, top_k=8)
    with pytest.raises(ValueError, match="temperature"):
        net.generate(np.array([[1, 2]]), 3, temperature=-1)
    with pytest.raises(ValueError, match="num_tokens"):
        net.generate(np.array([[1, 2]]), -1)


def test_freed_memory_is_kept_on_linux():
    import sys

    from common.memory import keep_freed_memory

    tiny()  # building a GPT applies it
    assert keep_freed_memory() is sys.platform.startswith("linux")


def test_the_docs_example_prints_what_it_shows(capsys):
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parent.parent / "docs" / "ch_gpt.md"
    text = page.read_text(encoding="utf-8")
    section = text[text.index("## The layers, the model and its speed"):]
    code, shown = re.search(r"```python\n(.*?)```\s*```\n(.*?)```", section, re.S).groups()
    exec(compile(code, "docs/ch_gpt.md", "exec"), {})
    assert capsys.readouterr().out == shown


def test_float32_gpt_checks_its_gradients_in_float64():
    from common.checks.gradients import gradient_check

    net = tiny(seed=2)
    rng = np.random.default_rng(0)
    for key, p in net.params.items():  # weights large enough for every gradient to matter
        p[...] = (1.0 if key.endswith("gamma") else 0) + rng.normal(0, 0.4, p.shape)
    before = {key: p.copy() for key, p in net.params.items()}
    idx, targets = rng.integers(0, 7, (2, 6)), rng.integers(0, 7, (2, 6))
    errors = gradient_check(net, idx, targets)
    assert set(errors) == set(net.params) and max(errors.values()) < 1e-6
    for key, p in net.params.items():  # the network's own float32 arrays, unchanged
        assert p.dtype == np.float32 and np.array_equal(p, before[key])
    assert net.gradient(idx, targets)["mlp1.fc.W"].dtype == np.float32
