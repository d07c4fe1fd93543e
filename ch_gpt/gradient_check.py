"""Gradient check of a whole GPT: ``python -m ch_gpt.gradient_check``.

A tiny GPT (2 blocks, 2 heads, width 8, context 5, a vocabulary of 11) in float64;
the backpropagated gradient of every parameter is compared with central differences
of the loss, element by element. Prints the relative error per parameter and exits
with status 1 when any exceeds the tolerance (1e-6), 0 otherwise.
"""

from __future__ import annotations

import argparse

import numpy as np

from common.checks.gradients import relative_error
from common.nets.gpt import GPT

TOLERANCE = 1e-6


def tiny_gpt_errors(seed: int = 0, batch_size: int = 2) -> dict[str, float]:
    """Relative error ||backprop - numerical|| / (||backprop|| + ||numerical||) of every
    parameter of a tiny float64 GPT, on a random batch of ``batch_size`` sequences.

    The weights are drawn larger than GPT-2's N(0, 0.02²) (N(0, 0.4²), gains near 1), so
    that every gradient is far from zero and attention far from uniform: a small
    initialisation would let a wrong gradient hide below the rounding noise.
    """
    net = GPT(vocab_size=11, context=5, dim=8, num_layers=2, num_heads=2, seed=seed,
              dtype=np.float64)
    rng = np.random.default_rng(seed)
    for key, param in net.params.items():
        base = 1.0 if key.endswith("gamma") else 0.0
        param[...] = base + rng.normal(0, 0.4 if param.ndim > 1 else 0.2, param.shape)
    idx = rng.integers(0, 11, (batch_size, 5))
    targets = rng.integers(0, 11, (batch_size, 5))
    backprop = {key: g.copy() for key, g in net.gradient(idx, targets).items()}
    numerical = net.numerical_gradient(idx, targets, h=1e-5)
    return {key: relative_error(backprop[key], numerical[key]) for key in backprop}


def main(argv: list[str] | None = None) -> int:
    """Print each parameter's relative error; 1 if any is above the tolerance, else 0."""
    parser = argparse.ArgumentParser(
        prog="python -m ch_gpt.gradient_check",
        description="Check a tiny GPT's backpropagation against central differences.")
    parser.add_argument("--seed", type=int, default=0, help="weights and batch (default 0)")
    args = parser.parse_args(argv)
    errors = tiny_gpt_errors(args.seed)
    width = max(map(len, errors))
    for key, error in errors.items():
        print(f"{key:<{width}}  {error:.2e}{'' if error <= TOLERANCE else '  FAILED'}")
    worst = max(errors, key=errors.get)
    ok = errors[worst] <= TOLERANCE
    print(f"{len(errors)} parameters; largest relative error {errors[worst]:.2e} ({worst}): "
          f"{'passed' if ok else 'FAILED'} (tolerance {TOLERANCE:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
