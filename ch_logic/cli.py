"""``python -m ch_logic``: logic gates with OneNet (logistic regression) and TwoNet (2-H-2).

Trains OneNet on the truth tables of AND, OR, NAND, NOR and NOT, shows that it
cannot learn XOR, and trains TwoNet (2-H-2, ReLU) on XOR. Prints each truth
table with the learned probabilities and parameters, writes the figures and,
with ``--json``, the metrics.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from common.cli import (
    INTERRUPTED,
    add_output_options,
    exit_130_on_ctrl_c,
    nonnegative_float,
    nonnegative_int,
    positive_float,
    positive_int,
    write_json,
)
from common.nets.network import Network
from common.nets.small import make_one_net, make_two_net, predicted_class, probability_of_one
from common.optim import OPTIMIZERS
from common.plots.figures import show_figures
from common.plots.logic import Panel, plot_decision_boundaries, plot_loss_curves, plot_xor_hidden
from common.training.trainer import Trainer
from dataset.logic import logic_gate

#: Gates of ``--gate all``, in the order they are trained and reported.
GATES = ("and", "or", "nand", "nor", "not", "xor")

# Defaults, chosen by measurement (seeds 0..9 and beyond): with Adam at lr 0.01,
# OneNet reaches P > 0.9 for the true class of every row well within 2000
# iterations, and TwoNet escapes the flat start that 0.01-scale weights give
# (plain SGD barely moves there). A little L2 keeps OneNet's weights finite and
# makes TwoNet get stuck less often; much more would pull the probabilities below 0.9.
DEFAULT_OPTIMIZER = "adam"
DEFAULT_LR = 0.01
DEFAULT_ITERS = 2000
DEFAULT_HIDDEN = 6
DEFAULT_INIT_STD = 0.01
DEFAULT_WEIGHT_DECAY = 3e-5
DEFAULT_SEED = 0
#: A gate counts as learned when every row is right with at least this probability.
CONFIDENT = 0.9

JSON_KEYS_HELP = """\
Figures written into --out DIR: loss_curves.png, decision_boundaries.png and,
when XOR is learned, xor_hidden.png.

--json PATH writes:
  {"seed": int,
   "settings": {"optimizer", "lr", "iters", "hidden", "init_std", "weight_decay"},
   "all_learned": bool (every gate except OneNet on XOR learned),
   "gates": {"and" | "or" | "nand" | "nor" | "not" | "xor" | "xor_onenet": {
       "gate": "AND", ..., "net": "OneNet" or "TwoNet" ("xor" is TwoNet,
       "xor_onenet" is the OneNet that fails on XOR),
       "accuracy": fraction of rows right, "correct": rows right, "rows": rows,
       "loss": final loss (cross-entropy + L2 penalty; null if not finite),
       "probabilities": P(output 1) per row, "min_true_probability": the smallest
       probability given to a row's true output, "learned": bool,
       "iterations": updates made, "seconds": training time, "diverged": bool}}}
