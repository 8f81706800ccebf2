"""Prints a ProjectConfig as a compose-format file: what fig will run, with every value resolved.

The output is normalised: variables are substituted (a literal `$` is written `$$`), `extends`, `env_file`, anchors and override files are
merged in, relative paths are absolute (or relative to a directory, for `fig convert`). In Compose's normal
form (`long`, what `fig config` prints) ports, volumes and depends_on take their long syntax and sizes are
bytes; in fig's own short form (`fig convert`) they take the short syntax and sizes and durations their shortest
exact form. Read again by fig, either gives the same configuration and so the same output.
"""

from __future__ import annotations

import json
import os
from typing import Any

from fig.config.develop import WatchRule
from fig.config.hooks import ExecHook
from fig.config.model import (
    BuildSpec, FileMount, NetworkConfig, PortSpec, ProjectConfig, SecretConfig, ServiceConfig, Ulimit, VolumeConfig,
    VolumeSpec, is_remote,
)
from fig.config.swarm import as_deploy
from fig.config.yamlwrite import dump
from fig.config.values import format_duration, format_size

def _engine_option(key: str, value: Any) -> Any:
    """A fig.config.runtime pass-through value as the compose file writes it."""
    if key == "storage_opt":
        return dict(value)
    if key == "blkio_config":
        field = {"weight_device": "weight"}
        return {k: v if k == "weight" else [{"path": p, field.get(k, "rate"): r} for p, r in v] for k, v in value}
    if key == "gpus":
        return [{k: dict(v) if k == "options" else list(v) if isinstance(v, tuple) else v for k, v in request}
                for request in value]
    return list(value) if isinstance(value, tuple) else value


_PROPAGATION = {"shared", "rshared", "slave", "rslave", "private", "rprivate"}
_CONSISTENCY = {"cached", "delegated", "consistent"}


