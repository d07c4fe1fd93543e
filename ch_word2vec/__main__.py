"""``python -m ch_word2vec``: word vectors by counting and by CBOW (see ``ch_word2vec.cli``)."""

import sys

from common.threads import prefer_one_blas_thread

prefer_one_blas_thread()  # small products: one BLAS thread (common.threads says why)

from ch_word2vec.cli import main  # noqa: E402  (after the thread setting, before NumPy)

sys.exit(main())
