"""Our ``Rnnlm`` in PyTorch, for side-by-side speed and quality comparisons (PyTorch is
optional).

``torch_rnnlm`` builds the same model as ``common.nets.rnnlm.Rnnlm`` with copies of its
weights: ``nn.Embedding`` (the same table), ``nn.LSTM`` (our Wx (D, 4H) with gate blocks
f, g, i, o becomes ``weight_ih_l0`` (4H, D) with PyTorch's blocks i, f, g, o; one bias,
``bias_ih_l0``, the second one held at zero, so that SGD moves one bias as ours does) and
``nn.Linear`` (our affine W is the transpose of its weight). Training mirrors
``RnnlmTrainer`` (and, with a validation corpus, ``ch_rnnlm.training.train_rnnlm``): the
same sequential batches, the hidden state carried from batch to batch and detached
(truncated BPTT), mean cross-entropy, ``clip_grad_norm_``, plain SGD; with a validation
corpus, the best epoch kept and the learning rate divided by 4 when an epoch does not
improve. Import only after checking
``benchmarks.torch_mlp.torch_available()``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from common.batches import SequentialWindows
from common.nets.rnnlm import Rnnlm

#: Our gate blocks are f, g, i, o; PyTorch's are i, f, g, o: its block k is our PERM[k].
PERM = (2, 0, 1, 3)


def _torch_gate_order(a: np.ndarray, h: int) -> np.ndarray:
    """Columns (..., 4H) in our gate order -> the same in PyTorch's order."""
    return np.concatenate([a[..., k * h:(k + 1) * h] for k in PERM], axis=-1)


def _our_gate_order(a: np.ndarray, h: int) -> np.ndarray:
    """Columns (..., 4H) in PyTorch's gate order -> ours (the inverse of _torch_gate_order)."""
    inverse = np.argsort(PERM)
    return np.concatenate([a[..., k * h:(k + 1) * h] for k in inverse], axis=-1)


def torch_rnnlm(net: Rnnlm) -> Any:
    """A ``torch.nn.Module`` computing ``net``'s scores with copies of its current weights:
    ``model(ids, state) -> (logits (N, T, V), state)``, state None or (h, c)."""
    import torch

    dtype = {np.float32: torch.float32, np.float64: torch.float64}[np.dtype(net.dtype).type]
    embed, lstm, affine = (net.layers[k] for k in ("embed", "lstm", "affine"))
    v, d = embed.W.shape
    h = lstm.hidden_size

    def tensor(a: np.ndarray) -> Any:
        return torch.tensor(np.array(a), dtype=dtype)

    class Model(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = torch.nn.Embedding(v, d, dtype=dtype)
            self.lstm = torch.nn.LSTM(d, h, batch_first=True, dtype=dtype)
            self.affine = torch.nn.Linear(h, v, dtype=dtype)
            with torch.no_grad():
                self.embed.weight.copy_(tensor(embed.W))
                self.lstm.weight_ih_l0.copy_(tensor(_torch_gate_order(lstm.Wx, h).T))
                self.lstm.weight_hh_l0.copy_(tensor(_torch_gate_order(lstm.Wh, h).T))
                self.lstm.bias_ih_l0.copy_(tensor(_torch_gate_order(lstm.b, h)))
                self.lstm.bias_hh_l0.zero_()
                self.affine.weight.copy_(tensor(affine.W.T))
                self.affine.bias.copy_(tensor(affine.b))
            self.lstm.bias_hh_l0.requires_grad_(False)  # one bias, as ours

        def forward(self, ids: Any, state: Any = None) -> tuple[Any, Any]:
            hs, state = self.lstm(self.embed(ids), state)
            return self.affine(hs), state

    return Model()


def _detached(state: Any) -> Any:
    return None if state is None else tuple(s.detach() for s in state)


class TorchRnnlmTrainer:
    """``RnnlmTrainer``'s training loop for a ``torch_rnnlm`` model, validated after each
    epoch as ``ch_rnnlm.training.train_rnnlm`` validates (see the module docstring);
    without checkpoints or printing."""

    def __init__(self, model: Any, lr: float) -> None:
        import torch

        self.model = model
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.SGD(self.params, lr=lr)
        self.state: Any = None
        self.val_ppl_list: list[float] = []
        self.best_ppl, self.best_epoch, self.best_state = math.inf, 0, None

    def step(self, x: np.ndarray, t: np.ndarray, max_grad: float | None) -> float:
        """One iteration on the batch (x, t); returns its loss."""
        import torch
        import torch.nn.functional as F  # noqa: N812 (PyTorch's own idiom)

        logits, state = self.model(torch.from_numpy(x), self.state)
        self.state = _detached(state)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                               torch.from_numpy(t).reshape(-1))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if max_grad is not None:
            torch.nn.utils.clip_grad_norm_(self.params, max_grad)
        self.optimizer.step()
        return loss.item()

    def fit(self, xs: np.ndarray, ts: np.ndarray, max_epoch: int, batch_size: int,
            time_size: int, max_grad: float | None, val_corpus: np.ndarray | None = None,
            lr_decay: float | None = 4.0) -> None:
        """``max_epoch`` epochs of sequential batches, validated after each one."""

        xs, ts = xs.astype(np.int64), ts.astype(np.int64)
        max_iters = len(xs) // (batch_size * time_size)
        time_idx = 0
        for epoch in range(1, max_epoch + 1):
            for _ in range(max_iters):
                x, t = SequentialWindows(xs, ts, batch_size, time_size).window(time_idx)
                time_idx += time_size
                self.step(x, t, max_grad)
            if val_corpus is None:
                continue
            ppl = torch_eval_perplexity(self.model, val_corpus)
            self.state = None
            self.val_ppl_list.append(ppl)
            if ppl < self.best_ppl:
                self.best_ppl, self.best_epoch = ppl, epoch
                self.best_state = {k: v.clone() for k, v in self.model.state_dict().items()}
            elif lr_decay is not None:
                for group in self.optimizer.param_groups:
                    group["lr"] /= lr_decay

    def use_best(self) -> None:
        """Put the parameters of the best validated epoch back."""
        if self.best_state is not None:
            self.model.load_state_dict(self.best_state)
        self.state = None