class _Renderer:
    def __init__(self, config: ProjectConfig, relative_to: str | None, long: bool) -> None:
        self.config = config
        self.relative_to = relative_to
        self.long = long
        self.network_keys = {n.name: n.key or n.name for n in config.networks}
        self.volume_keys = {v.name: v.key or v.name for v in config.volumes}

    def path(self, path: str) -> str:
        if self.relative_to:
            rel = os.path.relpath(path, self.relative_to)
            if rel == "." or not rel.startswith(".."):
                return "." if rel == "." else f"./{rel}"
        return path

    def volume_key(self, name: str) -> str:
        if name in self.volume_keys:
            return self.volume_keys[name]
        prefix = f"{self.config.name}_"  # a fig.yml's undeclared named volume
        return name[len(prefix):] if name.startswith(prefix) else name

    def volume(self, spec: VolumeSpec) -> str | dict[str, Any]:
        if spec.source is None or spec.image:
            source = spec.source
        elif spec.is_bind:
            source = self.path(spec.source)
        else:
            source = self.volume_key(spec.source)
        modes = set(spec.mode.split(","))
        short = not self.long or modes - {"ro", "rw", "nocopy"} - _PROPAGATION - _CONSISTENCY
        if short and not spec.needs_mount_api:  # a subpath and an image mount have only the long form
            return str(VolumeSpec(spec.target, source, spec.mode))  # z and Z: fig reads no long form of them
        kind = "image" if spec.image else "bind" if spec.is_bind else "volume"
        options: dict[str, Any] = {"create_host_path": True} if kind == "bind" else {}
        options.update({"propagation": m for m in modes & _PROPAGATION})
        options.update({"nocopy": True} if "nocopy" in modes else {})
        options.update({"subpath": spec.subpath} if spec.subpath is not None else {})
        return _compact({"type": kind, "source": source, "target": spec.target, "read_only": "ro" in modes or None,
                         "consistency": next(iter(modes & _CONSISTENCY), None)}) | ({kind: options} if options else {})

    def port(self, port: PortSpec, *, host: bool = False) -> str | dict[str, Any]:
        """`host`: published on the task's node (Swarm's mode: host), which only the long form says."""
        if not self.long and not host:
            return str(port)
        return _compact({"mode": "host" if host else "ingress", "host_ip": port.host_ip, "target": port.container,
                         "published": port.published, "protocol": port.protocol})

    def size(self, value: int | None) -> str | int | None:
        return value if self.long else _size(value)

    def mount(self, mount: FileMount, default_dir: str) -> dict[str, Any]:
        out: dict[str, Any] = {"source": mount.source}
        if os.path.normpath(os.path.join(default_dir, mount.source)) != mount.target:
            out["target"] = mount.target
        return out | _compact({"uid": mount.uid, "gid": mount.gid, "mode": mount.mode})

    def networks(self, svc: ServiceConfig) -> dict[str, Any] | None:
        out: dict[str, Any] = {}
        for ref in svc.networks:
            out[self.network_keys.get(ref.name, ref.name)] = _compact({
                "aliases": list(ref.aliases), "ipv4_address": ref.ipv4_address,
                "ipv6_address": ref.ipv6_address, "mac_address": ref.mac_address,
                "gw_priority": ref.gw_priority, "interface_name": ref.interface_name,
                "driver_opts": dict(ref.driver_opts)}) or None
        return None if out == {"default": None} and not self.long else out

    def service(self, svc: ServiceConfig) -> dict[str, Any]:
        build = self.build(svc.build) if svc.build else None
        health = None
        if svc.healthcheck:
            h = svc.healthcheck
            health = _compact({"test": list(h.test), "interval": _duration(h.interval),
                               "timeout": _duration(h.timeout), "retries": h.retries,
                               "start_period": _duration(h.start_period),
                               "start_interval": _duration(h.start_interval)})
        depends_on = {d.service: _compact({"condition": d.condition, "ready": d.ready,
                                           "timeout": None if d.timeout == 60 else format_duration(d.timeout),
                                           "required": d.required if self.long else None if d.required else False,
                                           "restart": d.restart or None})
                      for d in svc.depends_on}
        if self.long:  # Compose's normal form says what links, namespaces and volumes_from imply
            for name in svc.implied_dependencies():
                depends_on.setdefault(name, {"condition": "service_started", "required": True})
        logging = None
        if svc.logging:
            logging = _compact({"driver": svc.logging.driver, "options": dict(svc.logging.options)})
        host_ports = svc.swarm.host_ports if svc.swarm else ()
        deploy = None
        if svc.swarm:
            deploy = _compact({k: _compact(v) if isinstance(v, dict) else v for k, v in as_deploy(svc.swarm).items()})
            reservations = _compact({"cpus": None if svc.swarm.reserve_cpus is None else str(svc.swarm.reserve_cpus),
                                     "generic_resources": [{"discrete_resource_spec": {"kind": k, "value": v}}
                                                           for k, v in svc.swarm.generic_resources]})
            if reservations:
                deploy["resources"] = {"reservations": reservations}
        out = {
            "build": build, "deploy": deploy or None, "cap_add": list(svc.cap_add), "cap_drop": list(svc.cap_drop),
            "command": None if svc.command is None else list(svc.command),
            "configs": [self.mount(m, "/") for m in svc.configs], "container_name": svc.container_name,
            "cpu_shares": svc.cpu_shares, "cpus": svc.cpus, "cpuset": svc.cpuset, "depends_on": depends_on,
            "devices": list(svc.devices), "dns": list(svc.dns), "dns_search": list(svc.dns_search),
            "domainname": svc.domainname,
            "entrypoint": None if svc.entrypoint is None else list(svc.entrypoint),
            "environment": dict(svc.environment), "expose": list(svc.expose),
            "external_links": [str(link) for link in svc.external_links], "extra_hosts": [h.replace(":", "=", 1) if self.long else h for h in svc.extra_hosts],
            "healthcheck": health, "hostname": svc.hostname, "image": svc.image, "init": svc.init,
            "ipc": svc.ipc, "labels": dict(svc.labels), "annotations": dict(svc.annotations),
            "links": [str(link) for link in svc.links],
            "logging": logging, "mem_limit": self.size(svc.mem_limit),
            "mem_reservation": self.size(svc.mem_reservation), "memswap_limit": self.size(svc.memswap_limit),
            "network_mode": svc.network_mode,
            "networks": self.networks(svc), "pid": svc.pid, "pids_limit": svc.pids_limit,
            "ports": [self.port(p, host=p in host_ports) for p in svc.ports], "privileged": svc.privileged or None,
            "profiles": list(svc.profiles), "read_only": svc.read_only or None, "restart": svc.restart,
            "secrets": [self.mount(m, "/run/secrets") for m in svc.secrets], "shm_size": self.size(svc.shm_size),
            "stdin_open": svc.stdin_open or None, "stop_grace_period": _duration(svc.stop_grace_period),
            "stop_signal": svc.stop_signal, "sysctls": dict(svc.sysctls), "tmpfs": list(svc.tmpfs),
            "tty": svc.tty or None, "ulimits": _ulimits(svc.ulimits), "user": svc.user,
            "volumes": [self.volume(v) for v in svc.volumes],
            "volumes_from": [str(vf) for vf in svc.volumes_from], "working_dir": svc.working_dir,
            "scale": svc.scale, "pull_policy": svc.pull_policy, "platform": svc.platform,
            "mac_address": svc.mac_address, "attach": None if svc.attach else False,
            **{key: _engine_option(key, value) for key, value in svc.engine_options},
            "develop": {"watch": [self.watch_rule(r) for r in svc.develop]} if svc.develop else None,
            **_beyond_the_container(svc),
            **{key: json.loads(value) for key, value in svc.extensions},
        }
        return {k: v for k, v in out.items() if v is not None and v != [] and v != {}} | (
            {"command": []} if svc.command == () else {}) | ({"entrypoint": []} if svc.entrypoint == () else {})

    def build(self, b: BuildSpec) -> dict[str, Any]:
        secrets = [_compact({"source": s.source, "target": s.target, "uid": s.uid, "gid": s.gid, "mode": s.mode})
                   for s in b.secrets]
        return _compact({
            "context": b.context if b.remote else self.path(b.context), "dockerfile": b.dockerfile,
            "dockerfile_inline": b.dockerfile_inline, "args": dict(b.args), "ssh": list(b.ssh),
            "labels": dict(b.labels), "cache_from": list(b.cache_from), "cache_to": list(b.cache_to),
            "no_cache": b.no_cache or None, "pull": b.pull or None,
            "additional_contexts": {k: v if is_remote(v) else self.path(v) for k, v in b.additional_contexts},
            "extra_hosts": ["=".join(h.split(":", 1)) for h in b.extra_hosts], "isolation": b.isolation,
            "network": b.network,
            "target": b.target, "secrets": [s if self.long or len(s) > 1 else s["source"] for s in secrets],
            "shm_size": self.size(b.shm_size), "tags": list(b.tags), "ulimits": _ulimits(b.ulimits),
            "platforms": list(b.platforms), "privileged": b.privileged or None,
            "entitlements": list(b.entitlements)})

    def watch_rule(self, rule: WatchRule) -> dict[str, Any]:
        hook = None if rule.exec is None else _hook(rule.exec)
        return _compact({"path": self.path(rule.path), "action": rule.action, "target": rule.target,
                         "ignore": list(rule.ignore), "include": list(rule.include),
                         "initial_sync": rule.initial_sync or None, "exec": hook})

    def network(self, net: NetworkConfig) -> dict[str, Any]:
        if self.long:
            ipam = net.ipam and _compact({
                "driver": net.ipam.driver, "options": dict(net.ipam.options),
                "config": [_compact({"subnet": p.subnet, "ip_range": p.ip_range, "gateway": p.gateway,
                                     "aux_addresses": dict(p.aux_addresses)}) for p in net.ipam.pools]})
            return _compact({"name": net.name, "driver": net.driver, "driver_opts": dict(net.driver_opts),
                             "internal": net.internal or None, "attachable": net.attachable or None,
                             "enable_ipv6": net.enable_ipv6 or None, "ipam": ipam, "labels": dict(net.labels),
                             "external": net.external or None})
        external: Any = True if net.external else None
        if net.external and net.name != net.key:
            external = {"name": net.name}
        name = net.name if not net.external and net.name != f"{self.config.name}_{net.key}" else None
        return _compact({"driver": net.driver, "internal": net.internal or None, "external": external,
                         "labels": dict(net.labels), "name": name})

    def source(self, src: SecretConfig) -> dict[str, str]:
        name = src.external if src.external and src.external != src.name else src.engine_name
        return _compact({"file": self.path(src.file) if src.file else None, "environment": src.environment,
                         "content": src.content, "external": True if src.external else None, "name": name})

    def volume_config(self, vol: VolumeConfig) -> dict[str, Any]:
        if self.long:
            return _compact({"name": vol.name, "driver": vol.driver, "driver_opts": dict(vol.driver_opts),
                             "labels": dict(vol.labels), "external": vol.external or None})
        external = ({"name": vol.name} if vol.name != vol.key else True) if vol.external else None
        return _compact({"driver": vol.driver, "driver_opts": dict(vol.driver_opts), "labels": dict(vol.labels),
                         "external": external,
                         "name": vol.name if not vol.external and vol.name != f"{self.config.name}_{vol.key}" else None})

    def used_networks(self) -> list[NetworkConfig]:
        """The declared networks, and the default one where a service is on it (or, in fig's short form, where
        it says more than its name)."""
        cfg = self.config
        on_default = any(self.network_keys.get(r.name) == "default" for s in cfg.services for r in s.networks)
        return [n for n in cfg.networks if n.key != "default" or n.name != f"{cfg.name}_default"
                or (on_default if self.long else bool(self.network(n)))]

    def document(self) -> dict[str, Any]:
        cfg = self.config
        doc: dict[str, Any] = {"name": cfg.name, "services": {s.name: self.service(s) for s in cfg.services}}
        networks = {n.key: self.network(n) for n in self.used_networks()}
        volumes = {v.key: self.volume_config(v) for v in cfg.volumes}
        for svc in cfg.services:  # a fig.yml's named volumes are declared in the compose format
            for spec in svc.volumes:
                if spec.is_named and spec.source is not None:
                    volumes.setdefault(self.volume_key(spec.source), {})
        doc["networks"] = networks
        doc["volumes"] = volumes
        doc["secrets"] = {s.name: self.source(s) for s in cfg.secrets}
        doc["configs"] = {c.name: self.source(c) for c in cfg.configs}
        doc["models"] = {m.key: _compact({"name": m.name, "model": m.model, "context_size": m.context_size,
                                          "runtime_flags": list(m.runtime_flags)}) for m in cfg.models}
        return {k: v for k, v in doc.items() if v != {}}


