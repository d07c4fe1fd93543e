"""The playground's training: ``common`` networks and optimizers on a 2-D data set.

``make_data(config)`` draws the points and splits them; ``Lane`` is one network with
its optimizer, trained a few mini-batches at a time by ``step`` and pictured by
``picture``: the class probabilities over the plane, every hidden unit's output over it,
the weights, losses and accuracies. Nothing here is special to the playground but the
pictures: the training is the library's loop over shuffled batches.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import numpy as np

from common.batches import ShuffledBatches
from common.functions import sigmoid, softmax
from common.layers import Affine, Relu, Sigmoid, SigmoidWithLoss, SoftmaxWithLoss, Tanh
from common.nets.network import Network
from common.optim import make_optimizer
from common.training.loop import Loop
from dataset.logic import logic_gate
from dataset.planar import PLANAR_SETS
from playground.config import Config

DTYPE = np.float32
ACTIVATION_LAYERS = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh}
GATES = {"and": "AND", "or": "OR", "xor_gate": "XOR"}
#: Each hidden unit's picture is this many points a side (every 3rd point of a 60 grid).
UNIT_STRIDE = 3


@dataclass
class Data:
    """Points of one data set: training and test inputs (N, 2) float32, labels int64,
    the plane shown [x0, x1, y0, y1] and the number of classes."""

    x_train: np.ndarray
    t_train: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray
    extent: tuple[float, float, float, float]
    classes: int

    def to_json(self) -> dict[str, Any]:
        """The points for drawing: train first, then test."""
        x = np.concatenate([self.x_train, self.x_test]).round(4)
        return {"x": x.tolist(), "t": np.concatenate([self.t_train, self.t_test]).tolist(),
                "train_count": len(self.t_train), "extent": list(self.extent),
                "classes": self.classes}


def make_data(config: Config) -> Data:
    """The data set of ``config``, drawn from its seed and split by its train_ratio.

    A logic gate's truth table is both the training and the test set (4 rows)."""
    if config.dataset in GATES:
        x, t = logic_gate(GATES[config.dataset])
        return Data(x, t, x, t, (-0.5, 1.5, -0.5, 1.5), 2)
    x, t = PLANAR_SETS[config.dataset](config.points, config.noise, config.seed)
    n_train = max(1, min(len(t) - 1, round(config.train_ratio * len(t))))
    x = x.astype(DTYPE)
    extent = 2.0 if config.dataset == "iris" else 1.6
    return Data(x[:n_train], t[:n_train], x[n_train:], t[n_train:],
                (-extent, extent, -extent, extent), int(t.max()) + 1)


def make_network(config: Config, classes: int) -> Network:
    """Affine and activation layers of the widths ``config.hidden``, then one sigmoid output
    unit (``SigmoidWithLoss``) or one softmax unit per class (``SoftmaxWithLoss``).

    Initial weights: He (√(2/n)) before ReLU, Xavier (√(1/n)) otherwise, from the seed;
    biases 0. The same seed and widths give the same initial weights."""
    rng = np.random.default_rng(config.seed)
    outputs = 1 if config.output == "sigmoid" else classes
    sizes = [2, *config.hidden, outputs]
    layers: list[Any] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        gain = 2.0 if config.activation == "relu" and i < len(config.hidden) else 1.0
        W = (np.sqrt(gain / fan_in) * rng.standard_normal((fan_in, fan_out))).astype(DTYPE)
        layers.append(Affine(W, np.zeros(fan_out, DTYPE), input_grad=i > 0))
        if i < len(config.hidden):
            layers.append(ACTIVATION_LAYERS[config.activation]())
    loss = SigmoidWithLoss() if outputs == 1 else SoftmaxWithLoss()
    return Network(layers, loss, weight_decay_lambda=config.l2)


def encode(values: np.ndarray) -> str:
    """Values in [0, 1] as base64 bytes 0..255 (a 60×60 map is 4800 characters)."""
    return base64.b64encode(np.round(values * 255).astype(np.uint8).tobytes()).decode()


