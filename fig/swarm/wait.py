"""Waiting for Swarm services to converge, and saying the truth when they do not: one poll of the services and
one of their tasks at a time, for every service at once."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from fig.backend.base import SwarmBackend
from fig.backend.swarmtypes import ServiceInfo, TaskInfo
from fig.errors import NotConverged
from fig.logs import logger
from fig.records import record
from fig.swarm.convert import NAMESPACE

log = logger(__name__)
STABLE = 1.0  # seconds a service must stay converged: a task that dies at once is not running
FAILURES = 3  # new tasks failed before a service counts as failing
_FAILED = ("failed", "rejected")
_BAD_UPDATES = {"paused": "its update paused", "rollback_paused": "its rollback paused",
                "rollback_completed": "its update failed and was rolled back"}


@record(frozen=True)
class Verdict:
    done: bool
    progress: str
    failure: str | None = None


def last_errors(tasks: Sequence[TaskInfo], limit: int = 3) -> str:
    """The newest tasks' errors, e.g. `task 1: task: non-zero exit (1)`; each text once."""
    seen: dict[str, None] = {}
    for t in sorted(tasks, key=lambda t: t.timestamp, reverse=True):
        if t.state in _FAILED or t.error:
            text = f"task {t.slot if t.slot is not None else t.node_id[:12]}: {t.error or t.message}"
            seen.setdefault(text)
    return "; ".join(list(seen)[:limit])


def verdict(info: ServiceInfo, tasks: Sequence[TaskInfo], old: Collection[str], *, rollback: bool = False) -> Verdict:
    """Where one service stands. `old`: ids of tasks that existed before this deploy (their failures are history);
    `rollback`: the deploy asked for the rollback, so a completed one is success."""
    mode = info.spec.get("Mode") or {}
    current = [t for t in tasks if t.desired_state in ("running", "complete", "ready")]
    running = [t for t in current if t.state == "running"]
    complete = [t for t in tasks if t.state == "complete"]
    failed = [t for t in tasks if t.id not in old and t.state in _FAILED]
    state = info.update_state
    if state in _BAD_UPDATES and not (rollback and state == "rollback_completed"):
        why = _BAD_UPDATES[state] + (f" ({info.update_message})" if info.update_message else "")
        return Verdict(False, why, f"{why}; {last_errors(tasks) or 'no task errors recorded'}")
    updating = state in ("updating", "rollback_started")
    if "ReplicatedJob" in mode or "GlobalJob" in mode:
        total = int(mode.get("ReplicatedJob", {}).get("TotalCompletions") or 0)
        done = len(complete) >= total if total else bool(tasks) and len(complete) == len(tasks)
        progress = f"{len(complete)}/{total or len(tasks)} completed"
    elif "Global" in mode:
        done = bool(current) and len(running) == len(current)
        progress = f"{len(running)}/{len(current)} running"
    else:
        wanted = int(mode.get("Replicated", {}).get("Replicas", 1))
        done = len(running) == wanted and len(current) == wanted
        progress = f"{len(running)}/{wanted} running"
    done = done and not updating
    if not done and len(failed) >= FAILURES:
        return Verdict(False, progress, f"tasks keep failing ({len(failed)} failed); {last_errors(failed)}")
    return Verdict(done, progress + (" (updating)" if updating else ""))


def wait(backend: SwarmBackend, stack: str, names: Sequence[str], *, timeout: float, old: Collection[str] = (),
         rollback: bool = False, poll: float = 0.3, clock: Callable[[], float] = time.monotonic,
         sleep: Callable[[float], None] = time.sleep) -> None:
    """Until every named service has converged (and stayed so for STABLE seconds); NotConverged naming each
    service that failed or, at the timeout, has not converged, with its tasks' last errors."""
    deadline = clock() + timeout
    pending = list(names)
    since: dict[str, float] = {}
    shown: dict[str, str] = {}
    failures: dict[str, str] = {}
    latest: dict[str, tuple[Verdict, list[TaskInfo]]] = {}
    while pending:
        infos = {s.name: s for s in backend.list_services({NAMESPACE: stack})}
        tasks = _by_service(backend.list_tasks(pending), infos)
        now = clock()
        for name in list(pending):
            if name not in infos:
                failures[name] = "the service was removed while fig waited for it"
                pending.remove(name)
                continue
            v = verdict(infos[name], tasks.get(name, []), old, rollback=rollback)
            latest[name] = (v, tasks.get(name, []))
            if shown.get(name) != v.progress:
                log.info("%s: %s", name, v.progress)
                shown[name] = v.progress
            if v.failure:
                failures[name] = v.failure
                pending.remove(name)
            elif not v.done:
                since.pop(name, None)
            elif now - since.setdefault(name, now) >= STABLE:
                pending.remove(name)
        if pending and now >= deadline:
            for name in pending:
                v, ts = latest[name]
                errors = last_errors(ts)
                failures[name] = f"not converged after {timeout:g}s ({v.progress})" + (f"; {errors}" if errors else "")
            break
        if pending:
            sleep(poll)
    if failures:
        raise NotConverged("; ".join(f"service {n}: {why}" for n, why in failures.items()))


def _by_service(tasks: Sequence[TaskInfo], infos: Mapping[str, ServiceInfo]) -> dict[str, list[TaskInfo]]:
    names = {info.id: name for name, info in infos.items()}
    out: dict[str, list[Any]] = {}
    for t in tasks:
        if t.service_id in names:
            out.setdefault(names[t.service_id], []).append(t)
    return out
