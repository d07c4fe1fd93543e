"""What ``python -m ch_logic`` prints for a trained gate: its truth table with the learned
probabilities, the parameters, and why a gate was or was not learned."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ch_logic.options import CONFIDENT

if TYPE_CHECKING:
    from ch_logic.cli import GateRun


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
    if run.loop.diverged:
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
