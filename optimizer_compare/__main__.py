"""``python -m optimizer_compare``: the optimizers on MNIST (see ``optimizer_compare.cli``)."""

import sys

from optimizer_compare.cli import main

sys.exit(main())
