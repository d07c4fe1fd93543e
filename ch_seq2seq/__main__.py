"""``python -m ch_seq2seq``: seq2seq and attention on additions and dates (see
``ch_seq2seq.cli``)."""

import sys

from common.threads import apply_thread_policy

apply_thread_policy("ch_seq2seq")  # before NumPy: its BLAS threads (common.threads says why)

from ch_seq2seq.cli import main  # noqa: E402  (after the thread setting, before NumPy)

sys.exit(main())
