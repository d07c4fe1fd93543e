"""Our GPT in PyTorch, for a side-by-side comparison (PyTorch is optional).

``torch_gpt`` builds the same model as ``common.nets.gpt.GPT`` (token and position
embeddings, pre-norm blocks of causal self-attention and a GELU(tanh) MLP, LayerNorm
without bias, no biases anywhere, untied head) with copies of its weights: our
``TimeAffine`` W (D, M) is the transpose of a ``Linear`` weight, W_qkv's columns are
already PyTorch's [q | k | v] rows with heads in consecutive blocks. Attention is
``scaled_dot_product_attention(is_causal=True)``, as nanoGPT's. ``torch_gpt_runner``
trains it as the benchmark trains ours: AdamW with weight decay on the parameters of
two or more dimensions, gradient norm clipped, mean cross-entropy. Import only after
checking ``benchmarks.torch_mlp.torch_available()``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from common.nets.gpt import GPT


def torch_gpt(net: GPT) -> Any:
    """A ``torch.nn.Module`` computing ``net.predict`` (logits (N, T, V)) with copies of
    ``net``'s current weights; float32 or float64 as ``net``."""
    import torch
    import torch.nn.functional as F  # noqa: N812 (PyTorch's own idiom)

    dtype = {np.float32: torch.float32, np.float64: torch.float64}[np.dtype(net.dtype).type]

    def tensor(a: np.ndarray, transpose: bool = False) -> Any:
        return torch.nn.Parameter(torch.tensor(np.array(a.T if transpose else a), dtype=dtype))

    class Block(torch.nn.Module):
        def __init__(self, attention: Any, mlp: Any) -> None:
            super().__init__()
            attn = attention.layers["attn"]
            self.heads = attn.num_heads
            self.ln1 = tensor(attention.layers["norm"].gamma)
            self.w_qkv = tensor(attn.W_qkv, transpose=True)
            self.w_out = tensor(attn.W_out, transpose=True)
            self.ln2 = tensor(mlp.layers["norm"].gamma)
            self.w_fc = tensor(mlp.layers["fc"].W, transpose=True)
            self.w_proj = tensor(mlp.layers["proj"].W, transpose=True)

        def forward(self, x: Any) -> Any:
            n, t, d = x.shape
            h = F.layer_norm(x, (d,), self.ln1, None, 1e-5)
            q, k, v = F.linear(h, self.w_qkv).split(d, dim=2)
            q, k, v = (a.view(n, t, self.heads, d // self.heads).transpose(1, 2)
                       for a in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + F.linear(y.transpose(1, 2).reshape(n, t, d), self.w_out)
            h = F.layer_norm(x, (d,), self.ln2, None, 1e-5)
            return x + F.linear(F.gelu(F.linear(h, self.w_fc), approximate="tanh"),
                                self.w_proj)

    class Model(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.wte = tensor(net.layers["embedding"].W)
            self.wpe = tensor(net.layers["position"].W)
            self.blocks = torch.nn.ModuleList(
                Block(net.layers[f"attention{i}"], net.layers[f"mlp{i}"])
                for i in range(1, net.num_layers + 1))
            self.ln_f = tensor(net.layers["norm"].gamma)
            self.head = tensor(net.layers["head"].W, transpose=True)

        def forward(self, idx: Any) -> Any:
            x = self.wte[idx] + self.wpe[:idx.shape[1]]
            for block in self.blocks:
                x = block(x)
            x = F.layer_norm(x, (x.shape[-1],), self.ln_f, None, 1e-5)
            return F.linear(x, self.head)

    return Model()


def torch_adamw(model: Any, lr: float, betas: tuple[float, float], weight_decay: float,
                eps: float = 1e-8) -> Any:
    """``torch.optim.AdamW`` decaying the parameters of two or more dimensions only."""
    import torch

    params = list(model.parameters())
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps)


def torch_gpt_runner(net: GPT, settings: dict[str, Any]
                     ) -> Callable[[Sequence[tuple[np.ndarray, np.ndarray]]], float]:
    """A function ``run(batches) -> seconds`` training a PyTorch copy of ``net`` on the
    (ids, targets) batches: forward, mean cross-entropy, backward, clipping at
    ``settings['max_norm']``, an AdamW step (``settings``: lr, beta1, beta2, weight_decay)."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    model = torch_gpt(net)
    optimizer = torch_adamw(model, settings["lr"], (settings["beta1"], settings["beta2"]),
                            settings["weight_decay"])

    def run(batches: Sequence[tuple[np.ndarray, np.ndarray]]) -> float:
        """Train on ``batches``; returns their seconds."""
        tensors = [(torch.from_numpy(x), torch.from_numpy(t)) for x, t in batches]
        start = time.perf_counter()
        for x, t in tensors:
            optimizer.zero_grad(set_to_none=True)
            logits = model(x)
            loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), t.view(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), settings["max_norm"])
            optimizer.step()
        return time.perf_counter() - start

    return run


def check_equivalence(net: GPT, x: np.ndarray, t: np.ndarray) -> dict[str, float]:
    """The first loss and gradients of ``net`` and of its PyTorch copy on the batch (x, t):
    ``loss``, ``loss_torch``, ``loss_diff`` (absolute) and ``grad_rel_diff``, the largest
    max|g_ours - g_torch| / max|g_torch| over the parameters. ``net`` is not changed."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    model = torch_gpt(net)
    logits = model(torch.from_numpy(x))
    loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), torch.from_numpy(t).view(-1))
    loss.backward()
    ours = net.gradient(x, t)
    theirs = {"embedding.W": model.wte, "position.W": model.wpe, "norm.gamma": model.ln_f,
              "head.W": model.head}
    for i, block in enumerate(model.blocks, start=1):
        theirs.update({f"attention{i}.norm.gamma": block.ln1, f"attention{i}.attn.W_qkv":
                       block.w_qkv, f"attention{i}.attn.W_out": block.w_out,
                       f"mlp{i}.norm.gamma": block.ln2, f"mlp{i}.fc.W": block.w_fc,
                       f"mlp{i}.proj.W": block.w_proj})
    worst = 0.0
    for key, param in theirs.items():
        g = param.grad.numpy()
        if key.split(".")[-2] in ("attn", "fc", "proj", "head"):  # a Linear's weight: Wᵀ
            g = g.T
        worst = max(worst, float(np.abs(ours[key] - g).max() / np.abs(g).max()))
    return {"loss": float(net.last_loss), "loss_torch": loss.item(),
            "loss_diff": abs(float(net.last_loss) - loss.item()), "grad_rel_diff": worst}
