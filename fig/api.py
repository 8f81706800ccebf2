"""fig as a Python library: a project from its files, driven on the engine with the CLI's options.

    import fig

    project = fig.Project.from_files(["compose.yaml"], project_name="demo")
    project.up(wait=True)
    for container, line in project.logs(["web"], tail=10):
        ...
    print(project.exec("web", ["cat", "/etc/hostname"]).stdout)
    project.down(volumes=True)

Nothing here prints or exits: results are returned, progress goes to an optional `on_event` callback, and
failures raise `fig.FigError` subclasses (`ConfigError` for a bad file, `UserError` for a bad argument,
`BackendError` and its kin for what the engine refused). The CLI drives the same Project, Service and
running-container calls, on the engine `engine()` gives both.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from fig import labels as L
from fig.errors import UserError
from fig.parallel import DEFAULT_LIMIT, Event
from fig.records import record

if TYPE_CHECKING:  # the CLI comes here for engine() alone: what only the library's calls use is loaded by them
    from fig.backend.answers import EngineEvent
    from fig.backend.base import ContainerBackend
    from fig.config.model import ProjectConfig
    from fig.container import Container
    from fig.project import Project as Domain

OnEvent = Callable[[Event], None]
DIALECTS = {"fig": L.FIG_NAMES, "compose": L.COMPOSE_NAMES}


def _quiet(_: Event) -> None:
    pass


def engine(environ: Mapping[str, str]) -> ContainerBackend:
    """The engine the environment names (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), for the library and
    the CLI alike: the one place outside the backend package that reaches the Docker backend."""
    from fig.backend.docker import DockerBackend

    return DockerBackend.from_env(environ)


def connect(config: ProjectConfig, environ: Mapping[str, str], *, limit: int | None = DEFAULT_LIMIT,
            naming: L.Naming = L.FIG_NAMES) -> Domain:
    """A configuration on the engine."""
    from fig.project import Project as Domain

    return Domain(config, engine(environ), limit=limit, naming=naming)


@record(frozen=True)
class ExecResult:
    """A command run in a container: its exit code and output (None and "" for a detached one)."""

    exit_code: int | None
    stdout: str = ""
    stderr: str = ""


@record(frozen=True)
class RunResult:
    """A one-off container; for one that was waited for, its exit code and output (stdout and stderr)."""

    container: Container
    exit_code: int | None = None
    output: str = ""


class Project:
    """One compose project: its services, and the containers, networks and volumes fig made for it."""

    def __init__(self, project: Domain, *, on_event: OnEvent = _quiet) -> None:
        self.project = project
        self.on_event = on_event

    @classmethod
    def from_files(cls, files: Sequence[str | os.PathLike[str]] = (), *, project_name: str | None = None,
                   environ: Mapping[str, str] | None = None, profiles: Sequence[str] = (), cwd: str | None = None,
                   dialect: str = "fig", parallel: int | None = DEFAULT_LIMIT,
                   backend: ContainerBackend | None = None,
                   on_event: OnEvent = _quiet) -> Project:
        """Load the files (none: look for fig.yml, compose.yaml, ... in `cwd` and its parents) as the CLI does.

        `environ` (default: os.environ) supplies interpolation and the engine's address; `dialect` "compose"
        names new containers as Compose v2 does (`proj-web-1`); `parallel` caps the engine operations run at once
        (None: every one that is ready); `backend` replaces the Docker engine (tests).
        `on_event` receives progress events ("Creating proj_web_1", started/done/failed)."""
        from fig.config import load_project
        from fig.project import Project as Domain

        if dialect not in DIALECTS:
            raise UserError(f"dialect must be fig or compose, not {dialect!r}")
        environ = dict(os.environ if environ is None else environ)
        config = load_project([os.fspath(f) for f in files], project_name=project_name, environ=environ, cwd=cwd,
                              profiles=list(profiles) or None, strict_name=dialect == "compose")
        if backend is not None:
            return cls(Domain(config, backend, limit=parallel, naming=DIALECTS[dialect]), on_event=on_event)
        return cls(connect(config, environ, limit=parallel, naming=DIALECTS[dialect]), on_event=on_event)

    @property
    def name(self) -> str:
        return self.project.name

    @property
    def services(self) -> list[str]:
        """The service names, in dependency order."""
        return [s.name for s in self.project.services]

    def up(self, services: Iterable[str] = (), *, build: bool = False, no_build: bool = False, no_deps: bool = False,
           force_recreate: bool = False, no_recreate: bool = False, no_start: bool = False,
           remove_orphans: bool = False, renew_anon_volumes: bool = False, scale: Mapping[str, int] | None = None,
           timeout: int | None = None, wait: bool = False, wait_timeout: float = 120) -> list[Container]:
        """`fig up -d`: build or pull what is missing, create or recreate what changed, start in dependency
        order; with `wait`, return once every service runs (healthy, when it has a healthcheck)."""
        from fig.convergence import Strategy
        from fig.project import UpOptions

        if force_recreate and no_recreate:
            raise UserError("force_recreate and no_recreate cannot be combined")
        strategy = Strategy.ALWAYS if force_recreate else Strategy.NEVER if no_recreate else Strategy.CHANGED
        options = UpOptions(deps=not no_deps, strategy=strategy, build=not no_build, force_build=build,
                            start=not no_start, timeout=timeout, renew_volumes=renew_anon_volumes,
                            scale=dict(scale or {}), remove_orphans=remove_orphans)
        names = list(services)
        containers = self.project.up(names, options=options, on_event=self.on_event)
        if wait and not no_start:
            self.project.wait(names, timeout=wait_timeout)
        return containers

    def down(self, *, volumes: bool = False, remove_orphans: bool = False, rmi: str | None = None,
             timeout: int | None = None) -> None:
        """`fig down`: stop and remove the containers (one-offs too) and networks; `volumes` also removes
        the named volumes and anonymous ones; `rmi` "local" or "all" removes images."""
        if rmi not in (None, "local", "all"):
            raise UserError("rmi takes 'local' or 'all'")
        self.project.down(volumes=volumes, remove_orphans=remove_orphans, timeout=timeout, remove_images=rmi,
                          on_event=self.on_event)

    def ps(self, services: Iterable[str] = (), *, all: bool = False) -> list[Container]:
        """The running containers of the services (every one when none is named); with `all`, stopped and
        one-off containers too."""
        return self.project.containers(list(services), stopped=all, oneoff=all)

    def start(self, services: Iterable[str] = ()) -> None:
        self.project.start(list(services), on_event=self.on_event)

    def stop(self, services: Iterable[str] = (), *, timeout: int | None = None) -> None:
        self.project.stop(list(services), timeout=timeout, on_event=self.on_event)

    def restart(self, services: Iterable[str] = (), *, timeout: int | None = None) -> None:
        self.project.restart(list(services), timeout=timeout, on_event=self.on_event)

    def kill(self, services: Iterable[str] = (), *, signal: str = "SIGKILL") -> None:
        self.project.kill(list(services), signal=signal, on_event=self.on_event)

    def logs(self, services: Iterable[str] = (), *, follow: bool = False, tail: int | None = None,
             since: str | None = None, timestamps: bool = False) -> Iterator[tuple[Container, str]]:
        """(container, line) for the services' containers, each line without its newline. Without `follow`,
        one container's lines after another's; with it, as they come, until every container has stopped."""
        containers = self.project.containers(list(services), stopped=True)
        if not follow:
            for c in containers:
                for line in c.logs(follow=False, tail=tail, since=since, timestamps=timestamps):
                    yield c, _text(line.text, line.timestamp)
            return
        import queue
        import threading

        from fig.container import Container

        lines: queue.Queue[tuple[Container, str] | Container | BaseException] = queue.Queue()

        def pump(c: Container) -> None:
            try:
                for line in c.logs(follow=True, tail=tail, since=since, timestamps=timestamps):
                    lines.put((c, _text(line.text, line.timestamp)))
                lines.put(c)  # this container's stream ended
            except BaseException as e:  # handed to the caller's thread
                lines.put(e)

        for c in containers:
            threading.Thread(target=pump, args=(c,), daemon=True).start()
        open_streams = len(containers)
        while open_streams:
            item = lines.get()
            if isinstance(item, BaseException):
                raise item
            if isinstance(item, Container):
                open_streams -= 1
                continue
            yield item

    def run(self, service: str, command: Sequence[str] | None = None, *, detach: bool = False, rm: bool = False,
            environment: Mapping[str, str] | None = None, user: str | None = None, workdir: str | None = None,
            entrypoint: Sequence[str] | None = None, name: str | None = None, service_ports: bool = False,
            no_deps: bool = False) -> RunResult:
        """`fig run -T`: a one-off container of the service, its dependencies started first (unless
        `no_deps`). Detached, it is returned running; else it is waited for, and its exit code and output
        returned (and, with `rm`, it is removed)."""
        from fig.convergence import Strategy
        from fig.project import UpOptions
        from fig.specs import RunOptions

        svc = self.project.service(service)
        self.project.ensure_resources()
        deps = [n for n in self.project.graph.closure([svc.name]) if n != svc.name]
        if deps and not no_deps:
            self.project.up(deps, options=UpOptions(strategy=Strategy.NEVER), on_event=self.on_event)
        image_id = svc.ensure_image(rebuild=svc.builds_always())
        options = RunOptions(command=tuple(command) if command is not None else None,
                             entrypoint=tuple(entrypoint) if entrypoint is not None else None,
                             environment=tuple((environment or {}).items()), user=user, workdir=workdir, name=name,
                             service_ports=service_ports, auto_remove=detach and rm)
        container = svc.create_oneoff(image_id, options)
        container.start()
        if detach:
            return RunResult(container.refresh())
        try:
            code = container.wait()
            output = "".join(line.text for line in container.logs(follow=False))
        finally:
            if rm:
                container.remove(force=True, volumes=True)
        return RunResult(container, code, output)


    def exec(self, service: str, command: Sequence[str], *, index: int = 0, detach: bool = False,
             environment: Mapping[str, str] | None = None, user: str | None = None, workdir: str | None = None,
             privileged: bool = False) -> ExecResult:
        """`fig exec -T`: the command in the service's running container (the lowest-numbered, or number
        `index`), its output kept apart by stream; detached, it is started and left to run."""
        from fig import running
        from fig.backend.specs import ExecSpec
        from fig.backend.streams import frames, received
        from fig.container import Execution

        container = running.pick(self.project, service, index=index)
        spec = ExecSpec(command=tuple(command), environment=dict(environment or {}), user=user, working_dir=workdir,
                        privileged=privileged)
        execution = Execution.create(container, spec)
        if detach:
            execution.start_detached()
            return ExecResult(None)
        out: dict[str, list[bytes]] = {"stdout": [], "stderr": []}
        for stream, data in frames(received(execution.attach()), tty=False):
            out[stream].append(data)
        text = {k: b"".join(v).decode("utf-8", "replace") for k, v in out.items()}
        return ExecResult(execution.exit_code(), text["stdout"], text["stderr"])

    def events(self, services: Iterable[str] = (), *, since: str | None = None,
               until: str | None = None) -> Iterator[tuple[str, EngineEvent]]:
        """(service, event) for the project's containers as the engine reports them (start, die, health_status,
        ...), from `since` (RFC 3339) on; for ever, or until `until`."""
        from fig import running

        return running.events(self.project, list(services), since=since, until=until)


def _text(text: str, timestamp: str | None) -> str:
    line = text.rstrip("\n")
    return f"{timestamp} {line}" if timestamp else line
