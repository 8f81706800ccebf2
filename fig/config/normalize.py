"""Turns a validated configuration tree into a ProjectConfig: typed values, resolved paths, a checked graph."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable, Mapping
from typing import Any

from fig.config.loader import Sexagesimal, read_env_file
from fig.config.model import (
    BuildSpec, DependsOn, Healthcheck, Link, NetworkConfig, NetworkRef, PortSpec, ProjectConfig, ServiceConfig,
    VolumeConfig, VolumesFrom, VolumeSpec,
)
from fig.errors import ConfigError
from fig.graph import DependencyGraph

_UNITS = {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(us|ms|s|m|h)")
_DURATION_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_RESTART = re.compile(r"^(no|always|unless-stopped|on-failure(:\d+)?)$")
# Keys the schema knows but this version of fig cannot yet honour; refused rather than dropped.
UNSUPPORTED: frozenset[str] = frozenset()


def parse_size(value: str | int, what: str) -> int:
    if isinstance(value, int):
        return value
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([bkmgt])?b?\s*", value.lower())
    if not m:
        raise ConfigError(f"{what} {value!r} is not a size such as 512m or 1g")
    return int(float(m[1]) * _UNITS[m[2] or "b"])


def parse_duration(value: str | float, what: str) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    text = value.strip()
    if not text or _DURATION.sub("", text):
        raise ConfigError(f"{what} {value!r} is not a duration such as 10s or 1m30s")
    return sum(float(n) * _DURATION_UNITS[u] for n, u in _DURATION.findall(text))


def _pairs(value: Any, environ: Mapping[str, str], sep: str = "=") -> list[tuple[str, str | None]]:
    """A KEY=VALUE list or a mapping, as pairs; a bare KEY takes the caller's value (None when unset)."""
    if isinstance(value, dict):
        items = value.items()
    else:
        items = [(k, v if s else None) for k, s, v in (str(i).partition(sep) for i in value or [])]
    result = []
    for key, val in items:
        if val is None:
            result.append((str(key), environ.get(str(key))))
        elif isinstance(val, bool):
            result.append((str(key), "true" if val else "false"))
        else:
            result.append((str(key), str(val)))
    return result


