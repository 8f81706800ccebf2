"""SwarmBackend's calls over the Engine API, a mixin of DockerBackend: each is one request through its `_call`."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fig import errors
from fig.backend import streams, swarmwire, wire
from fig.backend.base import LogLine
from fig.backend.unixhttp import path_of
from fig.logs import logger

if TYPE_CHECKING:  # loaded by the calls that use them, not by every command
    from fig.backend.specs import NetworkOptions
    from fig.backend.swarmtypes import NetworkInfo, NodeInfo, ServiceInfo, SwarmInfo, SwarmObject, TaskInfo

log = logger(__name__)
_KINDS = ("secrets", "configs")


class SwarmCalls:
    def _call(self, method: str, path: str, params: Mapping[str, Any] | None = None, *, body: Any = None,
              subject: str = "", wait: float | None = 0) -> Any:
        raise NotImplementedError

    def _stream(self, path: str, params: Mapping[str, Any], *, follow: bool) -> Iterator[bytes]:
        raise NotImplementedError

    def swarm_info(self) -> SwarmInfo:
        return swarmwire.swarm_from_info(self._call("GET", "/info"))

    def list_services(self, labels: Mapping[str, str]) -> list[ServiceInfo]:
        raw = self._call("GET", "/services", {"filters": json.dumps(swarmwire.label_filters(labels))})
        return [swarmwire.service_from_json(s) for s in raw]

    def create_service(self, spec: Mapping[str, Any]) -> str:
        answer = self._call("POST", "/services/create", body=dict(spec), subject=f"service {spec['Name']}")
        _warn(spec["Name"], answer)
        return str(answer["ID"])

    def update_service(self, service: ServiceInfo, spec: Mapping[str, Any] | None, *, rollback: bool = False) -> None:
        params = {"version": service.version, "rollback": "previous" if rollback else None}
        answer = self._call("POST", path_of("/services/{}/update", service.id), params,
                            body=dict(service.spec if spec is None else spec), subject=f"service {service.name}")
        _warn(service.name, answer)

    def remove_service(self, service_id: str) -> None:
        self._call("DELETE", path_of("/services/{}", service_id), subject=f"service {service_id}")

    def list_tasks(self, services: Sequence[str]) -> list[TaskInfo]:
        if not services:
            return []
        raw = self._call("GET", "/tasks", {"filters": json.dumps({"service": list(services)})})
        return [swarmwire.task_from_json(t) for t in raw]

    def task_logs(self, task_id: str, *, follow: bool, tail: int | None = None,
                  timestamps: bool = False) -> Iterator[LogLine]:
        task = self._call("GET", path_of("/tasks/{}", task_id), subject=f"task {task_id}")
        tty = bool(((task.get("Spec") or {}).get("ContainerSpec") or {}).get("TTY"))
        params = {"stdout": 1, "stderr": 1, "follow": int(follow), "timestamps": int(timestamps),
                  "tail": "all" if tail is None else str(tail)}
        raw = self._stream(path_of("/tasks/{}/logs", task_id), params, follow=follow)
        lines = streams.lines(streams.frames(raw, tty))
        return streams.timestamped(lines) if timestamps else lines

    def list_nodes(self) -> list[NodeInfo]:
        return [swarmwire.node_from_json(n) for n in self._call("GET", "/nodes")]

    def list_networks(self, labels: Mapping[str, str]) -> list[NetworkInfo]:
        raw = self._call("GET", "/networks", {"filters": json.dumps(swarmwire.label_filters(labels))})
        return [swarmwire.network_from_json(n) for n in raw]

    def create_network(self, name: str, *, driver: str | None, internal: bool, labels: Mapping[str, str],
                       options: NetworkOptions) -> None:
        """Make a network the plan found missing (one request: ensure_network asks first)."""
        try:
            self._call("POST", "/networks/create", body=wire.network_body(name, driver, internal, labels, options),
                       subject=f"network {name}")
        except errors.Conflict:
            log.debug("network %s was created by another deploy at the same moment", name)

    def network_info(self, name: str) -> NetworkInfo | None:
        try:
            return swarmwire.network_from_json(self._call("GET", path_of("/networks/{}", name),
                                                          subject=f"network {name}"))
        except errors.NotFound:
            return None

    def list_volumes(self, labels: Mapping[str, str]) -> list[str]:
        raw = self._call("GET", "/volumes", {"filters": json.dumps(swarmwire.label_filters(labels))})
        return sorted(v["Name"] for v in raw.get("Volumes") or ())

    def list_objects(self, kind: str, labels: Mapping[str, str]) -> list[SwarmObject]:
        assert kind in _KINDS
        raw = self._call("GET", f"/{kind}", {"filters": json.dumps(swarmwire.label_filters(labels))})
        return [swarmwire.object_from_json(o) for o in raw]

    def create_object(self, kind: str, name: str, data: bytes, labels: Mapping[str, str]) -> str:
        assert kind in _KINDS
        answer = self._call("POST", f"/{kind}/create", body=swarmwire.object_body(name, data, labels),
                            subject=f"{kind[:-1]} {name}")
        return str(answer["ID"])

    def remove_object(self, kind: str, object_id: str) -> None:
        assert kind in _KINDS
        self._call("DELETE", path_of(f"/{kind}/{{}}", object_id), subject=f"{kind[:-1]} {object_id}")


def _warn(name: str, answer: Mapping[str, Any] | None) -> None:
    for warning in (answer or {}).get("Warnings") or ():
        log.warning("service %s: %s", name, warning)
