"""The chapter's model: a GPT that knows its characters, and its saved files.

``CharGPT`` is ``common.nets.gpt.GPT`` whose ``architecture()`` (stored by ``save_params``
and compared by ``load_params``) also holds the vocabulary, so that a saved model
can generate text with no other file, and parameters are never loaded into a
model of another alphabet.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from common.nets.files import load_params
from common.nets.gpt import GPT
from dataset.text import CharVocab


class CharGPT(GPT):
    """A character-level GPT over ``vocab``; the other arguments are GPT's."""

    def __init__(self, vocab: CharVocab, context: int = 64, dim: int = 128,
                 num_layers: int = 4, num_heads: int = 4, seed: int | None = None,
                 dtype: Any = np.float32) -> None:
        self.vocab = vocab
        super().__init__(len(vocab), context=context, dim=dim, num_layers=num_layers,
                         num_heads=num_heads, seed=seed, dtype=dtype)

    def architecture(self) -> dict[str, Any]:
        """GPT's architecture and the vocabulary (its characters, in id order)."""
        return {**super().architecture(), "vocabulary": "".join(self.vocab.chars)}


def load_model(path: str | Path) -> CharGPT:
    """The CharGPT saved to ``path`` by ``python -m ch_gpt --save``: its sizes and vocabulary
    are read from the file, then its parameters. ValueError with a clear message for a
    missing or damaged file, or one that is not such a model."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"there is no model file {path}; train one with "
                         f"python -m ch_gpt --save {path}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            architecture = json.loads(str(archive["__architecture__"]))
    except KeyError:
        architecture = None
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error) as err:
        raise ValueError(f"{path} is damaged or not a model saved by python -m ch_gpt --save "
                         f"({err})") from None
    if not isinstance(architecture, dict) or "vocabulary" not in architecture:
        raise ValueError(f"{path} is not a model saved by python -m ch_gpt --save (it holds no "
                         "vocabulary)")
    net = CharGPT(CharVocab(architecture["vocabulary"]), context=architecture["context"],
                  dim=architecture["dim"], num_layers=architecture["num_layers"],
                  num_heads=architecture["num_heads"])
    load_params(net, path)
    return net
