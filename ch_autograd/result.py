"""What a section of ``python -m ch_autograd`` hands back to the program."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class SectionResult:
    """A section's JSON entry, the figures it wrote, and whether Ctrl-C cut it short."""

    report: dict[str, Any]
    figures: list[Path] = field(default_factory=list)
    interrupted: bool = False