def _hook(hook: ExecHook) -> dict[str, Any]:
    return _compact({"command": list(hook.command), "user": hook.user, "privileged": hook.privileged or None,
                     "working_dir": hook.working_dir, "environment": dict(hook.environment)})


def _beyond_the_container(svc: ServiceConfig) -> dict[str, Any]:
    """Hooks, the API socket, models and the provider, as the file writes them."""
    provider = None
    if svc.provider:
        provider = _compact({"type": svc.provider.type, "options": {k: list(v) for k, v in svc.provider.options}})
    models = {m.key: _compact({"endpoint_var": m.endpoint_var, "model_var": m.model_var}) or None for m in svc.models}
    return {"post_start": [_hook(h) for h in svc.post_start], "pre_stop": [_hook(h) for h in svc.pre_stop],
            "use_api_socket": svc.use_api_socket or None, "models": models, "provider": provider}


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v != [] and v != {}}


def _ulimits(ulimits: tuple[Ulimit, ...]) -> dict[str, Any]:
    return {u.name: u.soft if u.soft == u.hard else {"soft": u.soft, "hard": u.hard} for u in ulimits}


def _size(value: int | None) -> str | int | None:
    return None if value is None else (value if value < 0 else format_size(value))


def _duration(value: float | None) -> str | None:
    return None if value is None else format_duration(value)


