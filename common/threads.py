"""How many BLAS threads each program asks for, and the measurements that chose it.

The programs of this project multiply matrices that are small for BLAS (a batch of 256 by
784 x 200 in ch_mnist's default network, 20 x 100 by 100 x 400 in the recurrent ones). On a
quiet machine a second OpenBLAS thread gains little on such products; on a
busy one the two threads of every product wait for each other, and the program runs many
times slower. ``BLAS_THREADS`` is the one table of that choice, program by program, with
the measurement behind it: median seconds of training with one and two threads, from
``python -m benchmarks.bench_busy`` on the 2-core development machine, "quiet" (as it was,
other users' tests running at times) and "busy" (4 busy-looping processes beside it); see
``benchmarks/RESULTS.md``. The medians of two threads were 1.2 to 14 times those of one
quiet and 1.0 to 16 times busy, but for ch_rnnlm busy (0.8, within its runs' spread); the
best a second thread did was ch_mnist's fastest quiet run, 7 % faster than one. The
book's own programs, which import NumPy before anything of this library, are not covered:
run them as ``OPENBLAS_NUM_THREADS=1 python train_neuralnet.py`` (the book-style
TwoLayerNet: 0.48 s for 600 iterations with one thread, 6.6 s with two).

Each chapter's ``__main__`` calls ``apply_thread_policy(name)`` before NumPy is first
imported (the thread count of OpenBLAS is read from the environment when it loads), so
this module imports nothing. The user's setting wins: when any of
``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS`` or ``MKL_NUM_THREADS`` is set, nothing is
changed (``OPENBLAS_NUM_THREADS=2 python -m ch_mnist`` uses two threads).
"""

import os

#: The environment variables that set the BLAS library's thread count, in the order
#: OpenBLAS reads them (the first one set decides), and MKL's.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

#: program (``python -m NAME``) -> (BLAS threads, why: the measurement that chose it)
BLAS_THREADS: dict[str, tuple[int, str]] = {
    "ch_logic": (1, "four samples of two inputs: products far too small for a second "
                    "thread to help"),
    "ch_iris": (1, "a 120 x 4 batch through 4-20-20-3: training 0.80 s with one thread, 1.00 s "
                   "with two (quiet); 3.99 s and 4.15 s busy"),
    "ch_backprop": (1, "the tutorials' tiny networks: as ch_logic"),
    "ch_mnist": (1, "an epoch of 784-200-80-10, batch 256: 0.65 s with one thread, 3.76 s with "
                    "two (quiet, the other core busy at times; 0.60 s at best); 2.03 s and "
                    "24.6 s busy (the conv nets were not measured: docs/ch_mnist.md times "
                    "them with one thread)"),
    "optimizer_compare": (1, "fully connected MNIST networks, as ch_mnist"),
    "ch_gpt": (1, "20 iterations of the reference GPT: 2.66 s with one thread, 5.64 s with "
                  "two (quiet); 11.5 s and 40.5 s busy"),
    "ch_word2vec": (1, "many small products, as ch_seq2seq"),
    "ch_rnnlm": (1, "an epoch of the LSTM on 10000 words: 3.58 s with one thread, 5.95 s "
                    "with two (quiet); 15.5 s and 12.4 s busy, a spread of 2x between runs "
                    "either way"),
    "ch_seq2seq": (1, "small products at every time step: on the loaded 2-core machine two "
                      "threads made an iteration 5 to 50 times slower (docs/ch_seq2seq.md)"),
    "ch_autograd": (1, "an epoch of its dezero MLP 784-1000-10 on MNIST: 8.2 and 12.4 s with "
                       "one thread, 32.5 and 37.5 s with two (other tests running beside it)"),
}


def user_set_threads() -> bool:
    """Whether the environment already says how many BLAS threads to use."""
    return any(os.environ.get(variable) for variable in THREAD_VARIABLES)


def apply_thread_policy(program: str) -> None:
    """Ask the BLAS library NumPy will load for ``BLAS_THREADS[program]`` threads, unless
    the user set one of ``THREAD_VARIABLES`` (call it before ``import numpy``).

    Raises KeyError for a program missing from the table."""
    threads, _ = BLAS_THREADS[program]
    if user_set_threads():
        return
    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(threads)


def prefer_one_blas_thread() -> None:
    """One BLAS thread unless the environment already says how many (call it before
    ``import numpy``): the policy of the programs of many small products."""
    if not user_set_threads():
        for variable in THREAD_VARIABLES:
            os.environ[variable] = "1"
