"""Builds the ContainerSpec of one container of a service, from its configuration and the run's options: names,
labels, links, volumes and networks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fig import __version__
from fig import labels as L
from fig.backend.base import ContainerBackend, ContainerInfo
from fig.backend.ports import PortBinding
from fig.config.checks import IFNAME_OPTION
from fig.config.model import NetworkRef, PortSpec, ServiceConfig, VolumeSpec
from fig.config.ports import exposed_ports
from fig.container import Container
from fig.errors import UserError
from fig.patterns import pattern
from fig.records import field, record, replace

if TYPE_CHECKING:  # loaded by the commands that make or run something
    from fig.backend.specs import ContainerSpec, EndpointSpec, MountSpec

    Wiring = tuple[list[EndpointSpec], list[tuple[str, str]], list[str], dict[str, str]]  # networks, links, hosts, env


@record(frozen=True)
class RunOptions:
    """How a one-off container differs from the service's own."""

    command: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    environment: tuple[tuple[str, str], ...] = ()
    user: str | None = None
    workdir: str | None = None
    name: str | None = None
    service_ports: bool = False
    tty: bool = False
    stdin_open: bool = False
    auto_remove: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)  # added to the service's, winning
    volumes: tuple[VolumeSpec, ...] = ()  # added to the service's
    ports: tuple[PortSpec, ...] | None = None  # published instead of the service's
    cap_add: tuple[str, ...] = ()  # each also taken out of the service's cap_drop
    cap_drop: tuple[str, ...] = ()  # each also taken out of the service's cap_add
    use_aliases: bool = False  # join the networks under the service's aliases, as its own containers do


def canonical_name(config: ServiceConfig, project: str, number: int, naming: L.Naming = L.FIG_NAMES) -> str:
    return config.container_name or L.container_name(project, config.name, number, separator=naming.separator)


_ANONYMOUS = pattern(r"^[0-9a-f]{64}$")


def anonymous_mounts(info: ContainerInfo | None) -> Iterator[tuple[str, str]]:
    """(volume name, target) of a container's anonymous volumes, to carry over on recreate."""
    for mount in info.mounts if info else ():
        if mount.type == "volume" and mount.name and _ANONYMOUS.match(mount.name):
            yield mount.name, mount.target


def _nanoseconds(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds * 1_000_000_000)