def _escaped(value: Any) -> Any:
    """Values with `$` written as `$$`, so that reading the output (which interpolates) gives them back."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def as_document(config: ProjectConfig, *, relative_to: str | None = None, long: bool = False,
                escape: bool = True) -> dict[str, Any]:
    """The configuration as a compose-format mapping, `$` escaped as `$$` (but in the top-level `x-*` keys, which
    are not interpolated, and not at all without `escape`: a configuration read without interpolation); in
    Compose's normal form with `long`."""
    document = _Renderer(config, relative_to, long).document()
    document = _escaped(document) if escape else document
    return document | {key: json.loads(value) for key, value in config.extensions}


def render(config: ProjectConfig, *, format: str = "yaml", relative_to: str | None = None,
           name: bool = True, long: bool = False, escape: bool = True) -> str:
    """The configuration as compose-format YAML (or JSON); paths relative to `relative_to` when given; without
    the `name:` key when `name` is false (the project is then named after its directory, as before); in
    Compose's normal form with `long`."""
    doc = as_document(config, relative_to=relative_to, long=long, escape=escape)
    if not name:
        del doc["name"]
    if format == "json":
        return json.dumps(doc, indent=2) + "\n"
    return dump(doc)


def used_networks(config: ProjectConfig) -> list[NetworkConfig]:
    """The networks Compose's normal form lists: the declared ones, and the default one where a service is on it."""
    return _Renderer(config, None, True).used_networks()
