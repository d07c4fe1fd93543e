"""``python -m ch_mnist``: train and evaluate a network on MNIST (see ``ch_mnist.cli``)."""

import sys

from common.threads import apply_thread_policy

apply_thread_policy("ch_mnist")  # before NumPy: its BLAS threads (common.threads says why)

from ch_mnist.cli import main  # noqa: E402  (after the thread setting, before NumPy)

sys.exit(main())