def _words(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return tuple(shlex.split(value))
    return tuple(str(v) for v in value)


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


class _ServiceReader:
    """Reads one service's raw mapping; every error names the file, the service and the key."""

    def __init__(self, name: str, raw: dict[str, Any], ctx: _Context) -> None:
        self.name, self.raw, self.ctx = name, raw, ctx

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.ctx.where(self.name, key)} {message}")

    def each(self, key: str, parse: Callable[[Any], Any]) -> list[Any]:
        out = []
        for index, item in enumerate(self.raw.get(key) or []):
            try:
                out.append(parse(item))
            except ConfigError as e:
                where = self.ctx.where(self.name, key, index)
                raise ConfigError(f"{where} {e}".replace(f" {key} ", " ")) from None
        return out

    def path(self, text: str) -> str:
        expanded = os.path.expanduser(text)
        return os.path.normpath(os.path.join(self.ctx.base_dir, expanded))

    def port(self, item: Any) -> list[PortSpec]:
        if isinstance(item, Sexagesimal):
            raise ConfigError(
                f"{item.text} was read by YAML as the base-60 number {int(item)}: quote it, \"{item.text}\""
            )
        if isinstance(item, dict):
            published = item.get("published")
            text = f"{item['target']}/{item.get('protocol', 'tcp')}"
            if published not in (None, ""):
                text = f"{published}:{text}"
                if item.get("host_ip"):
                    text = f"{item['host_ip']}:{text}"
            item = text
        try:
            return PortSpec.parse_many(item)
        except ConfigError:
            raise ConfigError(f'"{item}" is not a valid port') from None

    def volume(self, item: Any) -> VolumeSpec:
        if isinstance(item, dict):
            kind, source = item.get("type", "volume"), item.get("source")
            if kind == "tmpfs":
                raise ConfigError("tmpfs mounts belong in 'tmpfs'")
            if kind == "bind" and not source:
                raise ConfigError("a bind mount needs a source")
            if kind == "bind" and not source.startswith((".", "/", "~")):
                source = "./" + source
            spec = VolumeSpec(item["target"], source, "ro" if item.get("read_only") else "rw")
        else:
            spec = VolumeSpec.parse(str(item))
        if not spec.target.startswith("/"):
            raise ConfigError(f"{str(item)!r}: the container path must be absolute")
        source = spec.source
        if source is None:
            return spec
        if source.startswith((".", "/", "~")):
            return VolumeSpec(spec.target, self.path(source), spec.mode)
        if not self.ctx.legacy and source not in self.ctx.volume_names:
            raise ConfigError(f"named volume {source!r} is not declared in the top-level 'volumes' section")
        return VolumeSpec(spec.target, self.ctx.volume_name(source), spec.mode)

    def environment(self) -> tuple[tuple[str, str], ...]:
        env: dict[str, str | None] = {}
        for path in _strings(self.raw.get("env_file")):
            env.update(read_env_file(self.path(path)))
        env.update(_pairs(self.raw.get("environment"), self.ctx.environ))
        return tuple((k, v) for k, v in env.items() if v is not None)

    def build(self) -> BuildSpec | None:
        raw = self.raw.get("build")
        if raw is None:
            return None
        if isinstance(raw, str):
            raw = {"context": raw}
        context = self.path(raw.get("context", "."))
        if not os.path.isdir(context):
            raise self.fail("build", f"context {raw.get('context', '.')!r} is not a directory ({context})")
        args = tuple((k, v) for k, v in _pairs(raw.get("args"), self.ctx.environ) if v is not None)
        return BuildSpec(context, raw.get("dockerfile"), args, raw.get("target"))

    def network_mode(self) -> str | None:
        mode = self.raw.get("network_mode", self.raw.get("net"))
        if mode is None:
            return None
        kind, _, target = mode.partition(":")
        if kind in ("container", "service") and not target:
            raise self.fail("net", f"{mode!r} names no container")
        if kind == "container" and target in self.ctx.service_names:
            return f"service:{target}"
        if kind == "service" and target not in self.ctx.service_names:
            raise self.fail("network_mode", f"refers to undefined service {target!r}")
        if kind not in ("bridge", "host", "none", "container", "service", "default") and not target:
            if self.ctx.legacy:
                raise self.fail("net", f"{mode!r} is not one of bridge, host, none, container:NAME")
        return mode

    def networks(self) -> tuple[NetworkRef, ...]:
        if self.ctx.legacy:
            return ()
        raw = self.raw.get("networks")
        if raw is None:
            if self.raw.get("network_mode", self.raw.get("net")):
                return ()
            return (NetworkRef(self.ctx.network_name("default")),)
        items = raw.items() if isinstance(raw, dict) else ((n, None) for n in raw)
        refs = []
        for name, opts in items:
            if name not in self.ctx.network_names:
                raise self.fail("networks", f"refers to undefined network {name!r}")
            opts = opts or {}
            refs.append(NetworkRef(self.ctx.network_name(name), tuple(opts.get("aliases") or ()),
                                   opts.get("ipv4_address")))
        return tuple(refs)

    def depends_on(self) -> tuple[DependsOn, ...]:
        raw = self.raw.get("depends_on") or []
        if isinstance(raw, list):
            return tuple(DependsOn(name) for name in raw)
        return tuple(
            DependsOn(name, (opts or {}).get("condition", "service_started"), (opts or {}).get("ready"),
                      parse_duration((opts or {}).get("timeout", 60), "timeout"))
            for name, opts in raw.items()
        )

    def healthcheck(self) -> Healthcheck | None:
        raw = self.raw.get("healthcheck")
        if raw is None:
            return None
        if raw.get("disable"):
            return Healthcheck(("NONE",))
        test = raw.get("test")
        words = ("CMD-SHELL", test) if isinstance(test, str) else tuple(test or ())
        if words and words[0] not in ("CMD", "CMD-SHELL", "NONE"):
            raise self.fail("healthcheck", "'test' must start with CMD, CMD-SHELL or NONE, or be a string")

        def seconds(key: str) -> float | None:
            return parse_duration(raw[key], key) if key in raw else None

        return Healthcheck(words, seconds("interval"), seconds("timeout"), raw.get("retries"),
                           seconds("start_period"))

    def read(self) -> ServiceConfig:
        raw = self.raw
        unsupported = sorted(UNSUPPORTED & raw.keys())
        if unsupported:
            raise self.fail(unsupported[0], "is not supported by this version of fig")
        if self.ctx.legacy and ("image" in raw) == ("build" in raw):
            raise ConfigError(f"{self.ctx.where(self.name)} must have exactly one of 'image' or 'build'")
        if not self.ctx.legacy and "image" not in raw and "build" not in raw:
            raise ConfigError(f"{self.ctx.where(self.name)} must have 'image' or 'build'")
        restart = raw.get("restart")
        if restart is not None and not _RESTART.match(restart):
            raise self.fail("restart", f"{restart!r} must be no, always, unless-stopped or on-failure[:N]")
        mem_limit = raw.get("mem_limit")
        links = self.each("links", Link.parse)
        ports = [p for group in self.each("ports", self.port) for p in group]
        services = self.ctx.service_names
        try:
            return ServiceConfig(
                name=self.name,
                image=raw.get("image"),
                build=self.build(),
                command=_words(raw.get("command")),
                entrypoint=_words(raw.get("entrypoint")),
                links=tuple(links),
                external_links=tuple(self.each("external_links", Link.parse)),
                ports=tuple(ports),
                expose=tuple(str(e) for e in raw.get("expose") or ()),
                volumes=tuple(self.each("volumes", self.volume)),
                volumes_from=tuple(self.each("volumes_from", lambda v: VolumesFrom.parse(v, services))),
                environment=self.environment(),
                labels=tuple((k, v or "") for k, v in _pairs(raw.get("labels"), {})),
                network_mode=self.network_mode(),
                networks=self.networks(),
                depends_on=self.depends_on(),
                dns=_strings(raw.get("dns")),
                dns_search=_strings(raw.get("dns_search")),
                extra_hosts=tuple(f"{k}:{v}" for k, v in _pairs(raw.get("extra_hosts"), {}, ":")),
                working_dir=raw.get("working_dir"),
                user=None if raw.get("user") is None else str(raw["user"]),
                hostname=raw.get("hostname"),
                domainname=raw.get("domainname"),
                container_name=raw.get("container_name"),
                mem_limit=None if mem_limit is None else parse_size(mem_limit, "mem_limit"),
                privileged=bool(raw.get("privileged", False)),
                stdin_open=bool(raw.get("stdin_open", False)),
                tty=bool(raw.get("tty", False)),
                cap_add=_strings(raw.get("cap_add")),
                cap_drop=_strings(raw.get("cap_drop")),
                restart=restart,
                healthcheck=self.healthcheck(),
                stop_signal=raw.get("stop_signal"),
                stop_grace_period=(parse_duration(raw["stop_grace_period"], "stop_grace_period")
                                   if "stop_grace_period" in raw else None),
            )
        except ConfigError as e:
            if str(e).startswith(self.ctx.filename):
                raise
            raise ConfigError(f"{self.ctx.where(self.name)}: {e}") from None


