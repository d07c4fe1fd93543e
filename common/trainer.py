"""The book's module path ``common.trainer``: ``Trainer`` of both books, and the second
book's ``RnnlmTrainer``.

The two books have a ``Trainer`` each, under this one path: the first book's
``Trainer(network, x_train, t_train, x_test, t_test, epochs=20, ...)`` trains a network by
epochs and measures accuracy (``common.training.trainer.Trainer``); the second book's
``Trainer(model, optimizer)`` has ``fit(x, t, max_epoch, batch_size, max_grad,
eval_interval)`` (``common.training.model_trainer.ModelTrainer``). ``Trainer`` here is the
first, and becomes the second when called the second book's way, with an optimizer object
as its second argument.

Like the book's module it has no ``__all__``: its star import gives what the book's gives
(``np``, the optimizers, ``Trainer``).
"""

from typing import Any

import numpy as np  # noqa: F401 - part of the book module's star import

from common.optimizer import *  # noqa: F403 - the book's trainer module imports them so
from common.training.model_trainer import ModelTrainer
from common.training.rnnlm_trainer import RnnlmTrainer  # noqa: F401 - the second book's
from common.training.trainer import Trainer as NetworkTrainer


class Trainer(NetworkTrainer):
    """The first book's ``Trainer(network, x_train, t_train, x_test, t_test, ...)``
    (``NetworkTrainer``); ``Trainer(model, optimizer)``, as the second book calls it, gives
    a ``ModelTrainer`` instead."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        second = args[1] if len(args) > 1 else kwargs.get("optimizer")
        if "update" in dir(second) and "x_train" not in kwargs:
            return ModelTrainer(*args, **kwargs)
        return super().__new__(cls)
