"""The project as a Swarm stack: a pure function from ProjectConfig to the Engine API's service, network, secret and
config specs, with a warning (or, strict, an error) for every key Swarm cannot honour. No I/O but reading the
files secrets and configs come from.

Every list is sorted (or kept in the file's order where order means something), so the same file always gives
the same spec and a second deploy changes nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

from fig import labels as L
from fig.backend.specs import NetworkOptions
from fig.config.cache import digest
from fig.config.model import NetworkConfig, ProjectConfig, SecretConfig, ServiceConfig
from fig.config.swarm import SwarmSettings, UpdatePolicy, swarm_condition
from fig.config.values import parse_size
from fig.errors import ConfigError
from fig.graph import DependencyGraph
from fig.records import field, record, replace
from fig.resources import network_options

NAMESPACE = L.LABEL_STACK  # what `docker stack ls/ps/services/rm` look for
STACK_IMAGE = "com.docker.stack.image"
SPEC_HASH = "io.fig.swarm.spec-hash"
OBJECT_KEY = "io.fig.swarm.key"  # a secret's or config's name in the file, on each of its versions
DEPENDS_ON = "io.fig.swarm.depends-on"  # the services a service depends on, for a rollback without the file
_NS = 1_000_000_000
_RESTART = {"always": "any", "unless-stopped": "any", "on-failure": "on-failure", "no": "none"}


@record(frozen=True)
class ObjectSpec:
    """A secret or config the stack needs: `data` None for an external one, which must exist."""

    kind: str  # secrets or configs
    key: str
    name: str
    data: bytes | None
    labels: Mapping[str, str] = field(default_factory=dict)


@record(frozen=True)
class NetworkSpec:
    key: str
    name: str
    external: bool
    driver: str = "overlay"
    internal: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)
    options: NetworkOptions = NetworkOptions(attachable=True)


@record(frozen=True)
class ServicePlan:
    """One service as Swarm gets it. The spec's secret and config references carry names; their ids are filled
    in once the objects exist (`with_ids`). `healthy_deps`: dependencies to wait for before this is deployed."""

    service: str
    spec: Mapping[str, Any]
    deps: tuple[str, ...] = ()
    healthy_deps: tuple[str, ...] = ()
    completed_deps: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return str(self.spec["Name"])

    @property
    def spec_hash(self) -> str:
        return str(self.spec["Labels"][SPEC_HASH])


@record(frozen=True)
class StackSpec:
    name: str
    services: tuple[ServicePlan, ...]
    networks: tuple[NetworkSpec, ...]
    objects: tuple[ObjectSpec, ...]


def spec_hash(spec: Mapping[str, Any]) -> str:
    body = {**spec, "Labels": {k: v for k, v in (spec.get("Labels") or {}).items() if k != SPEC_HASH}}
    return digest(json.dumps(body, sort_keys=True).encode())


def _ns(seconds: float | None) -> int | None:
    return None if seconds is None else int(round(seconds * _NS))


def _compact(value: Any) -> Any:
    """Without None, empty lists and empty mappings, recursively: what the engine would not store either."""
    if isinstance(value, dict):
        out = {k: _compact(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


class Converter:
    def __init__(self, config: ProjectConfig, stack: str, *, images: Mapping[str, str] | None = None,
                 ignore_host_ip: bool = False) -> None:
        """`images`: the image each service runs when not its `image:` (digests pinned by --build --push).
        `ignore_host_ip`: a port's host address is dropped (a warning, as for any key Swarm cannot honour) rather
        than refused, and the port opens on every address, as `docker stack deploy` opens it."""
        self.config, self.stack, self.images = config, stack, dict(images or {})
        self.ignore_host_ip = ignore_host_ip
        self.networks = {n.name: self._network(n) for n in config.networks}
        if config.legacy:  # a fig.yml's services share one network, as they would with `up` in a compose file
            default = NetworkConfig(f"{config.name}_default", key="default")
            self.networks[default.name] = self._network(default)
        self.link_aliases: dict[str, list[str]] = {}  # a link's alias resolves to the linked service
        for other in config.services:
            for link in other.links:
                if link.alias != link.target:
                    self.link_aliases.setdefault(link.target, []).append(link.alias)
        self.volumes = {v.name: v for v in config.volumes}
        self.objects = {(kind, s.name): self._object(kind, s)
                        for kind, items in (("secrets", config.secrets), ("configs", config.configs)) for s in items}

    def _renamed(self, name: str, key: str, explicit: bool) -> str:
        """A resource name of the project made for this stack (the stack may be named otherwise)."""
        return name if explicit or name != f"{self.config.name}_{key}" else f"{self.stack}_{key}"

    def _network(self, net: NetworkConfig) -> NetworkSpec:
        if net.external:
            return NetworkSpec(net.key, net.external_name or net.name, True)
        return NetworkSpec(net.key, self._renamed(net.name, net.key, False), False, net.driver or "overlay",
                           net.internal, {**dict(net.labels), NAMESPACE: self.stack},
                           replace(network_options(net), attachable=True))

    def _object(self, kind: str, source: SecretConfig) -> ObjectSpec:
        if source.external:
            return ObjectSpec(kind, source.name, source.external, None)
        if source.file:
            users = [s.name for s in self.config.services for m in getattr(s, kind) if m.source == source.name]
            if not os.path.isfile(source.file):
                whose = f"service '{users[0]}': " if users else ""
                raise ConfigError(f"{whose}{kind[:-1]} '{source.name}': its file {source.file} is not a file here")
            with open(source.file, "rb") as f:
                data = f.read()
        else:  # from a variable or inline: the services' mounts carry the value
            mounts = [m for s in self.config.services for m in (s.secrets if kind == "secrets" else s.configs)
                      if m.source == source.name]
            if mounts and mounts[0].missing:
                raise ConfigError(f"{kind[:-1]} '{source.name}': the {mounts[0].missing} variable is not set")
            data = (mounts[0].content.value if mounts and mounts[0].content else source.content or "").encode()
        name = source.engine_name or f"{self.stack}_{source.name}_{digest(data)[:10]}"
        return ObjectSpec(kind, source.name, name, data, {NAMESPACE: self.stack, OBJECT_KEY: source.name})

    def stack_spec(self, names: Sequence[str], *, strict: bool = False) -> StackSpec:
        """The specs of the named services, dependencies first. `strict`: a key Swarm cannot honour is refused
        rather than warned about; every one of every service, in one error."""
        if strict:
            self.refuse_unsupported(names)
        chosen = set(names)
        services = tuple(self.service(self.config.service(n)) for n in self.order() if n in chosen)
        used_nets = {t["Target"] for p in services for t in p.spec["TaskTemplate"].get("Networks") or ()}
        used_objects = {(k, r[f"{k[:-1].capitalize()}Name"]) for p in services
                        for k in ("secrets", "configs") for r in p.spec["TaskTemplate"]["ContainerSpec"].get(
                            k.capitalize()) or ()}
        return StackSpec(self.stack, services, tuple(n for n in self.networks.values() if n.name in used_nets),
                         tuple(o for o in self.objects.values() if (o.kind, o.name) in used_objects))

    def order(self) -> tuple[str, ...]:
        """The project's services, dependencies first."""
        names = {s.name for s in self.config.services}
        return DependencyGraph({s.name: tuple(d for d in s.dependencies() if d in names)
                                for s in self.config.services}).order()

    def refuse_unsupported(self, names: Sequence[str]) -> None:
        """--strict: one error naming, a line per service in the file's order, every key Swarm cannot honour."""
        chosen = set(names)
        found = [(s.name, keys) for s in self.config.services if s.name in chosen and (keys := self.unsupported(s))]
        if found:
            raise ConfigError(f"{', '.join(self.config.files) or 'the file'}: Swarm cannot honour these keys and "
                              "--strict refuses them, so nothing was deployed:"
                              + "".join(f"\n  service '{name}': {', '.join(keys)}" for name, keys in found))

    def service(self, svc: ServiceConfig) -> ServicePlan:
        settings = svc.swarm or SwarmSettings()
        unsupported = self.unsupported(svc)
        image = self.images.get(svc.name) or svc.image
        if not image:
            raise ConfigError(f"service '{svc.name}' has no 'image': Swarm runs images, so name one (with a "
                              "registry its nodes can pull from) or use --build --push")
        deps = tuple(d for d in svc.dependencies() if d in {s.name for s in self.config.services})
        labels = {**dict(settings.labels), NAMESPACE: self.stack, STACK_IMAGE: svc.image or image,
                  L.LABEL_PROJECT: self.stack, L.LABEL_SERVICE: svc.name, DEPENDS_ON: ",".join(deps) or None}
        spec = _compact({
            "Name": f"{self.stack}_{svc.name}",
            "Labels": labels,
            "TaskTemplate": {
                "ContainerSpec": self.container(svc, image, settings),
                "Resources": {"Limits": {"NanoCPUs": None if svc.cpus is None else int(svc.cpus * _NS),
                                         "MemoryBytes": svc.mem_limit, "Pids": svc.pids_limit},
                              "Reservations": {"NanoCPUs": None if settings.reserve_cpus is None
                                               else int(settings.reserve_cpus * _NS),
                                               "MemoryBytes": svc.mem_reservation,
                                               "GenericResources": [
                                                   {"DiscreteResourceSpec": {"Kind": k, "Value": v}}
                                                   for k, v in settings.generic_resources]}},
                "RestartPolicy": self.restart(svc, settings),
                "Placement": {"Constraints": list(settings.constraints),
                              "Preferences": [{"Spread": {"SpreadDescriptor": p}} for p in settings.preferences],
                              "MaxReplicas": settings.max_replicas_per_node},
                "Networks": sorted(({"Target": self.networks[name].name,
                                     "Aliases": list(dict.fromkeys([svc.name, *aliases,
                                                                    *self.link_aliases.get(svc.name, ())]))}
                                    for name, aliases in self.attachments(svc)), key=lambda n: str(n["Target"])),
                "LogDriver": None if svc.logging is None or not svc.logging.driver else {
                    "Name": svc.logging.driver, "Options": dict(svc.logging.options)},
            },
            "UpdateConfig": _policy(settings.update_config),
            "RollbackConfig": _policy(settings.rollback_config),
            "EndpointSpec": {"Mode": settings.endpoint_mode or "vip", "Ports": self.ports(svc, settings)},
        })
        spec["Mode"] = _mode(settings.mode, svc.scale)  # {"Global": {}} is a value, not an empty one
        spec["Labels"][SPEC_HASH] = spec_hash(spec)
        return ServicePlan(
            svc.name, spec, deps,
            tuple(d.service for d in svc.depends_on if d.condition == "service_healthy"),
            tuple(d.service for d in svc.depends_on if d.condition == "service_completed_successfully"),
            tuple(unsupported))

    def attachments(self, svc: ServiceConfig) -> list[tuple[str, tuple[str, ...]]]:
        """(network, extra aliases) a service joins: a fig.yml's services the stack's default network."""
        if svc.networks or not self.config.legacy or svc.network_mode is not None:
            return [(r.name, r.aliases) for r in svc.networks]
        return [(f"{self.config.name}_default", ())]

    def container(self, svc: ServiceConfig, image: str, settings: SwarmSettings) -> dict[str, Any]:
        health = None
        if svc.healthcheck is not None:
            h = svc.healthcheck
            health = {"Test": list(h.test), "Interval": _ns(h.interval), "Timeout": _ns(h.timeout),
                      "Retries": h.retries, "StartPeriod": _ns(h.start_period), "StartInterval": _ns(h.start_interval)}
        options = dict(svc.engine_options)
        return {
            "Image": image,
            "Labels": {**dict(svc.labels), NAMESPACE: self.stack},
            "Command": None if svc.entrypoint is None else list(svc.entrypoint),
            "Args": None if svc.command is None else list(svc.command),
            "Hostname": svc.hostname, "Env": sorted(k if v is None else f"{k}={v}" for k, v in svc.environment),
            "Dir": svc.working_dir, "User": svc.user, "Groups": list(options.get("group_add") or ()),
            "TTY": svc.tty or None, "OpenStdin": svc.stdin_open or None, "ReadOnly": svc.read_only or None,
            "Mounts": self.mounts(svc), "StopSignal": svc.stop_signal,
            "StopGracePeriod": _ns(svc.stop_grace_period), "Healthcheck": health, "Init": svc.init,
            "Hosts": [f"{ip} {host}" for host, _, ip in (h.partition(":") for h in svc.extra_hosts)],
            "DNSConfig": {"Nameservers": list(svc.dns), "Search": list(svc.dns_search)},
            "Secrets": self.references("secrets", svc, settings), "Configs": self.references("configs", svc, settings),
            "CapabilityAdd": sorted(svc.cap_add), "CapabilityDrop": sorted(svc.cap_drop),
            "Sysctls": dict(svc.sysctls), "Isolation": options.get("isolation"),
            "Ulimits": sorted(({"Name": u.name, "Soft": u.soft, "Hard": u.hard} for u in svc.ulimits),
                              key=lambda u: str(u["Name"])),
        }

    def references(self, kind: str, svc: ServiceConfig, settings: SwarmSettings) -> list[dict[str, Any]]:
        owners = {(k, index): (uid, gid, mode) for k, index, uid, gid, mode in settings.owners}
        out = []
        for index, mount in enumerate(svc.secrets if kind == "secrets" else svc.configs):
            obj = self.objects[(kind, mount.source)]
            uid, gid, mode = owners.get((kind, index), ("0", "0", None))
            single = "Secret" if kind == "secrets" else "Config"
            target = mount.target.removeprefix("/run/secrets/") if kind == "secrets" else mount.target
            out.append({"File": {"Name": target, "UID": uid, "GID": gid, "Mode": 0o444 if mode is None else mode},
                        f"{single}Name": obj.name, f"{single}ID": ""})
        return sorted(out, key=lambda r: (str(r["File"]["Name"])))

    def mounts(self, svc: ServiceConfig) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for v in svc.volumes:
            modes = v.mode.split(",")
            mount: dict[str, Any] = {"Target": v.target, "ReadOnly": "ro" in modes or None}
            if v.is_bind:
                mount.update(Type="bind", Source=v.source)
            elif v.is_named and v.source is not None:
                volume = self.volumes.get(v.source)
                external = volume is not None and volume.external
                source = v.source if external or volume is None else self._renamed(v.source, volume.key, False)
                options = {"Subpath": v.subpath} if external and v.subpath else None if external else {
                    "NoCopy": "nocopy" in modes or None, "Subpath": v.subpath,
                    "Labels": {**dict(volume.labels if volume else ()), NAMESPACE: self.stack},
                    "DriverConfig": None if volume is None or not (volume.driver or volume.driver_opts) else {
                        "Name": volume.driver or "local", "Options": dict(volume.driver_opts)}}
                mount.update(Type="volume", Source=source, VolumeOptions=options)
            else:
                mount.update(Type="volume")
            out.append(mount)
        for entry in svc.tmpfs:
            target, _, opts = entry.partition(":")
            fields = dict(o.partition("=")[::2] for o in opts.split(",") if o)
            size = fields.get("size")
            out.append({"Type": "tmpfs", "Target": target, "TmpfsOptions": {
                "SizeBytes": _size(size), "Mode": int(fields["mode"], 8) if "mode" in fields else None}})
        return out

    def ports(self, svc: ServiceConfig, settings: SwarmSettings) -> list[dict[str, Any]]:
        out = []
        for p in svc.ports:
            if p.host_ip is not None and not self.ignore_host_ip:
                raise ConfigError(f"service '{svc.name}': port {p} binds the address {p.host_ip}, which Swarm cannot "
                                  "honour: it would publish on every interface of every node. Publish without the "
                                  "address, or give --ignore-host-ip to publish it on every address")
            if p.host_end is not None:
                raise ConfigError(f"service '{svc.name}': port {p} publishes a range of host ports, which Swarm "
                                  "cannot: a service port publishes one host port. Give one host port")
            out.append({"Protocol": p.protocol, "TargetPort": p.container, "PublishedPort": p.host,
                        "PublishMode": "host" if p in settings.host_ports else "ingress"})
        return sorted(out, key=lambda p: (p["TargetPort"], str(p["Protocol"]), p["PublishedPort"] or 0))

    def restart(self, svc: ServiceConfig, settings: SwarmSettings) -> dict[str, Any] | None:
        policy = settings.restart_policy
        if policy is not None:
            return {"Condition": swarm_condition(policy.condition), "Delay": _ns(policy.delay), "MaxAttempts": policy.max_attempts,
                    "Window": _ns(policy.window)}
        if svc.restart is None:
            return None
        name, _, count = svc.restart.partition(":")
        return {"Condition": _RESTART[name], "MaxAttempts": int(count) if count else None}

    def unsupported(self, svc: ServiceConfig) -> list[str]:
        """The keys of a service Swarm cannot honour, in the file's words."""
        checks = [
            ("build", svc.build is not None and svc.name not in self.images), ("links", bool(svc.links)),
            ("external_links", bool(svc.external_links)), ("volumes_from", bool(svc.volumes_from)),
            ("network_mode", svc.network_mode is not None), ("devices", bool(svc.devices)),
            ("privileged", svc.privileged), ("container_name", svc.container_name is not None),
            ("domainname", svc.domainname is not None), ("mac_address", svc.mac_address is not None),
            ("pid", svc.pid is not None), ("ipc", svc.ipc is not None), ("shm_size", svc.shm_size is not None),
            ("cpu_shares", svc.cpu_shares is not None), ("cpuset", svc.cpuset is not None),
            ("memswap_limit", svc.memswap_limit is not None), ("platform", svc.platform is not None),
            *((f"networks.{key}", any(getattr(r, key) for r in svc.networks))
              for key in ("ipv4_address", "ipv6_address", "mac_address", "gw_priority", "interface_name",
                          "driver_opts")),
            ("annotations", bool(svc.annotations)), ("volumes type: image", any(v.image for v in svc.volumes)),
            ("depends_on.ready", any(d.ready for d in svc.depends_on)),
            ("depends_on.restart", any(d.restart for d in svc.depends_on)), ("expose", bool(svc.expose)),
            ("pull_policy", svc.pull_policy not in (None, "build") and svc.name not in self.images),
        ]
        honoured = ("group_add", "isolation")
        addresses = [f"the address of port {p}" for p in svc.ports if p.host_ip is not None]
        return [k for k, bad in checks if bad] + addresses + [k for k, _ in svc.engine_options if k not in honoured]


def _mode(mode: str, scale: int | None) -> dict[str, Any]:
    if mode == "global":
        return {"Global": {}}
    if mode == "global-job":
        return {"GlobalJob": {}}
    if mode == "replicated-job":
        count = 1 if scale is None else scale
        return {"ReplicatedJob": {"MaxConcurrent": count, "TotalCompletions": count}}
    return {"Replicated": {"Replicas": 1 if scale is None else scale}}


def _policy(p: UpdatePolicy | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"Parallelism": p.parallelism, "Delay": _ns(p.delay), "FailureAction": p.failure_action,
            "Monitor": _ns(p.monitor), "MaxFailureRatio": p.max_failure_ratio, "Order": p.order}


def _size(text: str | None) -> int | None:
    return None if text is None else parse_size(text, "size")
