"""Reads one service's validated mapping into a ServiceConfig; every error names file, line, service and key."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fig import records
from fig.config import checks
from fig.config.building import BuildReader
from fig.config.develop import read_watch
from fig.config.items import ItemReader
from fig.config.dotenv import read_env_file
from fig.config.hooks import ExecHook, read_hook
from fig.config.documents import Sexagesimal
from fig.config.model import DependsOn, Link, NetworkRef, ServiceConfig, VolumesFrom, VolumeSpec
from fig.config.providers import read_provider, service_models
from fig.config.runtime import Deploy, engine_options
from fig.config.settings import SettingsReader
from fig.config.swarm import swarm_settings
from fig.config.values import container_path, pairs, parse_duration, strings
from fig.errors import ConfigError, Unresolved
from fig.logs import logger
from fig.patterns import pattern

log = logger(__name__)

if TYPE_CHECKING:
    from fig.config.context import Context

_RESTART = pattern(r"^(no|always|unless-stopped|on-failure(:\d+)?)$")
_NAMESPACE = {"pid": ("host",), "ipc": ("host", "private", "shareable", "none")}
# Keys of the compose format that fig knows but cannot honour; refused with the reason, never dropped.
UNSUPPORTED: dict[str, str] = {
    "credential_spec": "it is for Windows containers",
}


def _item_text(item: Any) -> str:
    if isinstance(item, Sexagesimal):
        return item.text
    if isinstance(item, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in item.items()) + "}"
    return f'"{item}"'


class ServiceReader(ItemReader, SettingsReader, BuildReader):
    def __init__(self, name: str, raw: dict[str, Any], ctx: Context) -> None:
        self.name, self.raw, self.ctx = name, raw, ctx

    def fail(self, key: str, message: str, kind: type[ConfigError] = ConfigError) -> ConfigError:
        return kind(f"{self.ctx.where(self.name, key)} {message}")

    def each(self, key: str, parse: Callable[[Any], Any]) -> list[Any]:
        """Parse each item of a list; an error reads `FILE:LINE: service 'web': 'KEY' item "TEXT" problem`."""
        if isinstance(self.raw.get(key), str):  # one item given without a list
            try:
                return [parse(self.raw[key])]
            except ConfigError as e:
                raise type(e)(f"{self.ctx.where(self.name, key)} {_item_text(self.raw[key])} {e}") from None
        out = []
        for index, item in enumerate(self.raw.get(key) or []):
            try:
                out.append(parse(item))
            except ConfigError as e:
                where = self.ctx.where(self.name, key, line_of_item=index)
                raise type(e)(f"{where} item {_item_text(item)} {e}") from None
        return out

    # -- other structured keys -----------------------------------------------------------------------------

    def environment(self) -> tuple[tuple[str, str | None], ...]:
        """env_file then environment. A variable listed without a value takes the caller's; when that is not set
        it stays bare in a compose file (the container then has no such variable, even if the image sets one, as
        Compose v2 does) and is empty in a fig.yml (as Fig 1.0.1 did)."""
        env: dict[str, str | None] = {}
        files = self.raw.get("env_file")
        for index, item in enumerate([files] if isinstance(files, str) else files or []):
            path, required = (item["path"], item.get("required", True)) if isinstance(item, dict) else (item, True)
            raw = isinstance(item, dict) and item.get("format") == "raw"
            where = self.ctx.where(self.name, "env_file", line_of_item=index)
            if not os.path.isfile(self.path(path)):
                if not required and not os.path.exists(self.path(path)):
                    continue
                raise ConfigError(f'{where} "{path}" is not a file ({self.path(path)})')
            try:
                known = {**self.ctx.environ, **{k: v for k, v in env.items() if v is not None}}
                env.update(read_env_file(self.path(path), environ=known, raw=raw))
            except ConfigError as e:
                raise ConfigError(f"{where}: {e}") from None
        env.update(pairs(self.raw.get("environment"), self.ctx.environ))
        return tuple((k, "" if v is None and self.ctx.legacy else v) for k, v in env.items())

    def labels(self) -> tuple[tuple[str, str], ...]:
        """The `label_file` files' labels (KEY=VALUE lines read as env files are, a later file winning; `${VAR}`
        takes a label read before, as compose takes it), then `labels`, which win."""
        found: dict[str, str] = {}
        files = self.raw.get("label_file")
        for index, path in enumerate(strings(files)):
            where = self.ctx.where(self.name, "label_file", line_of_item=None if isinstance(files, str) else index)
            if not os.path.isfile(self.path(path)):
                raise ConfigError(f'{where} "{path}" is not a file ({self.path(path)})')
            try:
                found.update(read_env_file(self.path(path), environ=found))
            except ConfigError as e:
                raise ConfigError(f"{where}: {e}") from None
        found.update((k, v or "") for k, v in pairs(self.raw.get("labels"), {}))
        return tuple(found.items())

    def hooks(self, key: str) -> tuple[ExecHook, ...]:
        result = []
        for index, item in enumerate(self.raw.get(key) or ()):
            try:
                result.append(read_hook(item, self.ctx.environ))
            except ConfigError as e:
                raise ConfigError(f"{self.ctx.where(self.name, key, line_of_item=index)} item {index + 1}: {e}") from None
        return tuple(result)

    def beyond_the_container(self) -> dict[str, Any]:
        """ServiceConfig fields of what acts beside the container's own configuration: lifecycle hooks, the engine's
        socket, models and a provider."""
        raw = self.raw
        if raw.get("models") and self.ctx.legacy:
            raise self.fail("models", "needs a compose file (with a top-level 'services:'), where models are "
                                      "declared; a fig.yml has none")
        declared = frozenset(m.key for m in self.ctx.models)
        provider = None
        if raw.get("provider") is not None:
            try:
                provider = read_provider(raw["provider"])
            except ConfigError as e:
                raise self.fail("provider", str(e)) from None
            for key in sorted({"image", "build"} & raw.keys()):
                log.warning("%s has a provider: its '%s' is not used", self.ctx.where(self.name), key)
        return dict(post_start=self.hooks("post_start"), pre_stop=self.hooks("pre_stop"),
                    use_api_socket=bool(raw.get("use_api_socket")), provider=provider,
                    models=service_models(raw.get("models"), declared, lambda m: self.fail("models", m)))

    def shared_namespace(self, key: str) -> str | None:
        mode: str | None = self.raw.get(key)
        if mode is None:
            return None
        kind, _, target = mode.partition(":")
        if kind in ("service", "container") and target:
            if kind == "service" and target not in self.ctx.service_names:
                raise self.fail(key, f"refers to undefined service {target!r}", Unresolved)
            return mode
        if mode not in _NAMESPACE[key]:
            choices = ", ".join(_NAMESPACE[key])
            raise self.fail(key, f"{mode!r} must be one of {choices}, service:NAME or container:NAME")
        return mode

    def network_mode(self) -> str | None:
        key = "network_mode" if "network_mode" in self.raw else "net"
        mode: str | None = self.raw.get(key)
        if mode is None:
            return None
        kind, _, target = mode.partition(":")
        if kind in ("container", "service") and not target:
            raise self.fail(key, f"{mode!r} names no container")
        if kind == "container" and target in self.ctx.service_names:
            return f"service:{target}"
        if kind == "service" and target not in self.ctx.service_names:
            raise self.fail(key, f"refers to undefined service {target!r}", Unresolved)
        if self.ctx.legacy and kind not in ("bridge", "host", "none", "container", "service", "default"):
            raise self.fail(key, f"{mode!r} is not one of bridge, host, none, container:NAME")
        return mode

    def networks(self) -> tuple[NetworkRef, ...]:
        if self.ctx.legacy:
            if self.raw.get("networks"):
                raise self.fail("networks", "needs a compose file (with a top-level 'services:'), where networks "
                                            "are declared; a fig.yml has none")
            return ()
        raw = self.raw.get("networks")
        if raw is None:
            if self.raw.get("network_mode", self.raw.get("net")) or "provider" in self.raw:
                return ()
            return (NetworkRef(self.ctx.network_name("default")),)
        if self.raw.get("network_mode", self.raw.get("net")):
            raise self.fail("networks", "cannot be combined with 'network_mode'")
        items = raw.items() if isinstance(raw, dict) else ((n, None) for n in raw)
        refs = []
        for name, opts in items:
            if name not in self.ctx.network_names:
                raise self.fail("networks", f"refers to undefined network {name!r}", Unresolved)
            opts = opts or {}
            if "priority" in opts:
                raise self.fail("networks", f"sets 'priority' for {name!r}, which this version of fig does not support")
            try:
                refs.append(self.endpoint(name, opts))
            except ConfigError as e:
                raise self.fail("networks", f"{name}: {e}") from None
        if refs and self.raw.get("mac_address") and refs[0].mac_address not in (None, self.raw["mac_address"]):
            raise self.fail("mac_address", f"{self.raw['mac_address']!r} differs from the 'mac_address' the service "
                                           f"sets on its first network, {refs[0].mac_address!r}")
        return tuple(refs)

    def endpoint(self, name: str, opts: dict[str, Any]) -> NetworkRef:
        """One network's settings for the service; an error reads `KEY problem`."""
        for key, check in (("ipv4_address", lambda v: checks.ip_address(v, "an IPv4 address", 4)),
                           ("ipv6_address", lambda v: checks.ip_address(v, "an IPv6 address", 6)),
                           ("mac_address", checks.mac_address), ("interface_name", checks.interface_name)):
            try:
                if opts.get(key):
                    check(str(opts[key]))
            except ConfigError as e:
                raise ConfigError(f"{key} {e}") from None
        driver_opts = tuple((str(k), str(v)) for k, v in (opts.get("driver_opts") or {}).items())
        named = dict(driver_opts).get(checks.IFNAME_OPTION)
        if named is not None and opts.get("interface_name") not in (None, named):
            raise ConfigError(f"interface_name {opts['interface_name']!r} contradicts driver_opts "
                              f"{checks.IFNAME_OPTION}={named!r}")
        return NetworkRef(self.ctx.network_name(name), tuple(opts.get("aliases") or ()), opts.get("ipv4_address"),
                          opts.get("mac_address"), opts.get("gw_priority"), opts.get("interface_name"), driver_opts,
                          opts.get("ipv6_address"))

    def depends_on(self) -> tuple[DependsOn, ...]:
        raw = self.raw.get("depends_on") or []
        items = [(name, {}) for name in raw] if isinstance(raw, list) else [(n, o or {}) for n, o in raw.items()]
        result = []
        for name, opts in items:
            if name not in self.ctx.service_names:
                raise self.fail("depends_on", f"refers to undefined service {name!r}", Unresolved)
            try:
                timeout = parse_duration(opts.get("timeout", 60), "timeout")
            except ConfigError as e:
                raise self.fail("depends_on", f"{name}: {e}") from None
            result.append(DependsOn(name, opts.get("condition", "service_started"), opts.get("ready"), timeout,
                                    required=opts.get("required", True), restart=opts.get("restart", False)))
        return tuple(result)

    def check_mount_targets(self, mounts: list[VolumeSpec | str]) -> None:
        """Two mounts on one path: the engine would refuse the container, so say where at once."""
        seen: dict[str, int] = {}
        for index, mount in enumerate(mounts):
            target = mount.target if isinstance(mount, VolumeSpec) else mount.partition(":")[0]
            if target in seen:
                where = self.ctx.where(self.name, "volumes", line_of_item=index)
                raise ConfigError(f"{where} item {_item_text(self.raw['volumes'][index])} mounts {target} again "
                                  f"(item {seen[target] + 1} mounts it already)")
            seen[target] = index

    def read(self) -> ServiceConfig:
        raw = self.raw
        for key in sorted(set(UNSUPPORTED) & raw.keys()):
            why = UNSUPPORTED[key]
            raise self.fail(key, "is not supported by this version of fig" + (f": {why}" if why else ""))
        deploy = Deploy(raw, self.ctx.where(self.name), self.fail, swarm=self.ctx.swarm)
        if self.ctx.legacy and ("image" in raw) == ("build" in raw) and "provider" not in raw:
            raise ConfigError(f"{self.ctx.where(self.name)} must have exactly one of 'image' or 'build'")
        restart = "no" if raw.get("restart") is False else raw.get("restart") or None  # YAML 1.1 reads `no` as false;
        # an empty one (`restart: ${RESTART}`, unset) is none, as in Compose v2
        if restart is True:
            raise self.fail("restart", "must be a string, not a boolean (YAML reads an unquoted yes, on or true as a "
                                       "boolean: put it in quotes)")
        if restart is not None and not _RESTART.match(restart):
            raise self.fail("restart", f"{restart!r} must be no, always, unless-stopped or on-failure[:N]")
        self.check_values()
        services = self.ctx.service_names
        mounts = self.each("volumes", self.volume)
        self.check_mount_targets(mounts)
        extra_hosts = self.extra_hosts(raw.get("extra_hosts"))
        mem_limit = deploy.memory("mem_limit", self.size("mem_limit"))
        service = _without_implied(ServiceConfig(
            name=self.name,
            image=raw.get("image"),
            build=self.build(),
            command=self.words("command"),
            entrypoint=self.words("entrypoint"),
            links=tuple(self.each("links", self.link)),
            external_links=tuple(self.each("external_links", Link.parse)),
            ports=tuple(p for group in self.each("ports", self.port) for p in group),
            expose=tuple(dict.fromkeys(self.each("expose", self.expose))),
            volumes=tuple(m for m in mounts if isinstance(m, VolumeSpec)),
            volumes_from=tuple(self.each("volumes_from", lambda v: VolumesFrom.parse(v, services))),
            environment=self.environment(),
            labels=self.labels(),
            annotations=tuple((k, v or "") for k, v in pairs(raw.get("annotations"), {})),
            network_mode=self.network_mode(),
            networks=self.networks(),
            depends_on=self.depends_on(),
            dns=strings(raw.get("dns")),
            dns_search=strings(raw.get("dns_search")),
            extra_hosts=tuple(f"{k}:{v}" for k, v in extra_hosts),
            working_dir=None if raw.get("working_dir") is None else container_path(raw["working_dir"]),
            user=None if raw.get("user") is None else str(raw["user"]),
            hostname=raw.get("hostname") or None,
            domainname=raw.get("domainname"),
            container_name=raw.get("container_name"),
            mem_limit=mem_limit,
            privileged=bool(raw.get("privileged", False)),
            stdin_open=bool(raw.get("stdin_open", False)),
            tty=bool(raw.get("tty", False)),
            cap_add=strings(raw.get("cap_add")),
            cap_drop=strings(raw.get("cap_drop")),
            restart=deploy.restart(restart),
            healthcheck=self.healthcheck(),
            stop_signal=raw.get("stop_signal"),
            stop_grace_period=self.duration("stop_grace_period"),
            devices=tuple(self.each("devices", self.device)),
            tmpfs=tuple(self.each("tmpfs", self.tmpfs)) + tuple(m for m in mounts if isinstance(m, str)),
            ulimits=self.ulimits(),
            sysctls=self.sysctls(),
            init=raw.get("init"),
            read_only=bool(raw.get("read_only", False)),
            shm_size=self.size("shm_size"),
            pid=self.shared_namespace("pid"),
            ipc=self.shared_namespace("ipc"),
            cpu_shares=raw.get("cpu_shares"),
            cpus=deploy.cpus(self.cpus()),
            cpuset=None if raw.get("cpuset") is None else str(raw["cpuset"]),
            mem_reservation=deploy.memory("mem_reservation", self.size("mem_reservation")),
            memswap_limit=self.swap(mem_limit),
            pids_limit=deploy.pids(raw.get("pids_limit")),
            logging=self.logging(),
            profiles=self.profiles(),
            secrets=tuple(self.each("secrets", lambda item: self.file_mount("secrets", item))),
            configs=tuple(self.each("configs", lambda item: self.file_mount("configs", item))),
            scale=deploy.scale(),
            pull_policy=self.pull_policy(),
            platform=raw.get("platform") or None,
            mac_address=raw.get("mac_address"),
            attach=bool(raw.get("attach", True)),
            engine_options=engine_options(raw, self.fail, deploy.devices()),
            develop=read_watch(raw.get("develop"), resolve=self.path, environ=self.ctx.environ,
                               where=lambda i: self.ctx.where(self.name, ("develop", "watch", i))),
            swarm=swarm_settings(raw, self.fail, self.port, swarm=self.ctx.swarm),
            **self.beyond_the_container(),
            extensions=tuple((k, json.dumps(v, default=str)) for k, v in raw.items() if str(k).startswith("x-")),
        ))
        if not self.ctx.legacy and "image" not in raw and "build" not in raw and "provider" not in raw:
            raise Unresolved(f"{self.ctx.where(self.name)} must have 'image', 'build' or 'provider'")
        return service


def _without_implied(svc: ServiceConfig) -> ServiceConfig:
    """A depends_on entry that says only what a link, a shared namespace or volumes_from implies (as `config`
    prints it) is that implied dependency, not another setting: the printed file reads back the same."""
    implied = set(svc.implied_dependencies())
    kept = tuple(d for d in svc.depends_on if d.service not in implied or d != DependsOn(d.service))
    return svc if kept == svc.depends_on else records.replace(svc, depends_on=kept)
