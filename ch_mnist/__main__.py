"""``python -m ch_mnist``: train and evaluate a network on MNIST (see ``ch_mnist.cli``)."""

import sys

from ch_mnist.cli import main

sys.exit(main())
