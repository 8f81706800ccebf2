"""Commands run in a service's containers: the lifecycle hooks `post_start` and `pre_stop`, and the `exec` of
`develop.watch`'s sync+exec rules (the compose spec's `service_hook`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fig.config import checks
from fig.config.values import container_path, pairs, words
from fig.errors import ConfigError
from fig.records import record


@record(frozen=True, slots=True)
class ExecHook:
    """A command run (by exec) in a running container, with its own user, privileges, directory and variables."""

    command: tuple[str, ...]
    user: str | None = None
    privileged: bool = False
    working_dir: str | None = None
    environment: tuple[tuple[str, str], ...] = ()


def read_hook(raw: Mapping[str, Any], environ: Mapping[str, str]) -> ExecHook:
    """One hook, already checked against the schema. An error names the hook's key ("'command' is empty");
    a bare KEY in `environment` takes its value from `environ` (left out when unset)."""
    command = words(raw["command"]) or ()
    if not command or not command[0]:
        raise ConfigError("'command' is empty")
    user, working_dir = raw.get("user"), raw.get("working_dir")
    for key, check in (("user", checks.user), ("working_dir", checks.absolute_path), ("environment", checks.pair_keys)):
        try:
            if raw.get(key) is not None:
                check(raw[key])
        except ConfigError as e:
            raise ConfigError(f"'{key}' {e}") from None
    return ExecHook(command, None if user is None else str(user), _flag(raw.get("privileged", False)),
                    None if working_dir is None else container_path(working_dir),
                    tuple((k, v) for k, v in pairs(raw.get("environment"), environ) if v is not None))


def _flag(value: bool | str) -> bool:
    """`privileged`: a boolean, or (the spec allows it, for a variable) the text true or false."""
    if isinstance(value, bool):
        return value
    if value.lower() not in ("true", "false"):
        raise ConfigError(f"'privileged' {value!r} must be true or false")
    return value.lower() == "true"
