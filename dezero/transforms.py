"""``dezero.transforms``: per-sample transforms of the data sets (defined in
``common.autograd.transforms``; the image ones need Pillow)."""

import numpy as np  # noqa: F401 - the book's module exposes np

from common.autograd.transforms import (  # noqa: F401
    AsType,
    CenterCrop,
    Compose,
    Convert,
    Flatten,
    Normalize,
    Resize,
    ToArray,
    ToFloat,
    ToInt,
    ToPIL,
)
