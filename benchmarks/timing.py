"""Seconds summarised the way every benchmark case reports them."""

from __future__ import annotations

import statistics


def summary(times: list[float]) -> dict[str, float]:
    """Median, min and max of a list of seconds."""
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}
