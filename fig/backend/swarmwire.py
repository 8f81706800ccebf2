"""The Engine API's JSON for Swarm: fig's infos from services, tasks, nodes, networks, secrets and configs, and
the bodies that make them. No I/O here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fig.backend.ports import PortBinding

if TYPE_CHECKING:  # loaded by the swarm calls that read them, not by every command
    from fig.backend.swarmtypes import NetworkInfo, NodeInfo, ServiceInfo, SwarmInfo, SwarmObject, TaskInfo


def swarm_from_info(info: Mapping[str, Any]) -> SwarmInfo:
    from fig.backend.swarmtypes import SwarmInfo

    swarm = info.get("Swarm") or {}
    return SwarmInfo(str(swarm.get("LocalNodeState") or "inactive"), bool(swarm.get("ControlAvailable")),
                     str(swarm.get("NodeID") or ""))


def service_from_json(raw: Mapping[str, Any]) -> ServiceInfo:
    from fig.backend.swarmtypes import ServiceInfo

    status = raw.get("UpdateStatus") or {}
    return ServiceInfo(raw["ID"], raw["Spec"]["Name"], int(raw["Version"]["Index"]), raw["Spec"],
                       raw.get("PreviousSpec"), status.get("State"), str(status.get("Message") or ""))


def task_from_json(raw: Mapping[str, Any]) -> TaskInfo:
    from fig.backend.swarmtypes import TaskInfo

    status = raw.get("Status") or {}
    container = status.get("ContainerStatus") or {}
    ports = tuple(dict.fromkeys(PortBinding(int(p["TargetPort"]), p.get("Protocol", "tcp"), None,
                                            p.get("PublishedPort"))
                                for p in (status.get("PortStatus") or {}).get("Ports") or ()))
    exit_code = container.get("ExitCode")
    return TaskInfo(raw["ID"], raw["ServiceID"], raw.get("Slot"), str(raw.get("NodeID") or ""),
                    str(raw.get("DesiredState") or ""), str(status.get("State") or ""),
                    str(status.get("Message") or ""), str(status.get("Err") or ""),
                    container.get("ContainerID") or None, None if exit_code is None else int(exit_code), ports,
                    str(status.get("Timestamp") or ""))


def node_from_json(raw: Mapping[str, Any]) -> NodeInfo:
    from fig.backend.swarmtypes import NodeInfo

    spec = raw.get("Spec") or {}
    return NodeInfo(raw["ID"], str((raw.get("Description") or {}).get("Hostname") or ""),
                    str((raw.get("Status") or {}).get("State") or ""), str(spec.get("Availability") or ""),
                    str(spec.get("Role") or ""), dict(spec.get("Labels") or {}))


def network_from_json(raw: Mapping[str, Any]) -> NetworkInfo:
    from fig.backend.swarmtypes import NetworkInfo

    return NetworkInfo(raw["Id"], raw["Name"], str(raw.get("Driver") or ""), str(raw.get("Scope") or ""),
                       dict(raw.get("Labels") or {}))


def object_from_json(raw: Mapping[str, Any]) -> SwarmObject:
    from fig.backend.swarmtypes import SwarmObject

    spec = raw.get("Spec") or {}
    return SwarmObject(raw["ID"], spec["Name"], dict(spec.get("Labels") or {}))


def object_body(name: str, data: bytes, labels: Mapping[str, str]) -> dict[str, Any]:
    """The body of POST /secrets/create or /configs/create."""
    import base64

    return {"Name": name, "Labels": dict(labels), "Data": base64.b64encode(data).decode("ascii")}


def label_filters(labels: Mapping[str, str], **others: list[str]) -> dict[str, list[str]]:
    """A `filters` value: every label must match (KEY=VALUE, or KEY alone for any value)."""
    return {"label": [f"{k}={v}" if v else k for k, v in labels.items()], **others}