def grid_points(extent: tuple[float, float, float, float], size: int) -> np.ndarray:
    """size × size points covering the plane, row by row from the top: (size², 2)."""
    xs = np.linspace(extent[0], extent[1], size, dtype=DTYPE)
    ys = np.linspace(extent[3], extent[2], size, dtype=DTYPE)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def divergence_message(config: Config, iteration: int, loss: float) -> str:
    """What happened and what to do about it."""
    return (f"training diverged: the loss became {loss} at iteration {iteration}, so the "
            f"steps are too large. Lower the learning rate (now {config.lr:g}; try "
            f"{config.lr / 10:g}) or the L2 penalty, then press reset.")


class Lane:
    """One network, its optimizer and its training so far, on the shared ``data``: a
    training loop (``common.training.loop``) run a few steps at a time."""

    def __init__(self, config: Config, data: Data, label: str) -> None:
        self.config, self.data, self.label = config, data, label
        self.network = make_network(config, data.classes)
        self.optimizer = make_optimizer(config.optimizer, lr=config.lr)
        # every epoch visits each training sample once, in a new order
        self.batches = ShuffledBatches(data.x_train, data.t_train, config.batch_size,
                                       seed=config.seed)
        self.batch_size = self.batches.batch_size
        self.loop = Loop(self.network, self.optimizer, self.batches, steps=0)
        self.diverged: str | None = None

    @property
    def iteration(self) -> int:
        """Updates made so far."""
        return self.loop.iteration

    def step(self, iterations: int) -> None:
        """``iterations`` updates; on a NaN or infinite loss, stop, keep the parameters from
        before this call and say so in ``diverged``."""
        if self.diverged:
            return
        saved = {key: param.copy() for key, param in self.network.params.items()}
        self.loop.steps = self.loop.iteration + iterations
        self.loop.run()
        if self.loop.diverged:
            self.diverged = divergence_message(self.config, self.loop.iteration + 1,
                                               self.loop.losses[-1])
            self.network.params.update(saved)

    def _probabilities(self, scores: np.ndarray) -> np.ndarray:
        """P(class 1) (N, 1) for two classes, else the class probabilities (N, K)."""
        if scores.shape[1] == 1:
            return sigmoid(scores)
        p = softmax(scores)
        return p[:, 1:2] if p.shape[1] == 2 else p

    def picture(self, grid: int) -> dict[str, Any]:
        """The lane's state for the page: numbers, the boundary map (grid × grid, per class,
        base64 bytes), each hidden unit's map (every UNIT_STRIDE-th grid point, values
        scaled to [-1, 1] and stored as (v + 1)/2) and the weights."""
        net, data = self.network, self.data
        with np.errstate(all="ignore"):
            train_loss = net.loss(data.x_train, data.t_train)
            test_loss = net.loss(data.x_test, data.t_test)
            out = grid_points(data.extent, grid)
            units = []
            for layer in net.layers.values():
                out = layer.forward(out)
                if not isinstance(layer, Affine):
                    units.append(encode((self._unit_maps(out, grid) + 1) / 2))
            boundary = self._probabilities(out).T
        weights = [layer.W for layer in net.layers.values() if isinstance(layer, Affine)]
        return {
            "label": self.label, "iteration": self.iteration, "diverged": self.diverged,
            "train_loss": _finite(train_loss), "test_loss": _finite(test_loss),
            "train_accuracy": net.accuracy(data.x_train, data.t_train),
            "test_accuracy": net.accuracy(data.x_test, data.t_test),
            "boundary": encode(np.nan_to_num(boundary, nan=0.5)),
            "units": units, "unit_grid": len(range(1, grid, UNIT_STRIDE)),
            "weights": [np.round(W, 4).tolist() for W in weights],
            "sizes": [W.shape[0] for W in weights] + [weights[-1].shape[1]],
        }

    def _unit_maps(self, out: np.ndarray, grid: int) -> np.ndarray:
        """The hidden units' outputs (grid², H) as (H, u, u) maps in [-1, 1]: tanh as it is,
        sigmoid 2σ - 1, ReLU divided by its largest value on the map."""
        maps = out.T.reshape(-1, grid, grid)[:, 1::UNIT_STRIDE, 1::UNIT_STRIDE]
        if self.config.activation == "sigmoid":
            return 2 * maps - 1
        if self.config.activation == "relu":
            top = maps.max(axis=(1, 2), keepdims=True)
            return np.divide(maps, top, out=np.zeros_like(maps), where=top > 0)
        return maps


def _finite(value: float) -> float | None:
    """value, or None (JSON null) when it is NaN or infinite."""
    return float(value) if np.isfinite(value) else None
