"""Merges configuration files (and an `extends` base into a service), later ones winning, as compose does.

Scalars are replaced. Mappings (environment, labels, ulimits, ...) are merged key by key. `ports` are combined
(an identical port is kept once), `volumes` and `devices` are merged by container path, `links` by alias,
`secrets`/`configs` by source, `networks` per network, `deploy` and `blkio_config` all the way down; `dns`,
`env_file`, `cap_add`, `expose`, `profiles` and the like are combined in order without duplicates, and so
are `develop.watch` rules. Merged mappings keep,
key by key, the file and line each value came from, so later errors point at the right place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fig.config.loader import YamlList, YamlMap

_UNIQUE = {"cap_add", "cap_drop", "expose", "external_links", "volumes_from", "profiles", "dns", "dns_search",
           "tmpfs", "security_opt", "group_add", "device_cgroup_rules"}
_MAPPING = {"environment", "labels", "ulimits", "sysctls", "depends_on", "extra_hosts", "healthcheck", "storage_opt"}
_NESTED = {"deploy", "blkio_config"}  # mappings of mappings, merged all the way down


def _as_mapping(value: Any, key: str) -> dict[Any, Any]:
    if isinstance(value, dict):
        return dict(value)
    if key == "build" and isinstance(value, str):
        return {"context": value}
    result: dict[Any, Any] = {}
    for item in value or []:
        if key in ("networks", "depends_on"):
            result[item] = None
        else:
            name, sep, val = str(item).partition("=" if key != "extra_hosts" else ":")
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
        return str(item.get("target"))
    parts = str(item).split(":")
    return parts[1] if len(parts) > 1 and parts[1].startswith("/") else parts[0]


def _alias_key(item: Any) -> str:
    target, _, alias = str(item).partition(":")
    return alias or target


def _source_key(item: Any) -> str:
    return str(item["source"]) if isinstance(item, dict) else str(item)


def _env_file_key(item: Any) -> str:
    return str(item["path"]) if isinstance(item, dict) else str(item)


_KEYED: dict[str, Callable[[Any], Any]] = {
    "ports": _port_key, "volumes": _path_key, "devices": _path_key, "links": _alias_key,
    "secrets": _source_key, "configs": _source_key, "env_file": _env_file_key,
}

_BUILD_MAPPING = {"args", "labels", "additional_contexts", "extra_hosts", "ulimits"}
_BUILD_LISTS: dict[str, Callable[[Any], Any]] = {
    "cache_from": str, "cache_to": str, "tags": str, "platforms": str, "entitlements": str, "ssh": str,
    "secrets": _source_key}


Item = tuple[Any, "int | None", "str | None"]  # a list item with the line and file it came from


def _items(value: Any) -> list[Item]:
    if value is None:
        return []
    if isinstance(value, str):
        return [(value, None, None)]
    lines, files = getattr(value, "lines", None), getattr(value, "files", None)
    file = getattr(value, "file", None)
    return [(v, lines[i] if lines else None, files[i] if files else file) for i, v in enumerate(value)]


def _tracked_list(items: list[Item]) -> YamlList:
    out = YamlList(v for v, _, _ in items)
    out.lines = [line or 0 for _, line, _ in items]
    out.files = [file for _, _, file in items]
    return out


def _keyed(base: Any, override: Any, key: Callable[[Any], Any]) -> YamlList:
    by_key = {key(item[0]): item for item in _items(base)}
    by_key.update({key(item[0]): item for item in _items(override)})
    return _tracked_list(list(by_key.values()))


def _networks(base: Any, override: Any) -> dict[str, Any]:
    old, new = _as_mapping(base, "networks"), _as_mapping(override, "networks")
    merged: dict[str, Any] = {}
    for name in [*old, *[n for n in new if n not in old]]:
        a, b = old.get(name) or {}, new.get(name) or {}
        if not a and not b:
            merged[name] = None
            continue
        value = {**a, **b}
        if "aliases" in a and "aliases" in b:
            value["aliases"] = list(dict.fromkeys([*a["aliases"], *b["aliases"]]))
        merged[name] = value
    return merged


def _logging(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Options merge while the driver stays the same; another driver starts from its own options."""
    merged = {**base, **override}
    if base.get("driver") in (None, merged.get("driver")):
        merged["options"] = {**(base.get("options") or {}), **(override.get("options") or {})}
    else:
        merged["options"] = dict(override.get("options") or {})
    if not merged["options"]:
        del merged["options"]
    return merged


