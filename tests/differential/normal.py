"""The normalisations of the differential test, in one place: what differs between Compose v2's
`config --format json` and fig's only in how a value is written, never in what it means.

Each rule is applied to both outputs (or, where it says so, to one side's spelling) before they are compared
field by field:

1. Key order and the final newline: the outputs are compared as parsed JSON.
2. Empty values: a key whose value is null, {} or [] is the same as no key. (v2 always prints `command` and
   `entrypoint`, null when unset; it prints `ipam: {}`, `volume: {}`, `placement: {}` placeholders.)
3. Durations: "1m30s", "90s" and "1m30s0ms" are one duration; compared in seconds.
4. Sizes: v2 prints byte sizes sometimes as strings ("100663296"), fig as numbers; compared as integers.
   CPU counts likewise ("0.5" and 0.5).
5. `deploy` fields that both tools apply to the containers (v2 to its containers as well as to Swarm's tasks)
   fig folds into the service's own keys, which mean the same to the engine: deploy.replicas is `scale`,
   deploy.resources.limits.memory / .cpus / .pids are `mem_limit` / `cpus` / `pids_limit`,
   deploy.resources.reservations.memory is `mem_reservation`. v2's spelling is moved to fig's.
   deploy.restart_policy is `restart` (as v2 maps it for a container: none is no, any is always,
   on-failure with max_attempts N is on-failure:N), and deploy.mode `replicated` is the default mode.
6. A secret's or config's `target` equal to its default (/run/secrets/<source>, /<source>) is no target; a
   relative secret target is under /run/secrets.
7. `healthcheck: {disable: true}` and `healthcheck: {test: ["NONE"]}` are one thing: no healthcheck.
8. Paths are compared clean: `/proc/` is `/proc`, `/tmp//x` is `/tmp/x` (mount sources and targets, tmpfs,
   working_dir, secret and config targets).
9. extra_hosts are compared as a set: Compose v2 prints them sorted, whatever their order in the file.
10. A `volumes` item of type tmpfs is a `tmpfs` entry (TARGET[:size=BYTES]): fig reads it as one, and the
    engine mounts both alike; `tmpfs` entries are compared as a set (each has its own target).
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

DURATIONS = {"interval", "timeout", "start_period", "start_interval", "stop_grace_period", "delay", "monitor",
             "window"}
SIZES = {"shm_size", "mem_limit", "mem_reservation", "memswap_limit", "memory", "size", "tmpfs_size"}
NUMBERS = {"cpus"}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def seconds(text: Any) -> Any:
    """A Go-style duration as seconds (rule 3); anything else as it is."""
    if not isinstance(text, str) or not text or _DURATION.sub("", text):
        return text
    return round(sum(float(n) * _UNITS[u] for n, u in _DURATION.findall(text)), 9)


def number(value: Any, kind: type) -> Any:
    if isinstance(value, str):
        try:
            return kind(value)
        except ValueError:
            return value
    return value


def _value(key: str, value: Any) -> Any:
    if key in DURATIONS:
        return seconds(value)
    if key in SIZES:
        return number(value, int)
    if key in NUMBERS:
        return number(value, float)
    return value


def _clean(value: Any, key: str = "") -> Any:
    """Rules 2, 3 and 4, all the way down."""
    if isinstance(value, dict):
        out = {k: _clean(v, str(k)) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != {} and v != []}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return _value(key, value)


def _fold_deploy(service: dict[str, Any]) -> None:
    """Rule 5, on v2's side."""
    deploy = service.get("deploy") or {}
    moves = [(("replicas",), "scale"), (("resources", "limits", "memory"), "mem_limit"),
             (("resources", "limits", "cpus"), "cpus"), (("resources", "limits", "pids"), "pids_limit"),
             (("resources", "reservations", "memory"), "mem_reservation")]
    for path, key in moves:
        parent = deploy
        for part in path[:-1]:
            parent = parent.get(part) or {}
        if path[-1] in parent:
            value = parent.pop(path[-1])
            service.setdefault(key, value)
    policy = deploy.get("restart_policy") or {}
    if "condition" in policy and "restart" not in service:
        name = {"none": "no", "any": "always"}.get(policy["condition"], policy["condition"])
        attempts = policy.get("max_attempts")
        service["restart"] = f"{name}:{attempts}" if name == "on-failure" and attempts else name
    if deploy.get("mode") == "replicated":
        del deploy["mode"]
    mounts = service.get("volumes") or []
    for mount in [m for m in mounts if isinstance(m, dict) and m.get("type") == "tmpfs"]:
        size = (mount.get("tmpfs") or {}).get("size")
        service.setdefault("tmpfs", []).append(mount["target"] + ("" if size is None else f":size={size}"))
        mounts.remove(mount)


def _clean_path(path: Any) -> Any:
    return posixpath.normpath(path) if isinstance(path, str) and path.startswith("/") else path


def _paths(service: dict[str, Any]) -> None:
    """Rules 8 and 9."""
    for mount in service.get("volumes") or ():
        if isinstance(mount, dict):
            mount.update({k: _clean_path(mount[k]) for k in ("source", "target") if k in mount})
    if isinstance(service.get("tmpfs"), str):
        service["tmpfs"] = [service["tmpfs"]]
    if isinstance(service.get("tmpfs"), list):
        service["tmpfs"] = sorted(":".join([_clean_path(t.partition(":")[0]), *t.split(":")[1:]])
                                  for t in service["tmpfs"])
    if "working_dir" in service:
        service["working_dir"] = _clean_path(service["working_dir"])
    if isinstance(service.get("extra_hosts"), list):
        service["extra_hosts"] = sorted(service["extra_hosts"])


def _defaults(service: dict[str, Any]) -> None:
    """Rules 6 and 7."""
    for kind, base in (("secrets", "/run/secrets/"), ("configs", "/")):
        for item in service.get(kind) or ():
            if not isinstance(item, dict) or "target" not in item:
                continue
            if kind == "secrets" and not str(item["target"]).startswith("/"):
                item["target"] = base + str(item["target"])
            item["target"] = _clean_path(item["target"])
            if item["target"] == _clean_path(base + str(item.get("source"))):
                del item["target"]
    health = service.get("healthcheck")
    if isinstance(health, dict) and (health.get("disable") or health.get("test") == ["NONE"]):
        service["healthcheck"] = {"disable": True}


def normal(document: dict[str, Any], *, v2: bool) -> dict[str, Any]:
    """One tool's output in the form the comparison reads."""
    for service in (document.get("services") or {}).values():
        if isinstance(service, dict):
            if v2:
                _fold_deploy(service)
            _defaults(service)
            _paths(service)
    return _clean(document)  # type: ignore[no-any-return]
