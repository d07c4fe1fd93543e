"""Ctrl-C as a request to stop at the next safe point, instead of an exception mid-update:
the training loop checks it after every step, and so does a chapter that keeps its own
loop in view (the optimizer comparison)."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class StopRequest:
    """Set by the first Ctrl-C (SIGINT) while ``stop_on_interrupt`` is active.

    A long loop checks ``requested`` at points where stopping loses nothing (after
    a mini-batch) and winds down cleanly. A second Ctrl-C raises KeyboardInterrupt
    at once, for a loop that does not come back to check.
    """

    def __init__(self) -> None:
        self.requested = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True


@contextlib.contextmanager
def stop_on_interrupt() -> Iterator[StopRequest]:
    """Within the block, Ctrl-C sets ``StopRequest.requested`` instead of raising.

    Outside the main thread, where Python cannot install signal handlers, the
    block runs with Ctrl-C's usual behaviour. The previous handler is restored
    on leaving the block.
    """
    request = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return
    previous = signal.signal(signal.SIGINT, request._handle)
    try:
        yield request
    finally:
        signal.signal(signal.SIGINT, previous)
