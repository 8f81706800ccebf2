"""Decide first: what a deploy changes, as values. A service is updated only when the hash of the spec fig would
send differs from the one it sent last (or its replica count was changed by `scale`); the fields that differ are
worked out for the plan's text, from the spec the engine holds."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fig.backend.swarmtypes import NetworkInfo, ServiceInfo, SwarmObject
from fig.errors import UserError
from fig.records import record
from fig.swarm.convert import SPEC_HASH, NetworkSpec, ObjectSpec, ServicePlan, StackSpec

_NOISE = (False, 0, "", "default", "container", None)  # what the engine fills in for keys fig does not send
_DEFAULTS = {f"{part}.{key}": value for part in ("UpdateConfig", "RollbackConfig")  # ... and for these
             for key, value in (("FailureAction", "pause"), ("Order", "stop-first"))}


@record(frozen=True)
class Change:
    kind: str  # service, network, secret or config
    name: str
    action: str  # create, update, remove or nothing
    fields: tuple[str, ...] = ()  # for an update: "Field: old -> new"

    def __str__(self) -> str:
        head = f"{self.action} {self.kind} {self.name}"
        return head + "".join(f"\n    {f}" for f in self.fields)


@record(frozen=True)
class Plan:
    stack: StackSpec
    changes: tuple[Change, ...]
    existing: Mapping[str, ServiceInfo]  # by service name (<stack>_<service>)

    def of(self, kind: str, action: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind and c.action == action]

    @property
    def writes(self) -> bool:
        return any(c.action != "nothing" for c in self.changes)


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths to values; a list of mappings by index (Secrets[0].SecretName), other lists whole."""
    out: dict[str, Any] = {}
    if isinstance(value, Mapping):
        for key, item in value.items():
            out.update(_flat(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        for index, item in enumerate(value):
            out.update(_flat(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def _normalised(spec: Mapping[str, Any], network_names: Mapping[str, str]) -> dict[str, Any]:
    """A spec as fig compares it: no hash label, secret and config ids left out, network ids as names."""
    copy: dict[str, Any] = json.loads(json.dumps(spec))
    copy.get("Labels", {}).pop(SPEC_HASH, None)
    task = copy.get("TaskTemplate", {})
    container = task.get("ContainerSpec", {})
    for ref in [*(container.get("Secrets") or ()), *(container.get("Configs") or ())]:
        ref.pop("SecretID", None)
        ref.pop("ConfigID", None)
    for net in task.get("Networks") or ():
        net["Target"] = network_names.get(net["Target"], net["Target"])
    return copy


def _shown(value: Any) -> str:
    text = "(none)" if value is None else json.dumps(value, sort_keys=True) if not isinstance(value, str) else value
    return text if len(text) <= 70 else text[:67] + "..."


def changed_fields(desired: Mapping[str, Any], current: Mapping[str, Any],
                   network_names: Mapping[str, str]) -> tuple[str, ...]:
    want = _flat(_normalised(desired, network_names))
    have = {k: v for k, v in _flat(_normalised(current, network_names)).items()
            if k in want or (v not in _NOISE and _DEFAULTS.get(k, _NOISE) != v)}
    fields = []
    for key in sorted(want.keys() | have.keys()):
        if want.get(key) != have.get(key) and not (want.get(key) in _NOISE and have.get(key) in _NOISE):
            fields.append(f"{key.removeprefix('TaskTemplate.')}: {_shown(have.get(key))} -> {_shown(want.get(key))}")
    return tuple(fields)


def needs_update(plan: ServicePlan, info: ServiceInfo) -> bool:
    return info.labels.get(SPEC_HASH) != plan.spec_hash or info.spec.get("Mode") != plan.spec.get("Mode")


def service_changes(desired: Sequence[ServicePlan], existing: Mapping[str, ServiceInfo], *, prune: bool,
                    network_names: Mapping[str, str]) -> list[Change]:
    out = []
    for p in desired:
        info = existing.get(p.name)
        if info is None:
            out.append(Change("service", p.name, "create"))
        elif needs_update(p, info):
            fields = changed_fields(p.spec, info.spec, network_names) or ("the spec (last written by another tool)",)
            out.append(Change("service", p.name, "update", fields))
        else:
            out.append(Change("service", p.name, "nothing"))
    wanted = {p.name for p in desired}
    out += [Change("service", name, "remove") for name in sorted(existing) if prune and name not in wanted]
    return out


def network_changes(desired: Iterable[NetworkSpec], found: Mapping[str, NetworkInfo | None]) -> list[Change]:
    """`found`: each desired network's engine record, or None when it does not exist."""
    out = []
    for net in desired:
        info = found.get(net.name)
        if info is not None and info.scope != "swarm":
            raise UserError(f"network {net.name} exists with scope {info.scope}: a stack needs a swarm-scoped "
                            f"network{' (an overlay)' if not net.external else ''}; remove it or rename the network")
        if info is None and net.external:
            raise UserError(f"network {net.name} is external but does not exist: create it with "
                            f"`docker network create --driver overlay --attachable {net.name}`")
        out.append(Change("network", net.name, "nothing" if info is not None else "create"))
    return out


def references(specs: Iterable[Mapping[str, Any] | None]) -> set[str]:
    """The names of the secrets and configs the specs use."""
    names = set()
    for spec in specs:
        container = ((spec or {}).get("TaskTemplate") or {}).get("ContainerSpec") or {}
        names |= {r.get("SecretName", "") for r in container.get("Secrets") or ()}
        names |= {r.get("ConfigName", "") for r in container.get("Configs") or ()}
    return names


def object_changes(kind: str, desired: Iterable[ObjectSpec], existing: Sequence[SwarmObject], kept: set[str],
                   external: Mapping[str, bool]) -> list[Change]:
    """For one kind (secrets or configs): create what is missing; remove the stack's versions that nothing keeps
    (`kept`: the names the services' specs and previous specs use after the deploy). `external`: whether each
    external object exists."""
    out = []
    single = kind[:-1]
    have = {o.name for o in existing}
    desired = [o for o in desired if o.kind == kind]
    for obj in desired:
        if obj.data is None:
            if not external.get(obj.name):
                raise UserError(f"{single} {obj.name} is external but does not exist: create it with "
                                f"`docker {single} create {obj.name} FILE`")
            continue
        out.append(Change(single, obj.name, "nothing" if obj.name in have else "create"))
    wanted = {o.name for o in desired}
    out += [Change(single, o.name, "remove") for o in sorted(existing, key=lambda o: o.name)
            if o.name not in wanted and o.name not in kept]
    return out
