"""Stack: the project's file deployed on Docker Swarm. Plan (a value), then deploy what the plan says in dependency
order, wait for it, and remove what nothing uses any more. Looking, scaling, rolling back and undeploying need
only the stack's name: DeployedStack.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fig.backend.base import SwarmBackend
from fig.config.model import ProjectConfig
from fig.errors import BackendError, NotConverged, UserError
from fig.logs import logger
from fig.parallel import execute
from fig.preflight import check_engine_version
from fig.swarm import plan as P
from fig.swarm.convert import Converter, ServicePlan, StackSpec
from fig.swarm.deployed import KINDS, DeployedStack
from fig.swarm.wait import wait

log = logger(__name__)


class Stack(DeployedStack):
    """The project's file as a stack: what DeployedStack does, and planning and deploying the file."""

    def __init__(self, config: ProjectConfig, backend: SwarmBackend, name: str | None = None, *,
                 limit: int | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(name or config.name, backend, limit=limit, clock=clock)
        self.config = config

    # -- planning -------------------------------------------------------------------------------------------

    def check(self, names: Sequence[str] = (), *, strict: bool = False, images: Mapping[str, str] | None = None,
              ignore_host_ip: bool = False) -> StackSpec:
        """The specs deploying `names` sends, made without asking the engine: every error in the file (with
        `strict`, every key Swarm cannot honour, of every service at once) is raised here."""
        selected = self.config.selected(names)
        return Converter(self.config, self.name, images=images, ignore_host_ip=ignore_host_ip).stack_spec(
            selected, strict=strict)

    def plan(self, names: Sequence[str] = (), *, strict: bool = False, images: Mapping[str, str] | None = None,
             ignore_host_ip: bool = False) -> P.Plan:
        """What deploying `names` (all enabled services when empty, and in both cases their dependencies) would
        change. Deploying the whole file also removes the stack's services it no longer has."""
        check_engine_version(self.config, [self.config.service(n) for n in self.config.selected(names)], self.backend)
        spec = self.check(names, strict=strict, images=images, ignore_host_ip=ignore_host_ip)
        in_file = [s.name for s in self.config.services]
        for p in sorted(spec.services, key=lambda p: in_file.index(p.service)):  # the order of the file
            if p.warnings:
                log.warning("service %s: Swarm cannot honour %s, ignored (--strict refuses them)", p.service,
                            ", ".join(p.warnings))
        asks = 2 + len(spec.networks) + len(KINDS)
        with ThreadPoolExecutor(max_workers=self.limit or asks) as pool:  # the engine's answers, read at once
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


def with_ids(spec: Mapping[str, Any], ids: Mapping[str, str]) -> dict[str, Any]:
    """The spec with each secret and config reference given the id of the object it names."""
    out: dict[str, Any] = json.loads(json.dumps(spec))
    container = out["TaskTemplate"]["ContainerSpec"]
    for ref in container.get("Secrets") or ():
        ref["SecretID"] = ids[ref["SecretName"]]
    for ref in container.get("Configs") or ():
        ref["ConfigID"] = ids[ref["ConfigName"]]
    return out
