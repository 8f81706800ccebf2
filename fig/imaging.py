"""The image commands of a project: build, pull and push, each over the services it is given."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from fig import builds
from fig.backend.base import ContainerBackend
from fig.errors import FigError
from fig.logs import logger
from fig.parallel import Event, execute
from fig.records import field, record
from fig.service import Progress, Service

log = logger(__name__)


@record(frozen=True)
class BuildOptions:
    no_cache: bool = False
    pull: bool = False  # always pull the base image
    args: Mapping[str, str] = field(default_factory=dict)  # build arguments added to (or overriding) the file's
    deps: bool = False  # build what the named services depend on too


@record(frozen=True)
class PullOptions:
    ignore_failures: bool = False  # pull what can be pulled, warn about the rest
    deps: bool = False  # pull the images of what the named services depend on too
    missing_only: bool = False  # only images that are not here yet


def _quiet(_: Event) -> None:
    pass


class ProjectImages:
    limit: int | None
    making: int
    backend: ContainerBackend
    get_services: Callable[..., list[Service]]

    def build(self, names: Iterable[str] = (), *, options: BuildOptions = BuildOptions(),
              on_progress: Progress | None = None) -> None:
        """Build the services' images, all in one go (the builder runs what it can in parallel)."""
        requests = []
        for service in self.get_services(names, deps=options.deps):
            if service.config.build:
                requests.append(service.build_request(no_cache=options.no_cache, pull=options.pull,
                                                      args=options.args))
            else:
                log.info("%s uses an image, skipping", service.name)
        builds.build(self.backend, requests, on_progress=on_progress)

    def pull(self, names: Iterable[str] = (), *, options: PullOptions = PullOptions(),
             on_progress: Progress | None = None, on_event: Callable[[Event], None] = _quiet) -> None:
        services = [s for s in self.get_services(names, deps=options.deps) if s.config.image]
        if options.missing_only:
            services = [s for s in services if not s.image_id()]
        outcome = execute(services, lambda s: s.pull(on_progress=on_progress), key=lambda s: s.name,
                          limit=self.making, on_event=on_event)
        if not options.ignore_failures:
            outcome.raise_if_failed()

    def push(self, names: Iterable[str] = (), *, ignore_failures: bool = False,
             on_progress: Progress | None = None) -> None:
        """Push the images that services build and name (`build:` with `image:`); skip the others, saying why.
        With `ignore_failures`, a push that fails is a warning and the others go on."""
        for service in self.get_services(names):
            if service.config.build and service.config.image:
                log.info("Pushing %s (%s)", service.name, service.image_name)
                try:
                    service.push(on_progress=on_progress)
                except FigError as e:
                    if not ignore_failures:
                        raise
                    log.warning("%s: %s", service.name, e)
            elif service.config.build:
                log.info("%s has no image: to push to, skipping", service.name)
            else:
                log.info("%s uses an image it does not build, skipping", service.name)
