"""The book's module path ``common.trainer``: ``Trainer``, implemented in
``common.training.trainer``.

Like the book's module it has no ``__all__``: its star import gives what the book's gives
(``np``, the optimizers, ``Trainer``).
"""

import numpy as np  # noqa: F401 - part of the book module's star import

from common.optimizer import *  # noqa: F403 - the book's trainer module imports them so
from common.training.rnnlm_trainer import RnnlmTrainer  # noqa: F401 - the second book's
from common.training.trainer import Trainer, TrainingDiverged  # noqa: F401
