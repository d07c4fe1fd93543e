"""Benchmark: one step request of the playground, as the page sends it 20+ times a second.

    python -m benchmarks.bench_playground [--requests 200]

Starts the playground's server on a free loopback port, creates a session with the
default settings (circles, 2-6-4-1 tanh network, Adam, batch 10) and times
``POST /api/sessions/<id>/step {"iterations": 10, "grid": 60}`` over one keep-alive
connection: 10 training iterations, the 60×60 boundary grid, the hidden units' maps,
losses and accuracies, and the JSON there and back. Also times the same work in
process, without HTTP (training, pictures, JSON encoding), to show where time goes.
Target: a median of at most 25 ms per request.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from typing import Any

from benchmarks.timing import summary
from playground.config import Config
from playground.server import PlaygroundServer
from playground.session import Session, Sessions

TARGET_MS = 25.0
STEP = {"iterations": 10, "grid": 60}


def time_requests(requests: int, warmup: int = 20) -> list[float]:
    """Seconds of each of ``requests`` step requests (after ``warmup`` untimed ones)."""
    server = PlaygroundServer("127.0.0.1", 0, Sessions(cap=2))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        headers = {"Content-Type": "application/json"}
        conn.request("POST", "/api/sessions", body="{}", headers=headers)
        key = json.loads(conn.getresponse().read())["session"]
        body, times = json.dumps(STEP), []
        for i in range(warmup + requests):
            start = time.perf_counter()
            conn.request("POST", f"/api/sessions/{key}/step", body=body, headers=headers)
            response = conn.getresponse()
            answer = json.loads(response.read())
            if response.status != 200:
                raise RuntimeError(f"step request failed ({response.status}): {answer}")
            if i >= warmup:
                times.append(time.perf_counter() - start)
        conn.close()
        return times
    finally:
        server.shutdown()
        server.server_close()


def time_in_process(requests: int) -> dict[str, list[float]]:
    """Seconds of the parts of a step without HTTP: training, pictures, JSON encoding."""
    session = Session(Config())
    parts: dict[str, list[float]] = {"train": [], "pictures": [], "json": []}
    for _ in range(requests):
        t0 = time.perf_counter()
        session.step(STEP["iterations"])
        t1 = time.perf_counter()
        state = session.state(STEP["grid"])
        t2 = time.perf_counter()
        json.dumps(state)
        t3 = time.perf_counter()
        for name, seconds in zip(parts, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            parts[name].append(seconds)
    return parts


def playground_case(repeat: int) -> dict[str, Any]:
    """The benchmark case: ``40 × repeat`` timed step requests, with the in-process parts."""
    times = time_requests(40 * repeat)
    parts = time_in_process(40 * repeat)
    result: dict[str, Any] = {
        "case": "playground step request (10 iterations, 60x60 grid)", **summary(times),
        "requests": len(times),
        "parts_median_ms": {name: 1e3 * statistics.median(s) for name, s in parts.items()},
        "target_median_ms": TARGET_MS,
    }
    result["target_met"] = 1e3 * result["median_s"] <= TARGET_MS
    return result


def describe(result: dict[str, Any]) -> str:
    """The case's figures in milliseconds, with the target."""
    parts = ", ".join(f"{name} {ms:.2f}" for name, ms in result["parts_median_ms"].items())
    return (f"step request: median {1e3 * result['median_s']:.2f} ms "
            f"[{1e3 * result['min_s']:.2f} .. {1e3 * result['max_s']:.2f}] over "
            f"{result['requests']} requests (in process, ms: {parts}); target median <= "
            f"{TARGET_MS:g} ms: {'met' if result['target_met'] else 'NOT met'}")


def main(argv: list[str] | None = None) -> int:
    """Time the step requests and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_playground",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5,
                        help="rounds of 40 timed requests (default 5)")
    args = parser.parse_args(argv)
    print(describe(playground_case(args.repeat)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
