"""Stack: a project deployed on Docker Swarm. Plan (a value), then deploy what the plan says in dependency order,
wait for it, and remove what nothing uses any more; roll back, scale, look and undeploy.

A stack is only a label (com.docker.stack.namespace), as for `docker stack`, so both tools see the same stacks.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from fig.backend.base import ServiceInfo, SwarmBackend, TaskInfo
from fig.config.model import ProjectConfig
from fig.errors import BackendError, NotConverged, NotFound, UserError
from fig.parallel import execute
from fig.preflight import check_engine_version
from fig.swarm import plan as P
from fig.swarm.convert import NAMESPACE, Converter, ServicePlan
from fig.swarm.wait import wait

log = logging.getLogger(__name__)
KINDS = ("secrets", "configs")


@dataclass(frozen=True)
class TaskRow:
    service: str  # the name in the file
    task: TaskInfo
    node: str  # the node's host name


class Stack:
    def __init__(self, config: ProjectConfig, backend: SwarmBackend, name: str | None = None, *,
                 limit: int = 8, clock: Callable[[], float] = time.monotonic) -> None:
        self.config, self.backend = config, backend
        self.name = name or config.name
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

    def short(self, engine_name: str) -> str:
        return engine_name.removeprefix(f"{self.name}_")

    def _named(self, names: Sequence[str], services: Mapping[str, ServiceInfo]) -> list[ServiceInfo]:
        found = []
        for n in names:
            if f"{self.name}_{n}" not in services:
                raise UserError(f"No such service in stack {self.name}: {n}")
            found.append(services[f"{self.name}_{n}"])
        return found or list(services.values())

    def tasks(self, names: Sequence[str] = ()) -> list[TaskRow]:
        """For each task slot (each node, for a global service) its newest task, by service and slot."""
        services = self.services()
        chosen = {s.id: s for s in self._named(names, services)}
        nodes = {n.id: n.hostname for n in self.backend.list_nodes()}
        newest: dict[tuple[str, Any], TaskInfo] = {}
        for t in self.backend.list_tasks([s.name for s in chosen.values()]):
            slot = (t.service_id, t.slot if t.slot is not None else t.node_id)
            if t.service_id in chosen and (slot not in newest or t.timestamp > newest[slot].timestamp):
                newest[slot] = t
        rows = [TaskRow(self.short(chosen[t.service_id].name), t, nodes.get(t.node_id, t.node_id[:12]))
                for t in newest.values()]
        return sorted(rows, key=lambda r: (r.service, r.task.slot or 0, r.node))

    # -- planning -------------------------------------------------------------------------------------------

    def plan(self, names: Sequence[str] = (), *, strict: bool = False, images: Mapping[str, str] | None = None,
             ignore_host_ip: bool = False) -> P.Plan:
        """What deploying `names` (all enabled services when empty, and in both cases their dependencies) would
        change. Deploying the whole file also removes the stack's services it no longer has."""
        selected = self.config.selected(names)
        check_engine_version(self.config, [self.config.service(n) for n in selected], self.backend)
        spec = Converter(self.config, self.name, images=images, ignore_host_ip=ignore_host_ip).stack_spec(selected, strict=strict)
        for p in spec.services:
            if p.warnings:
                log.warning("service %s: Swarm cannot honour %s, ignored (--strict refuses them)", p.service,
                            ", ".join(p.warnings))
        with ThreadPoolExecutor(max_workers=self.limit) as pool:  # the engine's answers, read at once
            asked = pool.submit(self.services)
            nets = {n.name: pool.submit(self.backend.network_info, n.name) for n in spec.networks}
            labelled = pool.submit(self.backend.list_networks, self.labels)
            objects = {kind: pool.submit(self.backend.list_objects, kind, self.labels) for kind in KINDS}
            existing = asked.result()
            found = {name: f.result() for name, f in nets.items()}
            ids = {i.id: i.name for i in [*found.values(), *labelled.result()] if i is not None}
            have = {kind: f.result() for kind, f in objects.items()}
        changes = P.network_changes(spec.networks, found)
        service_changes = P.service_changes(spec.services, existing, prune=not names, network_names=ids)
        updated = {c.name for c in service_changes if c.action == "update"}
        removed = {c.name for c in service_changes if c.action == "remove"}
        kept = P.references([p.spec for p in spec.services])
        for name, info in existing.items():
            if name not in removed:
                kept |= P.references([info.spec] if name in updated else [info.spec, info.previous_spec])
        for kind in KINDS:
            external = {o.name for o in spec.objects if o.kind == kind and o.data is None}
            exists = {o.name: True for o in self.backend.list_objects(kind, {}) if o.name in external} \
                if external else {}
            changes += P.object_changes(kind, spec.objects, have[kind], kept, exists)
        return P.Plan(spec, tuple(changes + service_changes), existing)

    # -- deploying ------------------------------------------------------------------------------------------

    def push(self, names: Sequence[str]) -> dict[str, str]:
        """Push the images the named services build; each service's image pinned to the digest pushed."""
        pinned = {}
        for name in names:
            image = self.config.service(name).image
            if not image or "/" not in image:
                raise UserError(f"service '{name}' builds its image but does not name it in a registry: give it "
                                f"`image: REGISTRY/{name}` (e.g. localhost:5000/{name}) so every node can pull it")
            log.info("Pushing %s", image)
            digest = None
            for event in self.backend.push(image):
                digest = (event.get("aux") or {}).get("Digest") or digest
            if not digest:
                raise BackendError(f"push {image}: the registry did not say the digest of what it stored")
            repo = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
            pinned[name] = f"{repo}@{digest}"
        return pinned

    def deploy(self, plan: P.Plan, *, detach: bool = False, timeout: float = 300) -> None:
        """Make what the plan says, services in dependency order (after their service_healthy and
        service_completed_successfully dependencies converged), then wait for the changed ones unless `detach`."""
        if not plan.writes:
            log.info("Stack %s is up to date: nothing to change", self.name)
            self._stuck(plan)
            return
        deadline = self.clock() + timeout
        for net in plan.stack.networks:
            if not net.external and P.Change("network", net.name, "create") in plan.changes:
                log.info("Creating network %s", net.name)
                self.backend.create_network(net.name, driver=net.driver, internal=net.internal, labels=net.labels,
                                            options=net.options)
        ids = self._objects(plan)
        old = {t.id for t in self.backend.list_tasks(sorted(plan.existing))}
        todo = {c.name for c in plan.of("service", "create") + plan.of("service", "update")}
        by_name = {p.service: p for p in plan.stack.services}

        def submit(p: ServicePlan) -> None:
            if p.name not in todo:
                return
            for dep in (*p.healthy_deps, *p.completed_deps):
                if dep in by_name:
                    log.info("%s waits for %s", p.name, by_name[dep].name)
                    wait(self.backend, self.name, [by_name[dep].name], timeout=max(0.0, deadline - self.clock()))
            spec = with_ids(p.spec, ids)
            info = plan.existing.get(p.name)
            if info is None:
                log.info("Creating service %s", p.name)
                self.backend.create_service(spec)
            else:
                log.info("Updating service %s", p.name)
                self.backend.update_service(info, spec)

        outcome = execute(plan.stack.services, submit, key=lambda p: p.service, deps=lambda p: p.deps,
                          limit=self.limit)
        for change in plan.of("service", "remove"):
            log.info("Removing service %s (no longer in the file)", change.name)
            self.backend.remove_service(plan.existing[change.name].id)
        outcome.raise_if_failed()
        if detach:
            log.info("Submitted; `fig ps --stack %s` shows the tasks", self.name)
        else:
            wait(self.backend, self.name, sorted(todo), timeout=max(0.0, deadline - self.clock()), old=old)
        self._collect(plan)
        self._stuck(plan)

    def _stuck(self, plan: P.Plan) -> None:
        """An unchanged service whose last update paused is not deployed, whatever the file says."""
        stuck = [plan.existing[c.name] for c in plan.of("service", "nothing")
                 if plan.existing[c.name].update_state in ("paused", "rollback_paused")]
        if stuck:
            raise NotConverged("; ".join(
                f"service {s.name}: its last update is {s.update_state.replace('_', ' ')} ({s.update_message}): "
                "change the file and deploy again, or roll back with `fig deploy --rollback`" for s in stuck
                if s.update_state))

    def _objects(self, plan: P.Plan) -> dict[str, str]:
        """Create the secrets and configs the plan makes; the id of each one the services use, by name."""
        ids: dict[str, str] = {}
        for kind in KINDS:
            wanted = [o for o in plan.stack.objects if o.kind == kind]
            if not wanted:
                continue
            have = {o.name: o.id for o in self.backend.list_objects(kind, {})}
            for obj in wanted:
                if obj.name not in have and obj.data is not None:
                    log.info("Creating %s %s", kind[:-1], obj.name)
                    have[obj.name] = self.backend.create_object(kind, obj.name, obj.data, obj.labels)
                ids[obj.name] = have[obj.name]
        return ids

    def _collect(self, plan: P.Plan) -> None:
        """Remove the secret and config versions no service uses or may roll back to."""
        for change in plan.changes:
            if change.kind in ("secret", "config") and change.action == "remove":
                kind = change.kind + "s"
                for obj in self.backend.list_objects(kind, self.labels):
                    if obj.name == change.name:
                        log.info("Removing %s %s (no longer used)", change.kind, obj.name)
                        try:
                            self.backend.remove_object(kind, obj.id)
                        except BackendError as e:
                            log.warning("%s", e)

    def rollback(self, names: Sequence[str] = (), *, detach: bool = False, timeout: float = 300) -> None:
        """Every service of the stack (or those named) back to its previous spec, dependents first."""
        services = self.services()
        if not services:
            raise UserError(f"Stack {self.name} is not deployed")
        chosen = self._named(names, services)
        rolled = []
        for info in sorted(chosen, key=self._rank, reverse=True):
            if info.previous_spec is None:
                log.info("%s has no previous spec: left as it is", info.name)
                continue
            log.info("Rolling back service %s", info.name)
            self.backend.update_service(info, None, rollback=True)
            rolled.append(info.name)
        if rolled and not detach:
            wait(self.backend, self.name, rolled, timeout=timeout, rollback=True)

    def _rank(self, info: ServiceInfo) -> int:
        order = Converter(self.config, self.name).order()
        short = self.short(info.name)
        return order.index(short) if short in order else len(order)

    def scale(self, counts: Mapping[str, int], *, detach: bool = False, timeout: float = 300) -> None:
        services = self.services()
        changed = []
        for name, count in counts.items():
            info = self._named([name], services)[0]
            spec = json.loads(json.dumps(info.spec))
            if "Replicated" not in (spec.get("Mode") or {}):
                raise UserError(f"service {info.name} is not replicated ({', '.join(spec.get('Mode') or {})}): "
                                "only replicated services scale")
            spec["Mode"]["Replicated"]["Replicas"] = count
            log.info("Scaling %s to %d", info.name, count)
            self.backend.update_service(info, spec)
            changed.append(info.name)
        if not detach:
            wait(self.backend, self.name, changed, timeout=timeout)

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


def with_ids(spec: Mapping[str, Any], ids: Mapping[str, str]) -> dict[str, Any]:
    """The spec with each secret and config reference given the id of the object it names."""
    out: dict[str, Any] = json.loads(json.dumps(spec))
    container = out["TaskTemplate"]["ContainerSpec"]
    for ref in container.get("Secrets") or ():
        ref["SecretID"] = ids[ref["SecretName"]]
    for ref in container.get("Configs") or ():
        ref["ConfigID"] = ids[ref["ConfigName"]]
    return out
