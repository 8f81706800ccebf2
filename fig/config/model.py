"""The typed configuration: frozen value objects that parse and print themselves."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fig.config.cache import digest
from fig.config.develop import WatchRule
from fig.config.hooks import ExecHook
from fig.config.ports import PortSpec
from fig.config.providers import ModelConfig, ProviderConfig, ServiceModel
from fig.config.resources import FileMount, LogConfig, SecretConfig, Sensitive, Ulimit
from fig.errors import ConfigError, Unresolved
from fig.patterns import pattern
from fig.records import asdict, record

if TYPE_CHECKING:
    from fig.config.swarm import SwarmSettings

__all__ = ["FileMount", "LogConfig", "PortSpec", "SecretConfig", "Sensitive",
           "Ulimit"]  # also from fig.config.resources and fig.config.ports

_LINK_NAME = pattern(r"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$")


@record(frozen=True, slots=True)
class VolumeSpec:
    """A mount: an anonymous volume (no source), a bind mount (absolute source), a named volume, or with `image` an
    image's files (`source` the image). `subpath` mounts a directory inside the named volume or the image."""

    target: str
    source: str | None = None
    mode: str = "rw"
    subpath: str | None = None
    image: bool = False

    @property
    def is_bind(self) -> bool:
        return self.source is not None and self.source.startswith("/") and not self.image

    @property
    def is_named(self) -> bool:
        return self.source is not None and not self.source.startswith("/") and not self.image

    @property
    def needs_mount_api(self) -> bool:
        """What a bind string ("source:target:mode") cannot say: an image, or a subpath."""
        return self.image or self.subpath is not None

    @classmethod
    def parse(cls, text: str) -> VolumeSpec:
        parts = text.split(":")
        if len(parts) == 1:
            return cls(parts[0])
        if len(parts) == 2:
            if parts[0].startswith("/") and parts[1] in ("ro", "rw"):
                return cls(parts[0], None, parts[1])
            if parts[1].startswith("/") and parts[0]:
                return cls(parts[1], parts[0])
            return cls._bad(text)
        if len(parts) == 3 and parts[0] and parts[1].startswith("/"):
            return cls(parts[1], parts[0], parts[2])
        return cls._bad(text)

    @staticmethod
    def _bad(text: str) -> VolumeSpec:
        raise ConfigError(f"volume {text!r} is not a valid volume: use CONTAINER_PATH or SOURCE:CONTAINER_PATH[:MODE]")

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.target) if p is not None]
        if self.mode != "rw":
            parts.append(self.mode)
        return ":".join(parts)


@record(frozen=True, slots=True)
class Link:
    target: str
    alias: str

    @classmethod
    def parse(cls, text: str) -> Link:
        target, _, alias = text.partition(":")
        if not target:
            raise ConfigError(f"link {text!r} names no service")
        for name in (target, alias or target):
            if not _LINK_NAME.match(name):
                raise ConfigError(f"is not NAME or NAME:ALIAS ({name!r} is not a name: use letters, digits, '_', "
                                  "'.' and '-')")
        return cls(target, alias or target)

    def __str__(self) -> str:
        return self.target if self.alias == self.target else f"{self.target}:{self.alias}"


@record(frozen=True, slots=True)
class VolumesFrom:
    """Volumes taken from a service of the project or, with "container:", any container."""

    source: str
    mode: str = "rw"
    is_container: bool = False

    @classmethod
    def parse(cls, text: str, services: frozenset[str] = frozenset()) -> VolumesFrom:
        parts = text.split(":")
        if parts[0] in ("container", "service") and len(parts) > 1:
            kind, parts = parts[0], parts[1:]
        else:
            kind = "service" if parts[0] in services else "container"
        if len(parts) > 2 or (len(parts) == 2 and parts[1] not in ("ro", "rw")) or not parts[0]:
            raise ConfigError(f"volumes_from {text!r} is not valid: use NAME[:ro|rw] or container:NAME[:ro|rw]")
        return cls(parts[0], parts[1] if len(parts) == 2 else "rw", kind == "container")

    def __str__(self) -> str:
        prefix = "container:" if self.is_container else ""
        suffix = "" if self.mode == "rw" else f":{self.mode}"
        return f"{prefix}{self.source}{suffix}"


