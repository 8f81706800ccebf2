"""Merges configuration files (and an `extends` base into a service), later ones winning, with compose-go's
rules.

Mappings are merged key by key all the way down (`deploy`, `build`, `healthcheck`, `blkio_config`, a service's
`networks`, top-level networks, volumes, secrets and configs, ...); scalars are replaced; lists are combined.
`command`, `entrypoint` and `healthcheck.test` are replaced whole. `environment`, `labels` (a service's, its
build's, its deploy's, a network's, a volume's), `build.args` and `sysctls` are merged by key whatever their
form; `depends_on` by service, a listed one taking the default condition; `ulimits` by name; `logging` options
only while the driver stays the same. Lists keep one item per identity, the later item in the earlier one's
place: `ports` per address, port and protocol, `volumes` and `devices` per container path, `secrets` and
`configs` per target file, `env_file` per path, `extra_hosts` per host and address, the rest per text. An
override file's `!reset` removes a key of the files before it and `!override` replaces it whole. Merged
mappings keep, key by key, the file and line each value came from, so later errors point at the right place.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from typing import Any

from fig.config.documents import YamlList, YamlMap

_UNIQUE = {"cap_add", "cap_drop", "expose", "external_links", "volumes_from", "profiles", "dns", "dns_search",
           "dns_opt", "tmpfs", "security_opt", "group_add", "device_cgroup_rules", "links"}
_PAIRS = {"environment", "labels", "sysctls", "storage_opt", "annotations"}
_REPLACED = {"command", "entrypoint"}
_ONE_OR_LIST = {"dns", "dns_search", "dns_opt", "env_file", "tmpfs", "extra_hosts"}  # one item may stand for a list


def _as_mapping(value: Any, key: str) -> dict[Any, Any]:
    """A KEY=VALUE list (or a mapping) as a mapping; a bare KEY maps to None."""
    if isinstance(value, dict):
        return dict(value)
    result: dict[Any, Any] = {}
    for item in [value] if isinstance(value, str) else value or []:
        name, sep, val = str(item).partition("=")
        result[name] = val if sep else None
    return result


def _port_key(item: Any) -> Any:
    from fig.config.model import PortSpec

    if isinstance(item, dict):
        text = f"{item.get('target')}/{item.get('protocol', 'tcp')}"
        if item.get("published") not in (None, ""):
            host_ip = f"{item['host_ip']}:" if item.get("host_ip") else ""
            text = f"{host_ip}{item['published']}:{text}"
        item = text
    try:
        return tuple(PortSpec.parse_many(item))
    except Exception:  # an invalid port is reported by normalize, with its line
        return str(item)


def _path_key(item: Any) -> str:
    if isinstance(item, dict):
        return posixpath.normpath(str(item.get("target") or item.get("source")))
    parts = str(item).split(":")
    target = parts[1] if len(parts) > 1 and parts[1].startswith("/") else parts[0]
    return posixpath.normpath(target) if target.startswith("/") else target


def _target_key(directory: str) -> Callable[[Any], str]:
    def key(item: Any) -> str:
        if isinstance(item, dict) and item.get("target"):
            return str(item["target"])
        return f"{directory}/{item['source'] if isinstance(item, dict) else item}"
    return key


def _env_file_key(item: Any) -> str:
    return str(item["path"]) if isinstance(item, dict) else str(item)


def _host_key(item: Any) -> tuple[str, str]:
    text = str(item)
    host, sep, ip = text.partition("=")
    return (host, ip) if sep else tuple(text.partition(":")[::2])  # type: ignore[return-value]


_KEYED: dict[str, Callable[[Any], Any]] = {
    "ports": _port_key, "volumes": _path_key, "devices": _path_key, "env_file": _env_file_key,
    "secrets": _target_key("/run/secrets"), "configs": _target_key(""), "extra_hosts": _host_key,
    **{key: str for key in _UNIQUE},
}


Item = tuple[Any, "int | None", "str | None"]  # a list item with the line and file it came from


def _items(value: Any) -> list[Item]:
    if value is None:
        return []
    if isinstance(value, str):
        return [(value, None, None)]
    if isinstance(value, dict):  # extra_hosts written as a mapping
        return [(f"{k}={v}", None, None) for k, v in value.items()]
    lines, files = getattr(value, "lines", None), getattr(value, "files", None)
    file = getattr(value, "file", None)
    return [(v, lines[i] if lines else None, files[i] if files else file) for i, v in enumerate(value)]


def _tracked_list(items: list[Item]) -> YamlList:
    out = YamlList(v for v, _, _ in items)
    out.lines = [line or 0 for _, line, _ in items]
    out.files = [file for _, _, file in items]
    return out


def keyed(base: Any, override: Any, key: Callable[[Any], Any]) -> YamlList:
    """Both lists' items, one per key: a later item takes the place of an earlier one with its key."""
    by_key: dict[Any, Item] = {}
    for item in [*_items(base), *_items(override)]:
        try:
            by_key[key(item[0])] = item
        except (KeyError, TypeError):  # an item of the wrong shape: the schema names it
            by_key[id(item)] = item
    return _tracked_list(list(by_key.values()))


