"""Turns a validated configuration tree into a ProjectConfig: typed values, resolved paths, a checked graph."""

from __future__ import annotations

import ipaddress
import json
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from fig.config import checks
from fig.config.context import Context, resource_name
from fig.config.model import (
    FileMount, Ipam, IpamPool, NetworkConfig, ProjectConfig, SecretConfig, Sensitive, ServiceConfig, VolumeConfig,
    profiles_enable,
)
from fig.config.services import UNSUPPORTED, ServiceReader
from fig.config.values import pairs, parse_duration, parse_size, scalar_text
from fig.errors import ConfigError, DependencyError, Unresolved
from fig.graph import DependencyGraph

__all__ = ["UNSUPPORTED", "normalize", "parse_duration", "parse_size", "state_dir"]



def state_dir(project: str, environ: Mapping[str, str]) -> str:
    """Where fig keeps files it writes for a project (secrets from environment variables), private to the user."""
    import tempfile  # for its temporary directory, when XDG_RUNTIME_DIR is unset

    base = environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    return os.path.join(base, f"fig-{os.getuid()}", project)


def _sources(ctx: Context, kind: str) -> tuple[list[SecretConfig], dict[str, FileMount]]:
    """The top-level 'secrets' or 'configs': their declarations and, by name, what a service's mount of one starts
    from (the host file to mount, the content to write into it first, or the Swarm object it names)."""
    declared: list[SecretConfig] = []
    mounts: dict[str, FileMount] = {}
    for name, raw in (ctx.document.get(kind) or {}).items():
        raw = raw or {}

        def fail(message: str, key: str | None = None) -> ConfigError:
            return ConfigError(f"{ctx.where(name, key, section=kind)}{' ' if key else ': '}{message}")

        if raw.get("external"):
            external = raw["external"]
            object_name = str((external.get("name") if isinstance(external, dict) else None) or raw.get("name") or name)
            declared.append(SecretConfig(name, external=object_name))
            mounts[name] = FileMount(name, "", "", external=object_name)
            continue
        given = [k for k in ("file", "environment", "content") if raw.get(k) is not None]
        if len(given) != 1:
            raise fail("needs exactly one of 'file', 'environment'" + (" or 'content'" if kind == "configs" else ""))
        private = os.path.join(state_dir(ctx.project, ctx.environ), kind, name)
        if raw.get("file") is not None:
            path = os.path.normpath(os.path.join(ctx.base_dir, os.path.expanduser(raw["file"])))
            # looked for when a container or a build needs it, as Compose v2 does (`config` does not look)
            declared.append(SecretConfig(name, file=path, engine_name=raw.get("name")))
            mounts[name] = FileMount(name, "", path)
            continue
        if raw.get("environment") is not None:
            variable = raw["environment"]
            declared.append(SecretConfig(name, environment=variable, engine_name=raw.get("name")))
            if variable not in ctx.environ:  # refused when a container needs it, not by `fig ps`
                mounts[name] = FileMount(name, "", private, missing=variable)
                continue
            value = ctx.environ[variable]
        else:
            declared.append(SecretConfig(name, content=raw["content"], engine_name=raw.get("name")))
            value = raw["content"]
        mounts[name] = FileMount(name, "", private, Sensitive(value))
    return declared, mounts


def _resources(ctx: Context, kind: str) -> list[dict[str, Any]]:
    """The top-level 'networks' or 'volumes' as keyword arguments of their config classes."""
    result = []
    for key, raw in (ctx.document.get(kind) or {}).items():
        raw = raw or {}
        external = raw.get("external")
        external_name = external.get("name") if isinstance(external, dict) else None
        labels = tuple((k, v or "") for k, v in pairs(raw.get("labels"), {}))
        options = tuple((str(k), _device(ctx, raw, str(k), scalar_text(v)))
                        for k, v in (raw.get("driver_opts") or {}).items())
        result.append(dict(name=resource_name(ctx.project, key, raw), driver=raw.get("driver"),
                           external=bool(external), external_name=external_name, labels=labels, key=key,
                           driver_opts=options))
    return result


def _device(ctx: Context, raw: Mapping[str, Any], key: str, value: str) -> str:
    """A local volume bound to a host directory (`o: bind`) has its `device` relative to the project directory,
    as compose-go resolves it."""
    if key != "device" or raw.get("driver") != "local" or (raw.get("driver_opts") or {}).get("o") != "bind":
        return value
    return os.path.normpath(os.path.join(ctx.base_dir, os.path.expanduser(value)))


