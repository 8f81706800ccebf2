"""Scalar value syntaxes of the compose format: sizes, durations, KEY=VALUE lists, words; parsed and printed."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import Any

from fig.errors import ConfigError
from fig.patterns import pattern

_UNITS = {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_DURATION = pattern(r"(\d+(?:\.\d+)?)(us|ms|s|m|h)")
_DURATION_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_size(value: str | int, what: str) -> int:
    """512m, 1g, 1.5k, 1024 (bytes) -> bytes."""
    if isinstance(value, bool):
        raise ConfigError(f"{what} {value!r} is not a size such as 512m or 1g")
    if isinstance(value, int):
        if value < 0:
            raise ConfigError(f"{what} {value!r} must not be negative")
        return value
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([bkmgt])?b?\s*", str(value).lower())
    if not m:
        raise ConfigError(f"{what} {value!r} is not a size such as 512m or 1g")
    return int(float(m[1]) * _UNITS[m[2] or "b"])


def format_size(value: int) -> str | int:
    """The shortest exact way to write a size: 67108864 -> '64m'; sizes that are no whole unit stay integers."""
    for unit in "tgmk":
        if value and value % _UNITS[unit] == 0:
            return f"{value // _UNITS[unit]}{unit}"
    return value


def parse_duration(value: str | float, what: str) -> float:
    """10s, 1m30s, 500ms, 2h, or a number of seconds -> seconds."""
    if isinstance(value, bool):
        raise ConfigError(f"{what} {value!r} is not a duration such as 10s or 1m30s")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ConfigError(f"{what} {value!r} must not be negative")
        return float(value)
    text = value.strip()
    if not text or _DURATION.sub("", text):
        raise ConfigError(f"{what} {value!r} is not a duration such as 10s or 1m30s")
    return sum(float(n) * _DURATION_UNITS[u] for n, u in _DURATION.findall(text))


def format_duration(seconds: float) -> str:
    """90.0 -> '1m30s', 0.5 -> '500ms'; exact for whole milliseconds."""
    millis = round(seconds * 1000)
    if millis == 0:
        return "0s"
    parts = []
    for unit, size in (("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)):
        count, millis = divmod(millis, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def scalar_text(value: Any) -> str:
    """How a YAML scalar reads as an environment value: booleans lowercase, integers in decimal, other numbers
    as Go prints them (compose does): 1e3 is 1000, 1e6 is 1e+06."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float(value)
    return str(value)


def _go_float(value: float) -> str:
    """Go's %v of a float64: the shortest digits that read back the same, with an exponent from 1e6 and below
    1e-4 (as Go's %g with the shortest precision does)."""
    if value != value or value in (float("inf"), float("-inf")):
        return {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}[repr(value)]
    from decimal import Decimal  # only floats that are printed (issue 22: start-up)

    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    point = len(digits) + int(exponent)  # where the decimal point falls after the first digits
    minus = "-" if sign else ""
    if not any(digits):
        return minus + "0"
    if point - 1 < -4 or point - 1 >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{minus}{mantissa}e{point - 1:+03d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{text}"
    if point >= len(text):
        return minus + text + "0" * (point - len(text))
    return f"{minus}{text[:point]}.{text[point:]}"


def pairs(value: Any, environ: Mapping[str, str], sep: str = "=") -> list[tuple[str, str | None]]:
    """A KEY=VALUE list or a mapping, as pairs; a bare KEY takes the caller's value (None when unset)."""
    if isinstance(value, dict):
        items = list(value.items())
    else:
        items = [(k, v if s else None) for k, s, v in (str(i).partition(sep) for i in value or [])]
    result: list[tuple[str, str | None]] = []
    for key, val in items:
        if val is None:
            result.append((str(key), environ.get(str(key))))
        else:
            result.append((str(key), scalar_text(val)))
    return result


def words(value: Any) -> tuple[str, ...] | None:
    """A command: a string split like a shell would, or a list taken as is."""
    if value is None:
        return None
    if isinstance(value, str):
        import shlex  # a command written as one string

        try:
            return tuple(shlex.split(value))
        except ValueError as e:
            raise ConfigError(f"{value!r} cannot be split into words like a shell would: {str(e).lower()}") from None
    return tuple(str(v) for v in value)


def strings(value: Any) -> tuple[str, ...]:
    """A string or a list of strings, as a tuple."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def container_path(text: str) -> str:
    """A path inside a container, cleaned as compose cleans it: `/var/www/html/` -> `/var/www/html`, `//` ->
    `/`, `.` and `..` resolved."""
    if not text:
        return text
    cleaned = posixpath.normpath(text)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned
