"""Chapter: ThreeNet (MultiLayerNet 4-20-20-3) classifies Fisher's Iris flowers.

Run ``python -m ch_iris --help``. ``ch_iris.cli.main(argv)`` runs the chapter in-process.
"""
