#!/usr/bin/env python3
"""fig beside docker-compose 1.29.2: the same workloads, the same engine, alternating runs.

Run by hand, never as a timed test in CI (see bench/README.md):

    script/engine                       # an engine and busybox:latest
    python bench/run.py                 # every workload, 5 timed runs each
    python bench/run.py --runs 9 --only logs,stop --json > result.json

Each workload is run once as a warm-up, then N times alternating fig, docker-compose, and the SDK
floor (the same raw engine work done by the docker SDK on a thread pool, in this process). The state
a run needs is prepared before the clock starts (and rebuilt whenever the previous run changed it).
After every run a correctness check looks at the engine (and at the output, for ps and logs).
Printed per workload: both medians, the median of the pairwise ratios fig/compose, fig/floor, the
target of issue 6, the check, and the peak RSS of each tool's process (GNU time's %M).
Exit status: 0 when every check held, 1 when one failed, 2 when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import round2
from harness import (
    IMAGE, PREFIX, PROMPT_TRAP, STACK_LABEL, TRAP, BenchError, Engine, Runner, Sample, exclusive, name_of, run_timed,
)

STANDALONE = ["web"] + [f"s{i:02d}" for i in range(1, 15)]  # 15 services without links
TREE = [f"t{i:02d}" for i in range(1, 16)]  # a binary link tree: t01 links t02 and t03, ...
TREE_LINKS = {f"t{i:02d}": [f"t{c:02d}" for c in (2 * i, 2 * i + 1) if c <= 15] for i in range(1, 16)}
MAIN = STANDALONE + TREE  # 30 services
LOG_SERVICES = [f"log{i}" for i in range(1, 9)]
LOG_LINES = 5000


# -- fig files --------------------------------------------------------------------------------------------

def main_file(trap: str = TRAP) -> str:
    """30 services in Fig's format: 15 standalone (one is `web`) and 15 in a link tree. YAML is JSON's superset."""
    services = {}
    for name in MAIN:
        services[name] = {"image": IMAGE, "command": ["sh", "-c", trap]}
        if TREE_LINKS.get(name):
            services[name]["links"] = TREE_LINKS[name]
    return "\n".join(f"{name}: {json.dumps(spec)}" for name, spec in services.items()) + "\n"


def logs_file() -> str:
    script = "seq 1 {n} | sed 's/^/{svc} /'"
    return "\n".join(
        f"{svc}: {json.dumps({'image': IMAGE, 'command': ['sh', '-c', script.format(n=LOG_LINES, svc=svc)]})}"
        for svc in LOG_SERVICES) + "\n"



class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.engine = Engine(args.floor_workers)
        self.dir = Path(tempfile.mkdtemp(prefix=PREFIX))
        self.files: dict[str, Path] = {}
        self.trap = PROMPT_TRAP if args.prompt_trap else TRAP
        self.add_file("main", main_file(self.trap))
        self.add_file("logs", logs_file())
        # As a user runs them: no project/file defaults from the environment, and bytecode caches written
        # (a sandbox's PYTHONDONTWRITEBYTECODE=1 would make fig, installed editable, compile itself every run).
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "FIG_", "PYTHON"))}
        self.fig = Runner("fig", "com.docker.compose.project", args.fig,
                          {"PYTHONPATH": args.fig_pythonpath} if args.fig_pythonpath else {})
        self.compose = Runner("compose", "com.docker.compose.project", args.compose)
        self.sdk = Runner("sdk", "figbench")
        self.stack = Runner("dstack", STACK_LABEL, ["docker"])
        self.swarm_made = False

    # -- running a tool ---------------------------------------------------------------------------------

    def argv(self, who: Runner, kind: str, *command: str) -> list[str]:
        if command == ("--version",):
            return [*who.argv, *command]
        if who is self.stack:  # the rival of `fig deploy --detach`: submit and return, no registry lookups
            return [*who.argv, "stack", "deploy", "-c", str(self.converted()), "--detach=true", "--resolve-image",
                    "never", who.project(kind)]
        return [*who.argv, "-f", str(self.files[kind]), "-p", who.project(kind), *command]

    def run(self, who: Runner, kind: str, *command: str, timeout: float = 0,
            watch: Callable[[int, threading.Event], None] | None = None) -> Sample:
        return run_timed(self.argv(who, kind, *command), cwd=str(self.files[kind].parent),
                         env={**self.env, **who.env}, timeout=timeout or self.args.timeout, watch=watch)

    def add_file(self, kind: str, text: str) -> None:
        self.files[kind] = self.dir / kind / "fig.yml"
        self.files[kind].parent.mkdir(exist_ok=True)
        self.files[kind].write_text(text)

    def prep(self, who: Runner, kind: str, *command: str) -> None:
        sample = self.run(who, kind, *command)
        if sample.rc != 0 or sample.timed_out:
            raise BenchError(f"preparing with {who.key} failed: {sample.failure()}")

    # -- state -------------------------------------------------------------------------------------------

    def ps(self, who: Runner, kind: str) -> list[dict[str, Any]]:
        return self.engine.containers(who.label, who.project(kind))

    def reset(self, who: Runner, kind: str) -> None:
        self.engine.remove(c["Id"] for c in self.ps(who, kind))

    def has(self, who: Runner, kind: str, names: Iterable[str], *, running: bool = True) -> str:
        """'' when the project holds exactly these containers (all running, or all stopped); else why not."""
        want = {f"{who.project(kind)}_{n}" for n in names}
        found = {name_of(c): c["State"] for c in self.ps(who, kind)}
        missing, extra = sorted(want - set(found)), sorted(set(found) - want)
        wrong = sorted(n for n in want & set(found) if (found[n] == "running") != running)
        if not (missing or extra or wrong):
            return ""
        parts = [f"{label} {', '.join(v[:4])}{' ...' if len(v) > 4 else ''} ({len(v)})"
                 for label, v in (("missing", missing), ("unexpected", extra),
                                  ("not running" if running else "still running", wrong)) if v]
        return "; ".join(parts)

    def ensure(self, who: Runner, kind: str, names: Sequence[str], build: Callable[[], None],
               *, running: bool = True) -> None:
        if self.has(who, kind, names, running=running):
            self.reset(who, kind)
            build()
            problem = self.has(who, kind, names, running=running)
            if problem:
                raise BenchError(f"preparing {who.project(kind)} with {who.key}: {problem}")

    # -- swarm (the deploy workload) --------------------------------------------------------------------

    def converted(self) -> Path:
        """The main file as `fig convert` writes it, for `docker stack deploy` (which cannot read a fig.yml)."""
        path = self.dir / "main" / "stack.yml"
        if not path.exists():
            out = subprocess.run([*self.fig.argv, "-f", str(self.files["main"]), "convert"], capture_output=True,
                                 text=True, env={**self.env, **self.fig.env}, timeout=60, check=True).stdout
            path.write_text(out)
        return path

    def undeployed(self, who: Runner) -> None:
        """No stack: the swarm made (once) if the engine is not in one, the stack's services and network gone."""
        if self.engine.api.info()["Swarm"]["LocalNodeState"] == "inactive":
            self.engine.api.init_swarm(advertise_addr="127.0.0.1", listen_addr="127.0.0.1:2377")
            self.swarm_made = True
        self.engine.remove_stacks(who.project("main"))

    def up30(self, who: Runner) -> None:
        self.ensure(who, "main", [f"{s}_1" for s in MAIN],
                    lambda: self.sdk_up(MAIN) if who is self.sdk else self.prep(who, "main", "up", "-d"))

    def up50(self, who: Runner) -> None:
        names = [f"{s}_1" for s in MAIN] + [f"web_{n}" for n in range(2, 22)]

        def build() -> None:
            self.up30(who)
            if who is self.sdk:
                self.engine.each(lambda n: self.sdk_create("main", "web", n), range(2, 22))
            else:
                self.prep(who, "main", "scale", "web=21")
        self.ensure(who, "main", names, build)

    def web_running(self, who: Runner) -> None:
        """web_1 running and nothing else, kept from one run to the next."""
        self.ensure(who, "main", ["web_1"],
                    lambda: self.sdk_create("main", "web", 1) if who is self.sdk else self.prep(who, "main", "up", "-d", "web"))

    def web1(self, who: Runner) -> None:
        self.reset(who, "main")
        self.ensure(who, "main", ["web_1"],
                    lambda: self.sdk_create("main", "web", 1) if who is self.sdk else self.prep(who, "main", "up", "-d", "web"))

    def stopped30(self, who: Runner) -> None:
        def build() -> None:
            self.up30(who)
            self.engine.each(lambda c: self.engine.api.stop(c["Id"], timeout=10), self.ps(who, "main"))
        self.ensure(who, "main", [f"{s}_1" for s in MAIN], build, running=False)

    def logs_done(self, who: Runner) -> None:
        def build() -> None:
            if who is self.sdk:
                self.engine.each(lambda s: self.sdk_create("logs", s, 1, command=None), LOG_SERVICES)
            else:
                self.prep(who, "logs", "up", "-d")
            self.engine.each(lambda c: self.engine.api.wait(c["Id"], timeout=60), self.ps(who, "logs"))
        self.ensure(who, "logs", [f"{s}_1" for s in LOG_SERVICES], build, running=False)

    def empty(self, who: Runner, kind: str = "main") -> None:
        self.reset(who, kind)

    # -- the SDK doing the raw work ------------------------------------------------------------------------

    def sdk_create(self, kind: str, service: str, number: int, *, start: bool = True,
                   command: list[str] | None | str = "trap", name: str = "") -> str:
        api, project = self.engine.api, self.sdk.project(kind)
        if command == "trap":
            command = ["sh", "-c", self.trap]
        elif command is None:
            command = ["sh", "-c", f"seq 1 {LOG_LINES} | sed 's/^/{service} /'"]
        links = [(f"{project}_{t}_1", t) for t in TREE_LINKS.get(service, []) if kind == "main"]
        cid = api.create_container(
            IMAGE, command=command, name=name or f"{project}_{service}_{number}",
            labels={"figbench": project, "figbench.service": service},
            host_config=api.create_host_config(links=links or None))["Id"]
        if start:
            api.start(cid)
        return cid

    def sdk_up(self, services: Sequence[str]) -> None:
        self.engine.graph(services, lambda s: TREE_LINKS.get(s, []), lambda s: self.sdk_create("main", s, 1))


