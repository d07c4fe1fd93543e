"""The playground: a local web page that trains ``common`` networks live.

Run ``python -m playground`` (``--help`` for the options). ``playground.server`` is the
HTTP server and JSON API, ``playground.training`` the training on 2-D data, the page
lives in ``playground/static``.
"""
