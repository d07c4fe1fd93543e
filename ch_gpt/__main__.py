"""``python -m ch_gpt``: train a character-level GPT on tiny Shakespeare (see ``ch_gpt.cli``)."""

import sys

from common.threads import apply_thread_policy

apply_thread_policy("ch_gpt")  # before NumPy: its BLAS threads (common.threads says why)

from ch_gpt.cli import main  # noqa: E402  (after the thread setting, before NumPy)

sys.exit(main())
