"""Decide first, act second: a pure planner from desired config hash and existing containers to steps."""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence

from fig.backend.base import LIVE_STATES, ContainerInfo
from fig import labels as L
from fig.records import record


class Action(enum.Enum):
    CREATE = "create"
    RECREATE = "recreate"
    START = "start"
    NOOP = "noop"
    REMOVE = "remove"


class Strategy(enum.Enum):
    CHANGED = "changed"  # recreate containers whose config hash differs
    ALWAYS = "always"  # --force-recreate
    NEVER = "never"  # --no-recreate


@record(frozen=True, slots=True)
class Step:
    action: Action
    number: int
    container: ContainerInfo | None = None
    reason: str = ""


@record(frozen=True, slots=True)
class Plan:
    service: str
    steps: tuple[Step, ...]
    start: bool = True
    image_id: str = ""

    @property
    def action(self) -> Action:
        """The strongest action of the plan, for summaries."""
        for action in (Action.RECREATE, Action.CREATE, Action.START, Action.REMOVE):
            if any(s.action is action for s in self.steps):
                return action
        return Action.NOOP

    @property
    def changes(self) -> bool:
        return any(s.action is not Action.NOOP for s in self.steps)


def number_of(info: ContainerInfo) -> int:
    try:
        return int(L.read(info.labels, L.LABEL_NUMBER, "0"))
    except ValueError:
        return 0


def _primary(group: list[ContainerInfo], canonical: str) -> ContainerInfo:
    """Of several containers sharing a number (a recreate was interrupted), keep the one with the real name."""
    for info in group:
        if info.name == canonical:
            return info
    return max(group, key=lambda i: i.created)


def plan(service: str, desired_hash: str, existing: Sequence[ContainerInfo], *, strategy: Strategy,
         scale: int | None = None, names: dict[int, str] | None = None, force_reason: str = "",
         start: bool = True, image_id: str = "") -> Plan:
    """Steps that bring `existing` (a service's non-one-off containers) to `scale` containers of `desired_hash`.

    `scale=None` keeps the current count (at least one). `names` maps numbers to canonical names.
    `force_reason` makes every kept container recreate (a dependency it is bound to was recreated).
    """
    names = names or {}
    groups: dict[int, list[ContainerInfo]] = {}
    for info in existing:
        groups.setdefault(number_of(info), []).append(info)
    steps: list[Step] = []
    keep: dict[int, ContainerInfo] = {}
    for number, group in sorted(groups.items()):
        primary = _primary(group, names.get(number, ""))
        keep[number] = primary
        steps += [Step(Action.REMOVE, number, other, "left over from an interrupted recreate")
                  for other in group if other is not primary]
    target = max(len(keep), 1) if scale is None else scale
    numbers = sorted(keep)
    for number in numbers[target:]:
        steps.append(Step(Action.REMOVE, number, keep.pop(number), "scaled down"))
    for number, info in sorted(keep.items()):
        steps.append(_converge_one(number, info, desired_hash, strategy, force_reason, start))
    next_number = max(numbers, default=0) + 1
    for _ in range(target - len(keep)):
        steps.append(Step(Action.CREATE, next_number))
        next_number += 1
    return Plan(service, tuple(steps), start, image_id)


def _converge_one(number: int, info: ContainerInfo, desired_hash: str, strategy: Strategy, force_reason: str,
                  start: bool) -> Step:
    running = info.state in LIVE_STATES
    if strategy is not Strategy.NEVER:
        if strategy is Strategy.ALWAYS:
            return Step(Action.RECREATE, number, info, "forced")
        if L.read(info.labels, L.LABEL_CONFIG_HASH) != desired_hash:
            return Step(Action.RECREATE, number, info, "configuration changed")
        if force_reason:
            return Step(Action.RECREATE, number, info, force_reason)
    if running or not start:
        return Step(Action.NOOP, number, info)
    return Step(Action.START, number, info)


def _flatten(value: object, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value and all(isinstance(i, list) and len(i) == 2 for i in value):
        return _flatten({str(k): v for k, v in value}, prefix)  # key/value pairs such as environment
    return {prefix: value}


def changed_fields(old: dict[str, object] | None, new: dict[str, object]) -> list[str]:
    """Human-readable differences between two configurations, e.g. 'environment.DEBUG: "0" -> "1"'."""
    if old is None:
        return ["configuration unknown (made by another version)"]
    before, after = _flatten(old), _flatten(new)
    changes = []
    for key in sorted(before.keys() | after.keys()):
        if before.get(key) != after.get(key):
            changes.append(f"{key}: {_show(before.get(key))} -> {_show(after.get(key))}")
    return changes


def _show(value: object) -> str:
    return "unset" if value is None else json.dumps(value)