@record(frozen=True, slots=True)
class BuildSecret:
    """A top-level secret given to a build: the Dockerfile's `RUN --mount=type=secret,id=ID` reads it, where ID is
    `target` (default: the secret's name). Its content comes from a file or a variable (`value`, None when the
    variable is not set: an error only when the service is built)."""

    source: str
    target: str | None = None
    file: str | None = None  # absolute path
    environment: str | None = None  # the variable's name
    value: Sensitive | None = None
    uid: str | None = None  # carried for the file's sake: BuildKit gives every secret to RUN as root, 0400
    gid: str | None = None
    mode: int | None = None

    @property
    def id(self) -> str:
        return self.target or self.source


@record(frozen=True, slots=True)
class BuildSpec:
    context: str  # a directory (absolute) or a git URL
    dockerfile: str | None = "Dockerfile"  # None with dockerfile_inline
    args: tuple[tuple[str, str], ...] = ()
    target: str | None = None
    cache_from: tuple[str, ...] = ()
    network: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    shm_size: int | None = None
    extra_hosts: tuple[str, ...] = ()  # "host:ip"
    platforms: tuple[str, ...] = ()
    dockerfile_inline: str | None = None
    ssh: tuple[str, ...] = ()  # "default" or "ID=PATH"
    cache_to: tuple[str, ...] = ()
    additional_contexts: tuple[tuple[str, str], ...] = ()  # name -> a directory (absolute) or a URL
    entitlements: tuple[str, ...] = ()
    isolation: str | None = None
    privileged: bool = False
    no_cache: bool = False
    pull: bool = False
    secrets: tuple[BuildSecret, ...] = ()
    tags: tuple[str, ...] = ()
    ulimits: tuple[Ulimit, ...] = ()

    @property
    def remote(self) -> bool:
        """The context is a URL the builder fetches (git), not a directory here."""
        return is_remote(self.context)


def is_remote(context: str) -> bool:
    """A build context (or additional context) that is a URL or a git address rather than a path."""
    return "://" in context or context.startswith(("git@", "github.com/"))


@record(frozen=True, slots=True)
class NetworkRef:
    """A service's membership of a project network, with its extra DNS aliases."""

    name: str
    aliases: tuple[str, ...] = ()
    ipv4_address: str | None = None
    mac_address: str | None = None
    gw_priority: int | None = None  # the endpoint with the highest gives the default gateway
    interface_name: str | None = None  # the interface's name in the container
    driver_opts: tuple[tuple[str, str], ...] = ()
    ipv6_address: str | None = None


@record(frozen=True, slots=True)
class DependsOn:
    service: str
    condition: str = "service_started"
    ready: str | None = None
    timeout: float = 60.0
    required: bool = True  # False: a dependency the active profiles leave out is skipped, not an error
    restart: bool = False  # True: restarting or recreating the dependency restarts this service after it


@record(frozen=True, slots=True)
class Healthcheck:
    test: tuple[str, ...]
    interval: float | None = None
    timeout: float | None = None
    retries: int | None = None
    start_period: float | None = None
    start_interval: float | None = None  # between checks during the start period


