"""A container's port as the engine binds it: the one type fig's requests (fig.backend.specs), its containers'
infos (fig.backend.base) and Swarm's tasks (fig.backend.swarmtypes) share."""

from __future__ import annotations

from fig.records import record


@record(frozen=True, slots=True)
class PortBinding:
    """A container port, and where the host publishes it (an address and port, when it does)."""

    container_port: int
    protocol: str = "tcp"
    host_ip: str | None = None
    host_port: int | None = None
    host_port_end: int | None = None  # asked for at create: the last of a range the engine picks one free port from