"""


def build_parser() -> argparse.ArgumentParser:
    """The command line of the chapter; every option says what it does and its default."""
    parser = argparse.ArgumentParser(
        prog="python -m ch_logic",
        description=(
            "Logic gates learned by networks built from common layers.\n"
            "OneNet (Affine + SigmoidWithLoss: logistic regression, one straight decision\n"
            "line) learns AND, OR, NAND, NOR and NOT, but not XOR; TwoNet (Affine, Relu,\n"
            "Affine + SoftmaxWithLoss) learns XOR. Full-batch training on the truth table."
        ),
        epilog=JSON_KEYS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--gate", choices=(*GATES, "all"), default="all", type=str.lower,
                        help="the gate to learn; 'xor' trains TwoNet and, for comparison, "
                             "OneNet (default: all)")
    parser.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default=DEFAULT_OPTIMIZER,
                        type=str.lower, help=f"update rule (default: {DEFAULT_OPTIMIZER})")
    parser.add_argument("--lr", type=positive_float, default=DEFAULT_LR,
                        help=f"learning rate, > 0 (default: {DEFAULT_LR})")
    parser.add_argument("--iters", type=positive_int, default=DEFAULT_ITERS,
                        help=f"training iterations per gate, each on all rows "
                             f"(default: {DEFAULT_ITERS})")
    parser.add_argument("--hidden", type=positive_int, default=DEFAULT_HIDDEN, metavar="H",
                        help=f"hidden ReLU units of TwoNet (default: {DEFAULT_HIDDEN})")
    parser.add_argument("--init-std", type=positive_float, default=DEFAULT_INIT_STD,
                        metavar="S", help="initial weights are S * N(0, 1), biases 0 "
                                          f"(default: {DEFAULT_INIT_STD})")
    parser.add_argument("--weight-decay", type=nonnegative_float, default=DEFAULT_WEIGHT_DECAY,
                        metavar="LAMBDA", help="L2 penalty LAMBDA/2 * sum of squared weights "
                                               f"(default: {DEFAULT_WEIGHT_DECAY:g})")
    parser.add_argument("--seed", type=nonnegative_int, default=DEFAULT_SEED,
                        help="seed of the initial weights; every gate starts from it, so a "
                             f"gate's result does not depend on --gate (default: {DEFAULT_SEED})")
    add_output_options(parser, "ch_logic")
    return parser


@dataclass
class GateRun:
    """One network trained on one truth table (x (N, D), t (N,)), and how it did.

    ``trainer`` is the finished ``common.training.trainer.Trainer`` (its ``train_loss_list``
    holds the loss of every iteration, before that iteration's update);
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
    trainer: Trainer
    final_loss: float
    seconds: float
    probabilities: np.ndarray
    predicted: np.ndarray

    @property
    def iterations(self) -> int:
        """Updates made (fewer than asked when training diverged)."""
        return self.trainer.updates

    @property
    def losses(self) -> list[float]:
        """The (finite) loss of every update made, for the loss curves."""
        return self.trainer.train_loss_list[:self.iterations]

    @property
    def diverged(self) -> bool:
        """The loss became NaN or infinite, during training or after the last update."""
        return self.trainer.diverged

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
    # Full batch: every Trainer "epoch" is one update on all rows of the truth table.
    # The table is also all there is to measure, once, at the end.
    trainer = Trainer(net, x, t, x, t, epochs=args.iters, mini_batch_size=len(x),
                      optimizer=args.optimizer, optimizer_param={"lr": args.lr},
                      evaluate_every=args.iters, seed=args.seed, verbose=False)
    trainer.train()
    final_loss = net.loss(x, t)  # of the parameters kept: finite even after a divergence
    return GateRun(key, gate.upper(), "TwoNet" if use_two_net else "OneNet", net, x, t, trainer,
                   final_loss, trainer.seconds, probability_of_one(net, x).astype(np.float64),
                   predicted_class(net, x))


def _array(a: np.ndarray, indent: int) -> str:
    """An array printed with 2 decimals, continuation lines indented to line up."""
    # round first and add 0.0 so that tiny negative numbers do not print as -0.00
    rounded = np.round(np.asarray(a, dtype=np.float64), 2) + 0.0
    return np.array2string(rounded, precision=2, floatmode="fixed", prefix=" " * indent)


def _signed(value: float, decimals: int = 2) -> str:
    """``value`` rounded, without the '-0.00' that a tiny negative number would print."""
    return f"{round(value, decimals) + 0.0:.{decimals}f}"


def _linear_form(w: np.ndarray, b: float, names: list[str]) -> str:
    """'5.88*x1 + 5.88*x2 - 8.83': OneNet's logit as a formula of the inputs."""
    text = f"{_signed(w[0])}*{names[0]}"
    for wi, name in zip(w[1:], names[1:], strict=True):
        text += f" {'-' if round(wi, 2) < 0 else '+'} {_signed(abs(wi))}*{name}"
    return text + f" {'-' if round(b, 2) < 0 else '+'} {_signed(abs(b))}"


def describe(run: GateRun) -> str:
    """The report of one run: truth table with probabilities, loss, learned parameters."""
    d = run.x.shape[1]
    names = [f"x{i + 1}" for i in range(d)] if d > 1 else ["x"]
    if run.net_name == "OneNet":
        arch = f"Affine {d}->1 + SigmoidWithLoss"
    else:
        arch = f"Affine {d}->{run.net.params['W1'].shape[1]}, Relu, Affine ->2 + SoftmaxWithLoss"
    lines = [f"{run.gate} with {run.net_name} ({arch})",
             "  " + " ".join(f"{n:>2}" for n in names) + "  target   P(1)  predicted"]
    for row, target, p, predicted in zip(run.x, run.t, run.probabilities, run.predicted,
                                         strict=True):
        mark = "ok" if predicted == target else "WRONG"
        lines.append("  " + " ".join(f"{int(v):>2}" for v in row)
                     + f"  {target:>6}  {p:5.3f}  {predicted:>9}  {mark}")
    lines.append(f"  {run.correct}/{len(run.t)} rows right, final loss {run.final_loss:.4f}, "
                 f"{run.iterations} iterations in {run.seconds:.2f} s")
    params = run.net.params
    if run.net_name == "OneNet":
        w, b = params["W1"][:, 0].astype(np.float64), float(params["b1"][0])
        lines.append(f"  weights W = {_array(w, 14)}, bias b = {_signed(b)}")
        lines.append(f"  decision: output 1 where {_linear_form(w, b, names)} > 0")
    else:
        for name in ("W1", "b1", "W2", "b2"):
            lines.append(f"  {name} = {_array(params[name], 7)}")
    if run.trainer.diverged:
        lines.append("  Training stopped: the loss became infinite or NaN; lower --lr.\n"
                     "  The parameters shown are the last ones with a finite loss.")
    elif run.diverged:
        lines.append("  The last update made the loss infinite or NaN; lower --lr.")
    if run.key == "xor_onenet":
        lines.append(
            "  OneNet cannot learn XOR: its decision is one straight line, and no line puts\n"
            "  (0,1), (1,0) on one side and (0,0), (1,1) on the other, so at most 3 of the 4\n"
            "  rows can be right. The loss is lowest when it gives up: P = 0.5 for every row\n"
            f"  (loss ln 2 = {math.log(2):.3f}); which side of 0.5 each row falls on is chance.")
    elif run.key == "xor" and run.learned:
        lines.append("  The ReLU hidden layer maps the four rows to points that one line, the\n"
                     "  output layer's, separates: see xor_hidden.png.")
    elif not run.learned and not run.diverged:
        lines.append(f"  Not learned with these settings (every row right with P > {CONFIDENT} "
                     "is needed).")
        if run.net_name == "TwoNet":
            lines.append(
                "  A ReLU unit whose input is negative for a row outputs 0 and gets no gradient\n"
                "  from that row; once every unit is off for some rows, those rows stay stuck\n"
                "  (see decision_boundaries.png). Try another --seed, a larger --hidden or\n"
                "  --init-std, or more --iters.")
        else:
            lines.append("  Try more --iters or a larger --lr.")
    return "\n".join(lines)


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
    args = build_parser().parse_args(argv)
    gates = GATES if args.gate == "all" else (args.gate,)
    print(f"Logic gates: {args.optimizer} lr {args.lr:g}, {args.iters} full-batch iterations, "
          f"L2 {args.weight_decay:g}, initial weights {args.init_std:g}*N(0,1), seed {args.seed}\n")

    runs: list[GateRun] = []
    for gate in gates:
        if runs and runs[-1].trainer.interrupted:
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
    if runs[-1].trainer.interrupted:
        print(f"interrupted (Ctrl-C) while training {runs[-1].gate}", file=sys.stderr)
        return INTERRUPTED
    return 1 if diverged else 0
