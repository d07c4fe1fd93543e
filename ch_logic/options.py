"""The command line of ``python -m ch_logic``: the gates, the measured defaults and the
options."""

from __future__ import annotations

import argparse

from common.cli import (
    add_output_options,
    nonnegative_float,
    nonnegative_int,
    positive_float,
    positive_int,
)
from common.optim import OPTIMIZERS

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
