"""Training: one loop for every model, and the hooks that make a long run safe.

- ``loop``: ``fit`` and ``Loop``, the one training loop (forward, backward, update, over a
  batch stream of ``common.batches``) and ``Hook``, what it calls at fixed points (Ctrl-C
  ends a run cleanly: ``common.interrupt``);
- ``hooks``: ``Evaluate`` (metrics such as a classifier's ``accuracies``, the best
  parameters, early stopping, the learning rate divided on a plateau),
  ``KeepLastFinite``, ``EpochProgress`` (inside a long epoch) and ``StepLog`` (every n
  steps);
- ``checkpoint``: a run as one file of state dicts (``SaveCheckpoints``,
  ``read_checkpoint``), resumed bit for bit;
- the books' trainers, faces over the loop with the books' signatures (validation, early
  stopping and checkpoints a program adds with the hooks above): ``trainer`` (the first
  book's ``Trainer``), ``model_trainer``
  (the second book's ``Trainer(model, optimizer)``, with ``ClipGrads`` and ``MeanLoss``),
  ``rnnlm_trainer`` (``RnnlmTrainer``).

Imports: ``common.batches``, ``common.nets`` and everything below it, and ``common.optim``.
"""