# -- workloads ----------------------------------------------------------------------------------------------

@dataclass
class Workload:
    name: str
    command: tuple[str, ...]
    kind: str  # which file and project: main or logs
    target: str  # as in issue 6
    prepare: Callable[[Bench, Runner], None]
    check: Callable[[Bench, Runner, Sample | None, Any], str]  # '' when correct, else what is wrong
    floor: Callable[[Bench], str | None] | None = None  # text, when the check reads output
    target_vs_floor: bool = False  # up and scale are judged against the floor, not compose
    snapshot: Callable[[Bench, Runner], Any] = lambda b, w: None  # state taken before the run, for check
    memory: bool = False
    floor_target: float | None = None  # a second target, against the floor (exec: docker exec)
    measure: Callable[[Bench, Workload, int, Callable[[str], None]], Result] | None = None  # not one timed command
    rival: str = "compose"  # or "stack": `docker stack deploy` of the same file, converted (its times go in the
                            # compose column)


def _target(text: str) -> float:
    return float(text.strip("<=x ,"))


def check_version(b: Bench, who: Runner, s: Sample | None, _: Any) -> str:
    return "" if s is None or "version" in s.stdout else f"no version in {s.stdout[:80]!r}"


def check_has(names: Callable[[], Iterable[str]], *, running: bool = True, kind: str = "main"):
    return lambda b, who, s, _: b.has(who, kind, names(), running=running)


