"""The only engine vocabulary the domain sees: specs in, infos out, one Protocol between."""

from __future__ import annotations

import enum
import socket
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


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


@dataclass(frozen=True, slots=True)
class PortBinding:
    container_port: int
    protocol: str = "tcp"
    host_ip: str | None = None
    host_port: int | None = None
    host_port_end: int | None = None  # asked for at create: the last of a range the engine picks one free port from


@dataclass(frozen=True, slots=True)
class Mount:
    """A mount as the engine reports it: `name` is set for volumes, `source` for bind mounts."""

    target: str
    type: str
    name: str | None = None
    source: str | None = None
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    network: str
    aliases: tuple[str, ...] = ()
    ipv4_address: str | None = None
    links: tuple[tuple[str, str], ...] = ()
    mac_address: str | None = None
    gw_priority: int | None = None
    driver_opts: Mapping[str, str] = field(default_factory=dict)
    ipv6_address: str | None = None


@dataclass(frozen=True, slots=True)
class MountSpec:
    """A mount a bind string cannot say (HostConfig.Mounts): a named volume's subpath, or an image's files."""

    type: str  # "volume" or "image"
    source: str  # the volume's or the image's name
    target: str
    read_only: bool = False
    subpath: str | None = None
    nocopy: bool = False


@dataclass(frozen=True, slots=True)
class ContainerSpec:
    """Everything needed to create one container."""

    name: str
    image: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str] = field(default_factory=dict)
    command: Sequence[str] | None = None
    entrypoint: Sequence[str] | None = None
    environment: Mapping[str, str | None] = field(default_factory=dict)  # None: the variable is unset (bare)
    ports: Sequence[PortBinding] = ()
    expose: Sequence[PortBinding] = ()
    binds: Sequence[str] = ()  # "source:target:mode" for bind mounts and named volumes
    mounts: Sequence[MountSpec] = ()  # what binds cannot say
    volumes: Sequence[str] = ()  # anonymous volume targets
    volumes_from: Sequence[str] = ()  # "container_id:mode"
    links: Sequence[tuple[str, str]] = ()  # (container name, alias)
    network_mode: str | None = None
    networks: Sequence[EndpointSpec] = ()
    dns: Sequence[str] = ()
    dns_search: Sequence[str] = ()
    extra_hosts: Sequence[str] = ()
    working_dir: str | None = None
    user: str | None = None
    hostname: str | None = None
    domainname: str | None = None
    mem_limit: int | None = None
    privileged: bool = False
    stdin_open: bool = False
    tty: bool = False
    cap_add: Sequence[str] = ()
    cap_drop: Sequence[str] = ()
    restart: str | None = None
    healthcheck: Mapping[str, Any] | None = None
    stop_signal: str | None = None
    stop_timeout: int | None = None
    auto_remove: bool = False
    # Resources and isolation (compose keys of the same or similar names)
    devices: Sequence[str] = ()  # "host_path:container_path:permissions"
    cdi_devices: Sequence[str] = ()  # CDI device names (vendor/class=name), one device request of driver "cdi"
    tmpfs: Mapping[str, str] = field(default_factory=dict)  # container path -> mount options
    ulimits: Sequence[tuple[str, int, int]] = ()  # (name, soft, hard)
    sysctls: Mapping[str, str] = field(default_factory=dict)
    init: bool | None = None
    read_only: bool = False
    shm_size: int | None = None
    pid_mode: str | None = None
    ipc_mode: str | None = None
    cpu_shares: int | None = None
    nano_cpus: int | None = None
    cpuset_cpus: str | None = None
    mem_reservation: int | None = None
    memswap_limit: int | None = None
    pids_limit: int | None = None
    log_driver: str | None = None  # None: the engine's default
    log_options: Mapping[str, str] = field(default_factory=dict)
    host_options: Mapping[str, Any] = field(default_factory=dict)  # fig.config.runtime.PASSTHROUGH keys
    mac_address: str | None = None
    platform: str | None = None  # e.g. linux/amd64: the image variant to run


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class EngineTraits:
    """Where an engine falls short of Docker's, for the domain to make up for it (Podman lacks both)."""

    links: bool = True  # legacy links; without them fig gives a link's names and variables another way
    healthchecks: bool = True  # it runs healthchecks itself; without, fig runs them (run_healthcheck) while it waits


@dataclass(frozen=True, slots=True)
class NetworkOptions:
    """What a network is made with beyond its driver, labels and `internal`."""

    driver_opts: Mapping[str, str] = field(default_factory=dict)
    attachable: bool = False
    enable_ipv6: bool = False
    ipam_driver: str | None = None
    ipam_pools: Sequence[Mapping[str, Any]] = ()  # subnet, ip_range, gateway, aux_addresses (a mapping)
    ipam_options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BuildSecretSource:
    """A secret a build's `RUN --mount=type=secret,id=ID` reads: a file here, or a variable's value."""

    id: str
    file: str | None = None
    env: str | None = None  # the variable's name
    value: str | None = field(default=None, repr=False)  # the variable's value


