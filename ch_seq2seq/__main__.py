"""``python -m ch_seq2seq``: seq2seq and attention on additions and dates (see
``ch_seq2seq.cli``)."""

import os
import sys

# One BLAS thread unless told otherwise: the products here are small (128 x 144 by
# 144 x 512), a second thread gains little, and on a busy machine two threads per process
# fight over the cores and run 5 to 50 times slower (measured: docs/ch_seq2seq.md). Set
# before NumPy is imported; OPENBLAS_NUM_THREADS=2 python -m ch_seq2seq overrides it.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

from ch_seq2seq.cli import main  # noqa: E402  (after the thread settings)

sys.exit(main())
