"""Parts 3-5: a line, a logistic regression and one RBF unit, trained with the framework's layers.

The originals' costs are sums over the N samples; the framework's loss layers
average. The cost printed is N · (the layer's loss), and the learning rate given
to ``SGD`` is the original's times N (times 2N for Σ(t - y)², whose gradient has
a 2 that the layer's ½ removes): the very same updates.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np

from ch_backprop.calculus import PartResult
from ch_backprop.plots_models import plot_logistic, plot_rbf, plot_regression
from common.layers import (
    Affine,
    Gaussian,
    MatMul,
    Sigmoid,
    SigmoidWithLoss,
    SquaredErrorLoss,
)
from common.nets.network import Network
from common.optim import SGD
from common.plots.surface import loss_surface, training_path
from dataset.toy import gaussian_blobs, noisy_line, three_clusters_1d

# --- part 3: regression ------------------------------------------------------------------
LS_LR, LS_UPDATES = 0.01, 250
CENTRED_LR = 0.05
ORIGIN_LR, ORIGIN_UPDATES, ORIGIN_START = 0.1, 4, 0.1
SIGMOID_LR, SIGMOID_TARGET, SIGMOID_MAX_UPDATES = 0.01, 0.1, 100_000


def fit_line(x: np.ndarray, y: np.ndarray, lr: float,
             updates: int) -> tuple[Network, np.ndarray, np.ndarray]:
    """y ≈ w·x + b: an ``Affine`` (1 -> 1) under ``SquaredErrorLoss`` (cost 1/(2m) Σ(ŷ - y)²),
    from w = b = 0, trained by ``SGD``: (network, costs, (w, b) before each update and after)."""
    net = Network([Affine(np.zeros((1, 1)), np.zeros(1))], SquaredErrorLoss())
    costs, path = training_path(net, x, y, SGD(lr), updates, track=["W1", "b1"])
    return net, costs, path


def curvatures(x: np.ndarray) -> np.ndarray:
    """Eigenvalues of the Hessian of 1/(2m) Σ(w x + b - y)² in (w, b): [[mean x², mean x],
    [mean x, 1]]. Plain gradient descent is stable for steps below 2 / the largest one."""
    x = x.ravel()
    return np.linalg.eigvalsh(np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]]))


def sigmoid_layer_fit(seed: int) -> dict:
    """ŷ = σ(X W), X = ones(10, 3), W = ones(3, 2), no bias, Y ~ uniform[0, 1) (10, 2) from
    RandomState(seed): SGD (0.01) on 1/(2m) Σ(ŷ - Y)² until it is below 0.1, when it can be.

    Every row of X is the same, so every row of ŷ is the same vector c, and the cost
    is lowest at c = the column means of Y: the floor ½(var Y₁ + var Y₂). When that
    floor is not below the target no number of updates reaches it: say so, do not loop.
    """
    y = np.random.RandomState(seed).random_sample((10, 2))
    floor = 0.5 * float(np.sum(y.var(axis=0)))
    result = {"floor": floor, "reachable": floor < SIGMOID_TARGET, "updates": 0, "cost": None}
    if not result["reachable"]:
        return result
    x = np.ones((10, 3))
    net = Network([MatMul(np.ones((3, 2))), Sigmoid()], SquaredErrorLoss())
    optimizer = SGD(SIGMOID_LR)
    # the floor is below the target, so the loop ends; the cap only guards against a
    # floor so close to the target that the approach would take very long
    while result["updates"] < SIGMOID_MAX_UPDATES:
        grads = net.gradient(x, y)
        if net.last_loss < SIGMOID_TARGET:
            break
        optimizer.update(net.params, grads)
        result["updates"] += 1
    result["cost"] = net.loss(x, y)
    return result


def run_regression(seed: int, out: Path, show: bool) -> PartResult:
    """The least-squares line (plain and centred x), Roelants' line through the origin, and
    the one-sigmoid-layer fit that may be unreachable."""
    x = np.arange(1.0, 21.0).reshape(-1, 1)
    y = 3 * x + 5
    net, costs, path = fit_line(x, y, LS_LR, LS_UPDATES)
    w, b = path[-1]
    mean_x = float(x.mean())
    _, centred_costs, centred_path = fit_line(x - mean_x, y, CENTRED_LR, LS_UPDATES)
    w_c, b_c = centred_path[-1]
    plain_k, centred_k = curvatures(x), curvatures(x - mean_x)
    lines = [
        f"least squares: x = 1..20, y = 3x + 5, Affine + SquaredErrorLoss, SGD lr {LS_LR}, "
        f"{LS_UPDATES} updates from w = b = 0:",
        f"  cost {costs[0]:.2f} at the start, {costs[-1]:.4f} at the end; w = {w:.6f}, "
        f"b = {b:.6f} (the exact line: w = 3, b = 5)",
        f"  The intercept is slow because x is not centred: the cost's curvatures are "
        f"{plain_k[1]:.2f} and {plain_k[0]:.4f},",
        f"  so steps must stay below 2/{plain_k[1]:.2f} = {2 / plain_k[1]:.4f} and the flat "
        f"direction (mostly b) barely moves.",
        f"  centred x - {mean_x:g}: curvatures {centred_k[1]:.2f} and {centred_k[0]:g} (w and b "
        f"no longer interact), steps up to {2 / centred_k[1]:.4f};",
        f"  with lr {CENTRED_LR}, {LS_UPDATES} updates give w = {w_c:.4f}, b = "
        f"{b_c - w_c * mean_x:.4f} (b = b_centred - {mean_x:g} w), cost {centred_costs[-1]:.1e}",
    ]

    xo, to = noisy_line(np.random.RandomState(seed))
    n = len(xo)
    line = Network([MatMul(np.array([[ORIGIN_START]]))], SquaredErrorLoss())
    # Roelants' cost Σ(t - y)² is 2N times the layer's loss, and so is its gradient
    origin_costs, origin_path = training_path(line, xo, to, SGD(ORIGIN_LR * 2 * n),
                                              ORIGIN_UPDATES, track=["W1"], scale=2 * n)
    history = [(float(wk), float(ck)) for wk, ck in zip(origin_path[:, 0], origin_costs,
                                                        strict=True)]
    lines.append(f"Roelants part 1: {n} points t = 2x + noise, y = x*w (MatMul, no bias), cost "
                 f"sum (t - y)^2, lr {ORIGIN_LR}, from w = {ORIGIN_START}: (w, cost) =")
    lines.append("  " + " -> ".join(f"{wk:.4f} / {ck:.4f}" for wk, ck in history))

    fit = sigmoid_layer_fit(seed)
    lines.append("one sigmoid layer: y = sigmoid(X W), X = ones(10, 3), W = ones(3, 2), Y "
                 f"uniform (seed {seed}), SGD lr {SIGMOID_LR} until the cost < {SIGMOID_TARGET}:")
    lines.append(f"  every row of X is the same, so every row of the output is too: the cost "
                 f"cannot go below 1/2 (var Y1 + var Y2) = {fit['floor']:.4f}")
    if not fit["reachable"]:
        lines.append(f"  UNREACHABLE: the floor {fit['floor']:.4f} is not below "
                     f"{SIGMOID_TARGET}, so the original loop would never end; not trained "
                     "(about 7% of random Y, e.g. --seed 4)")
    elif fit["cost"] < SIGMOID_TARGET:
        lines.append(f"  reached: cost {fit['cost']:.4f} after {fit['updates']} updates")
    else:
        lines.append(f"  not reached in {fit['updates']} updates (cost {fit['cost']:.4f}): "
                     "the floor is just below the target, and the approach is slow")
    figure = plot_regression(x, y, path, centred_path, mean_x, xo, to, history,
                             out / "regression.png", show)
    report = {
        "least_squares": {"w": w, "b": b, "cost": costs[-1], "cost_start": costs[0],
                          "lr": LS_LR, "updates": LS_UPDATES,
                          "centred": {"lr": CENTRED_LR, "w": w_c, "b": b_c - w_c * mean_x,
                                      "cost": centred_costs[-1]}},
        "line_through_origin": {"w": history[-1][0], "cost": history[-1][1],
                                "history": history},
        "sigmoid_layer": fit,
    }
    return PartResult("\n".join(lines), report, [figure])


# --- part 4: logistic regression -----------------------------------------------------------
LOGISTIC_START, LOGISTIC_LR, LOGISTIC_UPDATES = (-4.0, -2.0), 0.05, 10


def run_logistic(seed: int, grid: int, out: Path, show: bool) -> PartResult:
    """Roelants part 2: y = σ(x·w) (MatMul, no bias) + SigmoidWithLoss on two Gaussian blobs."""
    x, t = gaussian_blobs(np.random.RandomState(seed))
    n = len(x)
    net = Network([MatMul(np.array(LOGISTIC_START).reshape(2, 1))], SigmoidWithLoss())
    track = [("W1", (0, 0)), ("W1", (1, 0))]
    # summed cross-entropy = N × the layer's mean: N times the learning rate
    costs, path = training_path(net, x, t, SGD(LOGISTIC_LR * n), LOGISTIC_UPDATES, track,
                                scale=n)
    w = path[-1]
    predicted = (net.predict(x)[:, 0] > 0).astype(np.int64)
    blue_as_red = int(np.sum((t == 1) & (predicted == 0)))
    red_as_blue = int(np.sum((t == 0) & (predicted == 1)))
    accuracy = net.accuracy(x, t)
    axis = np.linspace(-5, 5, max(grid // 2, 10))  # a smooth bowl: half the points do
    surface = loss_surface(net, x, t, track[0], track[1], axis, axis, scale=n)
    text = (f"Roelants part 2: two Gaussian classes of {n // 2} points, y = sigmoid(x . w) "
            f"(MatMul, no bias) + SigmoidWithLoss, summed cross-entropy, lr {LOGISTIC_LR}, "
            f"from w = {LOGISTIC_START}, {LOGISTIC_UPDATES} updates:\n"
            f"  w = ({w[0]:.4f}, {w[1]:.4f}), cost {costs[0]:.2f} -> {costs[-1]:.2f}; "
            f"{blue_as_red} blue misclassified as red, {red_as_blue} red as blue "
            f"({accuracy:.0%} right)")
    figure = plot_logistic(x, t, w, axis, surface, path, out / "logistic.png", show)
    report = {"logistic": {"w": w.tolist(), "accuracy": accuracy, "cost": costs[-1],
                           "blue_as_red": blue_as_red, "red_as_blue": red_as_blue}}
    return PartResult(text, report, [figure])


# --- part 5: one RBF hidden unit -----------------------------------------------------------
RBF_START, RBF_LR, RBF_UPDATES, RBF_OUTPUT_BIAS = (2.0, -5.0), 0.2, 50, -1.0


def make_rbf_net(wh: float, wo: float) -> Network:
    """z = x·w_h (MatMul1), h = exp(-z²) (Gaussian), y = σ(h·w_o - 1) (Affine2, fixed bias)."""
    return Network(OrderedDict([
        ("MatMul1", MatMul(np.array([[wh]]))),
        ("Gaussian1", Gaussian()),
        ("Affine2", Affine(np.array([[wo]]), np.array([RBF_OUTPUT_BIAS]))),
    ]), SigmoidWithLoss())


def run_rbf(seed: int, grid: int, out: Path, show: bool) -> PartResult:
    """Roelants part 3: one Gaussian hidden unit separates a middle class from its two sides."""
    x, t = three_clusters_1d(np.random.RandomState(seed))
    n = len(x)
    net = make_rbf_net(*RBF_START)
    # the rate is lowered by 0.2/50 before each update: 0.196, 0.192, ..., 0
    schedule = [(RBF_LR - (k + 1) * RBF_LR / RBF_UPDATES) * n for k in range(RBF_UPDATES)]
    costs, path = training_path(net, x, t, SGD(RBF_LR), RBF_UPDATES, ["W1", "W2"], scale=n,
                                trainable=["W1", "W2"], lr_schedule=schedule)
    wh, wo = path[-1]
    accuracy = net.accuracy(x, t)
    axis = np.linspace(-10, 10, grid)
    surface = loss_surface(net, x, t, "W1", "W2", axis, axis, scale=n)
    text = (f"Roelants part 3: 1-D data, class 1 in the middle, class 0 on both sides; "
            f"z = x*wh, h = exp(-z^2) (Gaussian layer), y = sigmoid(h*wo - 1); {RBF_UPDATES} "
            f"updates from wh = {RBF_START[0]:g}, wo = {RBF_START[1]:g}, lr 0.2 lowered by "
            f"0.2/50 before each:\n  final cost is {costs[-1]:.2f} for weights wh: {wh:.2f} "
            f"and wo: {wo:.2f} ({costs[-1]:.4f}, {wh:.4f}, {wo:.4f}); {accuracy:.0%} right")
    figure = plot_rbf(x, t, net, axis, surface, path, costs, out / "rbf.png", show)
    report = {"rbf": {"final_cost": costs[-1], "wh": wh, "wo": wo, "accuracy": accuracy,
                      "cost_start": costs[0]}}
    return PartResult(text, report, [figure])
