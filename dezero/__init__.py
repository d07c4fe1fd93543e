"""The third book's package ``dezero`` ("Deep Learning from Scratch 3"), as a thin face over
this project's autograd, ``common.autograd``: the book's step programs (23-60) and examples
run with it unchanged, without their ``sys.path`` line.

    import dezero.functions as F
    from dezero import Variable
    x = Variable(np.array(1.0)); y = F.sin(x); y.backward()

Importing it installs the Variable operators (``setup_variable()``). Every module here only
imports names from where they are defined (``common.autograd.*``): the two are one
framework, and a Variable of one is a Variable of the other.
"""

#: The book switches steps 23-32 to ``dezero.core_simple`` with this flag; here both cores
#: are the same one, so the flag changes nothing.
is_simple_core = False

import dezero.cuda  # noqa: E402, F401
import dezero.dataloaders  # noqa: E402, F401
import dezero.datasets  # noqa: E402, F401
import dezero.functions  # noqa: E402, F401
import dezero.functions_conv  # noqa: E402, F401
import dezero.layers  # noqa: E402, F401
import dezero.models  # noqa: E402, F401
import dezero.optimizers  # noqa: E402, F401
import dezero.transforms  # noqa: E402, F401
import dezero.utils  # noqa: E402, F401
from dezero.core import (  # noqa: E402, F401
    Config,
    Function,
    Parameter,
    Variable,
    as_array,
    as_variable,
    no_grad,
    setup_variable,
    test_mode,
    using_config,
)
from dezero.dataloaders import DataLoader, SeqDataLoader  # noqa: E402, F401
from dezero.datasets import Dataset  # noqa: E402, F401
from dezero.layers import Layer  # noqa: E402, F401
from dezero.models import Model  # noqa: E402, F401

setup_variable()