def check_ids_kept(b: Bench, who: Runner, s: Sample | None, before: Any) -> str:
    problem = b.has(who, "main", [f"{x}_1" for x in MAIN])
    after = {c["Id"] for c in b.ps(who, "main")}
    return problem or ("" if after == before else f"{len(before - after)} containers were replaced")


def check_ps(count: int):
    def check(b: Bench, who: Runner, s: Sample | None, _: Any) -> str:
        names = {name_of(c) for c in b.ps(who, "main")}
        if len(names) != count:
            return f"{len(names)} containers exist, expected {count}"
        if s is None:
            return ""
        shown = {line.split()[0] for line in s.stdout.splitlines() if line.startswith(PREFIX)}
        return "" if shown == names else f"ps shows {sorted(shown ^ names)[:3]} wrongly ({len(shown ^ names)})"
    return check


def check_logs(b: Bench, who: Runner, s: Sample | None, _: Any) -> str:
    """Every line of every container exactly once."""
    lines = [line.split(" | ", 1)[1] for line in (s.stdout if s else "").splitlines() if " | " in line]
    counts = Counter(line.strip() for line in lines)
    want = {f"{svc} {i}" for svc in LOG_SERVICES for i in range(1, LOG_LINES + 1)}
    missing = len(want - set(counts))
    doubled = sum(1 for line, n in counts.items() if line in want and n > 1)
    return "" if not (missing or doubled) else f"{missing} lines missing, {doubled} repeated"


