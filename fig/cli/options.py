"""Reading docopt options: numbers, timeouts, output formats, colour and SERVICE=NUM pairs."""

from __future__ import annotations

import re
import sys
from typing import Any

from fig.errors import UserError
from fig.project import Project


def json_format(options: dict[str, Any]) -> bool:
    fmt = options.get("--format") or "text"
    if fmt not in ("text", "json"):
        raise UserError(f"--format must be text or json, not {fmt!r}")
    return fmt == "json"


def timeout(options: dict[str, Any]) -> int | None:
    """-t/--timeout, or None when not given (each service's stop_grace_period then decides)."""
    return None if options["--timeout"] is None else integer(options, "--timeout")


def integer(options: dict[str, Any], key: str) -> int:
    value = options[key]
    try:
        return int(value)
    except (TypeError, ValueError):
        raise UserError(f"{key} must be a whole number, not {value!r}") from None


def colored(options: dict[str, Any]) -> bool:
    return not options.get("--no-color") and sys.stdout.isatty()


def parse_scale(pairs: list[str], project: Project) -> dict[str, int]:
    counts: dict[str, int] = {}
    for pair in pairs:
        m = re.fullmatch(r"([^=]+)=(\d+)", pair)
        if not m:
            raise UserError(f"Invalid scale argument {pair!r}: use SERVICE=NUMBER, e.g. web=2")
        project.service(m[1])
        counts[m[1]] = int(m[2])
    return counts
