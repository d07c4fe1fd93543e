"""Networks: layers stacked in an ``OrderedDict``, forward in order, backward in reverse.

- ``network``: ``Network``, any stack of layers with a loss layer on top (predict, loss,
  accuracy, gradient, numerical_gradient, save/load, summary);
- ``summary``: a network in one table (output shapes, parameter counts);
- ``multi_layer``: the book's ``MultiLayerNet`` (with its extended options),
  ``MultiLayerNetExtend`` and ``TwoLayerNet``;
- ``conv``: ``SimpleConvNet`` and ``DeepConvNet`` of the book's chapters 7 and 8;
- ``gpt``: ``GPT``, a small Transformer language model;
- ``circuit``: the sigmoid neuron as a circuit of gate layers.

Imports: ``common.layers``, ``common.checks``, ``common.functions`` and the foundations
(``validation``, ``fileio``, ``util``, ``memory``); never ``common.training`` or ``plots``.
"""
