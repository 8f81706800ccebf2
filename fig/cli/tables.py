"""The rows and units of the looking commands as Compose v2 shows them (ps, images, top, stats, ls, events), laid out
as docker's tabwriter lays them out: each column as wide as its widest cell plus a gap, the last one unpadded."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fig.patterns import pattern

if TYPE_CHECKING:
    import datetime

    from fig.backend.answers import EngineEvent, ImageInfo
    from fig.backend.ports import PortBinding
    from fig.container import Container
    from fig.running import Usage

_RFC3339 = pattern(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?")
_DECIMAL = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")
_BINARY = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")


def aligned(headers: Sequence[str], rows: Sequence[Sequence[str]], *, minwidth: int, padding: int) -> str:
    """Go's text/tabwriter(minwidth, 1, padding) with spaces: a table with no rows is still its header."""
    widths = [max(minwidth, max(len(r[i]) for r in [headers, *rows]) + padding) for i in range(len(headers) - 1)]
    return "".join("".join(cell.ljust(w) for cell, w in zip(row, widths)) + row[-1] + "\n"
                   for row in [headers, *rows])


def _scaled(size: float, base: float, units: Sequence[str]) -> tuple[float, str]:
    i = 0
    while size >= base and i < len(units) - 1:
        size /= base
        i += 1
    return size, units[i]


def decimal_size(size: float) -> str:
    """docker's HumanSizeWithPrecision(size, 3): 1.99MB, 266B."""
    value, unit = _scaled(size, 1000.0, _DECIMAL)
    return f"{value:.3g}{unit}"


def binary_size(size: float) -> str:
    """docker's BytesSize: 7.504MiB."""
    value, unit = _scaled(size, 1024.0, _BINARY)
    return f"{value:.4g}{unit}"


def ago(stamp: str, now: float | None = None) -> str:
    """An RFC 3339 time as docker says how long ago it was (`now` in seconds since 1970, default: now): "3 minutes
    ago", "About an hour ago"."""
    then = unix_seconds(stamp)
    if then is None:
        return "N/A"
    return _duration((time.time() if now is None else now) - then) + " ago"


def _duration(seconds: float) -> str:
    minutes, hours = int(seconds / 60), round(seconds / 3600)
    steps = [(seconds < 1, "Less than a second"), (int(seconds) == 1, "1 second"),
             (seconds < 60, f"{int(seconds)} seconds"), (minutes == 1, "About a minute"),
             (minutes < 60, f"{minutes} minutes"), (hours == 1, "About an hour"), (hours < 48, f"{hours} hours"),
             (hours < 24 * 14, f"{hours // 24} days"), (hours < 24 * 60, f"{hours // 24 // 7} weeks"),
             (hours < 24 * 730, f"{hours // 24 // 30} months")]
    return next((text for hit, text in steps if hit), f"{int(seconds / 3600) // 24 // 365} years")


