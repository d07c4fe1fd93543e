"""Training: the loops that feed batches to a network and an optimizer, and what keeps a
long run safe.

- ``trainer``: ``Trainer``, epochs of shuffled mini-batches (the book's, with validation,
  early stopping, checkpoints); ``iteration_trainer``: ``IterationTrainer``, for models
  trained by iterations on random windows (ch_gpt); ``model_trainer``: ``ModelTrainer``,
  the second book's ``Trainer(model, optimizer)`` for any model with forward and backward
  (list models' shared arrays merged);
- ``rnnlm_trainer``: ``RnnlmTrainer``, language models by truncated backpropagation
  through time; ``word_stream``: a corpus as one stream of word ids, its sequential
  batches and ``eval_perplexity``; ``seq2seq_training``: ``Seq2seqTrainer`` and the
  exact-match accuracy of generated answers;
- ``data``: the checks run before the first update, where validation data come from, and
  ``EpochBatches``, epochs of shuffled mini-batches for ``IterationTrainer`` (ch_word2vec);
- ``checkpoint``: a whole run (weights, optimizer state, random generators) in one checked
  file; ``trainer_checkpoint``: the Trainer's own settings and histories in it;
- ``trainer_report``: what the Trainer says (the epoch line, why it stopped, which
  parameters it kept);
- ``progress``: one line per epoch; ``interrupt``: Ctrl-C ends training cleanly;
- ``descent``: gradient descent on functions with hand-written gradients.

Imports: ``common.nets`` and everything below it, and ``common.optim``.
"""
