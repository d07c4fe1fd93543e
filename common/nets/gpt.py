"""A GPT (decoder-only Transformer) built from the library's layers, in a ``Network``.

    net = GPT(vocab_size=65, context=64, dim=128, num_layers=4, num_heads=4, seed=0)
    grads = net.gradient(idx, targets)      # idx, targets: (N, T) integer ids
    text_ids = net.generate(prompt_ids, num_tokens=500, temperature=0.8, top_k=20, rng=0)

The layers, in order: token embedding, position embedding, ``num_layers`` blocks of
``Residual([LayerNorm, CausalSelfAttention])`` and
``Residual([LayerNorm, TimeAffine, GELU, TimeAffine])``, a final ``LayerNorm`` and a
``TimeAffine`` to the vocabulary, then ``TimeSoftmaxWithLoss``. No biases.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any

import numpy as np

from common.layers.activations import GELU
from common.layers.affine import TimeAffine
from common.layers.attention import CausalSelfAttention
from common.layers.embedding import Embedding, PositionalEmbedding
from common.layers.losses import TimeSoftmaxWithLoss
from common.layers.normalization import LayerNorm
from common.layers.residual import Residual
from common.memory import keep_freed_memory
from common.nets.network import Network
from common.validation import real_number, whole_number


class GPT(Network):
    """A character- (or token-) level GPT: ids (N, T) -> logits (N, T, V) of the next id.

    Initialised as GPT-2: every weight matrix and embedding ~ N(0, 0.02²), the two
    projections back into the residual stream (attention's W_out, the MLP's second
    TimeAffine) ~ N(0, (0.02/√(2·num_layers))²), the LayerNorm gains 1. The MLP is
    4·dim wide. T may be anything up to ``context``. Building one calls
    ``common.memory.keep_freed_memory`` (glibc keeps the memory that iterations free).

    Layer names: ``embedding``, ``position``, ``attention1``, ``mlp1``, ...,
    ``attention<L>``, ``mlp<L>``, ``norm``, ``head``; parameters, e.g.
    ``embedding.W``, ``attention1.norm.gamma``, ``attention1.attn.W_qkv``,
    ``mlp1.fc.W``, ``mlp1.proj.W``, ``head.W``.
    """

    def __init__(self, vocab_size: int, context: int = 64, dim: int = 128,
                 num_layers: int = 4, num_heads: int = 4, seed: int | None = None,
                 dtype: Any = np.float32) -> None:
        vocab_size = whole_number(vocab_size, "vocab_size", who="GPT")
        context = whole_number(context, "context", who="GPT")
        dim = whole_number(dim, "dim", who="GPT")
        num_layers = whole_number(num_layers, "num_layers", who="GPT")
        num_heads = whole_number(num_heads, "num_heads", who="GPT")
        if dim % num_heads:
            raise ValueError(f"GPT: dim = {dim} must be a multiple of num_heads = {num_heads}, "
                             "each head taking dim/num_heads of the features")
        self.vocab_size, self.context, self.dim = vocab_size, context, dim
        self.num_layers, self.num_heads = num_layers, num_heads
        self.input_dim = (context,)  # summary() shows a full-length sequence
        rng = np.random.default_rng(seed)

        def normal(*shape: int, std: float = 0.02) -> np.ndarray:
            return (rng.standard_normal(shape) * std).astype(dtype)

        def ones() -> np.ndarray:
            return np.ones(dim, dtype=dtype)

        proj_std = 0.02 / math.sqrt(2 * num_layers)
        layers: OrderedDict[str, Any] = OrderedDict()
        layers["embedding"] = Embedding(normal(vocab_size, dim))
        layers["position"] = PositionalEmbedding(normal(context, dim))
        for i in range(1, num_layers + 1):
            layers[f"attention{i}"] = Residual({
                "norm": LayerNorm(ones()),
                "attn": CausalSelfAttention(normal(dim, 3 * dim),
                                            normal(dim, dim, std=proj_std), num_heads),
            })
            layers[f"mlp{i}"] = Residual({
                "norm": LayerNorm(ones()),
                "fc": TimeAffine(normal(dim, 4 * dim)),
                "gelu": GELU(),
                "proj": TimeAffine(normal(4 * dim, dim, std=proj_std)),
            })
        layers["norm"] = LayerNorm(ones())
        layers["head"] = TimeAffine(normal(dim, vocab_size))
        super().__init__(layers, TimeSoftmaxWithLoss())
        # an iteration allocates and frees ~40 MB of temporaries: keep it instead of
        # faulting it back in page by page (about 10% of the time of an iteration)
        keep_freed_memory()

    def architecture(self) -> dict[str, Any]:
        """The layers, and the sizes the model was built with (stored by save_params)."""
        return {**super().architecture(), "vocab_size": self.vocab_size,
                "context": self.context, "dim": self.dim, "num_layers": self.num_layers,
                "num_heads": self.num_heads}

    def _check_ids(self, idx: Any, who: str) -> np.ndarray:
        """idx as a 2-D integer array (N, T) with T >= 1, else a clear ValueError."""
        idx = np.asarray(idx)
        if idx.ndim != 2 or idx.shape[1] == 0:
            raise ValueError(f"GPT.{who} takes integer ids of shape (N, T) with T >= 1, got "
                             f"shape {idx.shape}; for one sequence pass ids[np.newaxis]")
        return idx

    def generate(self, idx: np.ndarray, num_tokens: int, temperature: float = 1.0,
                 top_k: int | None = None,
                 rng: np.random.Generator | int | None = None) -> np.ndarray:
        """Continue each sequence of ``idx`` (N, T0) by ``num_tokens`` sampled ids:
        returns (N, T0 + num_tokens).

        Each new id is drawn from softmax(logits / temperature) of the last position,
        the model seeing the last ``context`` ids; ``top_k`` keeps only the k most
        likely ids; ``temperature=0`` always takes the most likely one. ``rng`` (a
        Generator or a seed) makes the samples reproducible.
        """
        idx = self._check_ids(idx, "generate")
        num_tokens = whole_number(num_tokens, "num_tokens", low=0, who="GPT.generate")
        temperature = real_number(temperature, "temperature", who="GPT.generate")
        if top_k is not None:
            top_k = whole_number(top_k, "top_k", high=self.vocab_size, who="GPT.generate")
        rng = np.random.default_rng(rng)
        out = np.empty((idx.shape[0], idx.shape[1] + num_tokens), dtype=np.int64)
        out[:, :idx.shape[1]] = idx
        for t in range(idx.shape[1], out.shape[1]):
            logits = self.predict(out[:, max(0, t - self.context):t])[:, -1, :]
            logits = logits.astype(np.float64)
            if temperature == 0:
                out[:, t] = logits.argmax(axis=1)
                continue
            logits /= temperature
            if top_k is not None:
                kth = np.partition(logits, -top_k, axis=1)[:, -top_k, np.newaxis]
                logits[logits < kth] = -np.inf
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            cdf = np.cumsum(p, axis=1)
            u = rng.random((len(cdf), 1)) * cdf[:, -1:]
            out[:, t] = np.minimum((cdf <= u).sum(axis=1), self.vocab_size - 1)
        return out

    def attention_weights(self, idx: np.ndarray, layer: int) -> np.ndarray:
        """The attention of block ``layer`` (0 .. num_layers-1) for one sequence idx (1, T):
        (heads, T, T), row t the weights position t gives positions 0..t (they sum to 1)."""
        idx = self._check_ids(idx, "attention_weights")
        if idx.shape[0] != 1:
            raise ValueError(f"GPT.attention_weights takes one sequence, ids of shape (1, T); "
                             f"got shape {idx.shape}")
        layer = whole_number(layer, "layer", low=0, high=self.num_layers - 1,
                             who="GPT.attention_weights")
        self.predict(idx)
        return self.layers[f"attention{layer + 1}"].layers["attn"].attention[0].copy()