def floor_up(b: Bench) -> None:
    b.sdk_up(MAIN)


def floor_scale(b: Bench) -> None:
    b.engine.each(lambda n: b.sdk_create("main", "web", n), range(2, 21))


def floor_stop(b: Bench) -> None:
    """Dependents first, as both tools do: t01 before the t02 and t03 it links to, ..."""
    ids = {c["Labels"]["figbench.service"]: c["Id"] for c in b.ps(b.sdk, "main")}
    parent = {child: name for name, children in TREE_LINKS.items() for child in children}
    b.engine.graph(list(ids), lambda s: [parent[s]] if s in parent else [],
                   lambda s: b.engine.api.stop(ids[s], timeout=10))


def floor_rm(b: Bench) -> None:
    b.engine.each(lambda c: b.engine.api.remove_container(c["Id"]), b.ps(b.sdk, "main"))


def floor_ps(b: Bench) -> None:
    b.ps(b.sdk, "main")


def floor_run(b: Bench) -> None:
    api = b.engine.api
    cid = b.sdk_create("main", "web", 1, start=False, command=["true"], name=f"{b.sdk.project('main')}_web_run_1")
    api.start(cid)
    api.wait(cid, timeout=60)
    api.remove_container(cid, v=True)


def floor_logs(b: Bench) -> str:
    def read(c: dict[str, Any]) -> list[str]:
        return b.engine.api.logs(c["Id"], stdout=True, stderr=True).decode().splitlines()
    return "".join(f"sdk | {line}\n" for chunk in b.engine.each(read, b.ps(b.sdk, "logs")) for line in chunk)


def floor_exec(b: Bench) -> None:
    """The docker CLI's `docker exec`, a process of its own like the tools (not the SDK in this process)."""
    sample = run_timed(["docker", "exec", f"{b.sdk.project('main')}_web_1", "true"], cwd=str(b.dir), env=b.env,
                       timeout=b.args.timeout)
    if sample.rc:
        raise BenchError(f"the floor failed: {sample.failure()}")


def check_deployed(b: Bench, who: Runner, s: Sample | None, _: Any) -> str:
    """All 30 services submitted, each with its one task running (waited for here, off the clock)."""
    stack = who.project("main")
    names = {sv["Spec"]["Name"] for sv in b.engine.api.services(filters={"label": f"{STACK_LABEL}={stack}"})}
    missing = sorted({f"{stack}_{n}" for n in MAIN} - names)
    if missing:
        return f"services missing: {', '.join(missing[:4])} ({len(missing)})"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        tasks = b.engine.api.tasks(filters={"service": sorted(names), "desired-state": "running"})
        if sum(t["Status"]["State"] == "running" for t in tasks) == len(MAIN):
            return ""
        time.sleep(0.5)
    return "tasks not all running after 120 s"


def _ids(b: Bench, who: Runner) -> set[str]:
    return {c["Id"] for c in b.ps(who, "main")}


# -- watch: one file changed on the host to seen in the container ----------------------------------------------

