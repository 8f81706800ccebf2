"""The keys whose value is a boolean or a number that a file may write as text, `${VAR}` above all: compose
interpolates first and then types the value (`read_only: ${RO}`, `replicas: ${N:-2}`, `retries: $X`).

A string at one of these places becomes the boolean or number it spells, the way compose-go casts it: a boolean
is true or false in any case, or y, yes, on, n, no, off (which YAML 1.2 leaves as text); an integer is decimal
digits with an optional sign (so a file mode written "0440" is 440, as compose-go reads it); a number may have a
fraction and an exponent. Anything else is one line naming the file, service and key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fig.errors import ConfigError
from fig.logs import logger
from fig.patterns import pattern

log = logger(__name__)

ANY = "*"  # any name, or any item of a list
_BOOLEANS = {"true": True, "false": False, "y": True, "yes": True, "on": True, "n": False, "no": False,
             "off": False}
_INTEGER = pattern(r"[-+]?[0-9]+\Z")
_NUMBER = pattern(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")


def _boolean(text: str) -> bool:
    value = _BOOLEANS.get(text.lower())
    if value is None:
        raise ValueError("a boolean (true or false)")
    return value


def _integer(text: str) -> int:
    if not _INTEGER.match(text):
        raise ValueError("an integer")
    return int(text)


def _number(text: str) -> float:
    if not _NUMBER.match(text):
        raise ValueError("a number")
    return float(text)


_SERVICE: dict[tuple[str, ...], Callable[[str], Any]] = {
    **{(key,): _boolean for key in ("attach", "init", "oom_kill_disable", "privileged", "read_only", "stdin_open",
                                    "tty")},
    **{(key,): _integer for key in ("scale", "cpu_count", "cpu_percent", "oom_score_adj", "pids_limit",
                                    "mem_swappiness", "cpu_shares")},
    ("healthcheck", "disable"): _boolean, ("healthcheck", "retries"): _integer,
    ("volumes", ANY, "read_only"): _boolean, ("volumes", ANY, "bind", "create_host_path"): _boolean,
    ("volumes", ANY, "volume", "nocopy"): _boolean, ("depends_on", ANY, "restart"): _boolean,
    ("env_file", ANY, "required"): _boolean, ("ports", ANY, "target"): _integer,
    ("secrets", ANY, "mode"): _integer, ("configs", ANY, "mode"): _integer,
    ("ulimits", ANY): _integer, ("ulimits", ANY, "soft"): _integer, ("ulimits", ANY, "hard"): _integer,
    ("blkio_config", "weight"): _integer, ("blkio_config", "weight_device", ANY, "weight"): _integer,
    ("deploy", "replicas"): _integer, ("deploy", "restart_policy", "max_attempts"): _integer,
    ("deploy", "placement", "max_replicas_per_node"): _integer, ("deploy", "resources", "limits", "pids"): _integer,
    ("deploy", "update_config", "parallelism"): _integer, ("deploy", "rollback_config", "parallelism"): _integer,
    ("deploy", "update_config", "max_failure_ratio"): _number,
    ("deploy", "rollback_config", "max_failure_ratio"): _number,
}
_TOP: dict[tuple[str, ...], Callable[[str], Any]] = {
    **{(section, ANY, "external"): _boolean for section in ("networks", "volumes", "secrets", "configs")},
    **{("networks", ANY, key): _boolean for key in ("internal", "attachable", "enable_ipv6")},
}
_LAST = {pattern[-1] for pattern in (*_SERVICE, *_TOP) if pattern[-1] != ANY}


def _lookup(table: dict[tuple[str, ...], Callable[[str], Any]], path: Sequence[Any]) -> Callable[[str], Any] | None:
    exact = table.get(tuple(path))
    if exact:
        return exact
    for key, cast in table.items():
        if len(key) == len(path) and all(p == ANY or p == k for p, k in zip(key, path)):
            return cast
    return None


def caster(path: Sequence[Any], *, legacy: bool) -> Callable[[str], Any] | None:
    """How to type a string found at `path` of a document (a Fig-format one starts at the service name), or
    None when the text stays text."""
    if not path or (path[-1] not in _LAST and not (len(path) > 1 and path[-2] == "ulimits")):
        return None
    if legacy:
        return _lookup(_SERVICE, path[1:])
    if path[0] == "services" and len(path) > 2:
        return _lookup(_SERVICE, path[2:])
    return _lookup(_TOP, path)


def cast(text: str, convert: Callable[[str], Any], where: str) -> Any:
    try:
        value = convert(text)
    except ValueError as e:
        shown = f"the string {text!r}" if len(text) < 40 else "a string"
        raise ConfigError(f"{where} must be {e}, not {shown}") from None
    if convert is _boolean and text.lower() not in ("true", "false"):
        log.warning("%s: %r for a boolean is not YAML 1.2, read as %s: write %s", where, text,
                    str(value).lower(), str(value).lower())
    return value
