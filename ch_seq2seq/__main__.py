"""``python -m ch_seq2seq``: seq2seq and attention on additions and dates (see
``ch_seq2seq.cli``)."""

import sys

from common.threads import prefer_one_blas_thread

prefer_one_blas_thread()  # small products: one BLAS thread (common.threads says why)

from ch_seq2seq.cli import main  # noqa: E402  (after the thread setting, before NumPy)

sys.exit(main())