# The container reads /app/probe every 5 ms with shell built-ins and prints the value it sees with the kernel's
# boot-time clock (/proc/uptime, 10 ms steps), the clock the benchmark reads on the host before it writes.
POLLER = ('mkdir -p /app; trap "exit 0" TERM INT; last=; while :; do v=; read v < /app/probe 2>/dev/null; '
          'if [ -n "$v" ] && [ "$v" != "$last" ]; then read up idle < /proc/uptime; echo "seen $v $up"; last=$v; fi; '
          'usleep 5000; done')


def watch_file() -> str:
    spec = {"image": IMAGE, "command": ["sh", "-c", POLLER.replace("$", "$$")],
            "develop": {"watch": [{"path": "./src", "action": "sync", "target": "/app"}]}}
    return f"web: {json.dumps(spec)}\n"


class Sightings:
    """What the poller of a container printed: value -> the boot-time second it was first seen."""

    def __init__(self, api: Any, cid: str) -> None:
        self.seen: dict[str, float] = {}
        self.lock = threading.Condition()
        stream = api.logs(cid, stream=True, follow=True, stdout=True, stderr=False)
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: Iterable[bytes]) -> None:
        pending = b""
        for chunk in stream:
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                parts = line.decode(errors="replace").split()
                if len(parts) == 3 and parts[0] == "seen":
                    with self.lock:
                        self.seen.setdefault(parts[1], float(parts[2]))
                        self.lock.notify_all()

    def wait(self, value: str, timeout: float = 10) -> float | None:
        with self.lock:
            self.lock.wait_for(lambda: value in self.seen, timeout)
            return self.seen.get(value)


def _changed(probe: Path, value: str) -> float:
    """Write the probe; the boot-time clock just before."""
    start = time.clock_gettime(time.CLOCK_BOOTTIME)
    probe.write_text(value + "\n")
    return start


def _running_fig_watch(b: Bench, directory: Path) -> tuple[subprocess.Popen[str], str]:
    argv = [*b.fig.argv, "-f", str(directory / "fig.yml"), "-p", b.fig.project("watch"), "watch"]
    proc = subprocess.Popen(argv, cwd=directory, env={**b.env, **b.fig.env}, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if "Watching for changes" in line:
            threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep the pipe drained
            return proc, f"{b.fig.project('watch')}_web_1"
    raise BenchError(f"fig watch ended before it watched (exit status {proc.wait()})")


def measure_watch(b: Bench, w: Workload, runs: int, log: Callable[[str], None]) -> Result:
    """fig watch against the loop a user would script: `docker cp FILE c:/app/FILE && docker exec c ...` run the
    moment the file is written (no detection delay at all). Both are timed from the write to the value seen by
    the container's poller; the loop's time includes its `docker exec`, the second half of its update."""
    result = Result(w)
    directory = b.dir / "watch"
    (directory / "src").mkdir(parents=True)
    (directory / "fig.yml").write_text(watch_file())
    probe = directory / "src" / "probe"
    proc, fig_container = _running_fig_watch(b, directory)
    try:
        loop_container = b.sdk_create("watch", "web", 1, command=["sh", "-c", POLLER])
        sightings = {"fig": Sightings(b.engine.api, fig_container), "sdk": Sightings(b.engine.api, loop_container)}
        for i in range(runs + 1):
            tag = "warm-up" if i == 0 else f"run {i}/{runs}"
            for who in ("fig", "sdk"):
                value = f"{who}{i}"
                start = _changed(probe, value)
                if who == "sdk":
                    for command in (["docker", "cp", str(probe), f"{loop_container}:/app/probe"],
                                    ["docker", "exec", loop_container, "true"]):
                        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=60)
                    end = time.clock_gettime(time.CLOCK_BOOTTIME)
                seen = sightings[who].wait(value)
                if seen is None:
                    result.failures.append(f"{who} {tag}: {value} was never seen in the container")
                    log(f"  {w.name:<12} {tag:<9} {who:<8} FAILED: {value} never seen")
                    continue
                seconds = max(seen, end) - start if who == "sdk" else seen - start
                log(f"  {w.name:<12} {tag:<9} {'fig' if who == 'fig' else 'cp+exec':<8} {seconds:7.3f}s")
                if i:
                    result.seconds[who].append(seconds)
                time.sleep(1)  # the next change starts a batch of its own
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    return result