class SpecBuilder:
    """`peers(service)` lists another service's containers, for links, volumes_from and shared namespaces; the
    `backend` says whether the engine has links, and finds the containers of external links."""

    def __init__(self, config: ServiceConfig, *, project: str, image: str, legacy: bool,
                 peers: Callable[[str], list[Container]], backend: ContainerBackend, naming: L.Naming = L.FIG_NAMES,
                 project_labels: Mapping[str, str] | None = None) -> None:
        self.config, self.project, self.image, self.legacy = config, project, image, legacy
        self.peers, self.backend = peers, backend
        self.naming = naming
        self.project_labels = dict(project_labels or {})  # working_dir, config_files, ... for every container

    def _first_running(self, name: str, why: str) -> Container:
        running = [c for c in self.peers(name) if c.is_running] or self.peers(name)
        if not running:
            raise UserError(f"Service '{self.config.name}' {why} service '{name}', which has no container")
        return running[0]

    def own_running(self) -> list[Container]:
        """The running containers of the service itself: a one-off container is linked to them (as Fig does)."""
        return [c for c in self.peers(self.config.name) if c.is_running]

    def linked(self, own: Sequence[Container] = ()) -> list[tuple[Container, str]]:
        """The running containers of the project a link reaches, each with a name it is known by there: the
        service's `own` running containers (for a one-off), and those of `links`."""
        result: list[tuple[Container, str]] = []
        for container in own:
            result += [(container, self.config.name), (container, container.name_without_project),
                       (container, container.name)]
        for link in self.config.links:
            for container in [c for c in self.peers(link.target) if c.is_running]:
                result += [(container, link.alias), (container, container.name_without_project),
                           (container, container.name)]
        return list({(c.name, alias): (c, alias) for c, alias in result}.values())

    def links(self, own: Sequence[Container] = ()) -> list[tuple[str, str]]:
        """Legacy links: (container name, alias)."""
        result = [(c.name, alias) for c, alias in self.linked(own)]
        return result + [(link.target, link.alias) for link in self.config.external_links]

    def wiring(self, name: str, network_mode: str | None, oneoff: RunOptions | None) -> Wiring:
        """Networks, legacy links, extra hosts and link variables of the container `name`. In a Fig-format file (or
        beside network_mode) links are the engine's legacy ones; on a compose file's networks they are the network's,
        and a one-off container gets, for its own service, the hosts entry and variables of a legacy link."""
        cfg = self.config
        # a one-off is linked to its own service's containers, unless it shares another's network stack or the host's
        to_own = oneoff is not None and (network_mode or "bridge") in ("bridge", "default")
        own = self.own_running() if to_own else []  # one look at them, for the links and the hosts entry
        links = self.links(own)
        if (self.legacy or links or cfg.links) and not self.backend.traits().links:
            return self.linkless_wiring(name, network_mode, oneoff, own)
        if self.legacy or network_mode:
            return [], links, list(cfg.extra_hosts), {}
        links = [(t, a) for t, a in links if any(t == link.target for link in cfg.external_links)]
        mine = [(c.info, cfg.name, True) for c in own[:1]] if cfg.networks else []
        hosts, env = _hosts_and_variables(name, mine)
        return self._endpoints(oneoff, links=True), links, list(cfg.extra_hosts) + hosts, env

    def linkless_wiring(self, name: str, network_mode: str | None, oneoff: RunOptions | None,
                        own: Sequence[Container]) -> Wiring:
        """`wiring` on an engine without links (Podman): a Fig-format project's containers join the project's
        network under their service's name, and each link is what it would give: a hosts entry per name and, for what
        would be a legacy link, Fig's variables (DB_PORT, DB_PORT_5432_TCP_ADDR, ..., DB_NAME)."""
        cfg = self.config
        legacy = self.legacy or bool(network_mode)
        linked = [(c, alias, legacy) for c, alias in self.linked(own if legacy else ())]
        if not legacy:
            linked += [(c, cfg.name, True) for c in own[:1]]
        fresh = {c.id: c.refresh().info for c, _, _ in linked}  # a listing may leave exposed ports out (Podman's does)
        targets = [(fresh[c.id], alias, variables) for c, alias, variables in linked]
        targets += [(self.backend.inspect(link.target), link.alias, True) for link in cfg.external_links]
        hosts, env = _hosts_and_variables(name, targets)
        return [] if network_mode else self._endpoints(oneoff, links=False), [], list(cfg.extra_hosts) + hosts, env

    def _endpoints(self, oneoff: RunOptions | None, *, links: bool) -> list[EndpointSpec]:
        """The container's networks: a compose file's (with its links, when the engine has them), else the
        project's own; under the service's name, except for a one-off container not asked to."""
        from fig.backend.specs import EndpointSpec

        cfg = self.config
        aliases = (cfg.name,) if oneoff is None or oneoff.use_aliases else ()
        if self.legacy:
            return [EndpointSpec(L.default_network(self.project), aliases)]
        network_links = tuple((link.target, link.alias) for link in cfg.links) if links else ()
        return [EndpointSpec(n.name, aliases + n.aliases if aliases else (), n.ipv4_address, network_links,
                             n.mac_address, n.gw_priority, _driver_opts(n), n.ipv6_address) for n in cfg.networks]

    def depends_on(self) -> str:
        """Compose's depends_on label: the declared dependencies, then those links, volumes_from and shared
        namespaces imply (started first, never restarted with them)."""
        cfg = self.config
        entries = {d.service: (d.service, d.condition, d.restart) for d in cfg.depends_on}
        for name in cfg.dependencies():
            entries.setdefault(name, (name, "service_started", False))
        return L.depends_on(entries.values())

    def oneoff_name(self, number: int, labels: dict[str, str]) -> str:
        """`proj_web_run_3` in Fig's dialect; Compose's ends in its slug's first 12 digits, the slug a label."""
        suffix: int | str = number
        if self.naming.slug:
            import secrets  # only one-offs named as Compose v2 names them need it

            labels[L.LABEL_SLUG] = secrets.token_hex(32)
            suffix = labels[L.LABEL_SLUG][:12]
        return L.container_name(self.project, self.config.name, suffix, oneoff=True, separator=self.naming.separator)

    def volumes_from(self) -> list[str]:
        result = []
        for vf in self.config.volumes_from:
            if vf.is_container:
                result.append(f"{vf.source}:{vf.mode}")
            else:
                result += [f"{c.id}:{vf.mode}" for c in self.peers(vf.source)]
        return result

    def network_mode(self) -> str | None:
        mode = self.config.network_mode
        if mode and mode.startswith("service:"):
            target = mode.split(":", 1)[1]
            return f"container:{self._first_running(target, 'shares the network of').id}"
        return mode

    def shared_namespace(self, mode: str | None, why: str) -> str | None:
        """pid/ipc "service:NAME" -> "container:<id>" of that service's first running container."""
        if mode and mode.startswith("service:"):
            return f"container:{self._first_running(mode.split(':', 1)[1], why).id}"
        return mode

    def file_mounts(self) -> list[str]:
        """Secrets and configs as read-only binds of host files (written first when they come from variables);
        those with an owner or a mode are written into the container instead (fig.service)."""
        mounts = (*self.config.secrets, *self.config.configs)
        return [f"{m.host_path()}:{m.target}:ro" for m in mounts if not m.copied and not m.external]

    def resources(self) -> dict[str, Any]:
        """ContainerSpec fields for resources and isolation (devices, tmpfs, ulimits, cpus, logging, ...)."""
        cfg = self.config
        return dict(
            devices=tuple(d for d in cfg.devices if d.startswith("/")),
            cdi_devices=tuple(d for d in cfg.devices if not d.startswith("/")),  # vendor/class=name
            tmpfs=dict(t.partition(":")[::2] for t in cfg.tmpfs),
            ulimits=tuple((u.name, u.soft, u.hard) for u in cfg.ulimits), sysctls=dict(cfg.sysctls),
            init=cfg.init, read_only=cfg.read_only, shm_size=cfg.shm_size,
            pid_mode=self.shared_namespace(cfg.pid, "shares the PID namespace of"),
            ipc_mode=self.shared_namespace(cfg.ipc, "shares the IPC namespace of"), cpu_shares=cfg.cpu_shares,
            nano_cpus=None if cfg.cpus is None else int(cfg.cpus * 1_000_000_000), cpuset_cpus=cfg.cpuset,
            mem_reservation=cfg.mem_reservation, memswap_limit=cfg.memswap_limit, pids_limit=cfg.pids_limit,
            log_driver=cfg.logging.driver if cfg.logging else None,
            log_options=dict(cfg.logging.options) if cfg.logging else {}, host_options=dict(cfg.engine_options),
            mac_address=cfg.mac_address, platform=cfg.platform,
        )

    def build(self, number: int, image_id: str, config_hash: str, *, previous: ContainerInfo | None = None,
              renew_volumes: bool = False, oneoff: RunOptions | None = None) -> ContainerSpec:
        from fig.backend.specs import ContainerSpec

        cfg = self.config
        labels = {**dict(cfg.labels), **L.service_labels(self.project, cfg.name, oneoff=oneoff is not None),
                  **self.project_labels, L.LABEL_NUMBER: str(number), L.LABEL_CONFIG_HASH: config_hash,
                  L.LABEL_VERSION: __version__, L.LABEL_DEPENDS_ON: self.depends_on(),
                  L.LABEL_CONFIG: cfg.config_json()}
        name = canonical_name(cfg, self.project, number, self.naming)
        if oneoff is not None:
            name = oneoff.name or self.oneoff_name(number, labels)
        binds = [f"{v.source}:{v.target}:{v.mode}" for v in cfg.volumes if v.source and not v.needs_mount_api]
        anonymous = [v.target for v in cfg.volumes if not v.source]
        if not renew_volumes:
            bound = {v.target for v in cfg.volumes if v.source}
            for volume, target in anonymous_mounts(previous):
                if target not in bound:
                    binds.append(f"{volume}:{target}:rw")
                    anonymous = [t for t in anonymous if t != target]
        ports = [_binding(p) for p in cfg.ports]
        if oneoff is not None and not oneoff.service_ports:
            ports = []
        expose = [PortBinding(port, protocol) for e in cfg.expose for port, protocol in exposed_ports(e)]
        if oneoff is not None:
            expose += [PortBinding(p.container, p.protocol) for p in cfg.ports]
        healthcheck = None
        if cfg.healthcheck:
            hc = cfg.healthcheck
            healthcheck = {k: v for k, v in {
                "test": list(hc.test), "interval": _nanoseconds(hc.interval), "timeout": _nanoseconds(hc.timeout),
                "retries": hc.retries, "start_period": _nanoseconds(hc.start_period),
                "start_interval": _nanoseconds(hc.start_interval)}.items() if v is not None}
        network_mode = self.network_mode()
        networks, links, extra_hosts, link_env = self.wiring(name, network_mode, oneoff)
        spec = ContainerSpec(
            name=name, image=self.image, labels=labels, annotations=dict(cfg.annotations), command=cfg.command,
            entrypoint=cfg.entrypoint, environment={**link_env, **dict(cfg.environment)}, ports=ports, expose=expose,
            binds=binds + self.file_mounts(), mounts=[_mount(v) for v in cfg.volumes if v.needs_mount_api],
            volumes=anonymous, volumes_from=self.volumes_from(), links=links if self.legacy or not networks else [],
            network_mode=network_mode, networks=networks, dns=cfg.dns, dns_search=cfg.dns_search,
            extra_hosts=tuple(extra_hosts), working_dir=cfg.working_dir, user=cfg.user, hostname=cfg.hostname,
            domainname=cfg.domainname, mem_limit=cfg.mem_limit, privileged=cfg.privileged,
            stdin_open=cfg.stdin_open, tty=cfg.tty, cap_add=cfg.cap_add, cap_drop=cfg.cap_drop,
            restart=cfg.restart, healthcheck=healthcheck, stop_signal=cfg.stop_signal,
            stop_timeout=None if cfg.stop_grace_period is None else int(cfg.stop_grace_period),
            **self.resources(),
        )
        return spec if oneoff is None else _one_off(spec, oneoff)


