"""Word vectors two ways, on the words of tiny Shakespeare (``python -m ch_word2vec``): by
counting (co-occurrence, PPMI, truncated SVD: the second book's chapter 2) and by
learning (CBOW with negative sampling: chapters 3 and 4), compared side by side."""