@record(frozen=True, slots=True)
class ServiceConfig:
    """One service of the project, normalised: what its containers are made from."""

    name: str
    image: str | None = None
    build: BuildSpec | None = None
    command: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    links: tuple[Link, ...] = ()
    external_links: tuple[Link, ...] = ()
    ports: tuple[PortSpec, ...] = ()
    expose: tuple[str, ...] = ()
    volumes: tuple[VolumeSpec, ...] = ()
    volumes_from: tuple[VolumesFrom, ...] = ()
    environment: tuple[tuple[str, str | None], ...] = ()  # None: bare, unset in the container
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()  # metadata for the runtime (OCI annotations)
    network_mode: str | None = None
    networks: tuple[NetworkRef, ...] = ()
    depends_on: tuple[DependsOn, ...] = ()
    dns: tuple[str, ...] = ()
    dns_search: tuple[str, ...] = ()
    extra_hosts: tuple[str, ...] = ()
    working_dir: str | None = None
    user: str | None = None
    hostname: str | None = None
    domainname: str | None = None
    container_name: str | None = None
    mem_limit: int | None = None
    privileged: bool = False
    stdin_open: bool = False
    tty: bool = False
    cap_add: tuple[str, ...] = ()
    cap_drop: tuple[str, ...] = ()
    restart: str | None = None
    healthcheck: Healthcheck | None = None
    stop_signal: str | None = None
    stop_grace_period: float | None = None
    devices: tuple[str, ...] = ()
    tmpfs: tuple[str, ...] = ()
    ulimits: tuple[Ulimit, ...] = ()
    sysctls: tuple[tuple[str, str], ...] = ()
    init: bool | None = None
    read_only: bool = False
    shm_size: int | None = None
    pid: str | None = None
    ipc: str | None = None
    cpu_shares: int | None = None
    cpus: float | None = None
    cpuset: str | None = None
    mem_reservation: int | None = None
    memswap_limit: int | None = None
    pids_limit: int | None = None
    logging: LogConfig | None = None
    profiles: tuple[str, ...] = ()
    secrets: tuple[FileMount, ...] = ()
    configs: tuple[FileMount, ...] = ()
    scale: int | None = None  # containers `up` makes when not told (`scale:` or deploy.replicas)
    pull_policy: str | None = None  # always, never, missing or build
    platform: str | None = None
    mac_address: str | None = None
    attach: bool = True  # attached `up` shows this service's output
    engine_options: tuple[tuple[str, Any], ...] = ()  # fig.config.runtime.PASSTHROUGH keys, normalised
    develop: tuple[WatchRule, ...] = ()  # develop.watch, for `fig watch`; not part of the container's configuration
    swarm: SwarmSettings | None = None  # what only `fig deploy` uses; not part of the container config
    post_start: tuple[ExecHook, ...] = ()  # run in each container after it starts, in order
    pre_stop: tuple[ExecHook, ...] = ()  # run in each running container before it is stopped, in order
    use_api_socket: bool = False  # the engine's socket and the user's registry credentials mounted in
    models: tuple[ServiceModel, ...] = ()  # AI models (top-level `models`) it is given the endpoints of
    provider: ProviderConfig | None = None  # a service a plugin makes (it has no container)
    extensions: tuple[tuple[str, str], ...] = ()  # the service's `x-*` keys, each value as JSON: carried, unused

    @property
    def image_name(self) -> str | None:
        """The image to run when the service names one; built services are tagged by the project."""
        return self.image

    def dependencies(self) -> tuple[str, ...]:
        """Service names this service needs started first."""
        return tuple(dict.fromkeys([*self.implied_dependencies(), *(d.service for d in self.depends_on)]))

    def implied_dependencies(self) -> tuple[str, ...]:
        """The services the links, namespaces (network_mode, ipc, pid) and volumes_from need started first, in
        the order Compose v2 adds them to depends_on."""
        names = [link.target for link in self.links]
        for mode in (self.network_mode, self.ipc, self.pid):
            if mode and mode.startswith("service:"):
                names.append(mode.split(":", 1)[1])
        names += [vf.source for vf in self.volumes_from if not vf.is_container]
        return tuple(dict.fromkeys(names))

    def config_json(self) -> str:
        """The whole configuration as compact JSON: stored on containers so a recreate can say what changed.
        `develop`, `swarm` and `extensions` are left out: how files are watched, what only `fig deploy` reads and
        `x-*` keys change nothing in a container (compose, too, hashes without develop). The keys of
        _UNSET_UNHASHED count only when set, so a service that does not use them keeps the hash (and its
        containers) of a fig that did not know them; so do those of _UNSET_UNHASHED_ITEMS in a list's items."""
        settings = {k: v for k, v in asdict(self).items() if k not in ("develop", "swarm", "extensions")
                    and not (k in _UNSET_UNHASHED and v == _UNSET_UNHASHED[k])}
        for key, fields in _UNSET_UNHASHED_ITEMS.items():
            settings[key] = [{k: v for k, v in item.items() if not (k in fields and v is None)}
                             for item in settings[key]]
        return json.dumps(settings, sort_keys=True, default=str, separators=(",", ":"))

    def config_hash(self, image_id: str) -> str:
        blob = json.dumps([self.config_json(), image_id])
        return digest(blob.encode())


_UNSET_UNHASHED: dict[str, Any] = {"post_start": (), "pre_stop": (), "use_api_socket": False, "models": (),
                                   "provider": None}
