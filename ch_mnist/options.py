"""Command-line pieces of the MNIST programs: the --data-dir option and the data-error message.

The generic option types live in ``common.cli``.
"""

from __future__ import annotations

import argparse
import sys

from dataset import DatasetError


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    """The --data-dir option, worded the same way in every MNIST program."""
    parser.add_argument(
        "--data-dir", metavar="DIR",
        help="folder holding the four MNIST files (default: $MNIST_DIR if set, else the "
             "per-user cache ~/.cache/dlscratch/mnist, downloaded into when missing)",
    )


def report_dataset_error(err: DatasetError) -> int:
    """Print the loader's message (it says what is wrong and how to fix it); return 1."""
    print(f"error: {err}\nThis program reads MNIST from --data-dir DIR, else from $MNIST_DIR, "
          "else from the per-user cache.", file=sys.stderr)
    return 1