def _nested(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        old = merged.get(key)
        merged[key] = _nested(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
    return merged


def _build(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """build: mappings (args, labels, ...) merge key by key, lists are combined, secrets by source."""
    merged = {**old, **new}
    for sub in set(old) & set(new):
        if sub in _BUILD_MAPPING:
            merged[sub] = {**_as_mapping(old[sub], sub), **_as_mapping(new[sub], sub)}
        elif sub in _BUILD_LISTS:
            merged[sub] = _keyed(old[sub], new[sub], _BUILD_LISTS[sub])
    return merged


def _develop(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """develop.watch rules are combined (a sequence, as compose combines them); the same rule is kept once."""
    def rule(item: Any) -> Any:
        return (item.get("path"), item.get("action"), item.get("target")) if isinstance(item, dict) else str(item)

    merged = {**base, **override}
    if isinstance(base.get("watch"), list) and isinstance(override.get("watch"), list):
        merged["watch"] = _keyed(base["watch"], override["watch"], rule)
    return merged


def merge_value(key: str, base: Any, override: Any) -> Any:
    """The merged value of one service key."""
    if key == "develop" and isinstance(base, dict) and isinstance(override, dict):
        return _develop(base, override)
    if key in _UNIQUE:
        return _keyed(base, override, str)
    if key in _KEYED:
        return _keyed(base, override, _KEYED[key])
    if key == "build" and isinstance(base, (dict, str)) and isinstance(override, (dict, str)):
        return _build(_as_mapping(base, key), _as_mapping(override, key))
    if key in _MAPPING:
        return {**_as_mapping(base, key), **_as_mapping(override, key)}
    if key in _NESTED and isinstance(base, dict) and isinstance(override, dict):
        return _nested(base, override)
    if key == "networks":
        return _networks(base, override)
    if key == "logging" and isinstance(base, dict) and isinstance(override, dict):
        return _logging(base, override)
    return override


def _tracked(base: Any, filename: str | None = None) -> YamlMap:
    """A copy of a mapping that records, per key, the file and line its value came from."""
    out = YamlMap(base)
    out.line = getattr(base, "line", 0)
    out.lines = dict(getattr(base, "lines", {}))
    out.files = dict(getattr(base, "files", {}) or {k: getattr(base, "file", filename) for k in base})
    out.file = getattr(base, "file", filename)
    return out


def merge_service(base: dict[str, Any], override: dict[str, Any], *, legacy: bool = False) -> dict[str, Any]:
    merged = _tracked(base)
    for key, value in override.items():
        merged[key] = merge_value(key, base[key], value) if key in base else value
        lines = getattr(override, "lines", {})
        if key in lines and merged.files is not None:
            merged.lines[key] = lines[key]
            merged.files[key] = getattr(override, "file", None)
    if legacy and ("image" in override or "build" in override):  # in a fig.yml, one replaces the other
        for key in ("image", "build"):
            if key not in override:
                merged.pop(key, None)
    return merged


def merge_documents(base: dict[str, Any], override: dict[str, Any], *, legacy: bool = False) -> dict[str, Any]:
    """Merge two compose-shaped documents (each with a `services` mapping); `extends` is taken from the
    override when it has one, else kept from the base."""
    merged = _tracked(base)
    for key, value in override.items():
        if key == "services":
            services = _tracked(base.get("services") or YamlMap())
            for name, svc in (value or {}).items():
                services[name] = merge_service(services[name], svc, legacy=legacy) if name in services else svc
                lines = getattr(value, "lines", {})
                if name not in (base.get("services") or {}) and name in lines and services.files is not None:
                    services.lines[name] = lines[name]
                    services.files[name] = getattr(value, "file", None)
            merged[key] = services
        elif key in ("networks", "volumes", "secrets", "configs") and isinstance(value, dict):
            merged[key] = {**(base.get(key) or {}), **value}
        else:
            merged[key] = value
    return merged


__all__ = ["merge_documents", "merge_service", "merge_value", "YamlList"]
