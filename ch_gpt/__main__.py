"""``python -m ch_gpt``: train a character-level GPT on tiny Shakespeare (see ``ch_gpt.cli``)."""

import sys

from ch_gpt.cli import main

sys.exit(main())
