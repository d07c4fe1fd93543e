"""``python -m ch_rnnlm``: train the recurrent language models (see ``ch_rnnlm.cli``)."""

import sys

from ch_rnnlm.cli import main

sys.exit(main())
