"""Entry point of ``python -m ch_iris``."""

from ch_iris.cli import main

raise SystemExit(main())