def _merge(rule: Callable[[Any, Any], Any], base: Any, override: Any) -> Any:
    """A later file's empty value changes nothing; else `rule` merges the two."""
    if override is None:
        return base
    return override if base is None else rule(base, override)


def _deep(base: Any, override: Any) -> Any:
    """Mappings merged key by key (an `x-*` key replaced), lists combined, anything else replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = _tracked(base)
        for key, value in override.items():
            replace = str(key).startswith("x-")
            merged[key] = value if replace else _merge(_deep, base.get(key), value)
            _track(merged, override, key)
        return merged
    if isinstance(base, list) and isinstance(override, list):
        return _tracked_list([*_items(base), *_items(override)])
    return override


def _pairs(base: Any, override: Any) -> dict[Any, Any]:
    return {**_as_mapping(base, ""), **_as_mapping(override, "")}


def _with(special: dict[str, Callable[[Any, Any], Any]],
          default: Callable[[Any, Any], Any] | None = None) -> Callable[[Any, Any], Any]:
    """A mapping merged key by key, some keys by their own rule, the rest by `default` (else `_deep`)."""
    def merge(base: Any, override: Any) -> Any:
        if not (isinstance(base, dict) and isinstance(override, dict)):
            return override
        merged = _tracked(base)
        for key, value in override.items():
            merged[key] = _merge(special.get(key, default or _deep), base.get(key), value)
            _track(merged, override, key)
        return merged
    return merge


def _networks(base: Any, override: Any) -> dict[str, Any]:
    old = base if isinstance(base, dict) else {name: None for name in base or []}
    new = override if isinstance(override, dict) else {name: None for name in override or []}
    return _with({}, _with({"aliases": lambda x, y: keyed(x, y, str)}))(old, new)  # type: ignore[no-any-return]


def _depends_on(base: Any, override: Any) -> dict[str, Any]:
    def mapping(value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        return {name: {"condition": "service_started", "required": True} for name in value or []}

    return _deep(mapping(base), mapping(override))  # type: ignore[no-any-return]


def _logging(base: Any, override: Any) -> Any:
    """Options merge while the driver stays the same (or one file names none); another driver starts afresh."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    if "driver" in base and "driver" in override and base["driver"] != override["driver"]:
        return override
    return _deep(base, override)


def _ulimits(base: Any, override: Any) -> Any:
    """Each limit replaced whole."""
    return {**base, **override} if isinstance(base, dict) and isinstance(override, dict) else override


def _source_key(item: Any) -> str:
    return str(item.get("source")) if isinstance(item, dict) else str(item)


# build: its lists, one item per identity
_BUILD_LISTS: dict[str, Callable[[Any], Any]] = {
    "cache_from": str, "cache_to": str, "tags": str, "platforms": str, "entitlements": str, "ssh": str,
    "secrets": _source_key}


def _build(base: Any, override: Any) -> Any:
    """build: as a mapping (a string is its context); args, labels and additional contexts merged by key,
    extra_hosts per host and address, ulimits per name, lists one item per identity."""
    def mapping(value: Any) -> Any:
        return {"context": value} if isinstance(value, str) else value

    rules: dict[str, Callable[[Any, Any], Any]] = {
        **{key: _pairs for key in ("args", "labels", "additional_contexts")},
        "extra_hosts": lambda x, y: keyed(x, y, _host_key), "ulimits": _ulimits,
        **{key: (lambda k: lambda x, y: keyed(x, y, k))(identity) for key, identity in _BUILD_LISTS.items()}}
    return _with(rules)(mapping(base), mapping(override))


def _develop(base: Any, override: Any) -> Any:
    """develop.watch rules are combined (a sequence, as compose combines them); the same rule is kept once."""
    def rule(item: Any) -> Any:
        return (item.get("path"), item.get("action"), item.get("target")) if isinstance(item, dict) else str(item)

    return _with({"watch": lambda x, y: keyed(x, y, rule)})(base, override)


def _list_rule(key: str) -> Callable[[Any, Any], Any]:
    """Lists combined, one item per identity; a value that is no list replaces (the schema judges it)."""
    def merge(base: Any, override: Any) -> Any:
        if key not in _ONE_OR_LIST and not (isinstance(base, list) and isinstance(override, list)):
            return override
        return keyed(base, override, _KEYED[key])
    return merge


