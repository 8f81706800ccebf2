"""Reading docopt options: numbers, timeouts, output formats, colour and SERVICE=NUM pairs."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from fig.errors import UserError

if TYPE_CHECKING:  # every command reads its options here: what only some use is imported when they do
    from fig.cli.dialect import Dialect
    from fig.cli.log_printer import LogStyle
    from fig.project import Project


def json_format(options: dict[str, Any]) -> bool:
    return choice(options, "--format", ("text", "json"), default="text") == "json"


def choice(options: dict[str, Any], key: str, values: tuple[str, ...], *, default: str | None = None) -> str:
    """An option that takes one of a few words; anything else is one line naming the option and the words."""
    value = options.get(key) or default
    if value not in values:
        raise UserError(f"{key} must be {', '.join(values[:-1])} or {values[-1]}, not {value!r}")
    return str(value)


def boolean(options: dict[str, Any], key: str, default: bool) -> bool:
    """A `--flag=true|false` option, as Compose v2's boolean flags take them."""
    value = options.get(key)
    if value is None:
        return default
    word = str(value).lower()
    if word not in ("true", "false", "1", "0"):
        raise UserError(f"{key} must be true or false, not {value!r}")
    return word in ("true", "1")


STATES = ("created", "running", "paused", "restarting", "removing", "exited", "dead")


class PsQuery(NamedTuple):
    """Which containers `ps` lists and how it prints them."""

    all: bool
    states: frozenset[str]
    orphans: bool
    json: bool
    no_trunc: bool


def ps_query(options: dict[str, Any], dialect: Dialect) -> PsQuery:
    states = list(options["--status"])
    for item in options["--filter"]:
        key, sep, value = item.partition("=")
        if key != "status" or not sep:
            raise UserError(f"--filter {item!r}: only status=STATE is supported")
        states.append(value)
    for state in states:
        if state not in STATES:
            raise UserError(f"--status must be one of {', '.join(STATES)}, not {state!r}")
    return PsQuery(all=options["--all"] or bool(states) or dialect.ps_all, states=frozenset(states),
                   orphans=boolean(options, "--orphans", dialect.ps_orphans),
                   json=choice(options, "--format", ("table", "json")) == "json", no_trunc=options["--no-trunc"])


def timeout(options: dict[str, Any]) -> int | None:
    """-t/--timeout, or None when not given (each service's stop_grace_period then decides)."""
    return None if options["--timeout"] is None else integer(options, "--timeout", minimum=0)


def wait_for(options: dict[str, Any], dialect: Dialect) -> float | None:
    """--wait with --wait-timeout SECS (0: no limit; not given: the dialect's default) as seconds, or None."""
    if not options["--wait"]:
        return None
    if options["--wait-timeout"] is None:
        return float("inf") if dialect.wait_timeout is None else dialect.wait_timeout
    seconds = integer(options, "--wait-timeout")
    if seconds < 0:
        raise UserError(f"--wait-timeout must be a number of seconds, not {options['--wait-timeout']!r}")
    return seconds or float("inf")


def signal_name(options: dict[str, Any]) -> str:
    """-s/--signal: a signal's name (KILL, SIGKILL, sigterm) or number, as the engine takes it."""
    import signal

    value = str(options["--signal"])
    name = value.upper() if value.upper().startswith("SIG") else f"SIG{value.upper()}"
    if value.isdigit() and 0 < int(value) < 65:
        return value
    if name not in signal.Signals.__members__:
        raise UserError(f"--signal must be a signal such as SIGTERM, KILL or 9, not {value!r}")
    return name


def key_values(items: list[str], flag: str, variables: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """Repeated KEY=VAL values; a KEY alone takes the value it has in `variables` (default: this environment),
    or is left out."""
    source = os.environ if variables is None else variables
    result = []
    for pair in items:
        name, sep, value = pair.partition("=")
        if not name:
            raise UserError(f"Invalid {flag} {pair!r}: use KEY=VALUE")
        if sep:
            result.append((name, value))
        elif name in source:
            result.append((name, source[name]))
    return result


def setting(project: Project, name: str) -> bool:
    """A COMPOSE_* switch from the environment or .env, read as Compose v2 reads it (y, 1, t, true: on)."""
    return dict(project.config.variables).get(name, "").strip().lower() in ("y", "1", "t", "true")


def remove_orphans(options: dict[str, Any], project: Project) -> bool:
    """--remove-orphans, or COMPOSE_REMOVE_ORPHANS."""
    return bool(options["--remove-orphans"]) or setting(project, "COMPOSE_REMOVE_ORPHANS")


def integer(options: dict[str, Any], key: str, *, minimum: int | None = None) -> int:
    value = options[key]
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise UserError(f"{key} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise UserError(f"{key} must be {minimum} or more, not {value!r}")
    return number


ANSI = ("never", "always", "auto")


_DURATION = r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)"  # compiled when first used (re caches it), not at start-up
_UNIT = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def moment(options: dict[str, Any], key: str) -> str | None:
    """A time given as RFC 3339 (2013-01-02T13:23:37Z; no zone is local time), unix seconds, or a duration
    back from now (42m, 1h30m), as the RFC 3339 UTC text the backend takes."""
    import datetime

    value = options.get(key)
    if value is None:
        return None
    text = str(value).strip()
    if text and re.sub(_DURATION, "", text) == "":
        stamp = time.time() - sum(float(n) * _UNIT[unit] for n, unit in re.findall(_DURATION, text))
    elif re.fullmatch(r"\d+(\.\d+)?", text):
        stamp = float(text)
    else:
        try:
            stamp = datetime.datetime.fromisoformat(text).timestamp()
        except ValueError:
            raise UserError(f"{key} must be a time (2013-01-02T13:23:37Z), unix seconds or a duration (42m), "
                            f"not {value!r}") from None
    moment = datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def colored(options: dict[str, Any], ansi: str = "auto") -> bool:
    """Colour on a terminal unless NO_COLOR is set; `--ansi always|never` and `--no-color` decide instead."""
    if options.get("--no-color") or ansi == "never":
        return False
    return ansi == "always" or (sys.stdout.isatty() and not os.environ.get("NO_COLOR"))


def log_style(options: dict[str, Any], ansi: str, *, timestamps: str) -> LogStyle:
    """`--timestamps` puts `timestamps` ("engine" or "client") in front of each line; `--no-log-prefix` drops
    the "name | " prefix."""
    from fig.cli.log_printer import LogStyle

    return LogStyle(colored=colored(options, ansi), json_lines=json_format(options),
                    prefix=not options.get("--no-log-prefix"), timestamps=timestamps if options.get("--timestamps")
                    else "")


def scale_counts(pairs: list[str]) -> dict[str, int]:
    """SERVICE=NUM pairs as counts by service name (the last pair of a name wins); names are not checked."""
    counts: dict[str, int] = {}
    for pair in pairs:
        if re.fullmatch(r"[^=]+=-\d+", pair):
            raise UserError(f"Invalid scale argument {pair!r}: use SERVICE=NUMBER, e.g. web=2 (a number of "
                            "containers cannot be negative)")
        m = re.fullmatch(r"([^=]+)=(\d+)", pair)
        if not m:
            raise UserError(f"Invalid scale argument {pair!r}: use SERVICE=NUMBER, e.g. web=2")
        counts[m[1]] = int(m[2])
    return counts


def parse_scale(pairs: list[str], project: Project) -> dict[str, int]:
    """SERVICE=NUM pairs of the project's services."""
    counts = scale_counts(pairs)
    for name in counts:
        project.service(name)
    return counts
