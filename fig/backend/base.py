"""The only engine vocabulary the domain sees: specs in, infos out, one Protocol between. The containers' own
infos are here; what is asked of the engine (fig.backend.specs), its other answers (fig.backend.answers) and
Swarm's (fig.backend.swarmtypes) are modules of their own, loaded by the commands that use them: each dataclass
costs start-up, and `ps` needs only these."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from fig.backend.ports import PortBinding
from fig.records import record

if TYPE_CHECKING:
    import socket

    from fig.backend.answers import EngineEvent, ExecInfo, ImageInfo, PathStat, StatsSample
    from fig.backend.specs import BuildProgress, BuildRequest, ContainerSpec, ExecSpec, NetworkOptions
    from fig.backend.swarmtypes import NetworkInfo, NodeInfo, ServiceInfo, SwarmInfo, SwarmObject, TaskInfo


class ContainerState(enum.Enum):
    """Docker's states. A state this version does not know (an engine may add one) is kept as the engine says it,
    as a member named UNKNOWN whose value is the engine's word: it is neither running nor exited."""

    CREATED = "created"
    RUNNING = "running"
    PAUSED = "paused"
    RESTARTING = "restarting"
    REMOVING = "removing"
    EXITED = "exited"
    DEAD = "dead"

    @classmethod
    def _missing_(cls, value: object) -> ContainerState:
        member = object.__new__(cls)
        member._name_ = "UNKNOWN"
        member._value_ = str(value)
        return cls._value2member_map_.setdefault(str(value), member)  # type: ignore[return-value]


LIVE_STATES = frozenset({ContainerState.RUNNING, ContainerState.PAUSED, ContainerState.RESTARTING})  # "Up"


@record(frozen=True, slots=True)
class Mount:
    """A mount as the engine reports it: `name` is set for volumes, `source` for bind mounts."""

    target: str
    type: str
    name: str | None = None
    source: str | None = None
    read_only: bool = False


@record(frozen=True, slots=True)
class ContainerInfo:
    id: str
    name: str
    image: str
    image_id: str
    labels: Mapping[str, str]
    state: ContainerState
    exit_code: int = 0
    command: str = ""
    ports: tuple[PortBinding, ...] = ()
    mounts: tuple[Mount, ...] = ()
    health: str | None = None
    created: str = ""
    ip_addresses: tuple[str, ...] = ()
    finished_at: str = ""  # RFC 3339, from inspect only: when the last run ended (while running: the previous)
    status: str = ""  # the engine's words, e.g. "Up 2 minutes (healthy)" (from the list only)
    names: tuple[str, ...] = ()  # every name the engine knows it by (legacy links add "/linker/alias" ones)
    networks: tuple[str, ...] = ()  # the networks it is attached to
    tty: bool = False  # from inspect only: the container has a TTY (its output is raw, not multiplexed)
    health_interval: float = 0.0  # from inspect only: seconds between its healthchecks (0 without one)


@record(frozen=True, slots=True)
class EngineTraits:
    """Where an engine falls short of Docker's, for the domain to make up for it (Podman lacks both)."""

    links: bool = True  # legacy links; without them fig gives a link's names and variables another way
    healthchecks: bool = True  # it runs healthchecks itself; without, fig runs them (run_healthcheck) while it waits


class LogLine(NamedTuple):  # a tuple, made in C: `logs -f` makes one for each of hundreds of thousands of lines
    text: str
    stream: str = "stdout"
    timestamp: str | None = None  # RFC 3339 with nine digits of nanoseconds (so they sort), when asked for


