"""Run a program module and record its peak memory.

    python -m benchmarks.measured OUT MODULE ARGS...

Runs ``python -m MODULE ARGS...`` in this process and writes its peak resident set
size in MB (``VmHWM`` of /proc/self/status) to the file OUT. Measured inside the
program's own process because the rusage of a child includes the parent's memory
that the child inherited at fork, before it started the program.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from common.memory import peak_memory_mb


def main() -> int:
    """Run the module named on the command line; return its exit status."""
    out, module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    code: int | str | None = 0
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exit_:
        code = exit_.code
    Path(out).write_text(f"{peak_memory_mb()}\n")
    return code if isinstance(code, int) else (0 if code is None else 1)


if __name__ == "__main__":
    raise SystemExit(main())