def unix_seconds(stamp: str) -> float | None:
    """Seconds since 1970 of the engine's RFC 3339 times (nanoseconds and all, UTC when no zone is given), or of
    unix seconds (as container lists give them); None for none, Go's zero time, or what is neither. Reckoned here
    rather than with `datetime`, whose import was 2 ms of `ps` and `images`."""
    if not stamp or stamp.startswith("0001-"):
        return None
    if stamp.isdigit():
        return float(stamp)
    m = _RFC3339.fullmatch(stamp)
    if not m:
        return None
    year, month, day, hour, minute, second = (int(part) for part in m.groups()[:6])
    if not (1 <= month <= 12 and 1 <= day <= _month_days(year, month) and hour < 24 and minute < 60 and second < 60):
        return None
    zone = m[8] or "Z"
    offset = 0 if zone == "Z" else (-1 if zone[0] == "-" else 1) * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return _days_since_1970(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset + float(m[7] or 0)


def _month_days(year: int, month: int) -> int:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if month == 2 and leap else (28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)


def _days_since_1970(year: int, month: int, day: int) -> int:
    """The Gregorian calendar's days from 1970-01-01 to the date, counted in 400-year cycles of 146,097 days from a
    year taken to begin in March (so that the leap day ends it)."""
    if month <= 2:
        year -= 1
    cycle, year_of_cycle = divmod(year, 400)
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1  # March is day 0
    day_of_cycle = year_of_cycle * 365 + year_of_cycle // 4 - year_of_cycle // 100 + day_of_year
    return cycle * 146097 + day_of_cycle - 719468  # 719,468 days from 0000-03-01 to 1970-01-01


# -- ps ---------------------------------------------------------------------------------------------------------

PS_HEADERS = ["NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"]


def ps_row(container: Container, *, trunc: bool) -> list[str]:
    """A container as Compose v2's `ps` table shows it: the command quoted (cut to 19 characters and an
    ellipsis unless --no-trunc), the creation time as "x ago", the engine's own status and docker's ports."""
    info = container.info
    command = info.command[:19] + "\u2026" if trunc and len(info.command) > 20 else info.command
    return [container.name, info.image, json.dumps(command, ensure_ascii=False), container.service,
            ago(info.created), info.status, displayable_ports(info.ports)]


def displayable_ports(ports: Sequence[PortBinding]) -> str:
    """docker's way of listing ports: consecutive ones published on the same port number they expose are
    grouped (0.0.0.0:8000-8001->8000-8001/tcp, 80-81/tcp), any other mapping is shown on its own after them."""
    groups: dict[tuple[str, str], list[list[int]]] = {}
    mappings = []
    for p in sorted(set(ports), key=lambda p: (p.container_port, p.host_port or 0, p.protocol, p.host_ip or "")):
        if p.host_ip and p.host_port != p.container_port:
            mappings.append(f"{p.host_ip}:{p.host_port}->{p.container_port}/{p.protocol}")
            continue
        runs = groups.setdefault((p.host_ip or "", p.protocol), [])
        if runs and runs[-1][1] + 1 == p.container_port:
            runs[-1][1] = p.container_port
        else:
            runs.append([p.container_port, p.container_port])
    shown = []
    for (ip, protocol), runs in groups.items():
        for first, last in runs:
            span = str(first) if first == last else f"{first}-{last}"
            shown.append(f"{ip}:{span}->{span}/{protocol}" if ip else f"{span}/{protocol}")
    return ", ".join(shown + mappings)


# -- images -------------------------------------------------------------------------------------------------

def repository_and_tag(reference: str) -> tuple[str, str]:
    """What a container's image reference names, as compose shows it: busybox -> (busybox, latest)."""
    if not reference or reference.startswith("sha256:"):
        return "<none>", "<none>"
    name = reference.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if "@" in reference and ":" not in last:
        return name, "<none>"
    if ":" in last:
        name, tag = name.rsplit(":", 1)
        return name, tag
    return name, "latest"


def image_rows(found: Sequence[tuple[Container, ImageInfo]]) -> list[list[str]]:
    rows = []
    for container, image in found:
        repository, tag = repository_and_tag(container.info.image)
        rows.append([container.name, repository, tag, image.platform, image.id.removeprefix("sha256:")[:12],
                     decimal_size(image.size), ago(image.last_tag_time or image.created)])
    return rows


def image_json(found: Sequence[tuple[Container, ImageInfo]]) -> str:
    items = []
    for container, image in found:
        repository, tag = repository_and_tag(container.info.image)
        items.append({"ID": image.id, "ContainerName": container.name, "Repository": repository, "Tag": tag,
                      "Platform": image.platform, "Size": image.size,
                      "LastTagTime": image.last_tag_time or image.created})
    return json.dumps(items, separators=(",", ":"))


# -- top ----------------------------------------------------------------------------------------------------

def process_table(found: Sequence[tuple[Container, list[str], list[list[str]]]]) -> tuple[list[str], list[list[str]]]:
    """One table of every container's processes: SERVICE, #, the titles in the order first met, CMD last."""
    return process_rows([(c.service, "" if c.oneoff else str(c.number), own,
                          processes) for c, own, processes in found])


def process_rows(found: Sequence[tuple[str, str, list[str], list[list[str]]]]) -> tuple[list[str], list[list[str]]]:
    """The same from (service, number or task slot, titles, processes) of each container."""
    titles: list[str] = []
    for _, _, own, _ in found:
        titles += [t for t in own if t not in titles and t != "CMD"]
    titles.append("CMD")
    rows = []
    for service, number, own, processes in found:
        for process in processes:
            cells = dict(zip(own, process))
            rows.append([service, number, *(cells.get(t, "-") for t in titles)])
    return ["SERVICE", "#", *titles], rows


# -- stats --------------------------------------------------------------------------------------------------

STATS_HEADERS = ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"]


def stats_cells(container: Container, use: Usage | None) -> dict[str, str]:
    """docker stats' fields, as strings; "--" for a container that is not running."""
    if use is None:
        cells = dict.fromkeys(["CPUPerc", "MemUsage", "MemPerc", "NetIO", "BlockIO", "PIDs"], "--")
    else:
        cells = {"CPUPerc": f"{use.cpu_percent:.2f}%",
                 "MemUsage": f"{binary_size(use.memory)} / {binary_size(use.memory_limit)}",
                 "MemPerc": f"{use.memory_percent:.2f}%",
                 "NetIO": f"{decimal_size(use.net_rx)} / {decimal_size(use.net_tx)}",
                 "BlockIO": f"{decimal_size(use.block_read)} / {decimal_size(use.block_write)}", "PIDs": str(use.pids)}
    return {"BlockIO": cells["BlockIO"], "CPUPerc": cells["CPUPerc"], "Container": container.short_id,
            "ID": container.short_id, "MemPerc": cells["MemPerc"], "MemUsage": cells["MemUsage"],
            "Name": container.name, "NetIO": cells["NetIO"], "PIDs": cells["PIDs"]}


def stats_row(cells: dict[str, str]) -> list[str]:
    return [cells[k] for k in ("ID", "Name", "CPUPerc", "MemUsage", "MemPerc", "NetIO", "BlockIO", "PIDs")]


# -- events -------------------------------------------------------------------------------------------------

def _local(event: EngineEvent) -> datetime.datetime:
    """The event's time in this machine's zone, to the microsecond (truncated, as Go formats it)."""
    import datetime

    seconds, nanos = divmod(event.time_nano, 1_000_000_000)
    return datetime.datetime.fromtimestamp(seconds).astimezone().replace(microsecond=nanos // 1000)


def _shown(event: EngineEvent) -> dict[str, str]:
    """The actor's attributes without the labels fig (or compose) keeps for itself."""
    return {k: v for k, v in sorted(event.attributes.items()) if not k.startswith(("io.fig.", "com.docker.compose."))}


def event_line(event: EngineEvent) -> str:
    """`2024-05-02 12:21:53.123456 container start <id> (image=busybox, name=demo_web_1)`."""
    attributes = ", ".join(f"{k}={v}" for k, v in _shown(event).items())
    return f"{_local(event):%Y-%m-%d %H:%M:%S.%f} container {event.action} {event.id} ({attributes})"


def event_json(service: str, event: EngineEvent) -> str:
    stamp = _local(event)
    nanos = event.time_nano % 1_000_000_000
    offset = stamp.strftime("%z")
    zone = "Z" if offset in ("+0000", "") else f"{offset[:3]}:{offset[3:]}"  # Go's RFC3339Nano
    time_text = stamp.strftime("%Y-%m-%dT%H:%M:%S") + (f".{nanos:09d}".rstrip("0") if nanos else "") + zone
    return json.dumps({"action": event.action, "attributes": _shown(event), "id": event.id, "service": service,
                       "time": time_text, "type": "container"}, separators=(",", ":"), sort_keys=True)
