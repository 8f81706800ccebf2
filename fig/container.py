"""Container: what the engine told us about one container, plus the backend to act on it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from fig import labels as L
from fig.backend.base import LIVE_STATES, ContainerBackend, ContainerInfo, ContainerState, LogLine
from fig.errors import BackendError, ConnectionFailed, EngineTimeout
from fig.parallel import both
from fig.records import record

if TYPE_CHECKING:  # loaded by the commands that make or run something
    import socket

    from fig.backend.specs import ExecSpec


def find(backend: ContainerBackend, labels: Mapping[str, str], *, all: bool = False) -> list[ContainerInfo]:
    """Containers with these labels, whether fig labelled them Compose's way or (fig 1.1.0) its own: the two
    listings are asked for at once (the engine filters by one label set at a time)."""
    current, legacy = both(lambda: backend.list_containers(labels, all=all),
                           lambda: backend.list_containers(L.legacy_query(labels), all=all))
    found = {i.id: i for i in current}
    for info in legacy:
        found.setdefault(info.id, info)
    return list(found.values())


class Container:
    def __init__(self, backend: ContainerBackend, info: ContainerInfo) -> None:
        self.backend = backend
        self.info = info

    def __repr__(self) -> str:
        return f"<Container {self.name} ({self.short_id})>"

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def short_id(self) -> str:
        return self.info.id[:12]

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def project(self) -> str:
        return L.read(self.info.labels, L.LABEL_PROJECT)

    @property
    def service(self) -> str:
        return L.read(self.info.labels, L.LABEL_SERVICE)

    @property
    def number(self) -> int:
        try:
            return int(L.read(self.info.labels, L.LABEL_NUMBER, "0"))
        except ValueError:
            return 0

    @property
    def oneoff(self) -> bool:
        return L.read(self.info.labels, L.LABEL_ONEOFF) == "True"

    @property
    def config_hash(self) -> str | None:
        return L.read(self.info.labels, L.LABEL_CONFIG_HASH) or None

    @property
    def name_without_project(self) -> str:
        return L.strip_project(self.name, self.project)

    @property
    def state(self) -> ContainerState:
        return self.info.state

    @property
    def is_running(self) -> bool:
        return self.info.state in LIVE_STATES

    @property
    def human_state(self) -> str:
        state = self.info.state
        if state is ContainerState.RUNNING:
            return f"Up ({self.info.health})" if self.info.health else "Up"
        if state is ContainerState.EXITED:
            return f"Exit {self.info.exit_code}"
        if state.name == "UNKNOWN":  # a state this version does not know: as the engine says it
            return str(state.value)
        return str(state.value).capitalize()

    @property
    def human_ports(self) -> str:
        parts = []
        for p in sorted(set(self.info.ports), key=lambda p: (p.container_port, p.protocol, p.host_ip or "")):
            inner = f"{p.container_port}/{p.protocol}"
            if p.host_port:
                host_ip = "" if p.host_ip in (None, "", "0.0.0.0", "::") else p.host_ip
                if p.host_ip == "::":
                    continue
                parts.append(f"{host_ip or '0.0.0.0'}:{p.host_port}->{inner}")
            else:
                parts.append(inner)
        return ", ".join(dict.fromkeys(parts))

    def port(self, private: int, protocol: str = "tcp") -> str | None:
        for p in self.info.ports:
            if p.container_port == private and p.protocol == protocol and p.host_port:
                if p.host_ip == "::":
                    continue
                return f"{p.host_ip or '0.0.0.0'}:{p.host_port}"
        return None

    @contextlib.contextmanager
    def _named(self) -> Iterator[None]:
        """An engine call that ran out of time says which container, by name."""
        try:
            yield
        except EngineTimeout as e:
            raise e.about(self.name) from e

    def refresh(self) -> Container:
        with self._named():
            self.info = self.backend.inspect(self.id)
        return self

    def start(self) -> None:
        try:
            with self._named():
                self.backend.start(self.id)
        except (ConnectionFailed, EngineTimeout):
            raise
        except BackendError as e:  # the engine's refusal (privileges, devices, ports) says which container
            raise type(e)(f"{self.name}: {e}") from e

    def stop(self, timeout: int) -> None:
        with self._named():
            self.backend.stop(self.id, timeout=timeout)

    def restart(self, timeout: int) -> None:
        with self._named():
            self.backend.restart(self.id, timeout=timeout)

    def kill(self, signal: str = "SIGKILL") -> None:
        with self._named():
            self.backend.kill(self.id, signal=signal)

    def remove(self, *, force: bool = False, volumes: bool = False) -> None:
        with self._named():
            self.backend.remove(self.id, force=force, volumes=volumes)

    def wait(self) -> int:
        return self.backend.wait(self.id)

    def logs(self, *, follow: bool, tail: int | None = None, since: str | None = None, until: str | None = None,
             timestamps: bool = False) -> Iterator[LogLine]:
        return self.backend.logs(self.id, follow=follow, tail=tail, since=since, until=until, timestamps=timestamps)

    def attach_output(self) -> Iterator[LogLine]:
        return self.backend.attach_output(self.id)


@record
class Execution:
    """A command created in a container, to be started attached (a raw stream) or detached."""

    container: Container
    id: str
    tty: bool

    @classmethod
    def create(cls, container: Container, spec: ExecSpec) -> Execution:
        try:
            return cls(container, container.backend.exec_create(container.id, spec), spec.tty)
        except BackendError as e:
            raise type(e)(f"{container.name}: {str(e).removeprefix(container.id + ': ')}") from e

    def attach(self) -> socket.socket:
        return self.container.backend.exec_start(self.id, tty=self.tty)

    def start_detached(self) -> None:
        self.container.backend.exec_start_detached(self.id)

    def resize(self, height: int, width: int) -> None:
        self.container.backend.exec_resize(self.id, height, width)

    def exit_code(self, *, patience: float = 5) -> int:
        """The command's exit code, once it has ended (its output stream ends a moment before it is recorded)."""
        deadline = time.monotonic() + patience
        while True:
            info = self.container.backend.exec_inspect(self.id)
            if info.exit_code is not None:
                return info.exit_code
            if time.monotonic() > deadline:
                raise BackendError(f"{self.container.name}: the command's exit code never came")
            time.sleep(0.01)
