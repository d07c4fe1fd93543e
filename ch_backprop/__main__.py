"""Entry point of ``python -m ch_backprop``."""

from ch_backprop.cli import main

raise SystemExit(main())
