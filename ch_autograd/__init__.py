"""Chapter: automatic differentiation, the third book's road (DeZero) on this project's arrays.

Run ``python -m ch_autograd --help``. ``ch_autograd.cli.main(argv)`` runs the chapter
in-process.
"""
