"""Memory: how much a program has used at its peak, and freed memory that a training loop
gets back fast (glibc's malloc told to keep it).

Every training iteration allocates the same large temporaries (activations, their
gradients: arrays of 0.1 to 2 MB) and frees them again. By default glibc gives such
memory back to the operating system when it is freed and gets it anew, page by
page, on the next allocation: for the GPT of ``common.nets.gpt`` that is about 2,600 page
faults, some 10 ms of kernel time, per iteration. ``keep_freed_memory`` asks glibc
to keep up to 64 MiB of it for reuse instead (then 7 page faults per iteration).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from pathlib import Path

#: mallopt's parameters (glibc's malloc.h): M_TRIM_THRESHOLD and M_MMAP_THRESHOLD.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_applied = False


def keep_freed_memory(mmap_threshold: int = 8 << 20, trim_threshold: int = 64 << 20) -> bool:
    """Ask glibc's malloc to serve blocks below ``mmap_threshold`` bytes (8 MiB) from its
    heap and to give free heap memory back to the system only beyond ``trim_threshold``
    bytes (64 MiB, so the process holds at most that much more than it uses).
    Process-wide, once; returns whether it applies (False off Linux or without glibc,
    where nothing is changed)."""
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


def peak_memory_mb() -> float:
    """The peak resident memory of this process so far, in MB. On Linux from VmHWM:
    ru_maxrss of a started program also counts its parent's peak (kept across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource  # Unix only: imported here so that the module imports everywhere

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024