WORKLOADS = [
    Workload("version", ("--version",), "main", "<=0.3x", lambda b, w: None, check_version),
    Workload("ps-empty", ("ps",), "main", "<=0.45x", Bench.empty, check_ps(0), floor_ps),
    Workload("run-rm", ("run", "--rm", "web", "true"), "main", "<=0.7x", Bench.empty, check_has(lambda: []),
             floor_run),
    Workload("up-cold", ("up", "-d"), "main", "<=1.1x floor", Bench.empty,
             check_has(lambda: [f"{s}_1" for s in MAIN]), floor_up, target_vs_floor=True, memory=True),
    Workload("up-nochange", ("up", "-d"), "main", "<=0.3x", Bench.up30, check_ids_kept, floor_ps,
             snapshot=_ids),
    Workload("stop", ("stop",), "main", "<=0.8x", Bench.up30,
             check_has(lambda: [f"{s}_1" for s in MAIN], running=False), floor_stop),
    Workload("rm", ("rm", "-f"), "main", "<=0.5x", Bench.stopped30, check_has(lambda: []), floor_rm),
    Workload("scale", ("scale", "web=20"), "main", "<=1.1x floor", Bench.web1,
             check_has(lambda: [f"web_{n}" for n in range(1, 21)]), floor_scale, target_vs_floor=True),
    Workload("ps-50", ("ps",), "main", "<=0.45x", Bench.up50, check_ps(50), floor_ps),
    Workload("logs", ("logs", "--no-color"), "logs", "<=0.4x", Bench.logs_done, check_logs, floor_logs,
             memory=True),
    Workload("exec", ("exec", "-T", "web", "true"), "main", "<=0.5x, <=1.3x floor", Bench.web_running,
             check_has(lambda: ["web_1"]), floor_exec, floor_target=1.3),
    Workload("watch", ("watch",), "watch", "<=1.0x floor", Bench.empty, lambda b, w, s, _: "",
             target_vs_floor=True, measure=measure_watch),
    Workload("deploy-30", ("deploy", "--detach"), "main", "<=1.0x", Bench.undeployed, check_deployed,
             rival="stack"),
]


# -- measuring ---------------------------------------------------------------------------------------------

@dataclass
class Result:
    workload: Workload
    seconds: dict[str, list[float]] = field(default_factory=lambda: {"fig": [], "compose": [], "sdk": []})
    maxrss: dict[str, list[int]] = field(default_factory=lambda: {"fig": [], "compose": []})
    failures: list[str] = field(default_factory=list)

    def median(self, key: str) -> float | None:
        return statistics.median(self.seconds[key]) if self.seconds[key] else None

    def ratio(self, over: str) -> float | None:
        pairs = [f / o for f, o in zip(self.seconds["fig"], self.seconds[over]) if o > 0]
        return statistics.median(pairs) if pairs else None

    def judged(self) -> float | None:
        return self.ratio("sdk" if self.workload.target_vs_floor else "compose")

    def met(self) -> bool | None:
        ratio, floor = self.judged(), self.ratio("sdk")
        if ratio is None:
            return None
        limit = self.workload.floor_target
        return ratio <= _target(self.workload.target.split()[0]) and (limit is None or (floor or 0) <= limit)


