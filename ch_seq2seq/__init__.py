"""Sequence to sequence and attention (the second book's chapters 7 and 8), on the toy
problems of the book: ``python -m ch_seq2seq`` learns to add (a plain seq2seq, with the
question reversed, and with a peeky decoder) and to rewrite dates (seq2seq with attention,
and where it looks)."""
