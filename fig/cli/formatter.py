"""Plain text tables for `ps` and friends, and `ps --format json`'s rows."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from fig.backend.base import ContainerInfo, ContainerState


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "   ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    rule = "-" * (sum(widths) + 3 * (len(widths) - 1))
    return "\n".join([line(headers), rule] + [line(r) for r in rows]) + "\n"


def ps_json(info: ContainerInfo, *, project: str, service: str) -> dict[str, Any]:
    """A container as Compose v2's `ps --format json` describes it (the fields its clients parse)."""
    ports = sorted(set(info.ports), key=lambda p: (p.container_port, p.protocol, ":" in (p.host_ip or ""),
                                                   p.host_ip or ""))
    publishers = [{"URL": p.host_ip or "", "TargetPort": p.container_port, "PublishedPort": p.host_port or 0,
                   "Protocol": p.protocol} for p in ports]
    stopped = info.state in (ContainerState.EXITED, ContainerState.DEAD)
    return {
        "ID": info.id, "Name": info.name, "Names": list(info.names or (info.name,)), "Image": info.image,
        "Command": info.command, "Project": project, "Service": service, "Created": _unix(info.created),
        "State": info.state.value, "Status": info.status, "Health": info.health or "",
        "ExitCode": info.exit_code if stopped else 0, "Publishers": publishers, "Labels": dict(info.labels),
        "Mounts": [m.name or m.source or m.target for m in info.mounts], "Networks": list(info.networks),
        "LocalVolumes": sum(1 for m in info.mounts if m.type == "volume"),
    }


def _unix(created: str) -> int:
    """The engine lists creation times in unix seconds and inspects them as RFC 3339."""
    if created.isdigit():
        return int(created)
    try:
        return int(datetime.datetime.fromisoformat(created[:26].rstrip("Z") + "+00:00").timestamp())
    except ValueError:
        return 0
