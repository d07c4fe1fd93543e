"""The GPT benchmark at tiny sizes: its profile, and its PyTorch copy computing the same."""

import numpy as np
import pytest

from benchmarks.bench_gpt import KINDS, gpt_batches, gpt_case, make_gpt, profile_gpt
from common.nets.gpt import GPT

TINY = {"num_layers": 1, "dim": 16, "context": 8, "vocab_size": 11}


def test_profile_times_every_layer_inner_ones_included():
    net = make_gpt(0, **TINY)
    before = {key: p.copy() for key, p in net.params.items()}
    profile = profile_gpt(net, gpt_batches(4, context=8, vocab_size=11), warmup=1)
    names = [r["layer"] for r in profile["layers"]]
    assert names[:5] == ["embedding", "position", "attention1", "attention1.norm",
                         "attention1.attn"]
    assert names[-1] == "loss" and "mlp1.gelu" in names
    assert set(profile["kinds"]) == {*KINDS.values(), "clip_grads", "AdamW"}
    assert profile["min_s"] <= profile["median_s"] <= profile["max_s"]
    assert all(not np.array_equal(before[k], p) for k, p in net.params.items())  # trained
    assert "forward" not in vars(net.layers["mlp1"].layers["gelu"])  # the timers are gone


def test_pytorch_copy_computes_our_loss_and_gradients():
    pytest.importorskip("torch")
    from benchmarks.torch_gpt import check_equivalence

    x, t = gpt_batches(1, batch_size=3, context=8, vocab_size=11)[0]
    check = check_equivalence(make_gpt(0, **TINY), x, t)
    assert check["loss_diff"] < 1e-5 and check["grad_rel_diff"] < 1e-4
    check = check_equivalence(GPT(**TINY, num_heads=4, seed=0, dtype=np.float64), x, t)
    assert check["loss_diff"] < 1e-12 and check["grad_rel_diff"] < 1e-10


def test_gpt_case_times_pytorch_alongside():
    pytest.importorskip("torch")
    r = gpt_case(repeat=1, iterations=1, use_torch=True, **TINY)
    assert r["ratio_vs_torch"] == r["median_s"] / r["torch"]["median_s"]
    assert r["torch_check"]["loss_diff"] < 1e-5
    assert r["target"] == {"ratio_vs_torch": 1.0}
