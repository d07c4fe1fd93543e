"""Chapter: backpropagation from the ground up, reproducing the tutorials it is built on.

Run ``python -m ch_backprop --help``; ``ch_backprop.cli.main(argv)`` runs it in-process.
"""