@dataclass(frozen=True, slots=True)
class BuildRequest:
    """One service's image to build; `tags[0]` is the image the service runs."""

    service: str
    context: str  # a directory, or a git URL the builder fetches
    tags: Sequence[str]
    dockerfile: str | None = None  # relative to the context
    dockerfile_inline: str | None = None
    args: Mapping[str, str] = field(default_factory=dict)
    target: str | None = None
    no_cache: bool = False
    pull: bool = False
    cache_from: Sequence[str] = ()
    cache_to: Sequence[str] = ()
    network: str | None = None  # the network RUN steps use
    labels: Mapping[str, str] = field(default_factory=dict)
    shm_size: int | None = None
    extra_hosts: Sequence[str] = ()  # "host:ip"
    platforms: Sequence[str] = ()
    additional_contexts: Mapping[str, str] = field(default_factory=dict)  # name -> a directory or a URL
    secrets: Sequence[BuildSecretSource] = ()
    ssh: Sequence[str] = ()  # "default" (the agent of SSH_AUTH_SOCK) or "ID=PATH"
    entitlements: Sequence[str] = ()
    privileged: bool = False
    isolation: str | None = None
    ulimits: Sequence[tuple[str, int, int]] = ()  # (name, soft, hard)

    @property
    def tag(self) -> str:
        return self.tags[0]


# Build progress, per service: {"vertexes": [...], "statuses": [...], "logs": [...], "warnings": [...]} as BuildKit
# reports a build (its SolveStatus, times in RFC 3339, log data base64), or {"stream": TEXT} from the classic builder.
BuildProgress = Callable[[str, Mapping[str, Any]], None]


@dataclass(frozen=True, slots=True)
class LogLine:
    text: str
    stream: str = "stdout"
    timestamp: str | None = None  # RFC 3339 with nine digits of nanoseconds (so they sort), when asked for


@dataclass(frozen=True, slots=True)
class ExecSpec:
    """A command to run in a running container (`exec`)."""

    command: Sequence[str]
    environment: Mapping[str, str] = field(default_factory=dict)
    user: str | None = None
    working_dir: str | None = None
    privileged: bool = False
    tty: bool = False
    stdin: bool = False  # attach the command's stdin
    detach_keys: str | None = None


@dataclass(frozen=True, slots=True)
class ExecInfo:
    running: bool
    exit_code: int | None  # None until the command has ended
    pid: int = 0


MODE_DIR = 1 << 31  # Go's os.FileMode type bits, as the archive endpoints report a path's mode
MODE_SYMLINK = 1 << 27


@dataclass(frozen=True, slots=True)
class PathStat:
    """A path inside a container, as the engine's archive endpoints describe it."""

    name: str
    size: int
    mode: int  # permission bits plus MODE_DIR / MODE_SYMLINK
    mtime: str = ""
    link_target: str = ""

    @property
    def is_dir(self) -> bool:
        return bool(self.mode & MODE_DIR)


@dataclass(frozen=True, slots=True)
class ImageInfo:
    id: str  # sha256:...
    tags: tuple[str, ...]
    size: int  # bytes
    created: str  # RFC 3339
    platform: str  # os/arch[/variant]
    last_tag_time: str = ""  # RFC 3339; "" when the engine never tagged it locally


@dataclass(frozen=True, slots=True)
class StatsSample:
    """One reading of a container's resource use, with the reading before it for the CPU figure."""

    read: str  # RFC 3339; "0001-01-01T00:00:00Z" for a container that is not running
    cpu_total: int  # ns of CPU time
    precpu_total: int
    system_cpu: int  # ns of the host's CPU time
    presystem_cpu: int
    online_cpus: int
    memory: int  # bytes in use, the page cache's inactive files not counted (as docker stats counts them)
    memory_limit: int
    net_rx: int
    net_tx: int
    block_read: int
    block_write: int
    pids: int


@dataclass(frozen=True, slots=True)
class EngineEvent:
    type: str  # container, network, image, ...
    action: str  # create, start, die, exec_create: sh -c ..., health_status: healthy, ...
    id: str
    attributes: Mapping[str, str]  # the actor's labels, name, image, exitCode, ...
    time_nano: int


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
                       options: NetworkOptions = NetworkOptions()) -> None: ...
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


# -- Swarm ------------------------------------------------------------------------------------------------------
# Service specs travel as the Engine API's ServiceSpec mappings: they are declarative already, fig.swarm builds and
# compares them, and the engine stores them as sent.

@dataclass(frozen=True, slots=True)
class SwarmInfo:
    state: str  # inactive, pending, active, error, locked
    manager: bool  # this engine can change services (a manager with the control plane up)
    node_id: str = ""


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    id: str
    name: str
    version: int
    spec: Mapping[str, Any]
    previous_spec: Mapping[str, Any] | None = None
    update_state: str | None = None  # updating, paused, completed, rollback_started, rollback_paused, ...
    update_message: str = ""

    @property
    def labels(self) -> Mapping[str, str]:
        return dict(self.spec.get("Labels") or {})


@dataclass(frozen=True, slots=True)
class TaskInfo:
    id: str
    service_id: str
    slot: int | None  # None for a global service's tasks (one per node)
    node_id: str
    desired_state: str  # running, shutdown, complete, ...
    state: str  # new ... starting, running, complete, failed, rejected, shutdown, orphaned
    message: str = ""
    error: str = ""
    container_id: str | None = None
    exit_code: int | None = None
    ports: tuple[PortBinding, ...] = ()
    timestamp: str = ""


@dataclass(frozen=True, slots=True)
class SwarmObject:
    """A secret or a config (the engine never gives their content back)."""

    id: str
    name: str
    labels: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class NodeInfo:
    id: str
    hostname: str
    state: str
    availability: str
    role: str
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    id: str
    name: str
    driver: str
    scope: str
    labels: Mapping[str, str] = field(default_factory=dict)


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
