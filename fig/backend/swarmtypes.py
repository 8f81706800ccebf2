"""What a Swarm manager tells about its services, tasks, nodes, networks, secrets and configs (fig.swarm and
the backend's swarm calls)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fig.records import field, record

if TYPE_CHECKING:
    from fig.backend.ports import PortBinding


# Service specs travel as the Engine API's ServiceSpec mappings: they are declarative already, fig.swarm builds and
# compares them, and the engine stores them as sent.


@record(frozen=True, slots=True)
class SwarmInfo:
    state: str  # inactive, pending, active, error, locked
    manager: bool  # this engine can change services (a manager with the control plane up)
    node_id: str = ""


@record(frozen=True, slots=True)
class ServiceInfo:
    id: str
    name: str
    version: int
    spec: Mapping[str, Any]
    previous_spec: Mapping[str, Any] | None = None
    update_state: str | None = None  # updating, paused, completed, rollback_started, rollback_paused, ...
    update_message: str = ""

    @property
    def labels(self) -> Mapping[str, str]:
        return dict(self.spec.get("Labels") or {})


@record(frozen=True, slots=True)
class TaskInfo:
    id: str
    service_id: str
    slot: int | None  # None for a global service's tasks (one per node)
    node_id: str
    desired_state: str  # running, shutdown, complete, ...
    state: str  # new ... starting, running, complete, failed, rejected, shutdown, orphaned
    message: str = ""
    error: str = ""
    container_id: str | None = None
    exit_code: int | None = None
    ports: tuple[PortBinding, ...] = ()
    timestamp: str = ""


@record(frozen=True, slots=True)
class SwarmObject:
    """A secret or a config (the engine never gives their content back)."""

    id: str
    name: str
    labels: Mapping[str, str]


@record(frozen=True, slots=True)
class NodeInfo:
    id: str
    hostname: str
    state: str
    availability: str
    role: str
    labels: Mapping[str, str] = field(default_factory=dict)


@record(frozen=True, slots=True)
class NetworkInfo:
    id: str
    name: str
    driver: str
    scope: str
    labels: Mapping[str, str] = field(default_factory=dict)
