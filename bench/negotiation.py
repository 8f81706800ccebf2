#!/usr/bin/env python3
"""What negotiating the Engine API version costs a command: `fig ps` of an empty project with DOCKER_API_VERSION
unset (fig asks the engine once, one `GET /_ping`) and pinned to the version the engine speaks (fig asks nothing),
alternating, N runs each; and the ping itself, timed on its own in this process. Run by hand (bench/README.md):

    script/engine
    python bench/negotiation.py --runs 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

from harness import run_timed

from fig.backend.docker import DockerBackend
from fig.backend.unixhttp import UnixHTTP


def ping_seconds(host: str, runs: int) -> list[float]:
    """The round trip negotiation adds: a fresh client's first version, asked with one GET /_ping."""
    times = []
    for _ in range(runs):
        http = UnixHTTP(host.removeprefix("unix://"), version=None, timeout=30, url=host)
        start = time.perf_counter()
        http.version  # noqa: B018  (the question is the point)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    host = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    if not host.startswith("unix://"):
        print("bench/negotiation.py measures a local engine (DOCKER_HOST=unix://...)", file=sys.stderr)
        return 2
    spoken = DockerBackend.from_env({"DOCKER_HOST": host}).api_version()
    env = {k: v for k, v in os.environ.items() if k != "DOCKER_API_VERSION"}
    argv = [sys.executable, "-m", "fig", "-p", "benchnegotiation", "-f", "fig.yml", "ps"]
    times: dict[str, list[float]] = {"negotiated": [], f"pinned {spoken}": []}
    with tempfile.TemporaryDirectory() as directory:
        with open(os.path.join(directory, "fig.yml"), "w") as f:
            f.write("web:\n  image: busybox\n")
        for round_ in range(args.runs + 1):  # the first round warms the caches and is not counted
            for name, extra in (("negotiated", {}), (f"pinned {spoken}", {"DOCKER_API_VERSION": spoken})):
                sample = run_timed(argv, cwd=directory, env={**env, **extra}, timeout=60)
                if sample.rc != 0:
                    print(f"fig ps failed: {sample.failure()}", file=sys.stderr)
                    return 1
                if round_:
                    times[name].append(sample.seconds)
    pings = ping_seconds(host, args.runs * 10)
    print(f"engine {host}, Engine API {spoken}, {args.runs} runs each (medians)")
    for name, values in times.items():
        print(f"  fig ps, {name:<16} {statistics.median(values) * 1000:7.1f} ms")
    difference = statistics.median(times["negotiated"]) - statistics.median(times[f"pinned {spoken}"])
    print(f"  difference                 {difference * 1000:7.1f} ms")
    print(f"  GET /_ping alone           {statistics.median(pings) * 1000:7.2f} ms ({len(pings)} pings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
