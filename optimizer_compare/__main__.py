"""``python -m optimizer_compare``: the optimizers on MNIST (see ``optimizer_compare.cli``)."""

import sys

from common.threads import apply_thread_policy

apply_thread_policy("optimizer_compare")  # before NumPy: its BLAS threads (common.threads says why)

from optimizer_compare.cli import main  # noqa: E402  (after the thread setting, before NumPy)

sys.exit(main())
