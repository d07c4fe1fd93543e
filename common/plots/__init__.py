"""Plots: PNG figures, written headless (``--show`` opens a window).

- ``figures``: ``pyplot``, ``save_figure`` (atomic), learning curves, confusion matrix,
  image grids;
- ``attention``: attention weights as heat maps; ``conv``: filters and feature maps;
- ``boundary``: a classifier's decision regions; ``surface``: a loss over two parameters.

Imports: matplotlib, ``common.nets`` and everything below it; the chapters call these.
"""
