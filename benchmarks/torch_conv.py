"""The benchmark conv networks in PyTorch, for a side-by-side comparison (PyTorch is optional).

``torch_model`` rebuilds one of our layer stacks (SimpleConvNet, DeepConvNet) as a
``torch.nn.Sequential`` with the same initial weights: a Convolution's W (FN, C, FH, FW)
is already a ``Conv2d`` weight, an Affine's W (D, M) is the transpose of a ``Linear``
weight, and both flatten images in (C, H, W) order. ``torch_conv_runner`` trains it on
the same data and batches as ours, with Adam of the same settings and the mean
cross-entropy; Dropout is in training mode in both. ``check_equivalence`` shows that
the two compute the same thing. Import only after checking
``benchmarks.torch_mlp.torch_available()``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from common.layers import Affine, Convolution, Dropout, Pooling, Relu
from common.nets.network import Network
from common.optim import Adam


def _torch_dtype(dtype: np.dtype) -> Any:
    """The torch dtype of a NumPy float dtype."""
    import torch

    return {np.float32: torch.float32, np.float64: torch.float64}[np.dtype(dtype).type]


def torch_model(network: Network) -> Any:
    """A ``torch.nn.Sequential`` computing ``network.predict`` (the scores before the loss),
    with copies of its current weights. Knows Convolution, Pooling (max), Relu, Affine
    and Dropout; raises TypeError for any other layer."""
    import torch

    dtype = _torch_dtype(network.dtype)
    modules: list[Any] = []
    flat = False
    for name, layer in network.layers.items():
        if isinstance(layer, Convolution):
            fn, c, fh, fw = layer.W.shape
            conv = torch.nn.Conv2d(c, fn, (fh, fw), stride=layer.stride, padding=layer.pad,
                                   dtype=dtype)
            with torch.no_grad():
                conv.weight.copy_(torch.from_numpy(np.array(layer.W)))
                conv.bias.copy_(torch.from_numpy(np.broadcast_to(layer.b, (fn,)).copy()))
            modules.append(conv)
        elif isinstance(layer, Pooling):
            modules.append(torch.nn.MaxPool2d((layer.pool_h, layer.pool_w), stride=layer.stride,
                                              padding=layer.pad))
        elif isinstance(layer, Relu):
            modules.append(torch.nn.ReLU())
        elif isinstance(layer, Affine):
            if not flat:
                modules.append(torch.nn.Flatten())  # (N, C, H, W) -> (N, C·H·W), as Affine
                flat = True
            linear = torch.nn.Linear(*layer.W.shape, dtype=dtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(layer.W.T.copy()))
                linear.bias.copy_(torch.from_numpy(np.array(layer.b)))
            modules.append(linear)
        elif isinstance(layer, Dropout):
            modules.append(torch.nn.Dropout(layer.dropout_ratio))
        else:
            raise TypeError(f"layer {name!r} ({type(layer).__name__}) has no PyTorch "
                            "counterpart here")
    return torch.nn.Sequential(*modules)


def _adam(model: Any, ours: Adam) -> Any:
    """PyTorch's Adam with the settings of our ``common.optim.Adam`` ``ours``."""
    import torch

    return torch.optim.Adam(model.parameters(), lr=ours.lr, betas=(ours.beta1, ours.beta2),
                            eps=ours.eps)


def torch_conv_runner(network: Network, x: np.ndarray, t: np.ndarray, batch_size: int,
                      lr: float = 0.001) -> Callable[[np.ndarray], float]:
    """A function ``run(order) -> seconds`` training a PyTorch copy of ``network`` on the
    samples of ``order``, batch by batch (the counterpart of
    ``benchmarks.bench_conv.conv_epoch_runner``): forward, mean cross-entropy, backward,
    Adam step. x: images (N, C, H, W) in the network's dtype, t: labels (N,)."""
    import torch

    model = torch_model(network)
    model.train()  # Dropout active, as in our training pass
    optimizer = _adam(model, Adam(lr=lr))
    loss_fn = torch.nn.CrossEntropyLoss()
    x_all, t_all = torch.from_numpy(x), torch.from_numpy(t.astype(np.int64))

    def run(order: np.ndarray) -> float:
        """Train on the batches of ``order``; returns its seconds."""
        order_t = torch.from_numpy(order)
        start = time.perf_counter()
        for i in range(0, len(order), batch_size):
            idx = order_t[i:i + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_all[idx]), t_all[idx])
            loss.backward()
            optimizer.step()
        return time.perf_counter() - start

    return run


