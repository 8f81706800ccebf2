"""Issue 20's build workloads: fig beside Compose v2 2.26.1, both with the same buildx (script/peers' DOCKER_CONFIG).

- `build-cached`: `build` of 5 services whose every step is in BuildKit's cache (the first build is off the clock).
- `build-cold`: `build` of 5 services that each run a step with a cache mount, with a new value of a build
  argument every run, so no step after FROM is in the cache (the cache mounts keep their files, as they would).

Rounds alternate fig, Compose v2 and fig without buildx (the engine's BuildKit): A B C A B C ... Reported: the
medians, the median of the pairwise ratios fig/compose, and the target (<= 1.0x). Check after each run: every
service's image exists and was built from this run's build argument.

    python bench/builds.py                       # 1 warm-up + 5 timed rounds of each workload
    python bench/builds.py --runs 9 --only build-cold
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import docker

from harness import PREFIX, run_timed

ROOT = Path(__file__).resolve().parents[1]
SERVICES = [f"s{i}" for i in range(1, 6)]
DOCKERFILE = {
    "build-cached": "FROM busybox:latest\nARG NONCE\nRUN echo $NONCE > /nonce\nCOPY . /src\n",
    "build-cold": "FROM busybox:latest\nARG NONCE\nRUN --mount=type=cache,target=/cache,id={service} "
                  "sh -c 'echo $NONCE > /nonce; seq 1 20000 > /cache/$NONCE; ls /cache | wc -l > /entries'\n",
}


def peers(tool: str) -> str:
    return subprocess.run([str(ROOT / "script/peers"), "--path", tool], check=True, capture_output=True,
                          text=True).stdout.strip()


def make_project(directory: Path, workload: str) -> Path:
    for service in SERVICES:
        (directory / service).mkdir(parents=True)
        (directory / service / "Dockerfile").write_text(DOCKERFILE[workload].replace("{service}", service))
        (directory / service / "data.txt").write_text(service * 1000)
    services = {s: {"build": {"context": f"./{s}", "args": {"NONCE": "${NONCE}"}}} for s in SERVICES}
    path = directory / "compose.yaml"
    path.write_text(json.dumps({"services": services}))
    return path


def tools(config: str, empty: str) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Who builds: the command before `build`, and its environment."""
    # fig as installed: its bytecode cached (the warm-up writes it), whatever PYTHONDONTWRITEBYTECODE says here
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("COMPOSE_", "FIG_", "DOCKER_CONFIG", "PYTHONDONTWRITEBYTECODE"))}
    return {
        "fig": ([sys.executable, "-m", "fig"], {**base, "DOCKER_CONFIG": config}),
        "compose": (["docker", "compose"], {**base, "DOCKER_CONFIG": config}),
        "fig-engine": ([sys.executable, "-m", "fig"], {**base, "DOCKER_CONFIG": empty}),
    }


def check(client: docker.APIClient, project: str, nonce: str) -> str:
    """Every service's image was built from this run's NONCE (a compose file's images are <project>-<service>
    for fig and Compose v2 alike)."""
    for service in SERVICES:
        try:
            container = client.create_container(f"{project}-{service}", ["cat", "/nonce"])
        except docker.errors.ImageNotFound:
            return f"{service}: no image {project}-{service}"
        try:
            client.start(container)
            client.wait(container, timeout=60)
            seen = client.logs(container).decode().strip()
        finally:
            client.remove_container(container, force=True)
        if seen != nonce:
            return f"{service}: built from {seen!r}, not {nonce!r}"
    return ""


def measure(workload: str, runs: int, client: docker.APIClient, log) -> dict[str, object]:
    times: dict[str, list[float]] = {}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix=PREFIX) as tmp, tempfile.TemporaryDirectory(prefix=PREFIX) as empty:
        path = make_project(Path(tmp) / "project", workload)
        project = f"{PREFIX}{uuid.uuid4().hex[:8]}"
        runners = tools(peers("config"), empty)
        for round_ in range(runs + 1):  # round 0 warms up (and fills the cache of build-cached)
            for who, (command, env) in runners.items():
                nonce = uuid.uuid4().hex if workload == "build-cold" else "cached"
                argv = [*command, "-p", project, "-f", str(path), "build"]
                sample = run_timed(argv, cwd=str(path.parent), env={**env, "NONCE": nonce}, timeout=600)
                problem = sample.failure() if sample.rc else check(client, project, nonce)
                if problem:
                    failures.append(f"{who}: {problem}")
                if round_ > 0:
                    times.setdefault(who, []).append(sample.seconds)
                    log(f"{workload} {who} {sample.seconds:.2f}s")
        for image in client.images(name=f"{project}*"):
            for tag in image.get("RepoTags") or ():
                client.remove_image(tag, force=True)
    ratios = [f / c for f, c in zip(times["fig"], times["compose"])]
    return {"workload": workload, "runs": runs, "median": {k: statistics.median(v) for k, v in times.items()},
            "fig/compose": statistics.median(ratios), "target": 1.0, "failures": failures}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--only", default="build-cached,build-cold")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    client = docker.APIClient(base_url=os.environ.get("DOCKER_HOST") or None, version="auto")
    load = os.getloadavg()
    results = [measure(w, args.runs, client, lambda line: print(line, file=sys.stderr))
               for w in args.only.split(",")]
    if args.json:
        print(json.dumps({"load": load, "results": results}, indent=2))
    else:
        print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        print(f"{'workload':<14}{'fig':>8}{'compose':>9}{'fig-engine':>12}{'fig/compose':>13}{'target':>8}  check")
        for r in results:
            m = r["median"]
            assert isinstance(m, dict)
            print(f"{r['workload']:<14}{m['fig']:>7.2f}s{m['compose']:>8.2f}s{m['fig-engine']:>11.2f}s"
                  f"{r['fig/compose']:>12.2f}x{'<=1.0x':>8}  {'ok' if not r['failures'] else r['failures']}")
    return 1 if any(r["failures"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
