"""Progress inside a long epoch: batches done, samples per second and the epoch's ETA."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def format_seconds(seconds: float) -> str:
    """'4.2s' under a minute, else '3m07s'."""
    return f"{seconds:.1f}s" if seconds < 60 else f"{int(seconds // 60)}m{seconds % 60:02.0f}s"


class EpochProgress:
    """Reports how far an epoch has got, but only once it has run for ``delay`` seconds.

    On a terminal the report is one line rewritten in place every ``tty_interval``
    seconds (and erased when the epoch ends); elsewhere (a log file, CI) it is a
    plain line every ``log_interval`` seconds, so logs stay short. Call ``start``
    at the beginning of an epoch, ``update`` after every batch and ``finish`` at
    the end. Short epochs print nothing.
    """

    def __init__(self, total_batches: int, stream: TextIO | None = None, delay: float = 3.0,
                 tty_interval: float = 0.5, log_interval: float = 30.0) -> None:
        self.total_batches = total_batches
        self.stream = stream if stream is not None else sys.stdout
        self.in_place = self.stream.isatty()
        self.delay = delay
        self.interval = tty_interval if self.in_place else log_interval
        self.epoch = 0
        self.started = 0.0
        self.next_report = 0.0
        self.shown = False

    def start(self, epoch: int) -> None:
        """A new epoch begins now."""
        self.epoch = epoch
        self.started = time.perf_counter()
        self.next_report = self.started + self.delay
        self.shown = False

    def update(self, batches_done: int, samples_done: int) -> None:
        """Report, if it is time to: ``batches_done`` batches of ``samples_done`` samples."""
        now = time.perf_counter()
        if now < self.next_report or not batches_done:
            return
        elapsed = now - self.started
        eta = elapsed / batches_done * (self.total_batches - batches_done)
        line = (f"epoch {self.epoch}: {batches_done}/{self.total_batches} batches  "
                f"{samples_done / elapsed:.0f} samples/s  epoch ETA {format_seconds(eta)}")
        if self.in_place:
            self.stream.write("\r" + line + "\x1b[K")  # \x1b[K erases what a longer line left
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.shown = True
        self.next_report = now + self.interval

    def finish(self) -> None:
        """The epoch is over: erase the in-place line, so the epoch's summary takes its place."""
        if self.in_place and self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
