"""What runs in a project's containers: picking one container of a service, commands run inside it (exec), its
processes, its resource use, pausing, waiting, and the engine's events about it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from fig import labels as L
from fig.container import Container
from fig.errors import BackendError, UserError
from fig.parallel import Event
from fig.project import Project
from fig.records import record

if TYPE_CHECKING:
    from fig.backend.answers import EngineEvent, ImageInfo, StatsSample

OnEvent = Callable[[Event], None]


def pick(project: Project, service: str, *, index: int = 0, stopped: bool = False, oneoff: bool = True) -> Container:
    """The container `exec`, `attach` and `cp --index` act on: the lowest-numbered running one (with `index`, that
    number), a one-off only when the service has no other."""
    project.service(service)
    found = [c for c in project.containers([service], stopped=stopped, oneoff=oneoff)
             if not index or (c.number == index and not c.oneoff)]
    if not found:
        which = f" container #{index}" if index else ""
        raise UserError(f'service "{service}" is not running{which}')
    return min(found, key=lambda c: (c.oneoff, c.number))


def running(project: Project, names: Iterable[str] = (), *, oneoff: bool = True) -> list[Container]:
    """The running containers of the services (every service when none is named), checked to exist."""
    names = list(names)
    for name in names:
        project.service(name)
    return project.containers(names, oneoff=oneoff)


def pause(project: Project, names: Iterable[str] = (), *, on_event: OnEvent) -> None:
    containers = [c for c in running(project, names, oneoff=False) if c.state.value != "paused"]
    project.each(containers, lambda c: c.backend.pause(c.id), "Pausing", on_event, ordered=False)


def unpause(project: Project, names: Iterable[str] = (), *, on_event: OnEvent) -> None:
    containers = [c for c in running(project, names, oneoff=False) if c.state.value == "paused"]
    project.each(containers, lambda c: c.backend.unpause(c.id), "Unpausing", on_event, ordered=False)


def processes(project: Project, names: Iterable[str] = ()) -> list[tuple[Container, list[str], list[list[str]]]]:
    """Each running container with the titles and rows of its processes (as `ps -ef` lists them), by name."""
    return [(c, *c.backend.top(c.id)) for c in sorted(running(project, names), key=lambda c: c.name)]


def images(project: Project, names: Iterable[str] = ()) -> list[tuple[Container, ImageInfo]]:
    """Every container of the services (stopped and one-off ones too) with its image, by container name."""
    containers = project.containers(list(names), stopped=True, oneoff=True)
    known: dict[str, ImageInfo] = {}
    for c in containers:
        ref = c.info.image_id or c.info.image
        if ref not in known:
            known[ref] = c.backend.image_inspect(ref)
    return sorted(((c, known[c.info.image_id or c.info.image]) for c in containers), key=lambda p: p[0].name)


@record(frozen=True)
class Usage:
    """A container's resource use as `docker stats` computes it from one sample."""

    cpu_percent: float
    memory: int
    memory_limit: int
    memory_percent: float
    net_rx: int
    net_tx: int
    block_read: int
    block_write: int
    pids: int

    @classmethod
    def of(cls, s: StatsSample) -> Usage | None:
        """None for a sample of a container that is not running."""
        if not s.read or s.read.startswith("0001-"):
            return None
        cpu_delta, system_delta = s.cpu_total - s.precpu_total, s.system_cpu - s.presystem_cpu
        cpu = cpu_delta / system_delta * s.online_cpus * 100 if cpu_delta > 0 and system_delta > 0 else 0.0
        memory_percent = s.memory / s.memory_limit * 100 if s.memory_limit else 0.0
        return cls(cpu, s.memory, s.memory_limit, memory_percent, s.net_rx, s.net_tx, s.block_read, s.block_write,
                   s.pids)


def usage(project: Project, names: Iterable[str] = (), *, stopped: bool = False,
          stream: bool = False) -> Iterator[list[tuple[Container, Usage | None]]]:
    """Readings of the containers' resource use: one round, or (`stream`) a round about every second, for ever."""
    containers = sorted(project.containers(list(names), stopped=stopped, oneoff=True), key=lambda c: c.name)
    if not stream:
        yield [(c, _one(c)) for c in containers]
        return
    import threading  # here and in `wait`: the commands that follow containers

    latest: dict[str, Usage | None] = {c.id: None for c in containers}
    first, heard = threading.Semaphore(0), set[str]()

    def follow(c: Container) -> None:
        try:
            for sample in c.backend.stats(c.id, stream=True):
                latest[c.id] = Usage.of(sample)
                if c.id not in heard:
                    heard.add(c.id)
                    first.release()
        except BackendError:
            latest[c.id] = None

    for c in containers:
        threading.Thread(target=follow, args=(c,), daemon=True).start()
    deadline = time.monotonic() + 3  # the first round waits for a reading of each (a stopped one never sends)
    for _ in containers:
        if not first.acquire(timeout=max(0.0, deadline - time.monotonic())):
            break
    while True:
        yield [(c, latest[c.id]) for c in containers]
        time.sleep(1)


def _one(c: Container) -> Usage | None:
    if not c.is_running:
        return None
    return Usage.of(next(iter(c.backend.stats(c.id, stream=False))))


def events(project: Project, names: Iterable[str] = (), *, since: str | None = None,
           until: str | None = None) -> Iterator[tuple[str, EngineEvent]]:
    """(service, event) for the project's containers, one-offs left out, as the engine reports them."""
    wanted = set(names)
    for name in wanted:
        project.service(name)
    for event in project.backend.events(L.project_labels(project.name), since=since, until=until):
        service = L.read(event.attributes, L.LABEL_SERVICE)
        if event.type != "container" or L.read(event.attributes, L.LABEL_ONEOFF) == "True":
            continue
        if not wanted or service in wanted:
            yield service, event


def wait(project: Project, names: Iterable[str]) -> Iterator[tuple[Container, int]]:
    """Each running container of the services with its exit code, as they exit."""
    containers = running(project, names)
    if not containers:
        raise UserError(f'no containers for project "{project.name}"')
    import queue
    import threading

    ended: queue.Queue[tuple[Container, int | BaseException]] = queue.Queue()

    def watch(c: Container) -> None:
        try:
            ended.put((c, c.wait()))
        except BaseException as e:  # handed to the caller's thread
            ended.put((c, e))

    for c in containers:
        threading.Thread(target=watch, args=(c,), daemon=True).start()
    for _ in containers:
        container, outcome = ended.get()
        if isinstance(outcome, BaseException):
            raise outcome
        yield container, outcome
