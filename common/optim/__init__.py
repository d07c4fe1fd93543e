"""Optimizers: how parameters move once their gradients are known.

- ``base``: what every optimizer shares: per-parameter state created on the first update,
  ``state_dict()`` / ``load_state_dict(state)`` for checkpoints, and the optimizers by
  name (``OPTIMIZERS``, ``make_optimizer(name, **settings)``);
- ``sgd``: ``SGD``, ``Momentum``, ``Nesterov``; ``adaptive``: ``AdaGrad``, ``RMSprop``,
  ``Adam``, ``AdamW``;
- ``schedule``: learning-rate schedules (``StepDecay``, ``WarmupCosine``);
- ``clipping``: ``clip_grads`` (by global norm) and ``global_norm``;
- ``descent``: gradient descent on functions with hand-written gradients (the tutorials
  whose subject is the loop itself keep it in view).

Every rule has the book's interface ``update(params, grads)``: both are dicts of arrays
with the same keys, and every array of ``params`` is changed in place, so the layers
holding it see the new values. Imports: NumPy and ``common.validation`` only.
"""

# SGD first: OPTIMIZERS lists the optimizers in the order their classes are defined
# isort: off
from common.optim.sgd import SGD, Momentum, Nesterov
from common.optim.adaptive import AdaGrad, Adam, AdamW, RMSprop, decay_matrices
# isort: on
from common.optim.base import OPTIMIZERS, make_optimizer
from common.optim.clipping import clip_grads, global_norm
from common.optim.schedule import StepDecay, WarmupCosine

__all__ = [
    "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "AdamW", "StepDecay",
    "WarmupCosine", "clip_grads", "global_norm", "decay_matrices", "OPTIMIZERS",
    "make_optimizer",
]
