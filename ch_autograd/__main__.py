"""Entry point of ``python -m ch_autograd``."""

from common.threads import apply_thread_policy

apply_thread_policy("ch_autograd")  # before NumPy: its BLAS threads (common.threads says why)

from ch_autograd.cli import main  # noqa: E402  (after the thread setting, before NumPy)

raise SystemExit(main())
