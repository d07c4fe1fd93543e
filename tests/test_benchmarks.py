"""Smoke test of the benchmark suite at tiny sizes (no timing is asserted)."""

import json
import subprocess
import sys

import numpy as np
import pytest

from benchmarks.bench_conv import GROUPS, profile_iterations
from benchmarks.suite import conv_cases, mlp_epoch_flops
from common.nets.conv import DeepConvNet, SimpleConvNet


@pytest.mark.slow
def test_the_suite_runs_with_tiny_sizes(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--no-torch", "--json", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    cases = [r["case"] for r in report["results"]]
    assert cases[:8] == ["gemm float32 256^3", "mlp epoch float32 batch 256",
                         "mlp epoch float32 batch 100", "mlp epoch float64 batch 256",
                         "SimpleConvNet epoch batch 100", "DeepConvNet epoch batch 100",
                         "profile SimpleConvNet iteration", "profile DeepConvNet iteration"]
    assert cases[-2:] == ["playground step request (10 iterations, 60x60 grid)",
                          "gpt iteration (1x128, T=16, batch 12)"]
    hand = [r for r in report["results"] if r["case"].endswith("iteration")
            and not r["case"].startswith("profile")]
    assert [r["case"] for r in hand] == [
        "SimpleConvNet (library, float32) iteration", "SimpleConvNet by hand (float32) iteration",
        "SimpleConvNet by hand (float64 weights) iteration",
        "the book's SimpleConvNet class iteration", "DeepConvNet (library, float32) iteration",
        "DeepConvNet by hand (float32) iteration"]
    assert cases[8:-2] == [r["case"] for r in hand]
    assert all(r["ratio_vs_library"] > 0 for r in hand if "library" not in r["case"])
    for r in report["results"]:
        assert 0 < r["min_s"] <= r["median_s"] <= r["max_s"]
    assert report["machine"]["cpus"] >= 1
    assert "mlp epoch float32 batch 256" in proc.stdout
    simple, deep = report["results"][4:6]
    assert (simple["iterations"], simple["scale"]) == (5, 120)  # 500 images scaled to 60000
    assert (deep["iterations"], deep["scale"]) == (2, 300)
    assert "torch" not in simple and "ratio_vs_torch" not in deep
    profile = report["results"][7]
    assert [r["layer"] for r in profile["layers"]][:5] == ["Conv1", "Relu1", "Conv2", "Pool1",
                                                           "Relu2"]
    assert profile["groups"]["conv forward"] > 0 and profile["groups"]["conv backward"] > 0
    assert "conv backward" in proc.stdout and "DeepConvNet epoch batch 100" in proc.stdout


def test_profile_times_every_layer_and_sums_them_by_group():
    net = SimpleConvNet(input_dim=(1, 10, 10), conv_param={"filter_num": 3, "filter_size": 3},
                        hidden_size=6, seed=0)
    rng = np.random.default_rng(0)
    x, t = rng.random((20, 1, 10, 10), dtype=np.float32), rng.integers(0, 10, 20)
    before = {key: p.copy() for key, p in net.params.items()}
    profile = profile_iterations(net, x, t, iterations=3, warmup=1, batch_size=5)
    rows = {r["layer"]: r for r in profile["layers"]}
    assert list(rows) == [*net.layers, "loss", "update"]
    assert all(r["forward_s"] > 0 for r in rows.values())
    assert set(profile["groups"]) == set(GROUPS)
    assert profile["groups"]["conv forward"] == rows["Conv1"]["forward_s"]
    assert profile["groups"]["pooling"] == rows["Pool1"]["forward_s"] + rows["Pool1"]["backward_s"]
    total = sum(r["forward_s"] + r["backward_s"] for r in rows.values())
    assert sum(profile["groups"].values()) == pytest.approx(total)
    assert profile["min_s"] <= profile["median_s"] <= profile["max_s"]
    # the iterations trained the network: every parameter moved
    assert all(not np.array_equal(before[key], p) for key, p in net.params.items())


@pytest.mark.parametrize("net_class", [SimpleConvNet, DeepConvNet])
def test_pytorch_copy_computes_our_loss_and_gradients(net_class):
    pytest.importorskip("torch")
    from benchmarks.torch_conv import check_equivalence

    kwargs = {} if net_class is SimpleConvNet else {"use_dropout": False}
    rng = np.random.default_rng(0)
    x, t = rng.random((8, 1, 12, 12), dtype=np.float32), rng.integers(0, 10, 8)
    net = net_class(input_dim=(1, 12, 12), seed=0, **kwargs)
    check = check_equivalence(net, x, t)
    assert check["loss_diff"] < 1e-5
    assert check["grad_rel_diff"] < 1e-4
    assert check["second_loss_diff"] < 1e-2
    # in float64 and with an eps too small to matter, the Adam steps agree as well
    net = net_class(input_dim=(1, 12, 12), seed=0, dtype=np.float64, **kwargs)
    check = check_equivalence(net, x.astype(np.float64), t, eps=1e-14)
    assert check["loss_diff"] < 1e-12 and check["grad_rel_diff"] < 1e-10
    assert check["second_loss_diff"] < 1e-8


def test_equivalence_check_refuses_dropout():
    pytest.importorskip("torch")
    from benchmarks.torch_conv import check_equivalence

    x = np.zeros((2, 1, 12, 12), np.float32)
    with pytest.raises(ValueError, match="without Dropout"):
        check_equivalence(DeepConvNet(input_dim=(1, 12, 12)), x, np.zeros(2, np.int64))


def test_conv_cases_time_pytorch_alongside():
    pytest.importorskip("torch")
    simple, deep = conv_cases(repeat=1, simple_samples=100, deep_iterations=1, use_torch=True)
    for r in (simple, deep):
        assert r["ratio_vs_torch"] == r["median_s"] / r["torch"]["median_s"]
        assert r["torch_check"]["loss_diff"] < 1e-5
    assert deep["target"] == {"ratio_vs_torch": 1.5}


def test_epoch_flops_count_forward_weight_and_hidden_input_gradients():
    # one sample, sizes 4-3-2: forward 2(12+6), weight gradients 2(12+6), input gradient 2·6
    assert mlp_epoch_flops(1, [4, 3, 2]) == 2 * (12 + 6) * 2 + 2 * 6
    assert mlp_epoch_flops(60000, [784, 200, 80, 10]) / 1e9 == 43.68
