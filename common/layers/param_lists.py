"""The second book's view of a layer's arrays: ``layer.params`` and ``layer.grads``.

The second volume's models gather their weights into lists, ``self.params += layer.params``
and ``self.grads += layer.grads``, once, when they are built, and then train with
``optimizer.update(model.params, model.grads)``. ``ParamLists`` gives a layer those two
lists, in the order of its ``param_names``: ``params`` are the very arrays the layer reads,
``grads`` the very arrays its ``backward`` writes the gradients into, in place, so lists
taken once stay right for the whole training (``tests/test_param_lists.py`` checks it for
every layer that has it). A layer without parameters gives two empty lists.
"""

from __future__ import annotations

import numpy as np


class ParamLists:
    """``params`` [W, b, ...] and ``grads`` [dW, db, ...]: lists, in ``param_names`` order,
    of the arrays the layer holds (the second book's layer interface)."""

    param_names: tuple[str, ...] = ()

    @property
    def params(self) -> list[np.ndarray]:
        """The layer's parameter arrays themselves (not copies)."""
        return [getattr(self, name) for name in self.param_names]

    @property
    def grads(self) -> list[np.ndarray]:
        """The arrays ``backward`` writes each parameter's gradient into: d<name>."""
        return [getattr(self, f"d{name}") for name in self.param_names]
