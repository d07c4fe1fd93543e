"""CS231n's sigmoid neuron as a circuit of gates, forward and backward, wire by wire.

``neuron_circuit(w0, x0, w1, x1, w2)`` computes f = 1 / (1 + exp(-(w0·x0 + w1·x1 + w2)))
with the gate layers of ``common.layers`` (×, +, ×-1, exp, +1, 1/x) and backpropagates
through them: the value and the gradient ∂f/∂wire of every wire. ``ch_backprop`` draws
it; the playground recomputes it whenever an input changes.
"""

from __future__ import annotations

from common.layers.gates import (
    AddLayer,
    ExpLayer,
    MulLayer,
    OffsetLayer,
    ReciprocalLayer,
    ScaleLayer,
)

#: The tutorial's inputs and weights: f = 0.73, ∂f/∂w0 = -0.20, ∂f/∂x0 = 0.39, ...
NEURON = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}

def neuron_circuit(w0: float, x0: float, w1: float, x1: float,
                   w2: float) -> tuple[dict[str, float], dict[str, float]]:
    """f = 1 / (1 + exp(-(w0·x0 + w1·x1 + w2))) through primitive gates: (value, gradient)
    of every wire, the gradient being ∂f/∂wire."""
    m0, m1, s1, s2 = MulLayer(), MulLayer(), AddLayer(), AddLayer()
    neg, exp, plus1, inv = ScaleLayer(-1.0), ExpLayer(), OffsetLayer(1.0), ReciprocalLayer()
    v = {"w0": w0, "x0": x0, "w1": w1, "x1": x1, "w2": w2}
    v["w0x0"] = m0.forward(w0, x0)
    v["w1x1"] = m1.forward(w1, x1)
    v["sum"] = s1.forward(v["w0x0"], v["w1x1"])
    v["+w2"] = s2.forward(v["sum"], w2)
    v["*-1"] = neg.forward(v["+w2"])
    v["exp"] = exp.forward(v["*-1"])
    v["+1"] = plus1.forward(v["exp"])
    v["1/x"] = inv.forward(v["+1"])
    g = {"1/x": 1.0}
    g["+1"] = inv.backward(g["1/x"])
    g["exp"] = plus1.backward(g["+1"])
    g["*-1"] = exp.backward(g["exp"])
    g["+w2"] = neg.backward(g["*-1"])
    g["sum"], g["w2"] = s2.backward(g["+w2"])
    g["w0x0"], g["w1x1"] = s1.backward(g["sum"])
    g["w0"], g["x0"] = m0.backward(g["w0x0"])
    g["w1"], g["x1"] = m1.backward(g["w1x1"])
    return v, g
