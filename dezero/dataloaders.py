"""``dezero.dataloaders``: DataLoader and SeqDataLoader (defined in
``common.autograd.dataloaders``, on the batch streams of ``common.batches``)."""

import math  # noqa: F401 - the book's module exposes math and np

import numpy as np  # noqa: F401

from common.autograd.dataloaders import DataLoader, SeqDataLoader  # noqa: F401
from dezero import cuda  # noqa: F401, E402
