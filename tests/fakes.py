"""FakeBackend: an in-memory ContainerBackend that behaves like the engine where the domain relies on it.

It keeps containers, images, networks and volumes in dicts, raises the same fig.errors the DockerBackend
raises for the same mistakes, and records every call in `calls` as (method, args) so a test can assert
what was (or was not) written. It is thread-safe, because Project drives it from a thread pool.

Engine behaviours it copies on purpose:
  * a container is found by id, unique id prefix or name; names are unique ("... is already in use ...");
  * `create` refuses an image that is not present locally (the engine never pulls on create), an unknown
    network, and an unknown volumes_from / link / container: network target; `start` refuses a link to, or
    the network of, a container that is not running;
  * anonymous volumes (`spec.volumes`) become Mount(type="volume", name=<64 hex>) and survive `remove`
    unless volumes=True; "name:/target" binds create the named volume; volumes_from copies mounts;
  * `list_containers(all=False)` shows running, paused and restarting containers only;
  * published ports show in ContainerInfo only while running; a port with no host port gets an
    ephemeral one at start, one with a range of host ports the first free one of it; starting a second
    container on a taken host port (or a range all taken) fails "port is already allocated";
  * start/stop of a container already in that state is a no-op; kill of a stopped one is an error;
    remove of a running one without force is an error;
  * `wait` on a running container lets its process finish with `exit_codes[name]` (default 0);
  * a running container with a healthcheck is healthy at once (the engine checked it).

`FakeBackend(podman=True)` is an engine like Podman: it has no links (a spec with legacy links is refused), does not
run healthchecks (a container stays "starting" until `run_healthcheck`, which records `health_results[name]`,
default "healthy"), and refuses to remove a container that another joins (network, PID or IPC namespace).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import posixpath
import struct
import tarfile
import socket
import signal as signals
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fig.backend.answers import MODE_DIR, MODE_SYMLINK, EngineEvent, ExecInfo, ImageInfo, PathStat, StatsSample
from fig.backend.apiversion import NEWEST
from fig.backend.base import LIVE_STATES, ContainerInfo, ContainerState, EngineTraits, LogLine, Mount
from fig.backend.ports import PortBinding
from fig.backend.specs import BuildProgress, BuildRequest, ContainerSpec, ExecSpec, NetworkOptions
from fig.backend.wire import unix_time
from fig.errors import BackendError, BuildError, Conflict, ImageNotFound, NotFound
from tests.fakeswarm import SWARM_WRITES, FakeSwarm

# ensure_network/ensure_volume are recorded as calls; only when they make something is a write recorded
# (create_network/create_volume), as the DockerBackend asks the engine first and creates only what is missing.
WRITE_METHODS = frozenset({
    "create", "start", "stop", "restart", "kill", "remove", "rename", "build", "pull", "push", "remove_image",
    "create_network", "remove_network", "create_volume", "remove_volume", "exec_create", "exec_start",
    "exec_start_detached", "put_archive", "pause", "unpause",
}) | SWARM_WRITES
CONTAINER_WRITES = frozenset({"create", "start", "stop", "restart", "kill", "remove", "rename", "pause", "unpause"})
_LIVE = LIVE_STATES


def image_key(name: str) -> str:
    """The engine's reading of an image reference: no tag means ':latest'."""
    if "@" in name:
        return name
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else f"{name}:latest"


@dataclass
class FakeFile:
    mode: int  # permission bits plus MODE_DIR / MODE_SYMLINK, as PathStat has them
    data: bytes = b""
    uid: int = 0
    gid: int = 0
    link_target: str = ""


@dataclass
class FakeExec:
    container: str  # id
    spec: ExecSpec
    exit_code: int | None = None