_SERVICE: dict[str, Callable[[Any, Any], Any]] = {
    **{key: _pairs for key in _PAIRS}, **{key: _list_rule(key) for key in _KEYED},
    **{key: (lambda x, y: y) for key in _REPLACED},
    "build": _build, "depends_on": _depends_on, "networks": _networks, "logging": _logging, "develop": _develop,
    "healthcheck": _with({"test": lambda x, y: y}), "deploy": _with({"labels": _pairs}),
    "ulimits": _ulimits,
}


def merge_value(key: str, base: Any, override: Any) -> Any:
    """The merged value of one service key."""
    return _merge(_SERVICE.get(key, _deep), base, override)


def _ipam_config(base: Any, override: Any) -> Any:
    """Address pools merged by subnet."""
    pools: dict[Any, Item] = {}
    for item in [*_items(base), *_items(override)]:
        key = item[0].get("subnet") if isinstance(item[0], dict) else id(item)
        old = pools.get(key)
        pools[key] = (_deep(old[0], item[0]), old[1], old[2]) if old else item
    return _tracked_list(list(pools.values()))


_RESOURCE = _with({"labels": _pairs, "ipam": _with({"config": _ipam_config})})


def _tracked(base: Any, filename: str | None = None) -> YamlMap:
    """A copy of a mapping that records, per key, the file and line its value came from."""
    out = YamlMap(base)
    out.line = getattr(base, "line", 0)
    out.lines = dict(getattr(base, "lines", {}))
    out.files = dict(getattr(base, "files", {}) or {k: getattr(base, "file", filename) for k in base})
    out.file = getattr(base, "file", filename)
    return out


def _track(merged: YamlMap, override: Any, key: Any) -> None:
    lines = getattr(override, "lines", {})
    if key in lines and merged.files is not None:
        merged.lines[key] = lines[key]
        merged.files[key] = getattr(override, "file", None)


def merge_service(base: dict[str, Any], override: dict[str, Any], *, legacy: bool = False) -> dict[str, Any]:
    merged = _tracked(base)
    for key, value in override.items():
        merged[key] = merge_value(key, base.get(key), value)
        _track(merged, override, key)
    if legacy and ("image" in override or "build" in override):  # in a fig.yml, one replaces the other
        for key in ("image", "build"):
            if key not in override:
                merged.pop(key, None)
    return merged


def clear(document: Any, paths: Sequence[tuple[Any, ...]]) -> Any:
    """A copy of the document without the values at `paths` (what an override file marks `!reset` or
    `!override`, as its keys are seen from the files before it)."""
    if not paths or not isinstance(document, dict):
        return document
    out = _tracked(document)
    for first in {path[0] for path in paths if path}:
        if first not in out:
            continue
        rest = [path[1:] for path in paths if path and path[0] == first]
        if any(not r for r in rest):
            del out[first]
        else:
            out[first] = clear(out[first], rest)
    return out


def merge_documents(base: dict[str, Any], override: dict[str, Any], *, legacy: bool = False) -> dict[str, Any]:
    """Merge two compose-shaped documents (each with a `services` mapping); `extends` is taken from the
    override when it has one, else kept from the base."""
    base = clear(base, getattr(override, "cleared", ()))
    merged = _tracked(base)
    for key, value in override.items():
        if key == "services":
            services = _tracked(base.get("services") or YamlMap())
            for name, svc in (value or {}).items():
                old = services.get(name)
                if isinstance(old, dict) and isinstance(svc, dict):
                    services[name] = merge_service(old, svc, legacy=legacy)
                elif svc is not None or name not in services:
                    services[name] = svc
                if name not in (base.get("services") or {}):
                    _track(services, value, name)
            merged[key] = services
        elif key in ("networks", "volumes", "secrets", "configs") and isinstance(value, dict):
            section = _tracked(base.get(key) or YamlMap())
            for name, spec in value.items():
                section[name] = _merge(_RESOURCE, section.get(name), spec)
                _track(section, value, name)
            merged[key] = section
        else:
            merged[key] = value
        _track(merged, override, key)
    return merged


def unique(document: dict[str, Any]) -> dict[str, Any]:
    """A compose document whose services' lists keep one item per identity (compose-go does this to every file,
    so `volumes: [data:/d, data:/d]` mounts /d once)."""
    services = document.get("services")
    if not isinstance(services, dict):
        return document
    out = _tracked(services)
    for name, svc in services.items():
        if isinstance(svc, dict) and any(isinstance(svc.get(k), list) for k in _KEYED):
            fixed = _tracked(svc)
            for key in _KEYED.keys() & svc.keys():
                if isinstance(svc[key], list):
                    fixed[key] = keyed(svc[key], None, _KEYED[key])
            out[name] = fixed
    result = _tracked(document)
    result["services"] = out
    return result


__all__ = ["clear", "keyed", "merge_documents", "merge_service", "merge_value", "unique", "YamlList"]
