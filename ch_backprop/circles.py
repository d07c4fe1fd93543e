"""Parts 6-7: the softmax output surfaces, and Roelants' 2-3-2 network on two noisy circles.

The network is ``Affine`` (2 -> H), ``Sigmoid``, ``Affine`` (H -> 2) + ``SoftmaxWithLoss``,
with the original's cost -Σ T log Y = N × the layer's mean cross-entropy: the
learning rate given to ``Momentum`` is the original's 0.02 times N.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ch_backprop.calculus import PartResult
from ch_backprop.plots_circles import plot_boundaries, plot_circle_costs, plot_hidden_space
from ch_backprop.plots_models import plot_softmax
from common.checks.gradients import check_gradients
from common.nets.network import Network
from common.nets.small import hidden_activations, make_circles_net, probability_of_one
from common.optim import Momentum
from common.plots.surface import training_path
from common.samples import to_one_hot
from dataset.toy import noisy_circles

CHECK_STD, TRAIN_STD = 1.0, 0.1
LR, MOMENTUM, UPDATES = 0.02, 0.9, 300
#: The 2-unit network is also trained this many times longer, to show that time is not the issue.
LONGER = 10
CHECKPOINTS = (0, 50, 100, 110, 150, 165, 180, 200, 250, 300)


def probability_of_inner(net: Network) -> Callable[[np.ndarray], np.ndarray]:
    """P(class 1, the inner circle | x) as a function of points (M, 2), for the boundary plots."""
    return lambda points: probability_of_one(net, points)


def run_softmax(grid: int, out: Path, show: bool) -> PartResult:
    """The two softmax outputs over (z1, z2) ∈ [-10, 10]², drawn as surfaces."""
    text = ("softmax of two outputs z = (z1, z2): P(t = 1 | z) = e^z1 / (e^z1 + e^z2) = "
            "sigmoid(z1 - z2), and P(t = 2 | z) = 1 - P(t = 1 | z):\n  each surface is a "
            "sigmoid 'step' along z1 - z2, constant along z1 = z2 + c (see softmax.png)")
    figure = plot_softmax(grid, out / "softmax.png", show)
    return PartResult(text, {}, [figure])


def run_circles(seed: int, grid: int, out: Path, show: bool) -> PartResult:
    """Data, gradient check, momentum training of 2-3-2 and of 2-2-2, and their figures."""
    rs = np.random.RandomState(seed)
    x, labels = noisy_circles(rs)
    t = to_one_hot(labels, 2, dtype=np.float64)
    n = len(x)
    # the gradient check, on parameters of standard deviation 1, raises GradientMismatch
    # (naming the parameter and element) if backprop and central differences disagree
    max_diff = check_gradients(make_circles_net(rs, 3, CHECK_STD), x, t, scale=n, h=1e-4)
    net3 = make_circles_net(rs, 3, TRAIN_STD)
    costs3, _ = training_path(net3, x, t, Momentum(LR * n, MOMENTUM), UPDATES, scale=n)
    net2 = make_circles_net(rs, 2, TRAIN_STD)
    costs2, _ = training_path(net2, x, t, Momentum(LR * n, MOMENTUM), UPDATES, scale=n)
    accuracy3, accuracy2 = net3.accuracy(x, t), net2.accuracy(x, t)
    longer, _ = training_path(net2, x, t, Momentum(LR * n, MOMENTUM), (LONGER - 1) * UPDATES,
                              scale=n)
    accuracy2_longer = net2.accuracy(x, t)

    plateau = n * math.log(2)
    lines = [
        f"Roelants part 4: {n} points on two noisy circles (outer: class 0, red; inner: "
        "class 1, blue); 2-3-2 network: Affine, Sigmoid, Affine + SoftmaxWithLoss",
        f"  gradient check (every element, central differences, eps 1e-4): No gradient "
        f"errors found; largest difference {max_diff:.1e}",
        f"  momentum (v <- {MOMENTUM} v - {LR} dJ, theta <- theta + v), {UPDATES} updates; "
        f"cost -sum T log Y at updates " + ", ".join(f"{k}: {costs3[k]:.3g}"
                                                     for k in CHECKPOINTS),
        f"  it sits near {plateau:.1f} = {n} ln 2 (a coin toss) until about update 110, drops "
        "to about 36, plateaus until about 165, and is near 0 by 200",
        f"  final cost {costs3[-1]:.3f}, {accuracy3:.0%} right",
        f"2 hidden units instead of 3 (2-2-2, same training): final cost {costs2[-1]:.2f}, "
        f"{accuracy2:.0%} right; {LONGER} times longer: cost {longer[-1]:.2f}, "
        f"{accuracy2_longer:.0%} right",
        "  Why: each sigmoid hidden unit divides the plane along one straight line. With two\n"
        "  units, the output's decision is a function of two line coordinates and its\n"
        "  boundary is one curve that never closes: no region it bounds can surround the\n"
        "  inner circle. Three units give three lines and can enclose it (a rounded\n"
        "  triangle): in the 3-D hidden space a plane then separates the classes. However\n"
        "  many layers, a network no wider than the 2-D input cannot close a boundary;\n"
        "  the hidden layer has to raise the dimension.",
    ]
    figures = [
        plot_circle_costs(costs3, costs2, plateau, out / "circles_cost.png", show),
        plot_boundaries([(net3, f"3 hidden units: {accuracy3:.0%} right"),
                         (net2, f"2 hidden units: {accuracy2_longer:.0%} right "
                                f"(after {LONGER * UPDATES} updates)")],
                        probability_of_inner, x, labels, grid, out / "circles_boundary.png",
                        show),
        plot_hidden_space(hidden_activations(net3, x), labels, net3.params["W2"], net3.params["b2"],
                          out / "circles_hidden.png", show),
    ]
    report = {"circles": {
        "final_cost": costs3[-1], "accuracy": accuracy3, "accuracy_2_hidden": accuracy2,
        "accuracy_2_hidden_longer": accuracy2_longer, "final_cost_2_hidden": costs2[-1],
        "gradient_check_max_diff": max_diff,
        "costs": {str(k): costs3[k] for k in CHECKPOINTS}}}
    return PartResult("\n".join(lines), report, figures)