def measure(b: Bench, w: Workload, runs: int, log: Callable[[str], None]) -> Result:
    result = Result(w)
    for i in range(runs + 1):  # run 0 is the warm-up
        tag = "warm-up" if i == 0 else f"run {i}/{runs}"
        for who in (b.fig, b.stack if w.rival == "stack" else b.compose):
            w.prepare(b, who)
            before = w.snapshot(b, who)
            sample = b.run(who, w.kind, *w.command)
            problem = sample.failure() if sample.rc or sample.timed_out else w.check(b, who, sample, before)
            log(f"  {w.name:<12} {tag:<9} {who.key:<8} {sample.seconds:7.3f}s {sample.maxrss_kib / 1024:6.1f} MiB"
                + (f"  FAILED: {problem.splitlines()[0]}" if problem else ""))
            if problem:
                result.failures.append(f"{who.key} {tag}: {problem}")
            if i:
                key = "fig" if who is b.fig else "compose"
                result.seconds[key].append(sample.seconds)
                result.maxrss[key].append(sample.maxrss_kib)
        if w.floor is not None:
            w.prepare(b, b.sdk)
            before = w.snapshot(b, b.sdk)
            start = time.perf_counter()
            output = w.floor(b)
            seconds = time.perf_counter() - start
            sample = Sample(["sdk"], seconds, 0, 0, output, "") if isinstance(output, str) else None
            problem = w.check(b, b.sdk, sample, before)
            log(f"  {w.name:<12} {tag:<9} {'sdk':<8} {seconds:7.3f}s" + (f"  FAILED: {problem}" if problem else ""))
            if problem:
                result.failures.append(f"sdk floor {tag}: {problem}")
            if i:
                result.seconds["sdk"].append(seconds)
    return result


def baseline(argv0: str) -> float:
    """Median time of `python -c pass` for the interpreter a tool's script runs on."""
    try:
        first = Path(shutil.which(argv0) or argv0).read_text(errors="replace").splitlines()[0]
        python = first[2:].strip().split()[0] if first.startswith("#!") else sys.executable
    except (OSError, IndexError):
        python = sys.executable
    times = [run_timed([python, "-c", "pass"], cwd="/", env=dict(os.environ), timeout=30).seconds for _ in range(5)]
    return statistics.median(times)


# -- output ------------------------------------------------------------------------------------------------

def fmt(value: float | None, spec: str = ".3f", suffix: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{suffix}"


def table(results: list[Result]) -> str:
    head = ["workload", "fig s", "compose s", "fig/compose", "SDK floor s", "fig/floor", "target", "met",
            "check", "RSS fig/compose MiB"]
    rows = []
    for r in results:
        rss = ""
        if r.workload.memory and r.maxrss["fig"]:
            f, c = (statistics.median(r.maxrss[k]) / 1024 for k in ("fig", "compose"))
            rss = f"{f:.0f} / {c:.0f}" + (" ok" if f <= c else " OVER")
        met = r.met()
        rows.append([r.workload.name, fmt(r.median("fig")), fmt(r.median("compose")), fmt(r.ratio("compose"), ".2f"),
                     fmt(r.median("sdk")), fmt(r.ratio("sdk"), ".2f"), r.workload.target,
                     "-" if met is None else "yes" if met else "NO", "FAIL" if r.failures else "ok", rss])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in rows])