def _hosts_and_variables(linker: str, targets: list[tuple[ContainerInfo, str, bool]]
                         ) -> tuple[list[str], dict[str, str]]:
    """A hosts entry ("alias:address") for each linked container (target, alias, with variables), and the link
    variables of those that have them."""
    hosts: list[str] = []
    env: dict[str, str] = {}
    for info, alias, variables in (t for t in targets if t[0].ip_addresses):
        hosts.append(f"{alias}:{info.ip_addresses[0]}")
        if variables:
            env.update(link_environment(alias, linker, info))
    return hosts, env


def _driver_opts(network: NetworkRef) -> dict[str, str]:
    """A network's endpoint driver options, with `interface_name` as the option that names the interface."""
    options = dict(network.driver_opts)
    if network.interface_name:
        options[IFNAME_OPTION] = network.interface_name
    return options


def _mount(volume: VolumeSpec) -> MountSpec:
    """A volume with a subpath, or an image's files, as the Mounts entry that says so."""
    from fig.backend.specs import MountSpec

    modes = volume.mode.split(",")
    return MountSpec("image" if volume.image else "volume", volume.source or "", volume.target, "ro" in modes,
                     volume.subpath, "nocopy" in modes)


def link_environment(alias: str, linker: str, info: ContainerInfo) -> dict[str, str]:
    """The variables a legacy link named `alias` gives the container `linker` (Fig documents them): DB_PORT,
    DB_PORT_5432_TCP, its _ADDR, _PORT and _PROTO, and DB_NAME."""
    prefix = re.sub(r"[^A-Z0-9_]", "_", alias.upper())
    address = info.ip_addresses[0]
    ports = sorted({(p.container_port, p.protocol) for p in info.ports})
    env = {f"{prefix}_NAME": f"/{linker}/{alias}"}
    for number, protocol in ports:
        key = f"{prefix}_PORT_{number}_{protocol.upper()}"
        env.update({key: f"{protocol}://{address}:{number}", f"{key}_ADDR": address, f"{key}_PORT": str(number),
                    f"{key}_PROTO": protocol})
    if ports:
        env[f"{prefix}_PORT"] = f"{ports[0][1]}://{address}:{ports[0][0]}"
    return env


def _binding(port: PortSpec) -> PortBinding:
    return PortBinding(port.container, port.protocol, port.host_ip, port.host, port.host_end)


def _one_off(spec: ContainerSpec, options: RunOptions) -> ContainerSpec:
    ports = spec.ports if options.ports is None else [_binding(p) for p in options.ports]
    return replace(
        spec,
        command=options.command if options.command is not None else spec.command,
        entrypoint=options.entrypoint if options.entrypoint is not None else spec.entrypoint,
        environment={**spec.environment, **dict(options.environment)},
        user=options.user or spec.user, working_dir=options.workdir or spec.working_dir,
        tty=options.tty, stdin_open=options.stdin_open, auto_remove=options.auto_remove, restart=None,
        labels={**spec.labels, **options.labels}, ports=ports,
        binds=[*spec.binds, *(f"{v.source}:{v.target}:{v.mode}" for v in options.volumes if v.source)],
        volumes=[*spec.volumes, *(v.target for v in options.volumes if not v.source)],
        cap_add=[c for c in (*spec.cap_add, *options.cap_add) if c not in options.cap_drop],
        cap_drop=[c for c in (*spec.cap_drop, *options.cap_drop) if c not in options.cap_add],
    )