def check_equivalence(network: Network, x: np.ndarray, t: np.ndarray, lr: float = 0.001,
                      eps: float | None = None) -> dict[str, float]:
    """Train ``network`` and a PyTorch copy (``torch_model``) for two iterations on the
    batch (x, t) and compare them. ``network`` must be free of Dropout (build DeepConvNet
    with ``use_dropout=False``): the random masks could not be the same.

    Returns ``loss`` (ours, first iteration), ``loss_diff`` (|ours - PyTorch's|, first
    iteration), ``grad_rel_diff`` (the largest max|dW_ours - dW_torch| / max|dW_torch|
    over the parameters, first iteration) and ``second_loss_diff`` (after one Adam
    step on each, with ``eps`` for both, default our Adam's 1e-7). The two Adams add
    eps at different places: ours to sqrt(v) before the bias correction, PyTorch's
    after it, so at step 1 ours acts as if eps were 1/sqrt(1 - β2) ≈ 32 times
    larger, which matters for gradients below about 1e-5; the second losses then
    differ by about 1e-4, and agree to 1e-9 in float64 with ``eps=1e-14``.
    ``network`` is trained by this: use a fresh one.
    """
    import torch

    if any(isinstance(layer, Dropout) for layer in network.layers.values()):
        raise ValueError("check_equivalence needs a network without Dropout")
    model = torch_model(network)
    model.train()
    ours = Adam(lr=lr) if eps is None else Adam(lr=lr, eps=eps)
    optimizer = _adam(model, ours)
    loss_fn = torch.nn.CrossEntropyLoss()
    x_t, t_t = torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(t.astype(np.int64))

    losses = []
    for _ in range(2):
        grads = network.gradient(x, t)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x_t), t_t)
        loss.backward()
        losses.append((float(network.last_loss), loss.item()))
        if len(losses) == 1:
            torch_grads = _torch_grads(model)
            rel = max(float(np.max(np.abs(grads[key] - g)) / max(np.max(np.abs(g)), 1e-30))
                      for key, g in _match_grads(network, torch_grads).items())
        ours.update(network.params, grads)
        optimizer.step()
    return {"loss": losses[0][0], "loss_torch": losses[0][1],
            "loss_diff": abs(losses[0][0] - losses[0][1]), "grad_rel_diff": rel,
            "second_loss_diff": abs(losses[1][0] - losses[1][1])}


def _torch_grads(model: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight gradient, bias gradient) of every Conv2d and Linear of ``model``, in order,
    the Linear weights' transposed to our (D, M) layout."""
    import torch

    pairs = []
    for module in model:
        if isinstance(module, torch.nn.Conv2d | torch.nn.Linear):
            w = module.weight.grad.numpy()
            pairs.append((w.T if isinstance(module, torch.nn.Linear) else w,
                          module.bias.grad.numpy()))
    return pairs


def _match_grads(network: Network, torch_grads: list[tuple[np.ndarray, np.ndarray]]
                 ) -> dict[str, np.ndarray]:
    """PyTorch's gradients keyed like ``network.params`` (W1, b1, ...): the layers with
    parameters, in order, are the modules with parameters."""
    layers = [layer for layer in network.layers.values() if isinstance(layer, Convolution | Affine)]
    matched = {}
    for layer, (dw, db) in zip(layers, torch_grads, strict=True):
        for attr, grad in (("W", dw), ("b", db)):
            key = next(k for k, p in network.params.items() if p is getattr(layer, attr))
            matched[key] = grad
    return matched
