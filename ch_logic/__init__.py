"""Chapter: logic gates with OneNet (logistic regression) and TwoNet (one ReLU hidden layer).

Run ``python -m ch_logic --help``. ``ch_logic.cli.main(argv)`` runs the chapter in-process.
"""
