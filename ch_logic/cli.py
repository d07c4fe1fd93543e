"""``python -m ch_logic``: logic gates with OneNet (logistic regression) and TwoNet (2-H-2).

Trains OneNet on the truth tables of AND, OR, NAND, NOR and NOT, shows that it
cannot learn XOR, and trains TwoNet (2-H-2, ReLU) on XOR. Prints each truth
table with the learned probabilities and parameters, writes the figures and,
with ``--json``, the metrics.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from ch_logic.options import CONFIDENT, GATES, build_parser
from ch_logic.report import describe
from common.batches import ShuffledBatches
from common.cli import (
    INTERRUPTED,
    check_output_paths,
    exit_130_on_ctrl_c,
    write_json,
)
from common.nets.network import Network
from common.nets.small import make_one_net, make_two_net, predicted_class, probability_of_one
from common.optim import make_optimizer
from common.plots.figures import short_run_note, show_figures
from common.plots.logic import Panel, plot_decision_boundaries, plot_loss_curves, plot_xor_hidden
from common.training.hooks import KeepLastFinite
from common.training.loop import Loop, fit
from dataset.logic import logic_gate


@dataclass
class GateRun:
    """One network trained on one truth table (x (N, D), t (N,)), and how it did.

    ``loop`` is the finished training loop (``common.training.loop.Loop``: its ``losses``
    hold the loss of every iteration, before that iteration's update);
    ``final_loss`` is the loss of the parameters the network ends with;
    ``seconds`` the training time; ``probabilities`` P(output 1) per row (N,),
    ``predicted`` the predicted class per row (N,).
    """

    key: str
    gate: str
    net_name: str
    net: Network
    x: np.ndarray
    t: np.ndarray
    loop: Loop
    final_loss: float
    seconds: float
    probabilities: np.ndarray
    predicted: np.ndarray

    @property
    def iterations(self) -> int:
        """Updates made (fewer than asked when training diverged)."""
        return self.loop.iteration

    @property
    def losses(self) -> list[float]:
        """The (finite) loss of every update made, for the loss curves."""
        return self.loop.losses[:self.iterations]

    @property
    def diverged(self) -> bool:
        """The loss became NaN or infinite, during training or after the last update."""
        return self.loop.diverged

    @property
    def correct(self) -> int:
        """Rows whose predicted output equals the target."""
        return int(np.sum(self.predicted == self.t))

    @property
    def min_true_probability(self) -> float:
        """The smallest probability the network gives to a row's true output."""
        return float(np.min(np.where(self.t == 1, self.probabilities, 1 - self.probabilities)))

    @property
    def learned(self) -> bool:
        """Every row right, each with probability above CONFIDENT."""
        return self.correct == len(self.t) and self.min_true_probability > CONFIDENT

    @property
    def title(self) -> str:
        """A figure panel's title, e.g. 'AND · OneNet: 4/4 rows'."""
        return f"{self.gate} · {self.net_name}: {self.correct}/{len(self.t)} rows"

    def metrics(self) -> dict[str, Any]:
        """The JSON record of this run (see JSON_KEYS_HELP)."""
        return {
            "gate": self.gate,
            "net": self.net_name,
            "accuracy": self.correct / len(self.t),
            "correct": self.correct,
            "rows": len(self.t),
            # JSON has no infinity: null when the last update diverged
            "loss": self.final_loss,
            "probabilities": [round(float(p), 6) for p in self.probabilities],
            "min_true_probability": self.min_true_probability,
            "learned": self.learned,
            "iterations": self.iterations,
            "seconds": round(self.seconds, 4),
            "diverged": self.diverged,
        }


def run_gate(key: str, gate: str, use_two_net: bool, args: argparse.Namespace) -> GateRun:
    """Build OneNet or TwoNet for ``gate`` and train it on its truth table with the
    options in ``args``: ``args.iters`` full-batch updates."""
    x, t = logic_gate(gate)
    if use_two_net:
        net = make_two_net(x.shape[1], args.hidden, args.init_std, args.weight_decay, args.seed)
    else:
        net = make_one_net(x.shape[1], args.init_std, args.weight_decay, args.seed)
    # Full batch: every epoch of the loop is one update on all rows of the truth table.
    batches = ShuffledBatches(x, t, len(x), seed=args.seed)
    loop = fit(net, make_optimizer(args.optimizer, lr=args.lr), batches, epochs=args.iters,
               hooks=[KeepLastFinite(net.params, loss=lambda batch: net.loss(*batch))])
    final_loss = net.loss(x, t)  # of the parameters kept: finite even after a divergence
    return GateRun(key, gate.upper(), "TwoNet" if use_two_net else "OneNet", net, x, t, loop,
                   final_loss, loop.seconds, probability_of_one(net, x).astype(np.float64),
                   predicted_class(net, x))


def write_outputs(runs: list[GateRun], args: argparse.Namespace, all_learned: bool) -> None:
    """Write the figures into ``args.out`` and, with ``--json``, the metrics; print their paths."""
    show = args.show
    figures = [
        plot_loss_curves({f"{run.gate} ({run.net_name})": run.losses for run in runs},
                         args.out / "loss_curves.png", show),
        plot_decision_boundaries([Panel(run.title, run.net, run.x, run.t) for run in runs],
                                 args.out / "decision_boundaries.png", show),
    ]
    two_net_xor = next((run for run in runs if run.key == "xor"), None)
    if two_net_xor is not None:
        figures.append(plot_xor_hidden(two_net_xor.net, two_net_xor.x, two_net_xor.t,
                                       args.out / "xor_hidden.png", show))
    print("Figures: " + ", ".join(str(path) for path in figures))
    note = short_run_note(min(len(run.losses) for run in runs), what="iteration",
                          more="iterations")
    if note:
        print(note)
    if args.json is not None:
        report = {
            "seed": args.seed,
            "settings": {"optimizer": args.optimizer, "lr": args.lr, "iters": args.iters,
                         "hidden": args.hidden, "init_std": args.init_std,
                         "weight_decay": args.weight_decay},
            "all_learned": all_learned,
            "gates": {run.key: run.metrics() for run in runs},
        }
        write_json(args.json, report)
        print(f"Metrics: {args.json}")


@exit_130_on_ctrl_c
def main(argv: list[str] | None = None) -> int:
    """Run the chapter with the command-line arguments ``argv``; return the exit status.

    0 on success; 1 when a training run diverged (its numbers are then meaningless).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    check_output_paths(parser, args)
    gates = GATES if args.gate == "all" else (args.gate,)
    print(f"Logic gates: {args.optimizer} lr {args.lr:g}, {args.iters} full-batch iterations, "
          f"L2 {args.weight_decay:g}, initial weights {args.init_std:g}*N(0,1), seed {args.seed}\n")

    runs: list[GateRun] = []
    for gate in gates:
        if runs and runs[-1].loop.interrupted:
            break  # Ctrl-C: report the gates trained so far
        if gate == "xor":
            # the lesson first (a line fails), then the network that succeeds
            runs.append(run_gate("xor_onenet", gate, False, args))
            runs.append(run_gate("xor", gate, True, args))
        else:
            runs.append(run_gate(gate, gate, False, args))
    for run in runs:
        print(describe(run), end="\n\n")

    learned = [run for run in runs if run.key != "xor_onenet"]
    all_learned = all(run.learned for run in learned)
    by_net = {name: ", ".join(f"{run.gate} {run.correct}/{len(run.t)}"
                              for run in runs if run.net_name == name)
              for name in ("OneNet", "TwoNet")}
    summary = "; ".join(f"{name}: {text}" for name, text in by_net.items() if text)
    print(f"Rows right (seed {args.seed}): {summary}")
    print("Every gate learned (all rows right, P > 0.9)." if all_learned
          else "Not every gate was learned with these settings (see above).")

    try:
        write_outputs(runs, args, all_learned)
    except OSError as err:  # e.g. --out names a file, or a folder without write access
        print(f"error: cannot write the results: {err}", file=sys.stderr)
        return 1
    show_figures(args.show)
    diverged = any(run.diverged for run in runs)
    if diverged:
        print("error: a training run diverged; lower --lr", file=sys.stderr)
    if runs[-1].loop.interrupted:
        print(f"interrupted (Ctrl-C) while training {runs[-1].gate}", file=sys.stderr)
        return INTERRUPTED
    return 1 if diverged else 0