class _Context:
    def __init__(self, document: dict[str, Any], *, filename: str, base_dir: str, project: str,
                 environ: Mapping[str, str], legacy: bool) -> None:
        self.document, self.filename, self.base_dir = document, filename, base_dir
        self.project, self.environ, self.legacy = project, environ, legacy
        self.service_names = frozenset(document.get("services") or {})
        self.network_names = frozenset(document.get("networks") or {}) | {"default"}
        self.volume_names = frozenset(document.get("volumes") or {})

    def where(self, service: str, key: str | None = None, index: int | None = None) -> str:
        from fig.config.schema import location

        path: list[Any] = [service] + ([key] if key else []) + ([index] if index is not None else [])
        if self.legacy:
            return location(self.filename, self.document["services"], path, legacy=True)
        return location(self.filename, self.document, ["services", *path], legacy=False)

    def volume_name(self, name: str) -> str:
        return _resource_name(self.project, name, (self.document.get("volumes") or {}).get(name) or {})

    def network_name(self, name: str) -> str:
        return _resource_name(self.project, name, (self.document.get("networks") or {}).get(name) or {})


def _resource_name(project: str, name: str, raw: dict[str, Any]) -> str:
    external = raw.get("external")
    if isinstance(external, dict) and external.get("name"):
        return str(external["name"])
    if raw.get("name"):
        return str(raw["name"])
    return name if external else f"{project}_{name}"


def normalize(document: dict[str, Any], *, project: str, filename: str, base_dir: str,
              environ: Mapping[str, str], legacy: bool, files: tuple[str, ...] = ()) -> ProjectConfig:
    """`document` is compose-shaped ({"services": ...}); `legacy` marks a Fig-format file."""
    ctx = _Context(document, filename=filename, base_dir=base_dir, project=project, environ=environ, legacy=legacy)
    services = tuple(_ServiceReader(name, dict(raw), ctx).read() for name, raw in (document["services"] or {}).items())
    DependencyGraph({s.name: s.dependencies() for s in services})
    networks = tuple(
        NetworkConfig(_resource_name(project, name, raw or {}), (raw or {}).get("driver"),
                      bool((raw or {}).get("internal")), bool((raw or {}).get("external")))
        for name, raw in (document.get("networks") or {}).items()
    )
    if not legacy and "default" not in (document.get("networks") or {}):
        networks = (NetworkConfig(f"{project}_default"),) + networks
    volumes = tuple(
        VolumeConfig(_resource_name(project, name, raw or {}), (raw or {}).get("driver"),
                     bool((raw or {}).get("external")))
        for name, raw in (document.get("volumes") or {}).items()
    )
    return ProjectConfig(project, services, base_dir, files, legacy, networks, volumes)
