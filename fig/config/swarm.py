"""The parts of a service that only Swarm uses (`deploy`'s mode, placement, update and rollback policies,
endpoint mode, service labels; host-mode ports), read and checked once so `fig deploy` converts values, not YAML.

`up` ignores them (with the warning fig.config.runtime gives); they are not part of the container config hash.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fig.config.ports import PortSpec
from fig.config.values import format_duration, pairs, parse_duration, strings
from fig.errors import ConfigError
from fig.records import record

_MODES = ("replicated", "global", "replicated-job", "global-job")
_CONDITIONS = {"none": "none", "no": "none", "on-failure": "on-failure", "any": "any", "always": "any"}
_FAILURE_ACTIONS = ("pause", "continue", "rollback")
_ORDERS = ("stop-first", "start-first")


@record(frozen=True, slots=True)
class UpdatePolicy:
    """update_config or rollback_config; durations in seconds."""

    parallelism: int = 1
    delay: float | None = None
    failure_action: str | None = None
    monitor: float | None = None
    max_failure_ratio: float | None = None
    order: str | None = None


@record(frozen=True, slots=True)
class RestartPolicy:
    condition: str = "any"
    delay: float | None = None
    max_attempts: int | None = None
    window: float | None = None


@record(frozen=True, slots=True)
class SwarmSettings:
    mode: str = "replicated"
    labels: tuple[tuple[str, str], ...] = ()  # deploy.labels: on the service, not its containers
    constraints: tuple[str, ...] = ()
    preferences: tuple[str, ...] = ()  # spread descriptors, e.g. node.labels.zone
    max_replicas_per_node: int | None = None
    reserve_cpus: float | None = None
    generic_resources: tuple[tuple[str, int], ...] = ()  # discrete (kind, count) reservations
    restart_policy: RestartPolicy | None = None
    update_config: UpdatePolicy | None = None
    rollback_config: UpdatePolicy | None = None
    endpoint_mode: str | None = None  # vip or dnsrr
    host_ports: tuple[PortSpec, ...] = ()  # the ports published with mode: host (the rest use the routing mesh)
    owners: tuple[tuple[str, int, str, str, int | None], ...] = ()  # (secrets|configs, item index, uid, gid, mode)


def swarm_settings(raw: Mapping[str, Any], fail: Callable[[str, str], ConfigError],
                   parse_port: Callable[[Any], list[PortSpec]], *, swarm: bool = False) -> SwarmSettings | None:
    """The Swarm-only settings of a service's mapping, or None when it has none; `swarm`: read for `fig deploy`,
    so what Swarm cannot do (a restart condition of `unless-stopped`) is refused."""
    deploy = raw.get("deploy") or {}
    host_ports = tuple(p for item in raw.get("ports") or () if isinstance(item, dict) and item.get("mode") == "host"
                       for p in parse_port(item))
    owners = tuple((kind, index, str(item.get("uid", "0")), str(item.get("gid", "0")), item.get("mode"))
                   for kind in ("secrets", "configs") for index, item in enumerate(raw.get(kind) or ())
                   if isinstance(item, dict) and {"uid", "gid", "mode"} & item.keys())
    if not deploy and not host_ports and not owners:
        return None

    def choice(key: str, value: Any, allowed: tuple[str, ...]) -> Any:
        if value is not None and value not in allowed:
            raise fail("deploy", f"{key} {value!r} must be one of {', '.join(allowed)}")
        return value

    def seconds(key: str, value: Any) -> float | None:
        try:
            return None if value is None else parse_duration(value, key)
        except ConfigError:
            raise fail("deploy", f"{key} {value!r} is not a duration such as 10s or 1m30s") from None

    def policy(key: str) -> UpdatePolicy | None:
        part = deploy.get(key)
        if part is None:
            return None
        return UpdatePolicy(int(part.get("parallelism", 1)), seconds(f"{key}.delay", part.get("delay")),
                            choice(f"{key}.failure_action", part.get("failure_action"), _FAILURE_ACTIONS),
                            seconds(f"{key}.monitor", part.get("monitor")),
                            None if part.get("max_failure_ratio") is None else float(part["max_failure_ratio"]),
                            choice(f"{key}.order", part.get("order"), _ORDERS))

    mode = choice("mode", deploy.get("mode", "replicated"), _MODES)
    if mode in ("global", "global-job") and deploy.get("replicas") is not None:
        raise fail("deploy", f"sets replicas, which mode {mode} does not take (it runs one task per node)")
    restart = deploy.get("restart_policy")
    placement = deploy.get("placement") or {}
    reservations = (deploy.get("resources") or {}).get("reservations") or {}
    return SwarmSettings(
        mode=mode,
        labels=tuple((k, v or "") for k, v in pairs(deploy.get("labels"), {})),
        constraints=strings(placement.get("constraints")),
        preferences=tuple(str(p["spread"]) for p in placement.get("preferences") or () if "spread" in p),
        max_replicas_per_node=placement.get("max_replicas_per_node"),
        reserve_cpus=None if reservations.get("cpus") is None else float(reservations["cpus"]),
        generic_resources=_generic(reservations.get("generic_resources") or (), fail),
        restart_policy=None if restart is None else RestartPolicy(
            _condition(restart.get("condition", "any"), fail, swarm),
            seconds("restart_policy.delay", restart.get("delay")), restart.get("max_attempts"),
            seconds("restart_policy.window", restart.get("window"))),
        update_config=policy("update_config"),
        rollback_config=policy("rollback_config"),
        endpoint_mode=choice("endpoint_mode", deploy.get("endpoint_mode"), ("vip", "dnsrr")),
        host_ports=host_ports,
        owners=owners,
    )


def _condition(value: str, fail: Callable[[str, str], ConfigError], swarm: bool) -> str:
    """The condition as written (as `config` prints it); fig.swarm.convert gives Swarm its own word for it."""
    if swarm and value not in _CONDITIONS:
        raise fail("deploy", f"restart_policy.condition {value!r} is not one Swarm knows: use none, on-failure or any")
    return value


def swarm_condition(value: str) -> str:
    """Swarm's word for a restart condition: `no` is none, `always` is any."""
    return _CONDITIONS.get(value, value)


