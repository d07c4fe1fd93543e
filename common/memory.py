"""Memory that a training loop gets back fast: glibc's malloc told to keep freed memory.

Every training iteration allocates the same large temporaries (activations, their
gradients: arrays of 0.1 to 2 MB) and frees them again. By default glibc gives such
memory back to the operating system when it is freed and gets it anew, page by
page, on the next allocation: for the GPT of ``common.gpt`` that is about 2,600 page
faults, some 10 ms of kernel time, per iteration. ``keep_freed_memory`` asks glibc
to keep it for reuse instead; the process then holds on to its peak memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

#: mallopt's parameters (glibc's malloc.h): M_TRIM_THRESHOLD and M_MMAP_THRESHOLD.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_applied = False


def keep_freed_memory(mmap_threshold: int = 32 << 20, trim_threshold: int = 1 << 30) -> bool:
    """Ask glibc's malloc to serve blocks below ``mmap_threshold`` bytes (32 MiB, its
    maximum) from its heap and to return free heap memory to the system only beyond
    ``trim_threshold`` bytes (1 GiB). Process-wide, once; returns whether it applies
    (False off Linux or without glibc, where nothing is changed)."""
    global _applied
    if _applied:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _applied = bool(mallopt(_M_MMAP_THRESHOLD, mmap_threshold)) and bool(
        mallopt(_M_TRIM_THRESHOLD, trim_threshold))
    return _applied
