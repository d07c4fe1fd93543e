"""``python -m ch_rnnlm``: train the recurrent language models (see ``ch_rnnlm.cli``)."""

import sys

from common.threads import apply_thread_policy

apply_thread_policy("ch_rnnlm")  # before NumPy: its BLAS threads (common.threads says why)

from ch_rnnlm.cli import main  # noqa: E402  (after the thread setting, before NumPy)

sys.exit(main())
