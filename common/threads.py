"""One BLAS thread for programs made of many small matrix products.

The recurrent and word-vector chapters multiply small matrices (20 x 100 by 100 x 400) many
thousands of times. A second OpenBLAS thread gains little on such products, and on a
machine whose cores are busy the two threads of every process wait for each other: an
iteration measured 5 to 50 times slower (``docs/ch_seq2seq.md``). ``prefer_one_blas_thread``
must run before NumPy is first imported, so this module imports nothing; a user's own
setting (``OPENBLAS_NUM_THREADS=2 python -m ch_rnnlm``) wins.
"""

import os

_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def prefer_one_blas_thread() -> None:
    """Ask the BLAS library NumPy will load for one thread, unless the environment already
    says how many (call it before ``import numpy``)."""
    for variable in _VARIABLES:
        os.environ.setdefault(variable, "1")