def torch_eval_perplexity(model: Any, corpus: np.ndarray, batch_size: int = 10,
                          time_size: int = 35) -> float:
    """``eval_perplexity`` for a ``torch_rnnlm`` model: the same chunks, the state carried
    from chunk to chunk, from zeros."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    corpus = np.asarray(corpus, dtype=np.int64)
    size = len(corpus)
    max_iters = (size - 1) // (batch_size * time_size)
    jump = (size - 1) // batch_size
    rows = np.arange(batch_size)[:, np.newaxis] * jump + np.arange(time_size)
    state, total = None, 0.0
    with torch.no_grad():
        for iters in range(max_iters):
            positions = rows + iters * time_size
            x, t = corpus[positions % size], corpus[(positions + 1) % size]
            logits, state = model(torch.from_numpy(x), state)
            total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                     torch.from_numpy(t).reshape(-1)).item()
    return math.exp(total / max_iters)


def torch_rnnlm_runner(net: Rnnlm, lr: float, max_grad: float
                       ) -> Callable[[Sequence[tuple[np.ndarray, np.ndarray]]], float]:
    """A function ``run(batches) -> seconds`` training a PyTorch copy of ``net`` on the
    (ids, targets) batches (its state carried from batch to batch)."""
    trainer = TorchRnnlmTrainer(torch_rnnlm(net), lr)

    def run(batches: Sequence[tuple[np.ndarray, np.ndarray]]) -> float:
        import torch

        tensors = [(x.astype(np.int64), t.astype(np.int64)) for x, t in batches]
        start = time.perf_counter()
        with torch.autograd.set_grad_enabled(True):
            for x, t in tensors:
                trainer.step(x, t, max_grad)
        return time.perf_counter() - start

    return run


def check_equivalence(net: Rnnlm, x: np.ndarray, t: np.ndarray) -> dict[str, float]:
    """The first loss and gradients of ``net`` and of its PyTorch copy on the batch (x, t),
    both from a zero state: ``loss``, ``loss_torch``, ``loss_diff`` and ``grad_rel_diff``,
    the largest max|g_ours - g_torch| / max|g_torch| over the parameters."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    model = torch_rnnlm(net)
    logits, _ = model(torch.from_numpy(x.astype(np.int64)))
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                           torch.from_numpy(t.astype(np.int64)).reshape(-1))
    loss.backward()
    net.reset_state()
    ours = net.gradient(x, t)
    net.reset_state()
    h = net.layers["lstm"].hidden_size
    theirs = {
        "embed.W": model.embed.weight.grad.numpy(),
        "lstm.Wx": _our_gate_order(model.lstm.weight_ih_l0.grad.numpy().T, h),
        "lstm.Wh": _our_gate_order(model.lstm.weight_hh_l0.grad.numpy().T, h),
        "lstm.b": _our_gate_order(model.lstm.bias_ih_l0.grad.numpy(), h),
        "affine.W": model.affine.weight.grad.numpy().T,
        "affine.b": model.affine.bias.grad.numpy(),
    }
    worst = max(float(np.abs(ours[k] - g).max() / np.abs(g).max()) for k, g in theirs.items())
    return {"loss": float(net.last_loss), "loss_torch": loss.item(),
            "loss_diff": abs(float(net.last_loss) - loss.item()), "grad_rel_diff": worst}
