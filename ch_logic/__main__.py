"""Entry point of ``python -m ch_logic``."""

from ch_logic.cli import main

raise SystemExit(main())
