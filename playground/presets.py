"""Presets: this project's experiments, replayed in the playground.

Each is a title, the settings (``playground.config.Config`` fields) and a text that
says what to watch; the page lists them and loads one as it would load settings typed
by hand. The settings follow the chapters: ``ch_logic`` (Adam, lr 0.01, full batch,
L2 3e-5; TwoNet is 2-6-2 ReLU with softmax), ``ch_backprop`` (the circles, Momentum 0.9)
and ``optimizer_compare`` (each optimizer with its own learning rate).
"""

from __future__ import annotations

from typing import Any

from playground.config import check_config

_LOGIC = {"optimizer": "adam", "lr": 0.01, "batch_size": 4, "l2": 3e-5, "seed": 0}
_ONE_NET = {**_LOGIC, "hidden": [], "output": "sigmoid"}

PRESETS: dict[str, dict[str, Any]] = {
    "onenet_and": {
        "title": "OneNet on AND",
        "config": {**_ONE_NET, "dataset": "and"},
        "text": "Logistic regression (Affine + SigmoidWithLoss, as ch_logic's OneNet) draws "
                "one straight line: only (1, 1) lies on its far side, and the loss falls "
                "towards 0.",
    },
    "onenet_or": {
        "title": "OneNet on OR",
        "config": {**_ONE_NET, "dataset": "or"},
        "text": "The same single line, moved: now only (0, 0) is on the side of class 0.",
    },
    "onenet_xor": {
        "title": "OneNet on XOR (fails)",
        "config": {**_ONE_NET, "dataset": "xor_gate"},
        "text": "OneNet cannot learn XOR: no straight line puts (0, 1) and (1, 0) on one side "
                "and (0, 0) and (1, 1) on the other. The loss settles at log 2 = 0.69, every "
                "point gets P = 0.5 and at most 3 of 4 are right. A hidden layer is needed: "
                "try TwoNet.",
    },
    "twonet_xor": {
        "title": "TwoNet on XOR",
        "config": {**_LOGIC, "dataset": "xor_gate", "hidden": [6], "activation": "relu",
                   "output": "softmax"},
        "text": "TwoNet (Affine 2-6, ReLU, Affine 6-2, SoftmaxWithLoss) learns XOR: each "
                "hidden unit is a line of its own (see its picture), and the output combines "
                "them into a band that holds (0, 1) and (1, 0).",
    },
    "circles_2": {
        "title": "Circles: 2 versus 3 sigmoid units",
        "config": {"dataset": "circles", "noise": 0.05, "points": 200, "train_ratio": 0.5,
                   "hidden": [3], "activation": "sigmoid", "output": "softmax",
                   "optimizer": "momentum", "lr": 1.0, "batch_size": 100, "l2": 0,
                   "seed": 1,
                   "lanes": [{"hidden": [2], "label": "2 hidden units"},
                             {"hidden": [3], "label": "3 hidden units"}]},
        "text": "As in ch_backprop: with 2 sigmoid units the network has two lines to "
                "draw with and no closed curve, so it never encloses the inner circle; with "
                "3 it draws a triangle around it and gets every point right.",
    },
    "race": {
        "title": "Optimizer race",
        "config": {"dataset": "moons", "noise": 0.05, "points": 300, "train_ratio": 0.5,
                   "hidden": [8, 8], "activation": "tanh", "output": "sigmoid",
                   "optimizer": "sgd", "lr": 0.1, "batch_size": 10, "l2": 0, "seed": 0,
                   "lanes": [{"optimizer": "sgd", "lr": 0.1, "label": "SGD 0.1"},
                             {"optimizer": "momentum", "lr": 0.1, "label": "Momentum 0.1"},
                             {"optimizer": "adagrad", "lr": 0.1, "label": "AdaGrad 0.1"},
                             {"optimizer": "adam", "lr": 0.01, "label": "Adam 0.01"}]},
        "text": "The same network, data and initial weights, trained side by side. After "
                "1000 iterations Momentum and Adam have bent the boundary between the moons "
                "(loss near 0), while SGD and AdaGrad still draw an almost straight line "
                "(loss about 0.2): SGD takes small steps on the plateau, and AdaGrad's "
                "steps shrink as it sums the squared gradients.",
    },
}

# a preset that no longer passes the checks would fail on the page: fail at import instead
for _preset in PRESETS.values():
    check_config(_preset["config"])
