"""Chapter program: how the update rule changes training (the book's chapter 6).

``python -m optimizer_compare`` trains the same 5-layer network on MNIST with
SGD, Momentum, AdaGrad and Adam from the same initial weights on the same
mini-batches, and compares their training loss; ``python -m optimizer_compare.naive``
shows the optimizers and the step size on functions small enough to draw.
"""
