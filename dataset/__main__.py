"""``python -m dataset [--data-dir DIR]``: download MNIST if needed, check it, say where it is.

Also the model of how a chapter program reports a data problem: the DatasetError
message on stderr and exit status 1, no traceback.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from .errors import DatasetError
from .mnist import load_mnist, mnist_dir


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0 on success, 1 on a data problem)."""
    parser = argparse.ArgumentParser(
        prog="python -m dataset",
        description="Download MNIST into its folder when missing, validate it and build its cache.",
    )
    parser.add_argument(
        "--data-dir",
        help="folder of the MNIST files (default: $MNIST_DIR, else the per-user cache)",
    )
    args = parser.parse_args(argv)
    try:
        (x_train, t_train), (x_test, _) = load_mnist(
            normalize=False, dtype=np.uint8, data_dir=args.data_dir
        )
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    counts = " ".join(str(n) for n in np.bincount(t_train, minlength=10))
    folder = mnist_dir(args.data_dir)
    print(f"MNIST in {folder}: {len(x_train)} training and {len(x_test)} test images")
    print(f"training images per digit 0-9: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
