"""``python -m ch_word2vec``: word vectors by counting and by CBOW (see ``ch_word2vec.cli``)."""

import sys

from common.threads import apply_thread_policy

apply_thread_policy("ch_word2vec")  # before NumPy: its BLAS threads (common.threads says why)

from ch_word2vec.cli import main  # noqa: E402  (after the thread setting, before NumPy)

sys.exit(main())
