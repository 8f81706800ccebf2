"""DeployedStack: a stack on Docker Swarm known by its name alone, as `docker stack ps NAME` knows it. Looking at
its tasks, scaling it, rolling it back and removing it need no project file.

A stack is only a label (com.docker.stack.namespace), as for `docker stack`, so both tools see the same stacks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fig.backend.base import SwarmBackend
from fig.backend.swarmtypes import ServiceInfo, TaskInfo
from fig.errors import BackendError, NotFound, UserError
from fig.graph import DependencyGraph
from fig.logs import logger
from fig.records import record
from fig.swarm.convert import DEPENDS_ON, NAMESPACE
from fig.swarm.wait import wait

log = logger(__name__)
KINDS = ("secrets", "configs")


@record(frozen=True)
class TaskRow:
    service: str  # the name in the file
    task: TaskInfo
    node: str  # the node's host name


class DeployedStack:
    def __init__(self, name: str, backend: SwarmBackend, *, limit: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name, self.backend = name, backend
        self.limit, self.clock = limit, clock
        self.labels = {NAMESPACE: self.name}

    # -- looking --------------------------------------------------------------------------------------------

    def require_manager(self) -> None:
        info = self.backend.swarm_info()
        if info.state != "active":
            raise UserError("This engine is not part of a swarm: run `docker swarm init` (on one machine: "
                            "`docker swarm init --advertise-addr 127.0.0.1`), or point DOCKER_HOST at a manager")
        if not info.manager:
            raise UserError("This engine is a swarm worker: deploy from a manager (set DOCKER_HOST to one)")

    def services(self) -> dict[str, ServiceInfo]:
        """The stack's services by engine name (<stack>_<service>); on an engine that is no swarm manager, the
        error says how to make it one."""
        try:
            return {s.name: s for s in self.backend.list_services(self.labels)}
        except BackendError:
            self.require_manager()
            raise

    def deployed(self) -> dict[str, ServiceInfo]:
        """The stack's services; a stack that has none is not deployed, and that is the error."""
        services = self.services()
        if not services:
            raise UserError(f"No such stack on this swarm: {self.name}")
        return services

    def short(self, engine_name: str) -> str:
        return engine_name.removeprefix(f"{self.name}_")

    def _named(self, names: Sequence[str], services: Mapping[str, ServiceInfo]) -> list[ServiceInfo]:
        """The named services (all when none is named); every unknown name is the error."""
        unknown = [n for n in names if f"{self.name}_{n}" not in services]
        if unknown:
            raise UserError(f"No such service in stack {self.name}: {', '.join(unknown)} (it has "
                            f"{', '.join(sorted(self.short(s) for s in services))})")
        return [services[f"{self.name}_{n}"] for n in names] or list(services.values())

    def tasks(self, names: Sequence[str] = ()) -> list[TaskRow]:
        """For each task slot (each node, for a global service) its newest task, by service and slot."""
        chosen = {s.id: s for s in self._named(names, self.deployed())}
        nodes = {n.id: n.hostname for n in self.backend.list_nodes()}
        newest: dict[tuple[str, Any], TaskInfo] = {}
        for t in self.backend.list_tasks([s.name for s in chosen.values()]):
            slot = (t.service_id, t.slot if t.slot is not None else t.node_id)
            if t.service_id in chosen and (slot not in newest or t.timestamp > newest[slot].timestamp):
                newest[slot] = t
        rows = [TaskRow(self.short(chosen[t.service_id].name), t, nodes.get(t.node_id, t.node_id[:12]))
                for t in newest.values()]
        return sorted(rows, key=lambda r: (r.service, r.task.slot or 0, r.node))

    # -- changing -------------------------------------------------------------------------------------------

    def rollback(self, names: Sequence[str] = (), *, detach: bool = False, timeout: float = 300) -> None:
        """Every service of the stack (or those named) back to its previous spec, dependents first."""
        services = self.deployed()
        chosen = {s.name: s for s in self._named(names, services)}
        rolled = []
        for name in reversed(_dependencies_first(self.name, services)):
            if name not in chosen:
                continue
            if chosen[name].previous_spec is None:
                log.info("%s has no previous spec: left as it is", name)
                continue
            log.info("Rolling back service %s", name)
            self.backend.update_service(chosen[name], None, rollback=True)
            rolled.append(name)
        if rolled and not detach:
            wait(self.backend, self.name, rolled, timeout=timeout, rollback=True)

    def scale(self, counts: Mapping[str, int], *, detach: bool = False, timeout: float = 300) -> None:
        """Set the replicas of the named services; every name and mode is checked before any changes."""
        chosen = list(zip(self._named(list(counts), self.deployed()), counts.values()))
        for info, _ in chosen:
            if "Replicated" not in (info.spec.get("Mode") or {}):
                raise UserError(f"service {info.name} is not replicated ({', '.join(info.spec.get('Mode') or {})}): "
                                "only replicated services scale")
        for info, count in chosen:
            spec = json.loads(json.dumps(info.spec))
            spec["Mode"]["Replicated"]["Replicas"] = count
            log.info("Scaling %s to %d", info.name, count)
            self.backend.update_service(info, spec)
        if not detach:
            wait(self.backend, self.name, [info.name for info, _ in chosen], timeout=timeout)

    # -- undeploying ----------------------------------------------------------------------------------------

    def undeploy(self, *, volumes: bool = False, timeout: float = 60) -> None:
        """Remove the stack's services, then (once their containers are gone) its networks, secrets and configs,
        and with `volumes` its volumes. Running it again finishes what an interrupted run left."""
        services = self.services()
        for info in services.values():
            log.info("Removing service %s", info.name)
            try:
                self.backend.remove_service(info.id)
            except NotFound:
                pass
        deadline = self.clock() + timeout
        while self.backend.list_containers(self.labels, all=True):
            if self.clock() > deadline:
                raise BackendError(f"the containers of stack {self.name} were not gone after {timeout:g}s: run "
                                   "`fig undeploy` again to finish")
            time.sleep(0.2)
        found = False
        for net in self.backend.list_networks(self.labels):
            log.info("Removing network %s", net.name)
            self._retry(lambda: self.backend.remove_network(net.name), deadline)
            found = True
        for kind in KINDS:
            for obj in self.backend.list_objects(kind, self.labels):
                log.info("Removing %s %s", kind[:-1], obj.name)
                self.backend.remove_object(kind, obj.id)
                found = True
        removed = bool(services)
        for volume in self.backend.list_volumes(self.labels) if volumes else ():
            log.info("Removing volume %s", volume)
            self.backend.remove_volume(volume)
            removed = True
        if not removed and not found:
            log.info("Stack %s is not deployed: nothing to remove", self.name)

    def _retry(self, fn: Callable[[], None], deadline: float) -> None:
        """The engine frees a network's endpoints a moment after the last container left it."""
        while True:
            try:
                fn()
                return
            except NotFound:
                return
            except BackendError:
                if self.clock() > deadline:
                    raise
                time.sleep(0.3)


def _dependencies_first(stack: str, services: Mapping[str, ServiceInfo]) -> tuple[str, ...]:
    """The services' engine names, each after those it depends on (the label deploy put on it)."""
    def deps(info: ServiceInfo) -> list[str]:
        names = ((info.spec.get("Labels") or {}).get(DEPENDS_ON) or "").split(",")
        return [f"{stack}_{n}" for n in names if f"{stack}_{n}" in services]

    return DependencyGraph({name: deps(info) for name, info in sorted(services.items())}).order()