def _generic(items: Any, fail: Callable[[str, str], ConfigError]) -> tuple[tuple[str, int], ...]:
    out = []
    for item in items:
        spec = item.get("discrete_resource_spec") if isinstance(item, dict) else None
        if not isinstance(spec, dict) or "kind" not in spec:
            raise fail("deploy", "resources.reservations.generic_resources items need discrete_resource_spec: "
                                 "{kind: KIND, value: N}")
        out.append((str(spec["kind"]), int(spec.get("value", 1))))
    return tuple(out)


def _policy_map(p: UpdatePolicy | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"parallelism": p.parallelism, "delay": _duration(p.delay), "failure_action": p.failure_action,
            "monitor": _duration(p.monitor), "max_failure_ratio": p.max_failure_ratio, "order": p.order}


def _duration(value: float | None) -> str | None:
    return None if value is None else format_duration(value)


def as_deploy(s: SwarmSettings) -> dict[str, Any]:
    """The `deploy` keys of the settings, as a compose file writes them (None and empty values left out by the
    caller), so that `fig config` output read again gives the same settings."""
    restart = s.restart_policy
    return {
        "mode": None if s.mode == "replicated" else s.mode, "labels": dict(s.labels),
        "placement": {k: v for k, v in {"constraints": list(s.constraints),
                                        "preferences": [{"spread": p} for p in s.preferences],
                                        "max_replicas_per_node": s.max_replicas_per_node}.items() if v},
        "restart_policy": None if restart is None else {
            k: v for k, v in {"condition": restart.condition, "delay": _duration(restart.delay),
                              "max_attempts": restart.max_attempts, "window": _duration(restart.window)}.items()
            if v is not None},
        "update_config": _policy_map(s.update_config), "rollback_config": _policy_map(s.rollback_config),
        "endpoint_mode": s.endpoint_mode,
    }

