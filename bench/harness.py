"""What every workload of bench/ shares: the tools' timed processes, the engine through the docker SDK (to
prepare and check state, and as the floor), and who runs a workload (fig, docker-compose, the SDK)."""

from __future__ import annotations

from contextlib import suppress
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
import docker.errors


PREFIX = "figbench"  # every project, container and temp dir of the benchmark starts with this
STACK_LABEL = "com.docker.stack.namespace"  # a swarm stack's (the deploy workload)
IMAGE = "busybox:latest"
# SIGTERM ends the container, so stop measures the tool and not the 10 s kill timeout. The shell runs the trap
# once the `sleep 1` in progress ends (0-1 s later); with --prompt-trap it waits in `wait`, which a signal ends.
TRAP = 'trap "exit 0" TERM INT; while :; do sleep 1; done'
PROMPT_TRAP = 'trap "exit 0" TERM INT; while :; do sleep 1 & wait; done'


class BenchError(Exception):
    """The benchmark itself cannot go on (engine, tool or preparation failure)."""


# -- timed subprocesses -------------------------------------------------------------------------------------

@dataclass
class Sample:
    argv: list[str]
    seconds: float
    rc: int
    maxrss_kib: int
    stdout: str
    stderr: str
    timed_out: bool = False

    def failure(self) -> str:
        what = f"timed out after {self.seconds:.0f}s" if self.timed_out else f"exit status {self.rc}"
        tail = "\n".join((self.stderr or self.stdout).strip().splitlines()[-12:])
        return f"`{' '.join(self.argv)}` {what}\n{indent(tail)}"


def indent(text: str) -> str:
    return "\n".join("    | " + line for line in text.splitlines())


GNU_TIME = "/usr/bin/time"


