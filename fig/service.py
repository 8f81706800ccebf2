"""Service: turns a ServiceConfig into containers on the engine, by plan."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from fig import apisocket, builds
from fig import labels as L
from fig.backend.base import ContainerBackend, ContainerInfo
from fig.config.model import PortSpec, ServiceConfig
from fig.container import Container, find
from fig.convergence import Action, Plan, Step
from fig.errors import BackendError, Conflict, HookFailed, ImageNotFound, NotFound
from fig.hooks import Hooks
from fig.logs import logger
from fig.parallel import Event, execute
from fig.records import replace
from fig.specs import RunOptions, SpecBuilder, canonical_name

if TYPE_CHECKING:  # loaded by the commands that make or run something
    from fig.backend.specs import BuildRequest, ContainerSpec

log = logger(__name__)

ADOPT_ATTEMPTS = 100  # 10 s of a name taken by a container not yet to be seen
Progress = Callable[[str, Mapping[str, Any]], None]
Retire = Callable[[Container, bool], None]  # a stopped container to remove, and whether with its anonymous volumes


class Service:
    def __init__(self, config: ServiceConfig, *, project: str, backend: ContainerBackend, legacy: bool,
                 peers: Callable[[str], list[Container]], naming: L.Naming = L.FIG_NAMES,
                 project_labels: Mapping[str, str] | None = None, hooks: Hooks | None = None) -> None:
        self.config = config
        self.hooks = hooks or Hooks()
        self.project = project
        self.naming = naming
        self.backend = backend
        self.legacy = legacy
        self.specs = SpecBuilder(config, project=project, image=self.image_name, legacy=legacy, peers=peers,
                                 backend=backend, naming=naming, project_labels=project_labels)

    def __repr__(self) -> str:
        return f"<Service {self.name}>"

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def image_name(self) -> str:
        """`image:` (an empty tag, `name:`, is the untagged name, as compose reads it), else the name a build is
        tagged with: `<project>_<service>` for a fig.yml, `<project>-<service>` as Compose v2 names it for a compose
        file (so either tool finds the other's build)."""
        if self.config.image:
            return self.config.image.removesuffix(":")
        return f"{self.project}{'_' if self.legacy else '-'}{self.name}"

    def canonical_name(self, number: int) -> str:
        return canonical_name(self.config, self.project, number, self.naming)

    def containers(self, *, stopped: bool = False, oneoff: bool = False) -> list[Container]:
        labels = L.service_labels(self.project, self.name, oneoff=oneoff)
        infos = find(self.backend, labels, all=stopped)
        return sorted((Container(self.backend, i) for i in infos), key=lambda c: c.number)

    # -- images -------------------------------------------------------------------------------------

    def image_id(self) -> str | None:
        return self.backend.image_id(self.image_name)

    def builds_always(self, policy: str | None = None) -> bool:
        """pull_policy: build (or `--pull build`, which overrides it): every `up` and `run` builds the image."""
        return (policy or self.config.pull_policy) == "build" and self.config.build is not None

    def ensure_image(self, *, build: bool = True, rebuild: bool = False, policy: str | None = None,
                     on_progress: Progress | None = None) -> str:
        """The id of the image to run: built (when the service has `build:`, or always with `rebuild`) or pulled
        if missing; pulled every time with pull_policy always, and never with never (`policy` overrides it). The
        images its `type: image` volumes mount are pulled if missing, too."""
        image_id = self._own_image(build=build, rebuild=rebuild, policy=policy, on_progress=on_progress)
        self.ensure_mount_images(on_progress=on_progress)
        return image_id

    def ensure_mount_images(self, *, on_progress: Progress | None = None) -> None:
        """Pull the images that `type: image` volumes mount and the engine does not have (as Compose v2 does)."""
        for volume in self.config.volumes:
            if volume.image and volume.source and not self.backend.image_id(volume.source):
                for event in self.backend.pull(volume.source):
                    if on_progress:
                        on_progress(self.name, event)

    def _own_image(self, *, build: bool, rebuild: bool, policy: str | None, on_progress: Progress | None) -> str:
        policy = policy or self.config.pull_policy
        if policy == "always" and self.config.image:
            self.pull(on_progress=on_progress)
        image_id = self.image_id()
        if image_id and not (rebuild and build):
            return image_id
        if self.config.build:
            if not build:
                raise ImageNotFound(f"Service '{self.name}' needs its image {self.image_name} built: run fig build")
            return self.build(on_progress=on_progress)
        if policy == "never":
            raise ImageNotFound(f"Service '{self.name}': image {self.image_name} is not here, and its pull_policy "
                                "is never")
        self.pull(on_progress=on_progress)
        return self.image_id() or ""

    def build_request(self, *, no_cache: bool = False, pull: bool = False,
                      args: Mapping[str, str] | None = None) -> BuildRequest:
        return builds.request(self.config, self.image_name, no_cache=no_cache, pull=pull, args=args)

    def build(self, *, no_cache: bool = False, pull: bool = False, args: Mapping[str, str] | None = None,
              on_progress: Progress | None = None) -> str:
        """Build the image; `args` are added to (or override) the file's build arguments."""
        request = self.build_request(no_cache=no_cache, pull=pull, args=args)
        return builds.build(self.backend, [request], on_progress=on_progress)[self.name]

    def pull(self, *, on_progress: Progress | None = None) -> None:
        if not self.config.image:
            return
        for event in self.backend.pull(self.image_name, platform=self.config.platform):
            if on_progress:
                on_progress(self.name, event)

    def push(self, *, on_progress: Progress | None = None) -> None:
        for event in self.backend.push(self.image_name):
            if on_progress:
                on_progress(self.name, event)

    def config_hash(self, image_id: str) -> str:
        return self.config.config_hash(image_id)

    # -- convergence --------------------------------------------------------------------------------

    def stop_timeout(self, override: int | None) -> int:
        if override is not None:
            return override
        grace = self.config.stop_grace_period
        return 10 if grace is None else int(grace)

    def execute_plan(self, plan: Plan, image_id: str, *, timeout: int | None, start: bool = True,
                     renew_volumes: bool = False, limit: int | None = None,
                     on_event: Callable[[Event], None] = lambda _: None,
                     before_start: Callable[[Container], None] = lambda _: None,
                     retire: Retire | None = None) -> list[Container]:
        """Carry out a plan; returns the service's containers afterwards (those it kept or made).
        `timeout` (None: the service's own) bounds each stop.
        `before_start` sees each container just before it starts (to attach to its output).
        `retire`, when given, gets the stopped containers to remove (and whether with their volumes) instead."""
        timeout = self.stop_timeout(timeout)
        retire = retire or (lambda c, volumes: c.remove(force=True, volumes=volumes))

        def act(step: Step) -> Container | None:
            info = step.container
            if step.action is Action.REMOVE:
                assert info is not None
                self._remove(info, timeout=timeout, retire=retire)
                return None
            if step.action is Action.CREATE:
                return self._create(step.number, image_id, start=start, before_start=before_start)
            assert info is not None
            if step.action is Action.RECREATE:
                return self._recreate(info, step.number, image_id, timeout=timeout, start=start,
                                      renew_volumes=renew_volumes, before_start=before_start, retire=retire)
            container = Container(self.backend, info)
            before_start(container)
            self.start(container, patient=True)  # it may be one another fig is creating at this moment
            return container

        kept = [Container(self.backend, s.container) for s in plan.steps if s.action is Action.NOOP and s.container]
        work = [s for s in plan.steps if s.action is not Action.NOOP]
        outcome = execute(work, act, key=self._step_label, limit=limit, on_event=on_event)
        outcome.raise_if_failed()
        made = [c for c in outcome.results.values() if c is not None]
        return sorted(kept + made, key=lambda c: c.number)

    def _step_label(self, step: Step) -> str:
        verb = {Action.CREATE: "Creating", Action.RECREATE: "Recreating", Action.START: "Starting",
                Action.REMOVE: "Removing"}[step.action]
        name = step.container.name if step.container else self.canonical_name(step.number)
        return f"{verb} {name}"

    def _create(self, number: int, image_id: str, *, start: bool, previous: ContainerInfo | None = None,
                renew_volumes: bool = False, before_start: Callable[[Container], None] = lambda _: None) -> Container:
        spec = self.specs.build(number, image_id, self.config_hash(image_id), previous=previous,
                                renew_volumes=renew_volumes)
        container, adopted = self._create_or_adopt(self._with_socket(spec), number)
        if not adopted:
            apisocket.give_credentials(container, self.config)
        if start:
            before_start(container)
            self.start(container, patient=adopted)
        return container

    def _create_or_adopt(self, spec: ContainerSpec, number: int) -> tuple[Container, bool]:
        """Create the container; if another fig made it at the same moment (two `up`s at once), use theirs when it
        is this service's (then True), else say what is in the way. The engine holds a name a moment before the
        container can be inspected, so a name taken by nothing yet is tried again."""
        for _ in range(ADOPT_ATTEMPTS):
            try:
                return Container(self.backend, self.backend.inspect(self._made(self.backend.create(spec)))), False
            except Conflict:
                try:
                    info = self.backend.inspect(spec.name)
                except NotFound:
                    time.sleep(0.1)
                    continue
            wanted = {**L.service_labels(self.project, self.name), L.LABEL_NUMBER: str(number)}
            if any(L.read(info.labels, k) != v for k, v in wanted.items()):
                owner = L.read(info.labels, L.LABEL_PROJECT)
                service = L.read(info.labels, L.LABEL_SERVICE)
                whose = f"of project {owner}, service {service}" if owner else "not made by fig"
                raise Conflict(f"{spec.name}: the name is taken by container {info.id[:12]} ({whose}); "
                               "remove or rename it")
            log.debug("%s was created by another fig at the same moment: using it", spec.name)
            return Container(self.backend, info), True
        raise Conflict(f"{spec.name}: the name stays taken by a container the engine does not show; try again")

    def _made(self, container_id: str) -> str:
        """A container just created gets the secrets and configs that are written into it (those with an owner
        or a mode), as compose writes them."""
        for mount in (*self.config.secrets, *self.config.configs):
            if mount.copied:
                self.backend.put_archive(container_id, "/", mount.archive(),
                                         copy_uid_gid=mount.uid is not None or mount.gid is not None)
        return container_id

    def _recreate(self, old: ContainerInfo, number: int, image_id: str, *, timeout: int, start: bool,
                  renew_volumes: bool, before_start: Callable[[Container], None], retire: Retire) -> Container:
        """Stop, set aside under a temporary name, create the new one with the old one's volumes, then remove
        the old one. Interrupted anywhere, the next `up` finds both by label and converges."""
        canonical = self.canonical_name(number)
        Container(self.backend, old).stop(timeout)
        aside = f"{old.id[:12]}_{canonical}"
        if old.name != aside:
            self.backend.rename(old.id, aside)
        try:
            new = self._create(number, image_id, start=start, previous=old, renew_volumes=renew_volumes,
                               before_start=before_start)
        except BaseException:
            try:
                self.backend.rename(old.id, old.name)
            except BackendError:
                log.debug("could not rename %s back", old.name)
            raise
        retire(Container(self.backend, old), renew_volumes)
        return new

    def _remove(self, info: ContainerInfo, *, timeout: int, retire: Retire) -> None:
        container = Container(self.backend, info)
        try:
            self.hooks.pre_stop(container, self.config)
            container.stop(timeout)
            retire(container, False)
        except NotFound:
            pass

    # -- one-off containers ---------------------------------------------------------------------------

    def create_oneoff(self, image_id: str, options: RunOptions) -> Container:
        existing = self.containers(stopped=True, oneoff=True)
        number = max((c.number for c in existing), default=0) + 1
        for attempt in range(5):
            spec = self.specs.build(number + attempt, image_id, self.config_hash(image_id), oneoff=options)
            try:
                cid = self.backend.create(self._with_socket(spec))
            except BackendError as e:
                if "is already in use" in str(e) and not options.name:
                    continue
                raise
            container = Container(self.backend, self.backend.inspect(self._made(cid)))
            apisocket.give_credentials(container, self.config)
            return container
        raise BackendError(f"Service '{self.name}': could not find a free name for a one-off container")

    def add_environment(self, values: Mapping[str, str], *, origin: str) -> None:
        """Variables a provider gives this service (it depends on it): they join its environment, winning."""
        environment = dict(self.config.environment)
        for key, value in values.items():
            if key in environment and environment[key] != value:
                log.warning("provider %r overrides environment variable %r in service %r", origin, key, self.name)
        self.config = replace(self.config, environment=tuple({**environment, **values}.items()))
        self.specs.config = self.config

    def _explained(self, error: BackendError) -> BackendError:
        """An engine without CDI says only that it has no "cdi" device driver: say what the devices need."""
        cdi = [d for d in self.config.devices if not d.startswith("/")]
        if not cdi or 'device driver "cdi"' not in str(error):
            return error
        return type(error)(f"{error}: the CDI devices {', '.join(cdi)} need an engine with CDI enabled (Docker "
                           "Engine 25 or newer: its daemon.json's \"features\": {\"cdi\": true} up to 28.1, on by "
                           "default from 28.2)")

    def _with_socket(self, spec: ContainerSpec) -> ContainerSpec:
        return apisocket.with_socket(spec, self.config, self.backend.engine_socket())

    def too_few_host_ports(self, count: int) -> list[PortSpec]:
        """The published ports `count` containers cannot all bind: a fixed host port, or a range of fewer."""
        return [p for p in self.config.ports if 0 < p.host_count < count]

    def start(self, container: Container, *, patient: bool = False) -> None:
        """Start a container, then run the post_start hooks in it; a hook that fails stops it again (the spec's
        meaning), so the next `up` starts it and runs them again. One that another fig is still creating can be
        seen (listed, inspected) a moment before the engine can start it, so a `patient` start tries again for a
        while."""
        for attempt in range(ADOPT_ATTEMPTS if patient else 1, 0, -1):
            try:
                container.start()
                break
            except NotFound:
                if attempt == 1:
                    raise
                time.sleep(0.1)
            except BackendError as e:
                raise self._explained(e) from e
        try:
            self.hooks.post_start(container, self.config)
        except HookFailed:
            container.stop(self.stop_timeout(None))
            raise