def as_json(results: list[Result], meta: dict[str, Any], second: dict[str, Any]) -> str:
    return json.dumps({**meta, "round2": second, "workloads": [{
        "name": r.workload.name, "command": list(r.workload.command), "target": r.workload.target,
        "seconds": r.seconds, "maxrss_kib": r.maxrss, "median": {k: r.median(k) for k in r.seconds},
        "ratio_fig_compose": r.ratio("compose"), "ratio_fig_floor": r.ratio("sdk"), "target_met": r.met(),
        "check_ok": not r.failures, "failures": r.failures,
    } for r in results]}, indent=2)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    names = [w.name for w in WORKLOADS] + list(round2.NAMES)
    here = Path(sys.executable).with_name("fig")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="timed runs per tool and workload, after one warm-up (5)")
    p.add_argument("--only", default="", help="comma-separated workloads: " + ", ".join(names))
    p.add_argument("--json", action="store_true", help="print the results as JSON on stdout (progress on stderr)")
    p.add_argument("--timeout", type=float, default=180, help="seconds before a tool run is killed (180)")
    p.add_argument("--floor-workers", type=int, default=8,
                   help="SDK floor thread pool size (8, fig's default; 16 measured no faster on 2 cores)")
    p.add_argument("--fig", default=str(here) if here.exists() else f"{sys.executable} -m fig",
                   help="how to run fig (default: the fig script beside this python, not a pyenv shim)")
    p.add_argument("--fig-args", default="", metavar="ARGS", help="global options for fig, e.g. '--parallel 32'")
    p.add_argument("--fig-pythonpath", default="", metavar="DIR",
                   help="import fig from DIR (e.g. a clone of one commit) instead of the installed one")
    p.add_argument("--compose", default="docker-compose", help="how to run docker-compose 1.29.2")
    p.add_argument("--prompt-trap", action="store_true",
                   help="services wait in `wait`, so SIGTERM ends them at once rather than after the current `sleep 1`")
    p.add_argument("--rounds", type=int, default=2,
                   help="rounds of the growth, logs-1m, logs-follow and up-attached workloads (2)")
    p.add_argument("--sizes", default=",".join(map(str, round2.SIZES)),
                   help="growth sizes, ascending; the factor is t(largest)/t(30) (10,30,100,300)")
    p.add_argument("--shapes", default="flat,tree", help="growth shapes: flat, tree or both (flat,tree)")
    p.add_argument("--tools", default="fig,compose,sdk",
                   help="who runs the round-two workloads (fig,compose,sdk): leave one out when it cannot finish")
    args = p.parse_args(argv)
    args.tools = args.tools.split(",")
    args.shapes = [shape for shape in ("flat", "tree") if shape in args.shapes.split(",")]
    args.sizes = sorted(int(n) for n in args.sizes.split(","))
    args.fig, args.compose = args.fig.split() + args.fig_args.split(), args.compose.split()
    args.only = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in args.only if n not in names]
    if unknown:
        p.error(f"unknown workload {', '.join(unknown)}; choose from {', '.join(names)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    log = lambda text: print(text, file=sys.stderr, flush=True)
    try:
        lock = exclusive()  # noqa: F841 (held until exit)
        for tool in (args.fig, args.compose):
            if not shutil.which(tool[0]):
                raise BenchError(f"{tool[0]} is not installed")
        b = Bench(args)
    except BenchError as e:
        log(f"bench: error: {e}")
        return 2
    results: list[Result] = []
    try:
        removed = b.engine.cleanup()
        if removed:
            log(f"removed {removed} containers left over from an earlier run")
        versions = {who.key: b.run(who, "main", "--version").stdout.strip() for who in (b.fig, b.compose)}
        meta = {
            "date": time.strftime("%Y-%m-%d %H:%M %Z"), "machine": f"{platform.node()}, {os.cpu_count()} cores, "
            f"{platform.platform()}, load {os.getloadavg()[0]:.2f}",
            "engine": b.engine.api.version().get("Version"), "versions": versions, "runs": args.runs,
            "python_startup_s": {"fig": baseline(args.fig[0]), "compose": baseline(args.compose[0])},
        }
        log(f"{meta['date']} on {meta['machine']}; engine {meta['engine']}; {versions['fig']}; {versions['compose']}")
        for w in WORKLOADS:
            if not args.only or w.name in args.only:
                results.append((w.measure or measure)(b, w, args.runs, log))
        second = round2.measure(b, [n for n in round2.NAMES if not args.only or n in args.only], log)
    except BenchError as e:
        log(f"bench: error: {e}")
        return 2
    except KeyboardInterrupt:
        log("bench: interrupted")
        return 2
    finally:
        b.engine.cleanup()
        if b.swarm_made:
            b.engine.api.leave_swarm(force=True)
        shutil.rmtree(b.dir, ignore_errors=True)
    if args.json:
        print(as_json(results, meta, round2.as_json(second)))
    else:
        s = meta["python_startup_s"]
        print(f"{meta['date']}, {meta['machine']}, engine {meta['engine']}, medians of {args.runs} "
              f"(growth, logs-1m, logs-follow, up-attached: of {args.rounds})")
        print(f"{versions['fig']} vs {versions['compose']}; `python -c pass`: fig's python {s['fig']:.3f}s, "
              f"compose's {s['compose']:.3f}s\n")
        print("\n\n".join(t for t in (table(results) if results else "", round2.tables(second)) if t))
    failed = [f"{r.workload.name}: {f}" for r in results for f in r.failures] + second.failures
    if failed:
        log("\ncorrectness failures:\n" + "\n".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