class ContainerBackend(Protocol):
    """What the domain needs from an engine. Implementations raise fig.errors, never SDK errors."""

    def api_version(self) -> str: ...  # the Engine API version spoken, e.g. "1.45" (fig.backend.apiversion)
    def list_containers(self, labels: Mapping[str, str], *, all: bool = False,
                        having: Sequence[str] = ()) -> list[ContainerInfo]: ...  # having: label keys, any value
    def inspect(self, container_id: str) -> ContainerInfo: ...
    def create(self, spec: ContainerSpec) -> str: ...
    def start(self, container_id: str) -> None: ...
    def stop(self, container_id: str, *, timeout: int) -> None: ...
    def restart(self, container_id: str, *, timeout: int) -> None: ...
    def kill(self, container_id: str, *, signal: str = "SIGKILL") -> None: ...
    def remove(self, container_id: str, *, force: bool = False, volumes: bool = False) -> None: ...
    def rename(self, container_id: str, name: str) -> None: ...
    def wait(self, container_id: str) -> int: ...
    def logs(self, container_id: str, *, follow: bool, tail: int | None = None, since: str | None = None,
             until: str | None = None, timestamps: bool = False) -> Iterator[LogLine]: ...
    def image_id(self, name: str) -> str | None: ...
    # builds every request in one go (in parallel where the builder can): the image id of each by service; a
    # failure raises BuildError naming the service and the step
    def build(self, requests: Sequence[BuildRequest], *,
              on_progress: BuildProgress | None = None) -> Mapping[str, str]: ...
    def pull(self, image: str, *, platform: str | None = None) -> Iterator[dict[str, Any]]: ...
    def push(self, image: str) -> Iterator[dict[str, Any]]: ...
    def remove_image(self, name: str) -> None: ...
    def ensure_network(self, name: str, *, driver: str | None, internal: bool, labels: Mapping[str, str],
                       options: NetworkOptions | None = None) -> None: ...
    def network_exists(self, name: str) -> bool: ...
    def remove_network(self, name: str) -> None: ...
    def ensure_volume(self, name: str, *, driver: str | None, labels: Mapping[str, str],
                      driver_opts: Mapping[str, str] | None = None) -> None: ...
    def volume_exists(self, name: str) -> bool: ...
    def remove_volume(self, name: str) -> None: ...
    def attach_output(self, container_id: str) -> Iterator[LogLine]: ...
    def attach_socket(self, container_id: str, *, stdin: bool = True, output: bool = True,
                      detach_keys: str | None = None) -> socket.socket: ...
    def resize(self, container_id: str, height: int, width: int) -> None: ...
    def pause(self, container_id: str) -> None: ...
    def unpause(self, container_id: str) -> None: ...
    def top(self, container_id: str) -> tuple[list[str], list[list[str]]]: ...  # titles, process rows
    def stats(self, container_id: str, *, stream: bool) -> Iterator[StatsSample]: ...  # one sample without stream
    def events(self, labels: Mapping[str, str], *, since: str | None = None,
               until: str | None = None) -> Iterator[EngineEvent]: ...  # times in RFC 3339, as logs takes them
    def image_inspect(self, name: str) -> ImageInfo: ...
    def traits(self) -> EngineTraits: ...  # asked of the engine once, when first needed
    def run_healthcheck(self, container_id: str) -> None: ...  # one check now, recorded in the container's health
    # exec: create, then start attached (a raw stream both ways, multiplexed unless a TTY) or detached
    def exec_create(self, container_id: str, spec: ExecSpec) -> str: ...
    def exec_start(self, exec_id: str, *, tty: bool = False) -> socket.socket: ...
    def exec_start_detached(self, exec_id: str) -> None: ...
    def exec_inspect(self, exec_id: str) -> ExecInfo: ...
    def exec_resize(self, exec_id: str, height: int, width: int) -> None: ...
    # archive: a tar of a path out of a container, a tar unpacked into a directory of one (with the tar's owners,
    # or with copy_uid_gid owned by the container's user)
    def stat_path(self, container_id: str, path: str) -> PathStat: ...
    def get_archive(self, container_id: str, path: str) -> tuple[PathStat, Iterator[bytes]]: ...
    def put_archive(self, container_id: str, path: str, data: bytes | Iterable[bytes], *,
                    copy_uid_gid: bool = False) -> None: ...
    # use_api_socket: where the engine's socket is on the engine's machine, and the user's registry credentials
    # (registry -> {"auth": base64 "user:password"} or {"identitytoken": ...}, the docker CLI config's `auths`)
    def engine_socket(self) -> str: ...
    def registry_auths(self) -> dict[str, dict[str, str]]: ...


class SwarmBackend(ContainerBackend, Protocol):
    """An engine that is (or may become) a Swarm manager. `kind` is "secrets" or "configs"."""

    def swarm_info(self) -> SwarmInfo: ...
    def list_services(self, labels: Mapping[str, str]) -> list[ServiceInfo]: ...
    def create_service(self, spec: Mapping[str, Any]) -> str: ...
    def update_service(self, service: ServiceInfo, spec: Mapping[str, Any] | None, *, rollback: bool = False) -> None: ...
    def remove_service(self, service_id: str) -> None: ...
    def list_tasks(self, services: Sequence[str]) -> list[TaskInfo]: ...
    def task_logs(self, task_id: str, *, follow: bool, tail: int | None = None,
                  timestamps: bool = False) -> Iterator[LogLine]: ...
    def list_nodes(self) -> list[NodeInfo]: ...
    def list_networks(self, labels: Mapping[str, str]) -> list[NetworkInfo]: ...
    def create_network(self, name: str, *, driver: str | None, internal: bool, labels: Mapping[str, str],
                       options: NetworkOptions) -> None: ...
    def network_info(self, name: str) -> NetworkInfo | None: ...
    def list_volumes(self, labels: Mapping[str, str]) -> list[str]: ...
    def list_objects(self, kind: str, labels: Mapping[str, str]) -> list[SwarmObject]: ...
    def create_object(self, kind: str, name: str, data: bytes, labels: Mapping[str, str]) -> str: ...
    def remove_object(self, kind: str, object_id: str) -> None: ...

