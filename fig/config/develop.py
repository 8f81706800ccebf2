"""`develop.watch`: the rules `fig watch` follows, read from a service's validated mapping."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from typing import Any

from fig.config.hooks import ExecHook, read_hook
from fig.config.values import strings
from fig.errors import ConfigError
from fig.records import field, record

SYNC_ACTIONS = ("sync", "sync+restart", "sync+exec")
ACTIONS = (*SYNC_ACTIONS, "rebuild", "restart")


@record(frozen=True, slots=True)
class WatchRule:
    path: str  # absolute, on the host
    action: str  # one of ACTIONS
    target: str | None = None  # absolute, in the container (the sync actions)
    ignore: tuple[str, ...] = ()  # .dockerignore patterns, relative to path
    include: tuple[str, ...] = ()  # the same; when given, a file must match one
    initial_sync: bool = False
    exec: ExecHook | None = None
    origin: str = field(default="", compare=False)  # "fig.yml:7: service 'web': 'develop.watch' item 2"

    @property
    def syncs(self) -> bool:
        return self.action in SYNC_ACTIONS


def read_watch(raw: Any, *, where: Callable[[int], str], resolve: Callable[[str], str],
               environ: Mapping[str, str]) -> tuple[WatchRule, ...]:
    """The rules of a service's `develop` mapping (already checked against the schema). `where(i)` names rule i
    in errors; `resolve` makes a host path absolute from the file's directory."""
    rules = []
    for index, item in enumerate((raw or {}).get("watch") or []):
        origin = where(index)
        rules.append(_rule(item, origin, resolve, environ))
    return tuple(rules)


def _rule(item: dict[str, Any], origin: str, resolve: Callable[[str], str], environ: Mapping[str, str]) -> WatchRule:
    action, target = item["action"], item.get("target")
    label = f"{origin} (path {item['path']})"
    if action in SYNC_ACTIONS:
        if not target:
            raise ConfigError(f"{label}: action {action} needs a 'target', the path in the container to copy to")
        if not posixpath.isabs(target):
            raise ConfigError(f"{label}: 'target' {target!r} must be an absolute path in the container")
    elif target is not None:
        raise ConfigError(f"{label}: 'target' applies only to the sync actions, not {action}")
    if ("exec" in item) != (action == "sync+exec"):
        raise ConfigError(f"{label}: action sync+exec needs 'exec' (and 'exec' applies only to sync+exec)")
    if item.get("initial_sync") and action not in SYNC_ACTIONS:
        raise ConfigError(f"{label}: 'initial_sync' applies only to the sync actions, not {action}")
    hook = None
    if "exec" in item:
        try:
            hook = read_hook(item["exec"], environ)
        except ConfigError as e:
            raise ConfigError(f"{label}: 'exec.{str(e)[1:]}") from None
    return WatchRule(resolve(item["path"]), action, posixpath.normpath(target) if target else None,
                     strings(item.get("ignore")), strings(item.get("include")), bool(item.get("initial_sync")),
                     hook, origin)
