"""What fig asks the engine to make or run: a container, a network, a build, an exec. Loaded by the commands that
make or run something (and the backend's calls that send them), not by those that only look."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fig.records import field, record

if TYPE_CHECKING:
    from fig.backend.ports import PortBinding


@record(frozen=True, slots=True)
class EndpointSpec:
    network: str
    aliases: tuple[str, ...] = ()
    ipv4_address: str | None = None
    links: tuple[tuple[str, str], ...] = ()
    mac_address: str | None = None
    gw_priority: int | None = None
    driver_opts: Mapping[str, str] = field(default_factory=dict)
    ipv6_address: str | None = None


@record(frozen=True, slots=True)
class MountSpec:
    """A mount a bind string cannot say (HostConfig.Mounts): a named volume's subpath, or an image's files."""

    type: str  # "volume" or "image"
    source: str  # the volume's or the image's name
    target: str
    read_only: bool = False
    subpath: str | None = None
    nocopy: bool = False


@record(frozen=True, slots=True)
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


@record(frozen=True, slots=True)
class NetworkOptions:
    """What a network is made with beyond its driver, labels and `internal`."""

    driver_opts: Mapping[str, str] = field(default_factory=dict)
    attachable: bool = False
    enable_ipv6: bool = False
    ipam_driver: str | None = None
    ipam_pools: Sequence[Mapping[str, Any]] = ()  # subnet, ip_range, gateway, aux_addresses (a mapping)
    ipam_options: Mapping[str, str] = field(default_factory=dict)


@record(frozen=True, slots=True)
class BuildSecretSource:
    """A secret a build's `RUN --mount=type=secret,id=ID` reads: a file here, or a variable's value."""

    id: str
    file: str | None = None
    env: str | None = None  # the variable's name
    value: str | None = field(default=None, repr=False)  # the variable's value


@record(frozen=True, slots=True)
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


@record(frozen=True, slots=True)
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
