"""Waiting for dependencies: started, healthy, completed successfully, or answering a readiness probe."""

from __future__ import annotations

import time
import urllib.parse
from _thread import allocate_lock as Lock  # threading.Lock, without threading's import
from collections.abc import Callable

from fig.backend.base import ContainerState
from fig.config.model import DependsOn
from fig.container import Container
from fig.errors import Conflict, NotFound, NotReady

POLL = 0.25


class HealthChecks:
    """Healthchecks the engine does not run itself (EngineTraits.healthchecks: Podman without systemd): while fig
    waits for health, it runs each container's check at its interval, the first one interval after it first looks."""

    def __init__(self) -> None:
        self._next: dict[str, float] = {}  # container id -> when its next check is due (monotonic)
        self._lock = Lock()

    def tend(self, containers: list[Container]) -> list[Container]:
        """The containers, fresh where a check ran now."""
        return [c.refresh() if self._ran(c) else c for c in containers]

    def _ran(self, c: Container) -> bool:
        if c.info.health is None or c.state is not ContainerState.RUNNING or c.backend.traits().healthchecks:
            return False
        now = time.monotonic()
        with self._lock:
            due = self._next.setdefault(c.id, now + c.info.health_interval)
            if now < due:
                return False
            self._next[c.id] = now + c.info.health_interval
        try:
            c.backend.run_healthcheck(c.id)
        except (Conflict, NotFound):  # it stopped or went meanwhile: the next look says so
            return False
        return True


class _Waiter:
    def __init__(self, dependent: str, dep: DependsOn, containers: Callable[[], list[Container]],
                 checks: HealthChecks) -> None:
        self.dependent, self.dep, self.containers, self.checks = dependent, dep, containers, checks
        self.deadline = time.monotonic() + dep.timeout

    def fail(self, why: str) -> NotReady:
        return NotReady(f"Service '{self.dependent}' depends on '{self.dep.service}', which {why}")

    def poll(self, check: Callable[[list[Container]], bool | str], waiting_for: str, *, health: bool = False) -> None:
        """Call check with fresh containers until it returns True; a string return is the reason to give up. With
        `health`, the healthchecks the engine does not run are run."""
        while True:
            containers = [c.refresh() for c in self.containers()]
            if health:
                containers = self.checks.tend(containers)
            if containers:
                verdict = check(containers)
                if verdict is True:
                    return
                if isinstance(verdict, str):
                    raise self.fail(verdict)
            if time.monotonic() >= self.deadline:
                raise self.fail(f"was not {waiting_for} within {self.dep.timeout:g}s")
            time.sleep(POLL)

    def healthy(self, containers: list[Container]) -> bool | str:
        for c in containers:
            if c.info.health is None:
                return "has no healthcheck, so it can never become healthy (condition: service_healthy)"
            if c.info.health == "unhealthy":
                return f"is unhealthy ({c.name})"
            if c.state is ContainerState.EXITED:
                return f"exited with code {c.info.exit_code} before becoming healthy"
        return all(c.info.health == "healthy" for c in containers)

    @staticmethod
    def completed(containers: list[Container]) -> bool | str:
        for c in containers:
            if c.state is ContainerState.EXITED and c.info.exit_code != 0:
                return f"exited with code {c.info.exit_code} (condition: service_completed_successfully)"
        return all(c.state is ContainerState.EXITED for c in containers)

    def probe(self, containers: list[Container]) -> bool | str:
        spec = self.dep.ready or ""
        kind, _, arg = spec.partition(":")
        if kind == "log":
            return any(arg in line.text for c in containers for line in c.logs(follow=False))
        if kind == "tcp":
            host, _, port = arg.rpartition(":")
            return all(_tcp(host or _address(c), int(port)) for c in containers)
        if kind in ("http", "https"):
            return all(_http(spec, self.dep.service, _address(c)) for c in containers)
        return f"has an unknown readiness probe {spec!r} (use tcp:PORT, http://HOST:PORT/PATH or log:TEXT)"


def _address(container: Container) -> str:
    return container.info.ip_addresses[0] if container.info.ip_addresses else "127.0.0.1"


def _tcp(host: str, port: int) -> bool:
    import socket

    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _http(url: str, service: str, address: str) -> bool:
    import urllib.error
    import urllib.request  # about 10 ms that only an HTTP readiness probe needs

    parts = urllib.parse.urlsplit(url)
    if parts.hostname == service:
        netloc = address + (f":{parts.port}" if parts.port else "")
        url = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(200 <= response.status < 400)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_for(dependent: str, dep: DependsOn, containers: Callable[[], list[Container]],
             checks: HealthChecks) -> None:
    """Block until `dep` holds for the dependency's containers, or raise NotReady naming both services."""
    waiter = _Waiter(dependent, dep, containers, checks)
    if dep.condition == "service_healthy":
        waiter.poll(waiter.healthy, "healthy", health=True)
    elif dep.condition == "service_completed_successfully":
        waiter.poll(waiter.completed, "completed")
    if dep.ready:
        waiter.poll(waiter.probe, f"ready ({dep.ready})")


def wait_running(service: str, containers: Callable[[], list[Container]], timeout: float, *, checks: HealthChecks,
                 may_complete: bool = False) -> None:
    """For `up --wait`: every container running, and healthy where it has a healthcheck (or, with
    `may_complete`, exited with code 0)."""
    deadline = time.monotonic() + timeout

    def ok(c: Container) -> bool:
        if may_complete and c.state is ContainerState.EXITED and c.info.exit_code == 0:
            return True
        return c.state is ContainerState.RUNNING and c.info.health in (None, "healthy")

    while True:
        current = checks.tend([c.refresh() for c in containers()])
        failed = [c for c in current if not ok(c) and (c.state is ContainerState.EXITED or c.info.health == "unhealthy")]
        if failed:
            states = ", ".join(f"{c.name} {c.human_state}" for c in failed)
            raise NotReady(f"Service '{service}' is not running: {states}")
        if current and all(ok(c) for c in current):
            return
        if time.monotonic() >= deadline:
            states = ", ".join(f"{c.name} {c.human_state}" for c in current) or "no container"
            raise NotReady(f"Service '{service}' was not running and healthy within {timeout:g}s: {states}")
        time.sleep(POLL)
