"""Merges several configuration files, later ones winning, the way compose combines them."""

from __future__ import annotations

from typing import Any

# Keys whose lists are combined (duplicates dropped) rather than replaced.
_UNION = {"ports", "expose", "external_links", "dns", "dns_search", "tmpfs", "links", "volumes_from",
          "cap_add", "cap_drop", "env_file", "profiles", "secrets", "configs", "devices"}
# Keys that are mappings (or KEY=VALUE lists) merged key by key.
_MAPPING = {"environment", "labels", "extra_hosts", "sysctls", "ulimits", "networks", "depends_on",
            "logging", "healthcheck", "build", "extends"}
# Keys whose items are merged by their container path.
_BY_TARGET = {"volumes"}


def _as_mapping(value: Any, key: str) -> dict[Any, Any]:
    if isinstance(value, dict):
        return dict(value)
    if key == "build" and isinstance(value, str):
        return {"context": value}
    if key == "extends" and isinstance(value, str):
        return {"service": value}
    result: dict[Any, Any] = {}
    for item in value or []:
        if key in ("networks", "depends_on"):
            result[item] = None
        else:
            name, sep, val = str(item).partition("=" if key != "extra_hosts" else ":")
            result[name] = val if sep else None
    return result


def _target(item: Any) -> str:
    if isinstance(item, dict):
        return str(item.get("target"))
    parts = str(item).split(":")
    return parts[1] if len(parts) > 1 and parts[1].startswith("/") else parts[0]


def merge_service(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if key not in base:
            merged[key] = value
        elif key in _UNION and isinstance(value, list) and isinstance(base[key], list):
            merged[key] = list(base[key]) + [v for v in value if v not in base[key]]
        elif key in _MAPPING:
            old, new = _as_mapping(base[key], key), _as_mapping(value, key)
            merged[key] = {**old, **new}
        elif key in _BY_TARGET and isinstance(value, list) and isinstance(base[key], list):
            by_target = {_target(v): v for v in base[key]}
            by_target.update({_target(v): v for v in value})
            merged[key] = list(by_target.values())
        else:
            merged[key] = value
    return merged


def merge_documents(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge two compose-shaped documents (each with a `services` mapping)."""
    merged = dict(base)
    for key, value in override.items():
        if key == "services":
            services = dict(base.get("services") or {})
            for name, svc in (value or {}).items():
                services[name] = merge_service(services[name], svc) if name in services else svc
            merged["services"] = services
        elif key in ("networks", "volumes", "secrets", "configs") and isinstance(value, dict):
            merged[key] = {**(base.get(key) or {}), **value}
        else:
            merged[key] = value
    return merged
