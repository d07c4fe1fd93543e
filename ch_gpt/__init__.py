"""A character-level GPT from scratch: a Transformer built from the library's layers,
trained on tiny Shakespeare (``python -m ch_gpt``), and its gradient check
(``python -m ch_gpt.gradient_check``)."""
