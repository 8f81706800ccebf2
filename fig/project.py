"""Project: the services of one configuration, in dependency order, driven in parallel."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from fig import builds
from fig import labels as L
from fig import providers as plugins
from fig.backend.base import ContainerBackend
from fig.config.model import ProjectConfig, ServiceConfig
from fig.container import Container, find
from fig.convergence import Action, Plan, Strategy, plan
from fig.errors import BackendError, NotFound, UserError
from fig.graph import DependencyGraph
from fig.hooks import Hooks
from fig.imaging import ProjectImages
from fig.logs import logger
from fig.preflight import check_references
from fig.parallel import DEFAULT_LIMIT, MAKING_LIMIT, Event, Phase, both, execute
from fig.readiness import HealthChecks, wait_for, wait_running
from fig.records import field, record
from fig.resources import ProjectResources
from fig.service import Progress, Service

log = logger(__name__)
OnEvent = Callable[[Event], None]


def _quiet(_: Event) -> None:
    pass


@record(frozen=True)
class UpOptions:
    deps: bool = True
    strategy: Strategy = Strategy.CHANGED
    build: bool = True  # build images that are missing
    force_build: bool = False
    start: bool = True
    timeout: int | None = None  # None: each service's stop_grace_period, else 10 s
    renew_volumes: bool = False
    scale: Mapping[str, int] = field(default_factory=dict)
    remove_orphans: bool = False
    ignore_orphans: bool = False  # say nothing of containers of services no longer in the file
    pull: str | None = None  # always, missing, never or build: instead of every service's pull_policy
    recreate_deps: bool = False  # recreate the dependencies of the named services whatever their state


class Project(ProjectImages, ProjectResources):
    def __init__(self, config: ProjectConfig, backend: ContainerBackend, *, limit: int | None = DEFAULT_LIMIT,
                 naming: L.Naming = L.FIG_NAMES) -> None:
        self.config = config
        self.naming = naming
        self.name = config.name
        self.backend = backend
        self.limit = limit  # the cap of every operation: --parallel's, or None
        self.making = limit or MAKING_LIMIT  # of those that make containers or pull (fig.parallel)
        self.graph = DependencyGraph({s.name: s.dependencies() for s in config.services})
        by_name = {s.name: s for s in config.services}
        self.hooks = Hooks()  # its `show` sees the hooks' output
        self.services = [
            Service(by_name[name], project=self.name, backend=backend, legacy=config.legacy, peers=self._peers,
                    naming=naming, project_labels=L.project_files(config.working_dir, config.paths, config.env_files),
                    hooks=self.hooks)
            for name in self.graph.order()
        ]
        self._converged: dict[str, list[Container]] = {}  # during `up`: each service's containers once it is done
        self.health_checks = HealthChecks()  # those fig runs while it waits, on an engine that does not

    def _peers(self, service: str) -> list[Container]:
        """A service's containers, for the links, volumes_from and namespaces of another's. One `up` has just made
        or kept them, so it inspects those (a listing costs the engine a look at every container it has)."""
        if service in self._converged:
            return [c.refresh() for c in self._converged[service]]
        return self.service(service).containers(stopped=True)

    def service(self, name: str) -> Service:
        for s in self.services:
            if s.name == name:
                return s
        raise UserError(f"No such service: {name}")

    def get_services(self, names: Iterable[str] = (), *, deps: bool = False) -> list[Service]:
        """The named services (and, with deps, what they need); by default those the active profiles enable."""
        names = list(names)
        for name in names:
            self.service(name)
        wanted = set(self.config.selected(names, deps=deps))
        return [s for s in self.services if s.name in wanted]

    def containers(self, names: Iterable[str] = (), *, stopped: bool = False, oneoff: bool = False,
                   orphans: bool = False) -> list[Container]:
        """The project's containers (one look at the engine), of the named services, in dependency order; with
        `orphans` and no names, those of services no longer in the file too (last, by name)."""
        return self._chosen(self._listed(stopped=stopped, oneoff=oneoff), names, oneoff=oneoff, orphans=orphans)

    def _listed(self, *, stopped: bool, oneoff: bool) -> list[Container]:
        labels = {L.LABEL_PROJECT: self.name}
        if not oneoff:
            labels[L.LABEL_ONEOFF] = "False"
        return [Container(self.backend, i) for i in find(self.backend, labels, all=stopped)]

    def _chosen(self, found: Iterable[Container], names: Iterable[str] = (), *, oneoff: bool = False,
                orphans: bool = False) -> list[Container]:
        """What `containers` returns, of what a listing found."""
        names = list(names)
        services = [s.name for s in (self.get_services(names) if names else self.services)]  # any profile
        rank = {name: i for i, name in enumerate(services)}
        orphans = orphans and not names
        return sorted((c for c in found if (c.service in rank or orphans) and (oneoff or not c.oneoff)),
                      key=lambda c: (rank.get(c.service, len(rank)), c.service, c.oneoff, c.number))

    def orphans(self, found: Iterable[Container] | None = None) -> list[Container]:
        """The containers of services no longer in the file (of `found`, the project's non-one-off containers
        listed with the stopped ones, when given)."""
        known = {s.name for s in self.services}
        return [c for c in (self._listed(stopped=True, oneoff=False) if found is None else found)
                if c.service not in known]

    def _images(self, services: Sequence[Service], *, options: UpOptions, on_progress: Progress | None,
                on_event: OnEvent) -> dict[str, str]:
        """Image ids by service: the builds all in one go, then pulls of missing images in parallel."""
        builds.build(self.backend, [s.build_request() for s in services if s.config.build and (
            options.force_build or (options.build and (s.builds_always(options.pull) or not s.image_id())))],
            on_progress=on_progress)
        by_image: dict[str, Service] = {}  # one look-up (or pull) per image, not per service: 30 -> 1 call
        for service in services:
            if service.image_name not in by_image or service.config.build:
                by_image[service.image_name] = service
        outcome = execute(by_image.values(), lambda s: s.ensure_image(build=options.build, policy=options.pull,
                                                               on_progress=on_progress),
                          key=lambda s: s.image_name, limit=self.making, on_event=_quiet)
        outcome.raise_if_failed()
        for service in services:  # one service per image got ensure_image: the others' mounted images too
            service.ensure_mount_images(on_progress=on_progress)
        return {s.name: outcome.results[s.image_name] for s in services}

    # -- networks and volumes -------------------------------------------------------------------------

    def check(self, services: Sequence[Service]) -> None:
        """Before the first write: what `services` refer to outside the project exists, they do not clash, and
        the plugins of those a provider makes are there."""
        check_references(self.config, [s.config for s in services if not s.config.provider], self.backend)
        plugins.check([s.config for s in services], dict(self.config.variables), self.graph.deps)

    # -- lifecycle ------------------------------------------------------------------------------------

    def plans(self, services: Sequence[Service], image_ids: Mapping[str, str], options: UpOptions,
              roots: Iterable[str] = (), listed: Sequence[Container] | None = None) -> dict[str, Plan]:
        """One plan per service, in dependency order. A service bound by container id (legacy link,
        volumes_from, net) to one that gets recreated is recreated too, even when it was not asked for.
        With `recreate_deps`, the services that the `roots` need are recreated whatever their state."""
        roots = set(roots)
        existing = self._chosen(self._listed(stopped=True, oneoff=False) if listed is None else listed)
        selected = {s.name for s in services}
        plans: dict[str, Plan] = {}
        for service in self.services:
            mine = [c.info for c in existing if c.service == service.name]
            bound = [d for d in service.config.dependencies() if self._binds_to(service, d)]
            changed = [d for d in bound if d in plans and plans[d].action in (Action.CREATE, Action.RECREATE)]
            if service.name not in selected and not (changed and mine and options.strategy is not Strategy.NEVER):
                continue
            names = {n: service.canonical_name(n) for n in range(1, len(mine) + 2)}
            start = options.start and (service.name in selected or any(c.state.value == "running" for c in mine))
            image_id = image_ids.get(service.name) or service.image_id() or (mine[0].image_id if mine else "")
            scale = options.scale.get(service.name, service.config.scale)
            strategy = (Strategy.ALWAYS if options.recreate_deps and roots and service.name not in roots
                        else options.strategy)
            plans[service.name] = plan(service.name, service.config_hash(image_id), mine,
                                       strategy=strategy, scale=scale,
                                       names=names, force_reason=f"{changed[0]} was recreated" if changed and mine
                                       else "", start=start, image_id=image_id)
        return plans

    def _binds_to(self, service: Service, dependency: str) -> bool:
        """Does the service hold a reference to the dependency's container id (and so need recreating)?"""
        cfg = service.config
        return (any(vf.source == dependency and not vf.is_container for vf in cfg.volumes_from)
                or cfg.network_mode == f"service:{dependency}"
                or (self.config.legacy and any(link.target == dependency for link in cfg.links)))

    def up(self, names: Iterable[str] = (), *, options: UpOptions = UpOptions(), on_event: OnEvent = _quiet,
           on_progress: Progress | None = None,
           before_start: Callable[[Container], None] = lambda _: None) -> list[Container]:
        names = list(names)
        services = self.get_services(names, deps=options.deps)
        for service in services:
            count = options.scale.get(service.name, service.config.scale)
            if count is not None:
                self._check_scalable(service, count)
        self.check(services)
        containers = [s for s in services if not s.config.provider]
        image_ids, listed = both(  # one look at the containers serves the orphans and the plans
            lambda: self._images(containers, options=options, on_progress=on_progress, on_event=on_event),
            lambda: self._listed(stopped=True, oneoff=False))
        self.ensure_resources()  # after the images: a failed build or pull leaves no network behind
        self._handle_orphans(options, on_event, listed)
        plugins.up(services, self.services, project=self.name, environ=dict(self.config.variables),
                   deps=self.graph.deps, on_event=on_event)
        plans = self.plans(containers, image_ids, options, roots=names, listed=listed)
        involved = [s for s in self.services if s.name in plans]
        renewed = {name for name, p in plans.items() if p.action in (Action.CREATE, Action.RECREATE)}
        retired: list[tuple[Container, bool]] = []  # old containers that others join: removed after those

        def converge(service: Service) -> list[Container]:
            plan = plans[service.name]
            if options.start:
                self._wait_for_dependencies(service)
            joined = bool(self.joiners(service.name))
            containers = service.execute_plan(plan, plan.image_id, timeout=options.timeout,
                                              start=options.start and plan.start, renew_volumes=options.renew_volumes,
                                              limit=self.making, on_event=on_event, before_start=before_start,
                                              retire=(lambda c, v: retired.append((c, v))) if joined else None)
            self._converged[service.name] = containers
            if service.name not in renewed and any(d.restart and d.service in renewed
                                                   for d in service.config.depends_on):
                self.each([c for c in containers if c.is_running],  # depends_on restart: true
                          lambda c: self._restart(c, options.timeout), "Restarting", on_event, making=True)
            return containers

        try:
            outcome = execute(involved, converge, key=lambda s: s.name,
                              deps=lambda s: [d for d in self.graph.deps(s.name) if d in plans], limit=self.making)
        finally:
            self._converged.clear()
            self._remove_retired(retired)
        outcome.raise_if_failed()
        return [c for s in services for c in outcome.results.get(s.name, [])]

    def _remove_retired(self, retired: list[tuple[Container, bool]]) -> None:
        """Remove the old containers of services that others join, now that those have been recreated too. One that
        cannot go yet (a container not recreated still joins it) is left, set aside, for the next `up`."""
        volumes = {c.id: v for c, v in retired}

        def remove(c: Container) -> None:
            try:
                c.remove(force=True, volumes=volumes[c.id])
            except BackendError as e:
                log.warning("%s: left for the next up: %s", c.name, e)

        self.each([c for c, _ in retired], remove, "Removing", _quiet, after=self.joiners)

    def _wait_for_dependencies(self, service: Service) -> None:
        for dep in service.config.depends_on:
            if (dep.condition != "service_started" or dep.ready) and not self.service(dep.service).config.provider:
                dependency = self.service(dep.service)
                if not dep.required and not dependency.containers(stopped=True):
                    log.warning("%s: its optional dependency %s has no container, not waiting for it", service.name,
                                dep.service)
                    continue
                wait_for(service.name, dep, lambda: dependency.containers(stopped=True), self.health_checks)

    def wait(self, names: Iterable[str] = (), *, timeout: float = 60, deps: bool = False) -> None:
        """For `up --wait` and `start --wait`: return once every container of the services (and, with deps, of
        what they need) runs, and is healthy if checked; a service others wait on to complete successfully may
        have exited with code 0 instead."""
        one_shot = {d.service for s in self.services for d in s.config.depends_on
                    if d.condition == "service_completed_successfully"}
        outcome = execute([s for s in self.get_services(names, deps=deps) if not s.config.provider],
                          lambda s: wait_running(s.name, lambda: s.containers(stopped=True), timeout,
                                                 checks=self.health_checks, may_complete=s.name in one_shot),
                          key=lambda s: s.name, limit=self.limit)
        outcome.raise_if_failed()

    def _handle_orphans(self, options: UpOptions, on_event: OnEvent, listed: Sequence[Container]) -> None:
        orphans = self.orphans(listed)
        if not orphans or options.ignore_orphans:
            return
        if options.remove_orphans:
            def remove(c: Container) -> None:
                c.stop(self.stop_timeout(c, options.timeout))
                c.remove(force=True)

            self.each(orphans, remove, "Removing", on_event)
        else:
            names = ", ".join(sorted(c.name for c in orphans))
            log.warning("Found orphan containers (%s) for this project. If you removed or renamed this service "
                        "in your configuration, run this command with --remove-orphans to clean them up.", names)

    def _check_scalable(self, service: Service, count: int) -> None:
        port = next(iter(service.too_few_host_ports(count)), None)
        if port is not None and port.host_end is None:
            raise UserError(f"Cannot scale service '{service.name}' to {count}: it publishes the fixed host port "
                            f"{port}, which only one container can bind. "
                            "Remove the host port from 'ports' to scale it.")
        if port is not None:
            raise UserError(f"Cannot scale service '{service.name}' to {count}: it publishes {port}, whose "
                            f"{port.host_count} host ports are fewer than its containers. "
                            "Widen the range or remove the host port from 'ports' to scale it.")
        if count > 1 and service.config.container_name:
            raise UserError(f"Cannot scale service '{service.name}' to {count}: it sets container_name "
                            f"'{service.config.container_name}', which must be unique.")

    def scale(self, counts: Mapping[str, int], *, timeout: int | None = None, on_event: OnEvent = _quiet) -> None:
        for name, count in counts.items():
            self._check_scalable(self.service(name), count)
        options = UpOptions(deps=False, strategy=Strategy.NEVER, scale=counts, timeout=timeout)
        self.up(list(counts), options=options, on_event=on_event)

    def each(self, containers: Sequence[Container], fn: Callable[[Container], object], verb: str,
              on_event: OnEvent, *, reverse: bool = True, ordered: bool = True, making: bool = False,
              after: Callable[[str], Iterable[str]] | None = None) -> None:
        """Act on containers in parallel (`making`: starting them, as many at once as containers are made); with
        `reverse`, a container waits for those that depend on it (else for those it depends on); without
        `ordered`, none waits for another; `after` (a service to the services whose containers go first) replaces
        the dependency order."""
        by_service: dict[str, list[str]] = {}
        for c in containers:
            by_service.setdefault(c.service, []).append(c.name)

        def deps(c: Container) -> list[str]:
            if not ordered or c.service not in self.graph.order():
                return []
            if after is not None:
                related: Iterable[str] = after(c.service)
            else:
                related = self.graph.dependents(c.service) if reverse else self.graph.deps(c.service)
            return [n for s in related for n in by_service.get(s, [])]

        outcome = execute(containers, fn, key=lambda c: c.name, deps=deps, limit=self.making if making else self.limit,
                          on_event=lambda e: on_event(Event(f"{verb} {e.key}", e.phase, e.error)),
                          skip_dependents=not reverse)
        outcome.raise_if_failed()

    def start(self, names: Iterable[str] = (), *, wait: float | None = None, on_event: OnEvent = _quiet) -> None:
        """Start the services' stopped containers; with `wait` (seconds), return once they run (see `wait`)."""
        names = list(names)
        containers = [c for c in self.containers(names, stopped=True) if not c.is_running]
        self.each(containers, lambda c: self.service(c.service).start(c), "Starting", on_event, reverse=False,
                  making=True)
        if wait is not None:
            self.wait(names, timeout=wait)

    def stop_timeout(self, container: Container, timeout: int | None) -> int:
        """An explicit -t wins; else the service's stop_grace_period; else 10 seconds."""
        if timeout is not None:
            return timeout
        known = {s.name: s for s in self.services}
        return known[container.service].stop_timeout(None) if container.service in known else 10

    def _config_of(self, container: Container) -> ServiceConfig | None:
        """The configuration of a container's service; None for an orphan's."""
        return next((s.config for s in self.services if s.name == container.service), None)

    def _restart(self, container: Container, timeout: int | None) -> None:
        """Restart a container with its hooks around it, as Compose does: pre_stop (if it runs), post_start."""
        config = self._config_of(container)
        self.hooks.pre_stop(container, config)
        container.restart(self.stop_timeout(container, timeout))
        if config is not None:
            self.hooks.post_start(container, config)

    def stop(self, names: Iterable[str] = (), *, timeout: int | None = None,
             on_event: OnEvent = _quiet) -> list[Container]:
        """Stop the services' containers, then (those that declare a stop) their providers; the containers stopped
        (a listing made just after may still show them running: the engine updates its state a moment later)."""
        names = list(names)
        chosen = self.get_services(names)
        plugins.check([s.config for s in chosen], dict(self.config.variables))
        running = self.containers(names)
        self.stop_containers(running, timeout=timeout, on_event=on_event)
        self._unprovide(chosen, "stop", on_event)
        return running

    def _unprovide(self, services: Sequence[Service], command: str, on_event: OnEvent) -> None:
        plugins.down(services, command, project=self.name, environ=dict(self.config.variables),
                     dependents=self.graph.dependents, on_event=on_event)

    def stop_containers(self, containers: Sequence[Container], *, timeout: int | None = None,
                        on_event: OnEvent = _quiet) -> None:
        def stop(c: Container) -> None:
            self.hooks.pre_stop(c, self._config_of(c))
            c.stop(self.stop_timeout(c, timeout))

        self.each(containers, stop, "Stopping", on_event)

    def restart(self, names: Iterable[str] = (), *, timeout: int | None = None, wait: float | None = None,
                on_event: OnEvent = _quiet) -> None:
        """Restart the services' containers, dependencies first; a service whose depends_on says `restart: true`
        for one of them is restarted after it too. With `wait` (seconds), return once they run again."""
        names = list(names)
        asked = list(names)
        todo = list(names)
        while todo:
            restarted = todo.pop()
            for s in self.services:
                if s.name not in names and any(d.service == restarted and d.restart for d in s.config.depends_on):
                    names.append(s.name)
                    todo.append(s.name)
        self.each(self.containers(names, stopped=True), lambda c: self._restart(c, timeout), "Restarting", on_event,
                  reverse=False, making=True)
        if wait is not None:
            self.wait(asked, timeout=wait)

    def kill(self, names: Iterable[str] = (), *, signal: str = "SIGKILL", on_event: OnEvent = _quiet) -> None:
        self.each(self.containers(names), lambda c: c.kill(signal), "Killing", on_event)

    def joiners(self, service: str) -> list[str]:
        """The services whose containers join the network, PID or IPC namespace of the service's: Podman removes a
        container only once those are gone."""
        mode = f"service:{service}"
        return [s.name for s in self.services if mode in (s.config.network_mode, s.config.pid, s.config.ipc)]

    def remove(self, containers: Sequence[Container], *, volumes: bool = False, on_event: OnEvent = _quiet) -> None:
        # The engine removes a stopped container that others link to, so stopped ones go all at once, as in compose,
        # except that those joining another's namespaces go before it
        running = any(c.is_running for c in containers)
        self.each(containers, lambda c: c.remove(force=True, volumes=volumes), "Removing", on_event,
                  after=None if running else self.joiners)

    def down(self, names: Iterable[str] = (), *, volumes: bool = False, remove_orphans: bool = False,
             timeout: int | None = None, remove_images: str | None = None, on_event: OnEvent = _quiet) -> None:
        """Stop and remove the project's containers, networks (and volumes, images); with names, only the
        containers of those services and of every service that depends on them, and the networks and volumes
        once no container of the project is left."""
        names = list(names)
        chosen = self.graph.closure([self.service(n).name for n in names], upward=True) if names else ()
        provided = [s for s in self.services if s.config.provider and (not chosen or s.name in chosen)]
        plugins.check([s.config for s in provided], dict(self.config.variables))
        containers = self.containers(chosen, stopped=True, oneoff=True)
        if remove_orphans:
            containers += self.orphans()
        self.stop_containers([c for c in containers if c.is_running], timeout=timeout, on_event=on_event)
        # every one has stopped (a failed stop raised above), so only those joining another's namespaces wait: a deep
        # link tree is not removed a level at a time
        self.each(containers, lambda c: c.remove(force=True, volumes=volumes), "Removing", on_event,
                  after=self.joiners)
        self._unprovide(provided, "down", on_event)
        if names and self.backend.list_containers({L.LABEL_PROJECT: self.name}, all=True):
            return
        for network in self.networks():
            if not network.external and self.backend.network_exists(network.name):
                on_event(Event(f"Removing network {network.name}", Phase.STARTED))
                self.backend.remove_network(network.name)
                on_event(Event(f"Removing network {network.name}", Phase.DONE))
        if volumes:
            for volume in self.config.volumes:
                if not volume.external and self.backend.volume_exists(volume.name):
                    self.backend.remove_volume(volume.name)
        if remove_images:
            for service in self.services:
                if remove_images == "all" or (service.config.build and not service.config.image):
                    try:
                        self.backend.remove_image(service.image_name)
                    except NotFound:
                        pass