def run_timed(argv: Sequence[str], *, cwd: str, env: dict[str, str], timeout: float,
              watch: Callable[[int, threading.Event], None] | None = None) -> Sample:
    """Wall time from spawn to exit, and the peak RSS of the tool's own process. `watch(pid, ended)` runs on
    a thread while the tool does (to sample it, or act on the engine meanwhile) until `ended` is set.

    The RSS comes from GNU time (`-f %M`) when installed: os.wait4 on our own child would report at least this
    process's RSS, because a child forked (or vforked) from us counts our pages until it execs."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(prefix=PREFIX, suffix=".rss") as rss:
        reaped: dict[str, Any] = {}
        measured = [GNU_TIME, "-f", "%M", "-o", rss.name] if os.access(GNU_TIME, os.X_OK) else []
        start = time.perf_counter()
        proc = subprocess.Popen([*measured, *argv], cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err, start_new_session=True)

        def reap() -> None:
            _, status, usage = os.wait4(proc.pid, 0)
            reaped.update(end=time.perf_counter(), status=status, usage=usage)

        waiter = threading.Thread(target=reap, daemon=True)
        waiter.start()
        ended = threading.Event()
        watcher = threading.Thread(target=watch, args=(proc.pid, ended), daemon=True) if watch else None
        if watcher:
            watcher.start()
        try:
            waiter.join(timeout)
        finally:  # timed out, or the benchmark is interrupted: the tool goes too
            timed_out = waiter.is_alive()
            if timed_out:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                waiter.join(30)
        ended.set()
        if watcher:
            watcher.join(30)
        proc.returncode = os.waitstatus_to_exitcode(reaped["status"]) if "status" in reaped else -9
        out.seek(0)
        err.seek(0)
        maxrss = reaped["usage"].ru_maxrss if "usage" in reaped else 0
        if measured:
            lines = Path(rss.name).read_text().split()
            maxrss = int(lines[-1]) if lines and lines[-1].isdigit() else 0
        return Sample(list(argv), reaped.get("end", time.perf_counter()) - start, proc.returncode, maxrss,
                      out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"), timed_out)


def exclusive() -> Any:
    """A lock held while this process runs: two benchmarks on one engine would remove each other's projects."""
    import fcntl

    lock = open(os.path.join(tempfile.gettempdir(), f"{PREFIX}.lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise BenchError("another benchmark (bench/run.py or bench/round3.py) is running on this machine") from None
    return lock


# -- the engine, the tools and the SDK floor -------------------------------------------------------------------

class Engine:
    """The docker SDK on a bounded thread pool: used to prepare and check state, and as the floor."""

    def __init__(self, workers: int, base_url: str | None = None) -> None:
        """The engine on /var/run/docker.sock, or the one at `base_url` (unix://PATH)."""
        try:
            self.api = docker.APIClient(base_url=base_url, version="auto", timeout=120,
                                        max_pool_size=max(10, workers))
            self.api.ping()
        except Exception as e:
            raise BenchError(f"no Docker engine answers (run script/engine): {e}") from None
        try:
            self.api.inspect_image(IMAGE)
        except docker.errors.ImageNotFound:
            raise BenchError(f"{IMAGE} is missing (run script/engine to seed it)") from None
        self.workers = workers
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="bench")

    def each(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        return list(self.pool.map(fn, items))

    def graph(self, items: Sequence[str], deps: Callable[[str], Sequence[str]], fn: Callable[[str], Any]) -> None:
        """Run fn(item) on the pool as soon as the item's deps are done, the heads of the longest chains first
        (the way a good orchestrator would)."""
        waiting = {k: {d for d in deps(k) if d in items} for k in items}
        chain: dict[str, int] = {}

        def length(k: str) -> int:  # the longest chain of items waiting on k, k included
            if k not in chain:
                chain[k] = 1 + max((length(o) for o, pending in waiting.items() if k in pending), default=0)
            return chain[k]

        rank = {k: length(k) for k in items}
        ready: list[str] = []
        running: dict[Any, str] = {}
        while waiting or running or ready:
            for k in [k for k, pending in waiting.items() if not pending]:
                del waiting[k]
                ready.append(k)
            ready.sort(key=lambda k: -rank[k])
            while ready and len(running) < self.workers:
                k = ready.pop(0)
                running[self.pool.submit(fn, k)] = k
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                k = running.pop(future)
                future.result()
                for pending in waiting.values():
                    pending.discard(k)

    def containers(self, label: str, project: str) -> list[dict[str, Any]]:
        return self.api.containers(all=True, filters={"label": f"{label}={project}"})

    def remove(self, ids: Iterable[str]) -> None:
        def rm(cid: str) -> None:
            with suppress(docker.errors.NotFound):
                self.api.remove_container(cid, force=True, v=True)
        self.each(rm, ids)

    def remove_stacks(self, name: str | None = None) -> None:
        """Remove the benchmark's swarm stacks (or the one named): services first, then, once their containers
        are gone, their networks."""
        stacks = {sv["Spec"]["Labels"].get(STACK_LABEL, "") for sv in self.api.services()} \
            if self.api.info()["Swarm"]["LocalNodeState"] == "active" else set()
        for stack in sorted(x for x in stacks if x.startswith(PREFIX) and (name is None or x == name)):
            label = {"label": f"{STACK_LABEL}={stack}"}
            for sv in self.api.services(filters=label):
                with suppress(docker.errors.NotFound):
                    self.api.remove_service(sv["ID"])
            deadline = time.monotonic() + 120
            while self.api.containers(all=True, filters=label) and time.monotonic() < deadline:
                time.sleep(0.3)
        for n in self.api.networks(filters={"label": STACK_LABEL}):
            if n["Name"].startswith(name or PREFIX):
                self.remove_network(n["Id"])

    def remove_network(self, network: str, seconds: float = 60) -> None:
        """Remove a network once the engine has freed the endpoints of the containers that left it (seconds after
        their removal on a loaded engine); after `seconds`, the engine's refusal is raised."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.api.remove_network(network)
                return
            except docker.errors.NotFound:
                return
            except docker.errors.APIError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def cleanup(self) -> int:
        """Remove every container and network of the benchmark, found by name or project label prefix, and its
        swarm stacks."""
        self.remove_stacks()
        mine = []
        for c in self.api.containers(all=True):
            labels = c.get("Labels") or {}
            if "com.docker.swarm.task.id" in labels:
                continue  # a swarm's task, not the benchmark's (the swarm would start it again anyway)
            projects = [labels.get(k, "") for k in ("io.fig.project", "com.docker.compose.project", "figbench")]
            if any(n.lstrip("/").startswith(PREFIX) for n in c.get("Names") or []) or \
                    any(p.startswith(PREFIX) for p in projects):
                mine.append(c["Id"])
        self.remove(mine)
        for n in self.api.networks():
            if n["Name"].startswith(PREFIX) and n.get("Scope") != "swarm":
                with suppress(docker.errors.APIError):
                    self.api.remove_network(n["Id"])
        return len(mine)


def name_of(c: dict[str, Any]) -> str:
    """A container's own name: legacy links add `other/alias` names to the list."""
    names = [n.lstrip("/") for n in c.get("Names") or []]
    return next((n for n in names if "/" not in n), names[0] if names else "")


@dataclass
class Runner:
    """fig, docker-compose, or the SDK floor: who makes and acts on a project."""

    key: str
    label: str  # the label that carries the project name
    argv: list[str] = field(default_factory=list)  # empty for the SDK
    env: dict[str, str] = field(default_factory=dict)  # on top of the benchmark's environment

    def project(self, kind: str) -> str:
        return f"{PREFIX}{self.key[0]}{kind}"
