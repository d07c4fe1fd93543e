"""Plots: PNG figures, written headless (``--show`` opens a window).

- ``figures``: ``pyplot``, ``save_figure`` (atomic), learning curves, confusion matrix,
  image grids; ``curves``: the second book's ``trainer.plot()`` (a window, or a PNG
  without a display);
- ``attention``: attention weights as heat maps; ``conv``: filters and feature maps;
- ``boundary``: a classifier's decision regions; ``surface``: a loss over two parameters;
- ``wordvec``: word vectors projected to 2-D, a labelled map of them;
- ``perplexity``: perplexity curves of language models (training and validation);
- ``seq2seq``: accuracy curves of seq2seq models, attention over an answer;
- ``logic``: the logic gates' figures; ``descent``: optimizer paths, step sizes, a line
  fitted by gradient descent, loss curves of several optimizers;
- ``autograd``: finite-difference errors, gradient fields, a function and its derivatives,
  a classifier's regions in the plane (the autograd chapter).

In a Jupyter notebook, ``show=True`` draws a figure under its cell and ``path=None``
writes no file.

Imports: matplotlib, ``common.nets`` and everything below it; the chapters call these.
"""