@dataclass
class FakeContainer:
    id: str
    spec: ContainerSpec
    name: str
    image_id: str
    created: str
    state: ContainerState = ContainerState.CREATED
    exit_code: int = 0
    mounts: tuple[Mount, ...] = ()
    host_ports: dict[tuple[str, int], int] = field(default_factory=dict)  # (proto, container port) -> host
    finished_at: str = ""
    files: dict[str, FakeFile] = field(default_factory=lambda: {"/": FakeFile(MODE_DIR | 0o755)})
    health: str | None = None  # while running, with a healthcheck: starting, healthy or unhealthy

    def info(self) -> ContainerInfo:
        ports: tuple[PortBinding, ...] = ()
        if self.state in _LIVE:
            published = tuple(
                PortBinding(p.container_port, p.protocol, p.host_ip or "0.0.0.0",
                            self.host_ports.get((p.protocol, p.container_port)))
                for p in self.spec.ports)
            exposed = tuple(PortBinding(p.container_port, p.protocol) for p in self.spec.expose
                            if (p.protocol, p.container_port) not in self.host_ports)
            ports = published + exposed
        command = " ".join([*(self.spec.entrypoint or ()), *(self.spec.command or ())])
        return ContainerInfo(
            id=self.id, name=self.name, image=self.spec.image, image_id=self.image_id, labels=dict(self.spec.labels),
            state=self.state, exit_code=self.exit_code, command=command, ports=ports, mounts=self.mounts,
            created=self.created, finished_at=self.finished_at, status=self.status(), names=(self.name,),
            networks=tuple(e.network for e in self.spec.networks) or (self.spec.network_mode or "bridge",),
            tty=self.spec.tty, health=self.health if self.state in _LIVE else None,
            health_interval=(self.spec.healthcheck or {}).get("interval", 30_000_000_000) / 1e9
            if self.spec.healthcheck else 0.0,
            ip_addresses=(f"172.30.{int(self.created) // 256 % 256}.{int(self.created) % 256}",)
            if self.state in _LIVE and self.spec.network_mode not in ("host", "none") else (),
        )

    def status(self) -> str:
        """The engine's words for the state, without its times ("Up 2 minutes" is "Up" here)."""
        if self.state is ContainerState.EXITED:
            return f"Exited ({self.exit_code})"
        return {ContainerState.RUNNING: "Up", ContainerState.PAUSED: "Up (Paused)",
                ContainerState.CREATED: "Created"}.get(self.state, self.state.value.capitalize())


class FakeBackend(FakeSwarm):
    """An in-memory engine. Seed it with `add_image`, `log_lines` and `exit_codes`; read `calls`."""

    def __init__(self, images: Iterable[str] = ("busybox:latest",), *, registry: Iterable[str] = (),
                 podman: bool = False) -> None:
        self.podman = podman
        self.health_results: dict[str, str] = {}  # container name -> what run_healthcheck records (podman)
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._ports = itertools.count(32768)
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.acted: list[tuple[str, str]] = []  # (method, container name at the time) of each container write
        self.containers: dict[str, FakeContainer] = {}  # by id, in creation order
        self.images: dict[str, str] = {}  # reference (with tag) -> image id
        self.registry: set[str] = {image_key(i) for i in registry}  # what `pull` can fetch
        self.networks: dict[str, dict[str, Any]] = {}
        self.volumes: dict[str, dict[str, Any]] = {}  # name -> {"anonymous": bool, "driver", "labels"}
        self.log_lines: dict[str, list[str | LogLine]] = {}  # container name -> canned output
        self.exit_codes: dict[str, int] = {}  # container name -> exit code when its process ends
        self.build_failures: dict[str, str] = {}  # tag -> error message
        self.failures: dict[tuple[str, str], BaseException] = {}  # (method, container name) -> error it raises
        self.exec_results: dict[tuple[str, str], tuple[int, str]] = {}  # (name, " ".join(command)) -> code, output
        self.execs: dict[str, FakeExec] = {}
        self.event_log: list[EngineEvent] = []  # what the engine would have reported, stamped with the clock
        self.processes: dict[str, list[list[str]]] = {}  # container name -> `top` rows (UID PID ... TIME CMD)
        self.samples: dict[str, StatsSample] = {}  # container name -> what `stats` reads
        self.version = NEWEST  # the Engine API version it speaks
        self.auths: dict[str, dict[str, str]] = {}  # the registry credentials use_api_socket passes on
        self._swarm_init()
        for image in images:
            self.add_image(image)

    def api_version(self) -> str:
        return self.version

    # -- helpers for tests ------------------------------------------------------------------------------

    def _new_id(self) -> str:
        return hashlib.sha256(f"fake-{next(self._ids)}".encode()).hexdigest()

    def add_image(self, name: str) -> str:
        with self._lock:
            image_id = "sha256:" + self._new_id()
            self.images[image_key(name)] = image_id
            return image_id

    def writes(self, methods: Iterable[str] = WRITE_METHODS) -> list[tuple[str, tuple[Any, ...]]]:
        wanted = set(methods)
        with self._lock:
            return [c for c in self.calls if c[0] in wanted]

    def container_writes(self) -> list[tuple[str, tuple[Any, ...]]]:
        return self.writes(CONTAINER_WRITES)

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()
            self.acted.clear()

    def names(self, method: str) -> list[str]:
        """Names (at the time of the call) of the containers `method` was called on, in call order."""
        with self._lock:
            return [name for m, name in self.acted if m == method]

    def by_name(self, name: str) -> FakeContainer:
        with self._lock:
            return self._find(name)

    def specs(self) -> list[ContainerSpec]:
        with self._lock:
            return [args[0] for m, args in self.calls if m == "create"]

    # -- internals --------------------------------------------------------------------------------------

    def _record(self, method: str, *args: Any) -> None:
        self.calls.append((method, args))

    def _find(self, ref: str) -> FakeContainer:
        if ref in self.containers:
            return self.containers[ref]
        for c in self.containers.values():
            if c.name == ref:
                return c
        matches = [c for c in self.containers.values() if ref and c.id.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        raise NotFound(f"No such container: {ref}")

    def _maybe_fail(self, method: str, c: FakeContainer) -> None:
        error = self.failures.get((method, c.name))
        if error is not None:
            raise error

    def _mounts(self, spec: ContainerSpec) -> tuple[Mount, ...]:
        mounts: dict[str, Mount] = {}
        for ref in spec.volumes_from:
            source_ref, _, mode = ref.partition(":")
            source = self._find(source_ref)
            for m in source.mounts:
                mounts[m.target] = Mount(m.target, m.type, m.name, m.source, m.read_only or mode == "ro")
        for bind in spec.binds:
            source, target, *rest = bind.split(":")
            read_only = bool(rest) and rest[0] == "ro"
            if source.startswith("/"):
                mounts[target] = Mount(target, "bind", None, source, read_only)
            else:
                self.volumes.setdefault(source, {"anonymous": len(source) == 64, "driver": None, "labels": {}})
                mounts[target] = Mount(target, "volume", source, f"/var/lib/docker/volumes/{source}/_data",
                                       read_only)
        for mount in spec.mounts:  # a named volume's subpath, or an image (which must be here, as on the engine)
            if mount.type == "image" and image_key(mount.source) not in self.images:
                raise NotFound(f"No such image: {mount.source}")
            if mount.type == "volume":
                self.volumes.setdefault(mount.source, {"anonymous": False, "driver": None, "labels": {}})
            mounts[mount.target] = Mount(mount.target, mount.type, mount.source if mount.type == "volume" else None,
                                         None, mount.read_only)
        for target in spec.volumes:
            if target in mounts:
                continue
            name = self._new_id()
            self.volumes[name] = {"anonymous": True, "driver": None, "labels": {}}
            mounts[target] = Mount(target, "volume", name, f"/var/lib/docker/volumes/{name}/_data")
        return tuple(mounts.values())

    def _in_use(self, volume: str) -> bool:
        return any(m.name == volume for c in self.containers.values() for m in c.mounts)

    # -- containers -------------------------------------------------------------------------------------

    def list_containers(self, labels: Mapping[str, str], *, all: bool = False,
                        having: Sequence[str] = ()) -> list[ContainerInfo]:
        with self._lock:
            self._record("list_containers", dict(labels), all)
            return [c.info() for c in reversed(self.containers.values())  # newest first, as the engine lists
                    if (all or c.state in _LIVE) and all_items_match(c.spec.labels, labels)
                    and set(having) <= set(c.spec.labels)]

    def inspect(self, container_id: str) -> ContainerInfo:
        with self._lock:
            self._record("inspect", container_id)
            return self._find(container_id).info()

    def create(self, spec: ContainerSpec) -> str:
        with self._lock:
            self._record("create", spec)
            self.acted.append(("create", spec.name))
            if ("create", spec.name) in self.failures:
                raise self.failures[("create", spec.name)]
            if any(c.name == spec.name for c in self.containers.values()):
                existing = next(c for c in self.containers.values() if c.name == spec.name)
                raise Conflict(f'Conflict. The container name "/{spec.name}" is already in use by container '
                                   f'"{existing.id}". You have to remove (or rename) that container to be able '
                                   "to reuse that name.")
            image_id = self.images.get(image_key(spec.image))
            if image_id is None:
                raise ImageNotFound(f"{spec.name}: No such image: {spec.image}")
            for endpoint in spec.networks:
                if endpoint.network not in self.networks:
                    raise NotFound(f"{spec.name}: network {endpoint.network} not found")
            if spec.network_mode and spec.network_mode.startswith("container:"):
                self._find(spec.network_mode.split(":", 1)[1])
            if spec.links and self.podman:
                raise BackendError(f"{spec.name}: bad parameter: link is not supported")
            for target, _alias in spec.links:
                try:
                    self._find(target)
                except NotFound:
                    raise BackendError(f"{spec.name}: Could not get container for {target}") from None
            container = FakeContainer(self._new_id(), spec, spec.name, image_id, f"{next(self._ids):012d}",
                                      mounts=self._mounts(spec))
            self.containers[container.id] = container
            self._event(container, "create")
            return container.id

    def start(self, container_id: str) -> None:
        with self._lock:
            self._record("start", container_id)
            c = self._find(container_id)
            self.acted.append(("start", c.name))
            self._maybe_fail("start", c)
            if c.state not in _LIVE:
                self._start(c)

    def _start(self, c: FakeContainer) -> None:
        if c.spec.network_mode and c.spec.network_mode.startswith("container:"):
            shared = self._find(c.spec.network_mode.split(":", 1)[1])
            if shared.state not in _LIVE:
                raise BackendError(f"cannot join network of a non running container: {shared.id}")
        for target, alias in c.spec.links:
            linked = self._find(target)
            if linked.state not in _LIVE:
                raise BackendError(f"Cannot link to a non running container: /{linked.name} AS /{c.name}/{alias}")
        taken = {(proto, host) for other in self.containers.values() if other.state in _LIVE
                 for (proto, _), host in other.host_ports.items()}
        host_ports: dict[tuple[str, int], int] = {}
        for p in c.spec.ports:
            choices = range(p.host_port, (p.host_port_end or p.host_port) + 1) if p.host_port else ()
            port = next((n for n in choices if (p.protocol, n) not in taken), p.host_port) or next(self._ports)
            if p.host_port and (p.protocol, port) in taken:
                raise BackendError(f"driver failed programming external connectivity on endpoint {c.name}: "
                                   f"Bind for {p.host_ip or '0.0.0.0'}:{port} failed: port is already allocated")
            host_ports[(p.protocol, p.container_port)] = port
        c.host_ports = host_ports
        c.state = ContainerState.RUNNING
        c.health = None if not c.spec.healthcheck else "starting" if self.podman else "healthy"
        self._event(c, "start")
        c.exit_code = 0

    def _event(self, c: FakeContainer, action: str, **attributes: str) -> None:
        stamp = max(time.time_ns(), self.event_log[-1].time_nano + 1 if self.event_log else 0)
        self.event_log.append(EngineEvent("container", action, c.id, {**c.spec.labels, "image": c.spec.image,
                                                                       "name": c.name, **attributes}, stamp))

    def _end(self, c: FakeContainer, code: int) -> None:
        self._event(c, "die", exitCode=str(code))
        c.state = ContainerState.EXITED
        c.exit_code = code
        c.host_ports = {}
        c.finished_at = f"2024-01-01T01:00:{next(self._ids) % 60:02d}.000000000Z"

    def stop(self, container_id: str, *, timeout: int) -> None:
        with self._lock:
            self._record("stop", container_id, timeout)
            c = self._find(container_id)
            self.acted.append(("stop", c.name))
            self._maybe_fail("stop", c)
            if c.state in _LIVE:
                self._end(c, self.exit_codes.get(c.name, 0))

    def restart(self, container_id: str, *, timeout: int) -> None:
        with self._lock:
            self._record("restart", container_id, timeout)
            c = self._find(container_id)
            self.acted.append(("restart", c.name))
            self._maybe_fail("restart", c)
            if c.state in _LIVE:
                self._end(c, self.exit_codes.get(c.name, 0))
            self._start(c)

    def kill(self, container_id: str, *, signal: str = "SIGKILL") -> None:
        with self._lock:
            self._record("kill", container_id, signal)
            c = self._find(container_id)
            self.acted.append(("kill", c.name))
            self._maybe_fail("kill", c)
            if c.state not in _LIVE:
                raise BackendError(f"Cannot kill container: {container_id}: Container {c.id} is not running")
            number = getattr(signals, signal if signal.startswith("SIG") else f"SIG{signal}", None)
            if number is None:
                raise BackendError(f"Invalid signal: {signal}")
            self._end(c, 128 + int(number))

    def remove(self, container_id: str, *, force: bool = False, volumes: bool = False) -> None:
        with self._lock:
            self._record("remove", container_id, force, volumes)
            c = self._find(container_id)
            self.acted.append(("remove", c.name))
            self._maybe_fail("remove", c)
            if c.state in _LIVE and not force:
                raise BackendError(f"You cannot remove a running container {c.id}. Stop the container before "
                                   "attempting removal or force remove")
            joining = [o.id for o in self.containers.values() if f"container:{c.id}" in
                       (o.spec.network_mode, o.spec.pid_mode, o.spec.ipc_mode)]
            if joining and self.podman:
                raise BackendError(f"container {c.id} has dependent containers which must be removed before it: "
                                   f"{', '.join(joining)}: container already exists")
            del self.containers[c.id]
            self._event(c, "destroy")
            if volumes:
                for m in c.mounts:
                    if m.name and self.volumes.get(m.name, {}).get("anonymous") and not self._in_use(m.name):
                        del self.volumes[m.name]

    def rename(self, container_id: str, name: str) -> None:
        with self._lock:
            self._record("rename", container_id, name)
            c = self._find(container_id)
            self.acted.append(("rename", c.name))
            if any(o.name == name and o is not c for o in self.containers.values()):
                raise Conflict(f'Error when allocating new name: Conflict. The container name "/{name}" is '
                                   "already in use")
            c.name = name

    def wait(self, container_id: str) -> int:
        with self._lock:
            self._record("wait", container_id)
            c = self._find(container_id)
            if c.state in _LIVE:
                self._end(c, self.exit_codes.get(c.name, 0))
            return c.exit_code

    def logs(self, container_id: str, *, follow: bool, tail: int | None = None, since: str | None = None,
             until: str | None = None, timestamps: bool = False) -> Iterator[LogLine]:
        with self._lock:
            self._record("logs", container_id, follow, tail, since, timestamps)
            lines = self._canned(self._find(container_id))
        if since is not None:
            lines = [line for line in lines if (line.timestamp or "") >= since]
        if until is not None:
            lines = [line for line in lines if (line.timestamp or "") < until]
        if tail is not None:
            lines = lines[-tail:] if tail else []
        if not timestamps:
            lines = [LogLine(line.text, line.stream) for line in lines]
        return iter(lines)

    def _canned(self, c: FakeContainer) -> list[LogLine]:
        """The container's output: each canned line, stamped one second apart from 2024-01-01T00:00:00."""
        out = []
        for i, line in enumerate(self.log_lines.get(c.name, [])):
            if not isinstance(line, LogLine):
                line = LogLine(line)
            stamp = line.timestamp or f"2024-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}.000000000Z"
            out.append(LogLine(line.text, line.stream, stamp))
        return out

    def attach_output(self, container_id: str) -> Iterator[LogLine]:
        """Attached before start, the whole run's output: here, the canned lines."""
        with self._lock:
            self._record("attach_output", container_id)
            lines = [LogLine(line.text, line.stream) for line in self._canned(self._find(container_id))]
        return iter(lines)

    def attach_socket(self, container_id: str, *, stdin: bool = True, output: bool = True,
                      detach_keys: str | None = None) -> socket.socket:
        raise NotImplementedError("FakeBackend has no attach socket")

    def resize(self, container_id: str, height: int, width: int) -> None:
        raise NotImplementedError("FakeBackend has no terminal to resize")

    def pause(self, container_id: str) -> None:
        self._pause(container_id, ContainerState.RUNNING, ContainerState.PAUSED, "pause")

    def unpause(self, container_id: str) -> None:
        self._pause(container_id, ContainerState.PAUSED, ContainerState.RUNNING, "unpause")

    def _pause(self, container_id: str, before: ContainerState, after: ContainerState, action: str) -> None:
        with self._lock:
            self._record(action, container_id)
            c = self._find(container_id)
            self.acted.append((action, c.name))
            if c.state is not before:
                problem = {ContainerState.PAUSED: "already paused", ContainerState.RUNNING: "not paused"}
                raise BackendError(f"{container_id}: Container {c.id} is {problem.get(c.state, 'not running')}")
            c.state = after
            self._event(c, action)

    def top(self, container_id: str) -> tuple[list[str], list[list[str]]]:
        with self._lock:
            self._record("top", container_id)
            c = self._find(container_id)
            if c.state not in _LIVE:
                raise BackendError(f"{container_id}: Container {c.id} is not running")
            command = " ".join([*(c.spec.entrypoint or ()), *(c.spec.command or ())])
            rows = self.processes.get(c.name, [["root", "1000", "999", "0", "00:00", "?", "00:00:00", command]])
            return ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"], [list(r) for r in rows]

    def stats(self, container_id: str, *, stream: bool) -> Iterator[StatsSample]:
        with self._lock:
            self._record("stats", container_id, stream)
            c = self._find(container_id)
            running = c.state in _LIVE
            sample = self.samples.get(c.name, StatsSample("", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        if not running:
            sample = StatsSample("0001-01-01T00:00:00Z", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        return iter([sample] * (3 if stream else 1))

    def events(self, labels: Mapping[str, str], *, since: str | None = None,
               until: str | None = None) -> Iterator[EngineEvent]:
        """The events so far (the fake's stream ends there), filtered as the engine filters them."""
        first, last = (None if t is None else float(unix_time(t)) * 1e9 for t in (since, until))
        with self._lock:
            self._record("events", dict(labels), since, until)
            return iter([e for e in self.event_log if all_items_match(e.attributes, labels)
                         and (first is None or e.time_nano >= first) and (last is None or e.time_nano <= last)])

    def traits(self) -> EngineTraits:
        with self._lock:
            self._record("traits")
            return EngineTraits(links=not self.podman, healthchecks=not self.podman)

    def run_healthcheck(self, container_id: str) -> None:
        with self._lock:
            self._record("run_healthcheck", container_id)
            c = self._find(container_id)
            if not self.podman:
                raise NotFound(f"{container_id}: page not found")
            if not c.spec.healthcheck:
                raise Conflict(f"{container_id}: container {c.id} has no defined healthcheck")
            if c.state is not ContainerState.RUNNING:
                raise Conflict(f"{container_id}: container {c.id} is not running")
            c.health = self.health_results.get(c.name, "healthy")

    # -- exec -------------------------------------------------------------------------------------------

    def exec_create(self, container_id: str, spec: ExecSpec) -> str:
        with self._lock:
            self._record("exec_create", container_id, spec)
            c = self._find(container_id)
            if c.state is not ContainerState.RUNNING:
                raise BackendError(f"{container_id}: Container {c.id} is "
                                   f"{'paused' if c.state is ContainerState.PAUSED else 'not running'}")
            exec_id = self._new_id()
            self.execs[exec_id] = FakeExec(c.id, spec)
            return exec_id

    def _run_exec(self, exec_id: str) -> tuple[FakeExec, str]:
        e = self._exec(exec_id)
        if e.exit_code is not None:
            raise BackendError(f"{exec_id}: exec {exec_id} has already run")
        code, output = self.exec_results.get((self.containers[e.container].name, " ".join(e.spec.command)), (0, ""))
        e.exit_code = code
        return e, output

    def _exec(self, exec_id: str) -> FakeExec:
        if exec_id not in self.execs:
            raise NotFound(f"{exec_id}: No such exec instance: {exec_id}")
        return self.execs[exec_id]

    def exec_start(self, exec_id: str, *, tty: bool = False) -> socket.socket:
        """A socket that gives the command's canned output (framed as stdout unless a TTY) and then ends."""
        with self._lock:
            self._record("exec_start", exec_id, tty)
            _, output = self._run_exec(exec_id)
        ours, theirs = socket.socketpair()
        data = output.encode()
        theirs.sendall(data if tty or not data else struct.pack(">BxxxL", 1, len(data)) + data)
        theirs.close()
        return ours

    def exec_start_detached(self, exec_id: str) -> None:
        with self._lock:
            self._record("exec_start_detached", exec_id)
            self._run_exec(exec_id)

    def exec_inspect(self, exec_id: str) -> ExecInfo:
        with self._lock:
            self._record("exec_inspect", exec_id)
            return ExecInfo(False, self._exec(exec_id).exit_code)

    def exec_resize(self, exec_id: str, height: int, width: int) -> None:
        with self._lock:
            self._record("exec_resize", exec_id, height, width)
            self._exec(exec_id)

    # -- archive ----------------------------------------------------------------------------------------

    def _file(self, c: FakeContainer, path: str) -> tuple[str, FakeFile]:
        path = posixpath.normpath("/" + path.lstrip("/"))
        if path not in c.files:
            raise NotFound(f"{c.id}: Could not find the file {path} in container {c.id}")
        return path, c.files[path]

    def stat_path(self, container_id: str, path: str) -> PathStat:
        with self._lock:
            self._record("stat_path", container_id, path)
            found, f = self._file(self._find(container_id), path)
            return PathStat(posixpath.basename(found) or "/", len(f.data), f.mode, "", f.link_target)

    def get_archive(self, container_id: str, path: str) -> tuple[PathStat, Iterator[bytes]]:
        stat = self.stat_path(container_id, path)
        with self._lock:
            c = self._find(container_id)
            root, _ = self._file(c, path)
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w") as tar:
                for name in sorted(n for n in c.files if n == root or n.startswith(root.rstrip("/") + "/")):
                    tar.addfile(*self._member(c.files[name], posixpath.join(stat.name, posixpath.relpath(name, root))))
        return stat, iter([buffer.getvalue()])

    @staticmethod
    def _member(f: FakeFile, name: str) -> tuple[tarfile.TarInfo, io.BytesIO | None]:
        info = tarfile.TarInfo(posixpath.normpath(name))
        info.mode, info.uid, info.gid = f.mode & 0o7777, f.uid, f.gid
        if f.mode & MODE_DIR:
            info.type = tarfile.DIRTYPE
        elif f.mode & MODE_SYMLINK:
            info.type, info.linkname = tarfile.SYMTYPE, f.link_target
        else:
            info.size = len(f.data)
            return info, io.BytesIO(f.data)
        return info, None

    def put_archive(self, container_id: str, path: str, data: bytes | Iterable[bytes], *,
                    copy_uid_gid: bool = False) -> None:
        blob = data if isinstance(data, bytes) else b"".join(data)
        with self._lock:
            self._record("put_archive", container_id, path, copy_uid_gid)
            c = self._find(container_id)
            self._maybe_fail("put_archive", c)
            root, f = self._file(c, path)
            if not f.mode & MODE_DIR:
                raise BackendError(f"{container_id}: extraction point is not a directory")
            owners = self._user(c) if copy_uid_gid else None
            with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
                for member in tar.getmembers():
                    self._unpack(c, tar, member, posixpath.normpath(posixpath.join(root, member.name)), owners)

    def engine_socket(self) -> str:
        return "/var/run/docker.sock"

    def registry_auths(self) -> dict[str, dict[str, str]]:
        return dict(self.auths)

    @staticmethod
    def _user(c: FakeContainer) -> tuple[int, int] | None:
        """The container's user as (uid, gid), looked up as the engine does it: in the host's user database, where
        the fake knows root only; None for a container with no user set (the archive's owners are kept)."""
        if not c.spec.user:
            return None
        if c.spec.user in ("root", "0"):
            return 0, 0
        raise BackendError(f"{c.id}: getent unable to find entry \"{c.spec.user}\" in passwd database")

    @staticmethod
    def _unpack(c: FakeContainer, tar: tarfile.TarFile, member: tarfile.TarInfo, target: str,
                owners: tuple[int, int] | None) -> None:
        parent = posixpath.dirname(target)
        while parent not in c.files:  # a tar may name a file before (or without) its directory
            c.files[parent] = FakeFile(MODE_DIR | 0o755)
            parent = posixpath.dirname(parent)
        uid, gid = owners or (member.uid, member.gid)
        if member.isdir():
            c.files[target] = FakeFile(MODE_DIR | member.mode, uid=uid, gid=gid)
        elif member.issym():
            c.files[target] = FakeFile(MODE_SYMLINK | member.mode, uid=uid, gid=gid, link_target=member.linkname)
        else:
            extracted = tar.extractfile(member)
            c.files[target] = FakeFile(member.mode, extracted.read() if extracted else b"", uid, gid)

    # -- images -----------------------------------------------------------------------------------------

    def image_inspect(self, name: str) -> ImageInfo:
        with self._lock:
            self._record("image_inspect", name)
            found = [(ref, i) for ref, i in self.images.items() if name in (ref, i) or image_key(name) == ref]
            if not found:
                raise NotFound(f"{name}: No such image: {name}")
            image_id = found[0][1]
            tags = tuple(ref for ref, i in self.images.items() if i == image_id)
            return ImageInfo(image_id, tags, 1_234_567, "2024-01-01T00:00:00Z", "linux/amd64", "2024-01-01T00:00:00Z")

    def image_id(self, name: str) -> str | None:
        with self._lock:
            self._record("image_id", name)
            return self.images.get(image_key(name))

    def build(self, requests: Sequence[BuildRequest], *,
              on_progress: BuildProgress | None = None) -> Mapping[str, str]:
        """Every request in one call, as the engine's builders take them: BuildKit-shaped progress per service,
        and `build_failures` (tag -> message) failing the step of the request with that tag."""
        with self._lock:
            self._record("build", *requests)
        ids = {}
        for request in requests:
            step = {"digest": f"sha256:{request.service}", "name": f"[{request.service} 1/1] FROM {request.context}"}
            if on_progress:
                on_progress(request.service, {"vertexes": [step]})
            message = self.build_failures.get(request.tag)
            if message is not None:
                if on_progress:
                    on_progress(request.service, {"vertexes": [{**step, "error": message}]})
                raise BuildError(message, service=request.service, step="[1/1] FROM " + request.context)
            ids[request.service] = self.add_image(request.tag)
            for tag in request.tags[1:]:
                self.images[image_key(tag)] = ids[request.service]
        return ids

    def pull(self, image: str, *, platform: str | None = None) -> Iterator[dict[str, Any]]:
        with self._lock:
            self._record("pull", image)
            known = image_key(image) in self.registry
        yield {"status": f"Pulling from {image}"}
        if not known:
            raise ImageNotFound(f"pull {image}: manifest for {image_key(image)} not found: manifest unknown")
        self.add_image(image)
        yield {"status": f"Status: Downloaded newer image for {image_key(image)}"}

    def push(self, image: str) -> Iterator[dict[str, Any]]:
        with self._lock:
            self._record("push", image)
            present = image_key(image) in self.images
        if not present:
            raise ImageNotFound(f"push {image}: An image does not exist locally with the tag: {image}")
        yield {"status": f"The push refers to repository [{image}]"}
        with self._lock:
            self.registry.add(image_key(image))

    def remove_image(self, name: str) -> None:
        with self._lock:
            self._record("remove_image", name)
            key = image_key(name)
            if key not in self.images:
                raise NotFound(f"{name}: No such image: {name}")
            users = [c for c in self.containers.values() if c.image_id == self.images[key]]
            if users:
                raise BackendError(f"{name}: conflict: unable to remove repository reference \"{name}\" "
                                   f"(must force) - container {users[0].id[:12]} is using its referenced image")
            del self.images[key]

    # -- networks and volumes ---------------------------------------------------------------------------

    def ensure_network(self, name: str, *, driver: str | None, internal: bool, labels: Mapping[str, str],
                       options: NetworkOptions | None = None) -> None:
        with self._lock:
            self._record("ensure_network", name, driver, internal, dict(labels))
            if name not in self.networks:
                self._record("create_network", name, driver, internal, dict(labels))
                self.networks[name] = {"driver": driver, "internal": internal, "labels": dict(labels)}

    def network_exists(self, name: str) -> bool:
        with self._lock:
            self._record("network_exists", name)
            return name in self.networks

    def remove_network(self, name: str) -> None:
        with self._lock:
            self._record("remove_network", name)
            if name not in self.networks:
                raise NotFound(f"network {name}: network {name} not found")
            if any(e.network == name for c in self.containers.values() if c.state in _LIVE for e in c.spec.networks):
                raise BackendError(f"network {name}: error while removing network: network {name} has active "
                                   "endpoints")
            del self.networks[name]

    def ensure_volume(self, name: str, *, driver: str | None, labels: Mapping[str, str],
                      driver_opts: Mapping[str, str] | None = None) -> None:
        with self._lock:
            self._record("ensure_volume", name, driver, dict(labels))
            if name not in self.volumes:
                self._record("create_volume", name, driver, dict(labels))
                self.volumes[name] = {"anonymous": False, "driver": driver, "labels": dict(labels)}

    def volume_exists(self, name: str) -> bool:
        with self._lock:
            self._record("volume_exists", name)
            return name in self.volumes

    def remove_volume(self, name: str) -> None:
        with self._lock:
            self._record("remove_volume", name)
            if name not in self.volumes:
                raise NotFound(f"volume {name}: get {name}: no such volume")
            if self._in_use(name):
                raise BackendError(f"volume {name}: remove {name}: volume is in use")
            del self.volumes[name]


def all_items_match(have: Mapping[str, str], want: Mapping[str, str]) -> bool:
    return all(have.get(k) == v for k, v in want.items())
