"""`--dry-run`: a backend in front of the real one that passes every read through and turns every write into a
line saying what would be done. What it "did" is remembered, so the reads that follow see a consistent world
(a container it would create can be inspected and started), and the engine sees no write at all."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from fig import records
from fig.backend.answers import EngineEvent, ExecInfo, ImageInfo, PathStat, StatsSample
from fig.backend.base import LIVE_STATES, ContainerBackend, ContainerInfo, ContainerState, EngineTraits, LogLine
from fig.backend.specs import BuildProgress, BuildRequest, ContainerSpec, ExecSpec, NetworkOptions

_PREFIX = "dry-run-"


class DryRunBackend:
    def __init__(self, inner: ContainerBackend, say: Callable[[str], None]) -> None:
        self.inner, self.say = inner, say
        self.made: dict[str, ContainerInfo] = {}  # containers it would create, by their made-up id
        self.changed: dict[str, ContainerInfo] = {}  # real containers as they would be after its writes
        self.removed: set[str] = set()
        self.images: set[str] = set()  # images it would build or pull
        self.networks: set[str] = set()
        self.volumes: set[str] = set()
        self.execs: set[str] = set()

    # -- what it would have done ------------------------------------------------------------------------------

    def _info(self, container_id: str) -> ContainerInfo:
        if container_id in self.made:
            return self.made[container_id]
        return self.changed.get(container_id) or self.inner.inspect(container_id)

    def _name(self, container_id: str) -> str:
        return self._info(container_id).name

    def _set(self, container_id: str, **changes: Any) -> None:
        info = records.replace(self._info(container_id), **changes)
        (self.made if container_id in self.made else self.changed)[container_id] = info

    def _would(self, action: str, container_id: str, state: ContainerState | None = None) -> None:
        self.say(f"would {action} container {self._name(container_id)}")
        if state is not None:
            health = "healthy" if state is ContainerState.RUNNING and self._info(container_id).health else None
            self._set(container_id, state=state, health=health)

    def api_version(self) -> str:
        return self.inner.api_version()

    # -- containers -------------------------------------------------------------------------------------------

    def list_containers(self, labels: Mapping[str, str], *, all: bool = False,
                        having: Sequence[str] = ()) -> list[ContainerInfo]:
        found = [self.changed.get(i.id, i) for i in self.inner.list_containers(labels, all=True, having=having)
                 if i.id not in self.removed]
        found += [i for i in self.made.values() if all_match(i.labels, labels, having)]
        return [i for i in found if all or i.state in LIVE_STATES]

    def inspect(self, container_id: str) -> ContainerInfo:
        return self._info(container_id)

    def create(self, spec: ContainerSpec) -> str:
        self.say(f"would create container {spec.name}")
        cid = f"{_PREFIX}{len(self.made) + 1:04d}".ljust(64, "0")
        self.made[cid] = ContainerInfo(
            id=cid, name=spec.name, image=spec.image, image_id="", labels=dict(spec.labels),
            state=ContainerState.CREATED, command=" ".join([*(spec.entrypoint or ()), *(spec.command or ())]),
            health="starting" if spec.healthcheck else None, names=(spec.name,))
        return cid

    def start(self, container_id: str) -> None:
        self._would("start", container_id, ContainerState.RUNNING)

    def stop(self, container_id: str, *, timeout: int) -> None:
        self._would("stop", container_id, ContainerState.EXITED)

    def restart(self, container_id: str, *, timeout: int) -> None:
        self._would("restart", container_id, ContainerState.RUNNING)

    def kill(self, container_id: str, *, signal: str = "SIGKILL") -> None:
        self.say(f"would send {signal} to container {self._name(container_id)}")
        if signal in ("SIGKILL", "KILL", "9"):
            self._set(container_id, state=ContainerState.EXITED)

    def remove(self, container_id: str, *, force: bool = False, volumes: bool = False) -> None:
        self._would("remove", container_id)
        self.made.pop(container_id, None)
        self.removed.add(container_id)

    def rename(self, container_id: str, name: str) -> None:
        self.say(f"would rename container {self._name(container_id)} to {name}")
        self._set(container_id, name=name)

    def pause(self, container_id: str) -> None:
        self._would("pause", container_id, ContainerState.PAUSED)

    def unpause(self, container_id: str) -> None:
        self._would("unpause", container_id, ContainerState.RUNNING)

    def wait(self, container_id: str) -> int:
        info = self._info(container_id)
        if container_id in self.made or container_id in self.changed:
            self._set(container_id, state=ContainerState.EXITED)
            return info.exit_code
        return self.inner.wait(container_id)

    def logs(self, container_id: str, *, follow: bool, tail: int | None = None, since: str | None = None,
             until: str | None = None, timestamps: bool = False) -> Iterator[LogLine]:
        if container_id in self.made:
            return iter(())
        follow = follow and container_id not in self.changed
        return self.inner.logs(container_id, follow=follow, tail=tail, since=since, until=until,
                               timestamps=timestamps)

    def attach_output(self, container_id: str) -> Iterator[LogLine]:
        return iter(()) if container_id in self.made else self.inner.attach_output(container_id)

    def attach_socket(self, container_id: str, *, stdin: bool = True, output: bool = True,
                      detach_keys: str | None = None) -> socket.socket:
        """A connection on which the container (that would run) says nothing and ends at once."""
        ours, theirs = socket.socketpair()
        theirs.close()
        return ours

    def resize(self, container_id: str, height: int, width: int) -> None:
        pass

    # -- images -----------------------------------------------------------------------------------------------

    def image_id(self, name: str) -> str | None:
        return self.inner.image_id(name) or (f"sha256:{_PREFIX}{name}" if name in self.images else None)

    def build(self, requests: Sequence[BuildRequest], *,
              on_progress: BuildProgress | None = None) -> Mapping[str, str]:
        for request in requests:
            self.say(f"would build image {request.tag} from {request.context}")
            self.images.add(request.tag)
        return {r.service: f"sha256:{_PREFIX}{r.tag}" for r in requests}

    def pull(self, image: str, *, platform: str | None = None) -> Iterator[dict[str, Any]]:
        self.say(f"would pull image {image}")
        self.images.add(image)
        return iter(())

    def push(self, image: str) -> Iterator[dict[str, Any]]:
        self.say(f"would push image {image}")
        return iter(())

    def remove_image(self, name: str) -> None:
        if self.inner.image_id(name):
            self.say(f"would remove image {name}")

    def image_inspect(self, name: str) -> ImageInfo:
        return self.inner.image_inspect(name)

    def traits(self) -> EngineTraits:
        return self.inner.traits()

    def run_healthcheck(self, container_id: str) -> None:
        """Nothing: what it would start counts as healthy already, and a check is recorded by the engine."""

    # -- networks and volumes ---------------------------------------------------------------------------------

    def ensure_network(self, name: str, *, driver: str | None, internal: bool, labels: Mapping[str, str],
                       options: NetworkOptions | None = None) -> None:
        if not self.network_exists(name):
            self.say(f"would create network {name}")
            self.networks.add(name)

    def network_exists(self, name: str) -> bool:
        return name in self.networks or self.inner.network_exists(name)

    def remove_network(self, name: str) -> None:
        self.say(f"would remove network {name}")
        self.networks.discard(name)

    def ensure_volume(self, name: str, *, driver: str | None, labels: Mapping[str, str],
                      driver_opts: Mapping[str, str] | None = None) -> None:
        if not self.volume_exists(name):
            self.say(f"would create volume {name}")
            self.volumes.add(name)

    def volume_exists(self, name: str) -> bool:
        return name in self.volumes or self.inner.volume_exists(name)

    def remove_volume(self, name: str) -> None:
        self.say(f"would remove volume {name}")
        self.volumes.discard(name)

    # -- looking ----------------------------------------------------------------------------------------------

    def top(self, container_id: str) -> tuple[list[str], list[list[str]]]:
        return ([], []) if container_id in self.made else self.inner.top(container_id)

    def stats(self, container_id: str, *, stream: bool) -> Iterator[StatsSample]:
        return iter(()) if container_id in self.made else self.inner.stats(container_id, stream=stream)

    def events(self, labels: Mapping[str, str], *, since: str | None = None,
               until: str | None = None) -> Iterator[EngineEvent]:
        return self.inner.events(labels, since=since, until=until)

    # -- exec and archives ------------------------------------------------------------------------------------

    def exec_create(self, container_id: str, spec: ExecSpec) -> str:
        self.say(f"would run {' '.join(spec.command)} in container {self._name(container_id)}")
        exec_id = f"{_PREFIX}exec-{len(self.execs) + 1}"
        self.execs.add(exec_id)
        return exec_id

    def exec_start(self, exec_id: str, *, tty: bool = False) -> socket.socket:
        return self.attach_socket(exec_id)

    def exec_start_detached(self, exec_id: str) -> None:
        pass

    def exec_inspect(self, exec_id: str) -> ExecInfo:
        return ExecInfo(running=False, exit_code=0) if exec_id in self.execs else self.inner.exec_inspect(exec_id)

    def exec_resize(self, exec_id: str, height: int, width: int) -> None:
        pass

    def stat_path(self, container_id: str, path: str) -> PathStat:
        return self.inner.stat_path(container_id, path)

    def get_archive(self, container_id: str, path: str) -> tuple[PathStat, Iterator[bytes]]:
        return self.inner.get_archive(container_id, path)

    def put_archive(self, container_id: str, path: str, data: bytes | Iterable[bytes], *,
                    copy_uid_gid: bool = False) -> None:
        self.say(f"would copy files into {path} of container {self._name(container_id)}")

    def engine_socket(self) -> str:
        return self.inner.engine_socket()

    def registry_auths(self) -> dict[str, dict[str, str]]:
        return self.inner.registry_auths()

    # -- Swarm (fig deploy) -----------------------------------------------------------------------------------

    _SWARM_READS = frozenset({"swarm_info", "list_services", "list_tasks", "task_logs", "list_nodes", "list_networks",
                              "network_info", "list_volumes", "list_objects"})

    def __getattr__(self, name: str) -> Any:
        """A Swarm engine's reads pass through (a plain engine has none of them)."""
        if name in DryRunBackend._SWARM_READS:
            return getattr(self.inner, name)
        raise AttributeError(name)

    def create_service(self, spec: Mapping[str, Any]) -> str:
        self.say(f"would create service {spec.get('Name', '')}")
        return f"{_PREFIX}service"

    def update_service(self, service: Any, spec: Mapping[str, Any] | None, *, rollback: bool = False) -> None:
        self.say(f"would {'roll back' if rollback else 'update'} service {service.name}")

    def remove_service(self, service_id: str) -> None:
        self.say(f"would remove service {service_id}")

    def create_network(self, name: str, *, driver: str | None, internal: bool, labels: Mapping[str, str],
                       options: NetworkOptions) -> None:
        self.say(f"would create network {name}")
        self.networks.add(name)

    def create_object(self, kind: str, name: str, data: bytes, labels: Mapping[str, str]) -> str:
        self.say(f"would create {kind.rstrip('s')} {name}")
        return f"{_PREFIX}{kind}"

    def remove_object(self, kind: str, object_id: str) -> None:
        self.say(f"would remove {kind.rstrip('s')} {object_id}")


def all_match(labels: Mapping[str, str], wanted: Mapping[str, str], having: Sequence[str]) -> bool:
    return all(labels.get(k) == v for k, v in wanted.items()) and all(k in labels for k in having)
