"""Entry point of ``python -m ch_backprop``."""

from common.threads import apply_thread_policy

apply_thread_policy("ch_backprop")  # before NumPy: its BLAS threads (common.threads says why)

from ch_backprop.cli import main  # noqa: E402  (after the thread setting, before NumPy)

raise SystemExit(main())
