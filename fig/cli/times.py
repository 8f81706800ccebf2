"""Points in time as docker's --since and --until take them: RFC 3339, unix seconds, or a duration back from now."""

from __future__ import annotations

import datetime
import re
import time

from fig.errors import UserError

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_DATES = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


def _duration(text: str) -> float | None:
    """Go's time.ParseDuration: 10m, 1h30m, 1.5s."""
    if not text or _DURATION.sub("", text) != "":
        return None
    return sum(float(n) * _UNITS[unit] for n, unit in _DURATION.findall(text))


def unix_seconds(text: str, flag: str, *, now: float | None = None) -> float:
    """`10m` (ten minutes ago), `1712345678[.5]`, or an RFC 3339 time (a time without a zone is local)."""
    now = time.time() if now is None else now
    value = text.strip()
    back = _duration(value)
    if back is not None:
        return now - back
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        stamp = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        stamp = None
        for layout in _DATES:
            try:
                stamp = datetime.datetime.strptime(value, layout)
                break
            except ValueError:
                continue
    if stamp is None:
        raise UserError(f"{flag} takes an RFC 3339 time, unix seconds or a duration like 10m, not {text!r}")
    return stamp.timestamp()
