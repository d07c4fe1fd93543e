"""``python -m ch_word2vec``: word vectors by counting and by CBOW (see ``ch_word2vec.cli``)."""

import sys

from ch_word2vec.cli import main

sys.exit(main())