def _check_pool(pool: Mapping[str, Any]) -> None:
    for key in ("subnet", "ip_range"):
        if pool.get(key) is not None:
            try:
                ipaddress.ip_network(str(pool[key]), strict=False)
            except ValueError:
                raise ConfigError(f"ipam {key} {pool[key]!r} is not a network such as 172.28.0.0/16") from None
    subnet = ipaddress.ip_network(str(pool["subnet"]), strict=False) if pool.get("subnet") else None
    for key, value in [("gateway", pool.get("gateway")), *(pool.get("aux_addresses") or {}).items()]:
        if value is not None:
            checks.ip_address(str(value), "an IP address")
            if subnet is not None and ipaddress.ip_address(str(value)) not in subnet:
                raise ConfigError(f"ipam {key} {value!r} is outside the subnet {subnet}")


def _network_extras(ctx: Context, key: str) -> dict[str, Any]:
    """NetworkConfig arguments beyond those networks share with volumes."""
    raw = (ctx.document.get("networks") or {}).get(key) or {}
    ipam = None
    if raw.get("ipam") is not None:
        spec = raw["ipam"]
        for pool in spec.get("config") or ():
            try:
                _check_pool(pool)
            except ConfigError as e:
                raise ConfigError(f"{ctx.where(key, 'ipam', section='networks')} {e}") from None
        pools = tuple(IpamPool(p.get("subnet"), p.get("ip_range"), p.get("gateway"),
                               tuple((str(k), str(v)) for k, v in (p.get("aux_addresses") or {}).items()))
                      for p in spec.get("config") or ())
        ipam = Ipam(spec.get("driver"), pools, tuple((str(k), str(v)) for k, v in (spec.get("options") or {}).items()))
    return dict(internal=bool(raw.get("internal")), attachable=bool(raw.get("attachable")),
                enable_ipv6=bool(raw.get("enable_ipv6")), ipam=ipam)


def _services(ctx: Context, profiles: Sequence[str]) -> tuple[tuple[ServiceConfig, ...], tuple[tuple[str, str], ...]]:
    """Every service read. One the active profiles leave out is not checked for what only running it needs (an
    image, the services, networks, volumes, secrets it refers to): Compose v2 leaves it out first."""
    services, unresolved = [], []
    for name, raw in (ctx.document.get("services") or {}).items():
        reader = ServiceReader(name, dict(raw), ctx)
        try:
            services.append(reader.read())
        except Unresolved as e:
            if profiles_enable(profiles, reader.profiles()):
                raise
            services.append(ServiceConfig(name, profiles=reader.profiles()))
            unresolved.append((name, str(e)))
    return tuple(services), tuple(unresolved)


def normalize(document: dict[str, Any], *, project: str, filename: str, base_dir: str,
              environ: Mapping[str, str], legacy: bool, files: tuple[str, ...] = (),
              profiles: Sequence[str] = (), swarm: bool = False, paths: tuple[str, ...] = (),
              env_files: tuple[str, ...] = ()) -> ProjectConfig:
    """`document` is compose-shaped ({"services": ...}); `legacy` marks a Fig-format file; `environ` gives the
    values of bare `environment` keys and secrets from variables."""
    ctx = Context(document, filename=filename, base_dir=base_dir, project=project, environ=environ, legacy=legacy,
                  swarm=swarm)
    secrets, ctx.secrets = _sources(ctx, "secrets")
    configs, ctx.configs = _sources(ctx, "configs")
    services, unresolved = _services(ctx, profiles)
    try:
        DependencyGraph({s.name: s.dependencies() for s in services})
    except DependencyError as e:
        m = re.search(r": (\S+) -> |^Service '([^']+)'", str(e))
        name = m and (m[1] or m[2])
        where = ctx.where(name) if name in ctx.service_names else filename
        raise DependencyError(f"{where}: {e}") from None
    networks = tuple(NetworkConfig(**kw, **_network_extras(ctx, kw["key"])) for kw in _resources(ctx, "networks"))
    if not legacy and "default" not in (document.get("networks") or {}):
        networks = (NetworkConfig(f"{project}_default", key="default"),) + networks
    volumes = tuple(VolumeConfig(**kw) for kw in _resources(ctx, "volumes"))
    extensions = tuple((str(k), json.dumps(v, default=str)) for k, v in document.items() if str(k).startswith("x-"))
    return ProjectConfig(project, services, base_dir, files, legacy, networks, volumes, tuple(secrets),
                         tuple(configs), tuple(profiles), tuple(sorted(environ.items())), paths, env_files,
                         ctx.models, extensions, unresolved)
