"""FakeSwarm: the SwarmBackend half of FakeBackend, an in-memory single-node swarm manager.

Engine behaviours it copies on purpose:
  * every call but swarm_info fails "This node is not a swarm manager" until `init_swarm()`;
  * a service name is unique; an update needs the current version ("update out of sequence" otherwise);
  * an update that changes the TaskTemplate replaces the tasks (old ones desired/state shutdown); one that
    changes only the replica count adds or removes tasks; the spec before it becomes PreviousSpec;
  * tasks of an image in `failing_images` fail ("task: non-zero exit (1)"); an update to such an image ends
    "paused", or "rollback_completed" (spec restored) when its UpdateConfig.FailureAction is rollback;
  * `rollback=True` swaps the spec and PreviousSpec and ends "rollback_completed"; any other update clears the
    last update's state first (a scale after a rollback is not "rollback_completed");
  * a secret or config in use by a service cannot be removed; networks created through ensure_network with the
    overlay driver have scope "swarm".
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from fig.backend.base import LogLine
from fig.backend.swarmtypes import NetworkInfo, NodeInfo, ServiceInfo, SwarmInfo, SwarmObject, TaskInfo
from fig.errors import BackendError, NotFound

SWARM_WRITES = frozenset({"create_service", "update_service", "remove_service", "create_object", "remove_object"})


class FakeSwarm:
    _lock: threading.RLock
    networks: dict[str, dict[str, Any]]
    volumes: dict[str, dict[str, Any]]

    def _record(self, method: str, *args: Any) -> None:
        raise NotImplementedError

    def _swarm_init(self) -> None:
        self.swarm_state = "inactive"
        self.services: dict[str, dict[str, Any]] = {}  # id -> {"spec", "version", "previous", "update_state"}
        self.tasks: list[TaskInfo] = []
        self.objects: dict[str, dict[str, dict[str, Any]]] = {"secrets": {}, "configs": {}}
        self.failing_images: set[str] = set()
        self.task_output: dict[str, list[str]] = {}  # service name -> lines each task prints
        self._sids = itertools.count(1)

    def init_swarm(self) -> None:
        self.swarm_state = "active"

    def _manager(self) -> None:
        if self.swarm_state != "active":
            raise BackendError("This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" "
                               "to connect this node to swarm and try again.")

    def _id(self) -> str:
        return f"s{next(self._sids):024d}"

    # -- services and tasks ------------------------------------------------------------------------------

    def swarm_info(self) -> SwarmInfo:
        return SwarmInfo(self.swarm_state, self.swarm_state == "active", "node1" if self.swarm_state == "active" else "")

    def _info(self, sid: str) -> ServiceInfo:
        s = self.services[sid]
        return ServiceInfo(sid, s["spec"]["Name"], s["version"], copy.deepcopy(s["spec"]),
                           copy.deepcopy(s["previous"]), s["update_state"], s.get("message", ""))

    def list_services(self, labels: Mapping[str, str]) -> list[ServiceInfo]:
        with self._lock:
            self._record("list_services", dict(labels))
            self._manager()
            return [self._info(sid) for sid, s in self.services.items()
                    if all((s["spec"].get("Labels") or {}).get(k) == v for k, v in labels.items())]

    def create_service(self, spec: Mapping[str, Any]) -> str:
        with self._lock:
            self._record("create_service", copy.deepcopy(dict(spec)))
            self._manager()
            if any(s["spec"]["Name"] == spec["Name"] for s in self.services.values()):
                raise BackendError(f"service {spec['Name']}: name conflicts with an existing object")
            self._check_refs(spec)
            sid = self._id()
            self.services[sid] = {"spec": copy.deepcopy(dict(spec)), "version": 1, "previous": None,
                                  "update_state": None}
            self._tasks_for(sid, replace=True)
            return sid

    def update_service(self, service: ServiceInfo, spec: Mapping[str, Any] | None, *, rollback: bool = False) -> None:
        with self._lock:
            self._record("update_service", service.name, None if spec is None else copy.deepcopy(dict(spec)), rollback)
            self._manager()
            s = self.services.get(service.id)
            if s is None:
                raise NotFound(f"service {service.name}: service {service.id} not found")
            if s["version"] != service.version:
                raise BackendError(f"service {service.name}: update out of sequence")
            if rollback:
                if s["previous"] is None:
                    raise BackendError(f"service {service.name}: service does not have a previous spec")
                new = s["previous"]
            else:  # the engine forgets the last update's outcome (UpdateStatus null) until this one has one
                new = copy.deepcopy(dict(spec or {}))
                self._check_refs(new)
                s.update(update_state=None, message="")
            old = s["spec"]
            s.update(previous=old, spec=new, version=s["version"] + 1)
            if new.get("TaskTemplate") == old.get("TaskTemplate"):
                self._tasks_for(service.id, replace=False)
                return
            s["update_state"] = "rollback_completed" if rollback else "completed"
            self._tasks_for(service.id, replace=True)
            image = new["TaskTemplate"]["ContainerSpec"]["Image"]
            if not rollback and image in self.failing_images:
                action = (new.get("UpdateConfig") or {}).get("FailureAction", "pause")
                if action == "rollback":
                    s.update(spec=old, previous=new, update_state="rollback_completed",
                             message="update rolled back due to failure or early termination of task")
                    self._tasks_for(service.id, replace=True)
                elif action == "pause":
                    s.update(update_state="paused", message="update paused due to failure or early termination of "
                                                            "task")

    def remove_service(self, service_id: str) -> None:
        with self._lock:
            self._record("remove_service", service_id)
            self._manager()
            if self.services.pop(service_id, None) is None:
                raise NotFound(f"service {service_id} not found")
            self.tasks = [t for t in self.tasks if t.service_id != service_id]

    def _tasks_for(self, sid: str, *, replace: bool) -> None:
        spec = self.services[sid]["spec"]
        mode = spec.get("Mode") or {}
        wanted = int(mode.get("Replicated", {}).get("Replicas", 1)) if "Replicated" in mode else 1
        mine = [t for t in self.tasks if t.service_id == sid and t.desired_state == "running"]
        if replace:
            self._shutdown(mine)
            mine = []
        elif len(mine) > wanted:
            self._shutdown(mine[wanted:])
            mine = mine[:wanted]
        image = spec["TaskTemplate"]["ContainerSpec"]["Image"]
        for slot in range(len(mine) + 1, wanted + 1):
            if image in self.failing_images:
                for _ in range(3):
                    self.tasks.append(TaskInfo(self._id(), sid, slot, "node1", "shutdown", "failed",
                                               "started", "task: non-zero exit (1)", None, 1,
                                               timestamp=f"2026-01-01T00:00:{len(self.tasks):02d}Z"))
            state = "starting" if image in self.failing_images else "running"
            self.tasks.append(TaskInfo(self._id(), sid, slot, "node1", "running", state, state,
                                       timestamp=f"2026-01-01T00:00:{len(self.tasks):02d}Z"))

    def _shutdown(self, tasks: Sequence[TaskInfo]) -> None:
        ids = {t.id for t in tasks}
        self.tasks = [TaskInfo(t.id, t.service_id, t.slot, t.node_id, "shutdown", "shutdown", "shutdown",
                               timestamp=t.timestamp) if t.id in ids else t for t in self.tasks]

    def list_tasks(self, services: Sequence[str]) -> list[TaskInfo]:
        with self._lock:
            self._record("list_tasks", tuple(services))
            self._manager()
            sids = {sid for sid, s in self.services.items() if s["spec"]["Name"] in services or sid in services}
            return [t for t in self.tasks if t.service_id in sids]

    def task_logs(self, task_id: str, *, follow: bool, tail: int | None = None,
                  timestamps: bool = False) -> Iterator[LogLine]:
        with self._lock:
            task = next(t for t in self.tasks if t.id == task_id)
            name = self.services[task.service_id]["spec"]["Name"]
            lines = [LogLine(line) for line in self.task_output.get(name, [])]
        return iter(lines if tail is None else lines[len(lines) - tail:] if tail else [])

    def list_nodes(self) -> list[NodeInfo]:
        self._manager()
        return [NodeInfo("node1", "fakehost", "ready", "active", "manager")]

    # -- networks, volumes, secrets and configs -----------------------------------------------------------

    def _network_info(self, name: str) -> NetworkInfo:
        net = self.networks[name]
        scope = "swarm" if net["driver"] == "overlay" else "local"
        return NetworkInfo(f"net-{name}", name, net["driver"] or "bridge", scope, dict(net["labels"]))

    def list_networks(self, labels: Mapping[str, str]) -> list[NetworkInfo]:
        with self._lock:
            return [self._network_info(n) for n, net in self.networks.items()
                    if all(net["labels"].get(k) == v for k, v in labels.items())]

    def create_network(self, name: str, *, driver: str | None, internal: bool, labels: Mapping[str, str],
                       options: Any) -> None:
        with self._lock:
            self._record("create_network", name, driver, internal, dict(labels))
            self._manager()
            self.networks.setdefault(name, {"driver": driver, "internal": internal, "labels": dict(labels)})

    def network_info(self, name: str) -> NetworkInfo | None:
        with self._lock:
            name = name.removeprefix("net-")
            return self._network_info(name) if name in self.networks else None

    def list_volumes(self, labels: Mapping[str, str]) -> list[str]:
        with self._lock:
            return sorted(n for n, v in self.volumes.items()
                          if all((v.get("labels") or {}).get(k) == val for k, val in labels.items()))

    def list_objects(self, kind: str, labels: Mapping[str, str]) -> list[SwarmObject]:
        with self._lock:
            self._manager()
            return [SwarmObject(oid, o["name"], dict(o["labels"])) for oid, o in self.objects[kind].items()
                    if all(o["labels"].get(k) == v for k, v in labels.items())]

    def create_object(self, kind: str, name: str, data: bytes, labels: Mapping[str, str]) -> str:
        with self._lock:
            self._record("create_object", kind, name, data, dict(labels))
            self._manager()
            if any(o["name"] == name for o in self.objects[kind].values()):
                raise BackendError(f"{kind[:-1]} {name}: rpc error: code = AlreadyExists")
            oid = self._id()
            self.objects[kind][oid] = {"name": name, "data": data, "labels": dict(labels)}
            return oid

    def remove_object(self, kind: str, object_id: str) -> None:
        with self._lock:
            self._record("remove_object", kind, object_id)
            if object_id not in self.objects[kind]:
                raise NotFound(f"{kind[:-1]} {object_id} not found")
            field = "SecretID" if kind == "secrets" else "ConfigID"
            for s in self.services.values():
                refs = s["spec"]["TaskTemplate"]["ContainerSpec"].get(kind.capitalize()) or ()
                if any(r[field] == object_id for r in refs):
                    raise BackendError(f"{kind[:-1]} is in use by service {s['spec']['Name']}")
            del self.objects[kind][object_id]

    def _check_refs(self, spec: Mapping[str, Any]) -> None:
        container = spec["TaskTemplate"]["ContainerSpec"]
        for kind, field in (("secrets", "SecretID"), ("configs", "ConfigID")):
            for ref in container.get(kind.capitalize()) or ():
                if ref[field] not in self.objects[kind]:
                    raise BackendError(f"{kind[:-1]} not found: {ref[field]!r}")
        for net in spec["TaskTemplate"].get("Networks") or ():
            if net["Target"] not in self.networks:
                raise BackendError(f"network {net['Target']} not found")
