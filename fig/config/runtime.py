"""How the engine runs a service's containers beyond the basics: `deploy` folded into fig's own keys, and the
engine settings a compose file passes on as they are (security_opt, group_add, oom_score_adj, blkio_config, ...).

Values are normalised into tuples (so a ServiceConfig stays immutable) and checked here; fig.backend.wire names
the Engine API field each one goes to, and fig.config.render writes them back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from fig.config.values import parse_duration, parse_size, strings
from fig.errors import ConfigError
from fig.logs import logger

log = logger(__name__)
T = TypeVar("T")


def _microseconds(value: Any) -> int:
    """An integer is microseconds already; a string is a duration such as 400ms."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return round(parse_duration(value, "duration") * 1_000_000)


def _rate(value: Any) -> int:
    return parse_size(value, "rate")


def _blkio(value: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """(("weight", 300), ("device_read_bps", (("/dev/sda", 1048576),)), ...) in the file's order."""
    out: list[tuple[str, Any]] = []
    for key, items in value.items():
        if key == "weight":
            out.append((key, int(items)))
            continue
        field = "weight" if key == "weight_device" else "rate"
        parse = int if key in ("weight_device", "device_read_iops", "device_write_iops") else _rate
        out.append((key, tuple((str(i["path"]), parse(i[field])) for i in items)))
    return tuple(out)


def _string_pairs(value: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in value.items())


def _device_requests(value: Any) -> tuple[tuple[tuple[str, Any], ...], ...]:
    """`gpus: all`, or device requests (driver, count, device_ids, capabilities, options), each as sorted pairs."""
    if value == "all":
        value = [{"count": "all", "capabilities": ["gpu"]}]
    requests = []
    for item in value:
        request = {**item, "capabilities": tuple(item.get("capabilities") or ("gpu",))}
        if "device_ids" in item:
            request["device_ids"] = tuple(str(d) for d in item["device_ids"])
        if "options" in item:
            request["options"] = _string_pairs(item["options"])
        requests.append(tuple(sorted(request.items())))
    return tuple(requests)


# The compose keys fig hands to the engine as they are, and how each value is normalised.
PASSTHROUGH: dict[str, Callable[[Any], Any]] = {
    "security_opt": strings, "group_add": strings, "device_cgroup_rules": strings,
    "oom_score_adj": int, "oom_kill_disable": bool, "mem_swappiness": int,
    "cpu_quota": _microseconds, "cpu_period": _microseconds, "cpu_rt_runtime": _microseconds,
    "cpu_rt_period": _microseconds, "cpu_count": int, "cpu_percent": int,
    "userns_mode": str, "cgroup_parent": str, "runtime": str, "uts": str, "cgroup": str, "isolation": str,
    "volume_driver": str, "storage_opt": _string_pairs, "blkio_config": _blkio, "gpus": _device_requests,
}

_SWARM_ONLY = ("mode", "placement", "update_config", "rollback_config", "endpoint_mode", "labels")
# deploy.restart_policy.condition as compose maps it onto the engine's restart policies
_RESTART_CONDITIONS = {"none": "no", "no": "no", "on-failure": "on-failure", "unless-stopped": "unless-stopped",
                       "any": "always", "always": "always"}


def engine_options(raw: Mapping[str, Any], fail: Callable[[str, str], ConfigError],
                   devices: tuple[Any, ...] = ()) -> tuple[tuple[str, Any], ...]:
    """(compose key, normalised value) of the pass-through keys a service sets, sorted by key; `devices` are
    deploy's device reservations, which join `gpus` (the same requests, written in another place)."""
    out = []
    for key in sorted(PASSTHROUGH.keys() & raw.keys()):
        if raw[key] is None:
            continue
        try:
            value = PASSTHROUGH[key](raw[key])
        except (ConfigError, ValueError, KeyError, TypeError) as e:
            raise fail(key, f"has a value fig cannot read: {e}") from None
        out.append((key, value + devices if key == "gpus" else value))
    if devices and "gpus" not in raw:
        out = sorted([*out, ("gpus", devices)])
    return tuple(out)


class Deploy:
    """The parts of `deploy` that mean something without Swarm (as docker compose reads them): replicas,
    resource limits and reservations, and the restart policy. The Swarm-only parts are ignored with a warning."""

    def __init__(self, raw: Mapping[str, Any], where: str, fail: Callable[[str, str], ConfigError], *,
                 swarm: bool = False) -> None:
        self.raw = raw.get("deploy") or {}
        self.service = raw
        self.fail = fail
        resources = self.raw.get("resources") or {}
        self.limits = resources.get("limits") or {}
        self.reservations = resources.get("reservations") or {}
        ignored = [k for k in _SWARM_ONLY if k in self.raw and not (k == "mode" and self.raw[k] == "replicated")]
        ignored += [f"resources.reservations.{key}" for key in ("cpus", "generic_resources") if key in self.reservations]
        if ignored and not swarm:  # `fig deploy` reads them (fig.config.swarm)
            log.warning("%s ignores deploy.%s: only Swarm uses %s", where, ", deploy.".join(ignored),
                        "it" if len(ignored) == 1 else "them")

    def pick(self, key: str, value: T | None, deploy_key: str, part: Mapping[str, Any],
             parse: Callable[[Any], T]) -> T | None:
        """A service key and its deploy counterpart: either may be given, both only when they agree."""
        given = part.get(deploy_key.rpartition(".")[2])
        if given is None:
            return value
        try:
            deployed = parse(given)
        except (ConfigError, ValueError):
            raise self.fail("deploy", f"{deploy_key} {given!r} is not {_EXPECTED[parse]}") from None
        if value is not None and value != deployed:
            raise self.fail(key, f"is {self.service[key]!r} but deploy.{deploy_key} is {given!r}: give one of them")
        return deployed

    def devices(self) -> tuple[Any, ...]:
        return _device_requests(self.reservations["devices"]) if self.reservations.get("devices") else ()

    def scale(self) -> int | None:
        return self.pick("scale", self.service.get("scale"), "replicas", self.raw, int)

    def restart(self, restart: str | None) -> str | None:
        """deploy.restart_policy when given (it wins over `restart:`, as in Compose v2), else `restart`."""
        policy = self.raw.get("restart_policy")
        if not policy:
            return restart
        condition = policy.get("condition", "any")
        name = _RESTART_CONDITIONS.get(condition)
        if name is None:
            raise self.fail("deploy", f"restart_policy.condition {condition!r} is no restart policy the engine knows: "
                                      f"use {', '.join(_RESTART_CONDITIONS)}")
        attempts = policy.get("max_attempts")
        return f"{name}:{attempts}" if name == "on-failure" and attempts else name

    def memory(self, key: str, value: int | None) -> int | None:
        if key == "mem_limit":
            return self.pick(key, value, "resources.limits.memory", self.limits, _memory)
        return self.pick(key, value, "resources.reservations.memory", self.reservations, _memory)

    def cpus(self, value: float | None) -> float | None:
        return self.pick("cpus", value, "resources.limits.cpus", self.limits, float)

    def pids(self, value: int | None) -> int | None:
        return self.pick("pids_limit", value, "resources.limits.pids", self.limits, int)


def _memory(value: Any) -> int:
    return parse_size(value, "memory")


_EXPECTED: dict[Callable[[Any], Any], str] = {int: "a whole number", float: "a number of CPUs such as 0.5",
                                              _memory: "a size such as 512m or 1g"}
