"""The library, in packages by concern. Imports point down this list only: a module may
import the ones above it, never one below.

Foundations (NumPy only):

- ``validation``: the checks behind the clear errors (shapes, labels, arguments);
- ``fileio``: atomic writes; ``safe_pickle``: pickles of NumPy arrays (the second book's
  weights) read without letting the file run code; ``memory``: peak memory, and freed
  memory kept for reuse; ``threads``: one BLAS thread for programs of many small products;
- ``functions``: activations and losses (stable sigmoid, log-softmax, cross-entropy);
- ``samples``: one-hot labels, shuffles and splits, the confusion matrix, smoothing;
- ``windows``: the sliding windows behind convolution and pooling (im2col / col2im);
- ``wordvec``: word vectors by counting (co-occurrence, PPMI, SVD), similarity and
  analogies, and their files;
- ``interrupt``: Ctrl-C as a request to stop at the next safe point;
- ``batches``: batch streams, plain iterables with a state: shuffled epochs, sequential
  windows for truncated BPTT, random windows of a text.

The building blocks:

- ``layers``: one class per layer, each with ``forward`` and ``backward``
  (``layers.base``: the layer protocol, and the book's numbering of layers and arrays);
- ``checks``: numerical gradients and gradient checks;
- ``optim``: optimizers (``update(params, grads)``), schedules, gradient clipping;
- ``nets``: ``Network`` and the networks built on it (MultiLayerNet, the conv nets, GPT,
  word2vec, the recurrent language models, seq2seq), and ``LayeredModel``, their
  parameters as the layers' own arrays;
- ``autograd``: the third book's define-by-run automatic differentiation (DeZero):
  ``Variable`` and ``Function``, the functions, layers, models, optimizers and data
  loaders built on them, on the same arrays, im2col and batch streams (a layer of
  ``layers`` can join its graphs through ``autograd.adapter``).

On top:

- ``training``: the one training loop (``fit``) and its hooks (evaluation, early stopping,
  clipping, progress, checkpoints, Ctrl-C); the books' ``Trainer``s and ``RnnlmTrainer``
  as faces over it;
- ``plots``: PNG figures; ``cli``: what every chapter's command line shares.

The book's module paths keep working, so that the programs of "Deep Learning from
Scratch" run unchanged: ``functions`` and ``layers`` are the modules themselves;
``util``, ``gradient``, ``optimizer``, ``multi_layer_net``, ``multi_layer_net_extend`` and
``trainer`` are short faces over the modules that implement them, whose star imports give
what the book's modules give (``np`` included); the library itself imports every name
from where it is defined, never through a face. The second book's ``time_layers`` is a face over
``layers`` in the same way, and its ``base_model`` over ``nets.list_model``; ``trainer``
also gives the second book's ``Trainer(model, optimizer)`` and ``RnnlmTrainer``, and
``util`` its helpers. Its ``config`` (``GPU = False``) and ``np`` (NumPy) are there for
its programs' imports: this library runs on NumPy only. The third book's ``dezero`` is a
top-level package, a face over ``autograd`` in the same way.
"""
