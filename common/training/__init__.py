"""Training: the loops that feed batches to a network and an optimizer, and what keeps a
long run safe.

- ``trainer``: ``Trainer``, epochs of shuffled mini-batches (the book's, with validation,
  early stopping, checkpoints); ``iteration_trainer``: ``IterationTrainer``, for models
  trained by iterations on random windows (ch_gpt);
- ``rnnlm_trainer``: ``RnnlmTrainer`` and ``eval_perplexity``, language models by
  truncated backpropagation through time; ``seq2seq_training``: ``Seq2seqTrainer`` and
  the exact-match accuracy of generated answers;
- ``data``: the checks run before the first update, and where validation data come from;
- ``checkpoint``: a whole run (weights, optimizer state, random generators) in one checked
  file; ``trainer_checkpoint``: the Trainer's own settings and histories in it;
- ``trainer_report``: what the Trainer says (the epoch line, why it stopped, which
  parameters it kept);
- ``progress``: one line per epoch; ``interrupt``: Ctrl-C ends training cleanly;
- ``descent``: gradient descent on functions with hand-written gradients.

Imports: ``common.nets`` and everything below it, and ``common.optim``.
"""