_UNSET_UNHASHED_ITEMS = {"ports": ("host_end",), "networks": ("ipv6_address",)}  # the same, in list items


@record(frozen=True, slots=True)
class IpamPool:
    subnet: str | None = None
    ip_range: str | None = None
    gateway: str | None = None
    aux_addresses: tuple[tuple[str, str], ...] = ()


@record(frozen=True, slots=True)
class Ipam:
    """A network's address management: its driver, address pools and driver options."""

    driver: str | None = None
    pools: tuple[IpamPool, ...] = ()
    options: tuple[tuple[str, str], ...] = ()


@record(frozen=True, slots=True)
class NetworkConfig:
    name: str  # the engine's name
    driver: str | None = None
    internal: bool = False
    external: bool = False
    external_name: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    key: str = ""  # the name in the file ("default" for the implicit network)
    driver_opts: tuple[tuple[str, str], ...] = ()
    attachable: bool = False
    enable_ipv6: bool = False
    ipam: Ipam | None = None


@record(frozen=True, slots=True)
class VolumeConfig:
    name: str  # the engine's name
    driver: str | None = None
    external: bool = False
    external_name: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    key: str = ""  # the name in the file
    driver_opts: tuple[tuple[str, str], ...] = ()


@record(frozen=True, slots=True)
class ProjectConfig:
    name: str
    services: tuple[ServiceConfig, ...]
    working_dir: str
    files: tuple[str, ...] = ()
    legacy: bool = True
    networks: tuple[NetworkConfig, ...] = ()
    volumes: tuple[VolumeConfig, ...] = ()
    secrets: tuple[SecretConfig, ...] = ()
    configs: tuple[SecretConfig, ...] = ()
    profiles: tuple[str, ...] = ()  # the active profiles
    variables: tuple[tuple[str, str], ...] = ()  # what values were interpolated from: .env under the environment
    paths: tuple[str, ...] = ()  # the files, absolute (`-` for standard input)
    env_files: tuple[str, ...] = ()  # --env-file, absolute (they replace .env)
    models: tuple[ModelConfig, ...] = ()
    extensions: tuple[tuple[str, str], ...] = ()  # the top-level `x-*` keys, each value as JSON: carried, unused
    # a service the active profiles leave out that could not run (by name: why), as in Compose v2 not an error
    # until a command names it; its ServiceConfig has only its name and profiles
    unresolved: tuple[tuple[str, str], ...] = ()

    def service(self, name: str) -> ServiceConfig:
        for svc in self.services:
            if svc.name == name:
                return svc
        raise ConfigError(f"No such service: {name}")

    def is_enabled(self, service: ServiceConfig) -> bool:
        """Whether the active profiles enable the service."""
        return profiles_enable(self.profiles, service.profiles)

    def selected(self, names: Sequence[str] = (), *, deps: bool = True) -> list[str]:
        """The services an operation on `names` (all enabled services when empty) acts on, in file order.
        Naming a service enables it; a dependency pulled in must be enabled by the active profiles (one that is
        not `required` is left out)."""
        wanted = [self.service(n).name for n in names] or [s.name for s in self.services if self.is_enabled(s)]
        chosen = set(wanted)
        todo = list(wanted) if deps else []
        while todo:
            svc = self.service(todo.pop())
            optional = {d.service for d in svc.depends_on if not d.required}
            for dep in svc.dependencies():
                if dep in chosen or dep not in {s.name for s in self.services}:
                    continue
                if not self.is_enabled(self.service(dep)) and dep in optional:
                    continue
                if not self.is_enabled(self.service(dep)):
                    raise ConfigError(
                        f'Service "{dep}" was pulled in as a dependency of service "{svc.name}" but is not enabled '
                        f'by the active profiles. You may fix this by adding a common profile to "{dep}" and '
                        f'"{svc.name}".')
                chosen.add(dep)
                todo.append(dep)
        for name, problem in self.unresolved:
            if name in chosen:
                raise Unresolved(problem)
        return [s.name for s in self.services if s.name in chosen]


def profiles_enable(active: Sequence[str], profiles: Sequence[str]) -> bool:
    """A service runs by default unless it has profiles, none of them active ("*" activates all)."""
    return not profiles or "*" in active or bool(set(profiles) & set(active))
