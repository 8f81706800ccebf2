"""Options and the environment become a Project on a real backend (the engine comes from fig.api, the one
module that reaches the Docker backend, for the library and the CLI alike)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fig.backend.base import ContainerBackend
from fig.cli.options import integer
from fig.labels import FIG_NAMES, Naming
from fig.parallel import DEFAULT_LIMIT

ENVIRONMENT_LIMITS = ("FIG_PARALLEL_LIMIT", "COMPOSE_PARALLEL_LIMIT")

if TYPE_CHECKING:
    from fig.project import Project
    from fig.swarm.deployed import DeployedStack


def engine(environ: Mapping[str, str] | None = None) -> ContainerBackend:
    """The engine of DOCKER_HOST, for the commands that need no project (`ls`)."""
    from fig import api

    backend = api.engine(os.environ if environ is None else environ)
    start_up_done()
    return backend


def start_up_done() -> None:
    """The cyclic garbage collector, off while fig starts (fig.cli.main.run), goes back on before the first request
    to the engine, so a command that runs for long (`up`, `logs -f`, `watch`) collects as usual. Start-up makes tens
    of thousands of objects that live as long as the process (modules, classes, the project): the collector went
    through them some 25 times before `port` had asked the engine anything, about 4 ms of it. They are frozen
    (left out of later collections) as the collector comes back. A collector that is on already (main() called
    from a program, or the tests) is left as it is."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def project_from_options(options: Mapping[str, Any], environ: Mapping[str, str] | None = None, *,
                         swarm: bool = False, naming: Naming = FIG_NAMES, strict_name: bool = False) -> Project:
    from fig.config import load_project
    from fig.project import Project

    environ = os.environ if environ is None else environ
    config = load_project(options.get("--file") or (), project_name=options.get("--project-name"),
                          environ=environ, profiles=options.get("--profile") or None,
                          env_files=options.get("--env-file") or (),
                          project_directory=options.get("--project-directory"), swarm=swarm, strict_name=strict_name)
    # the environment over .env: COMPOSE_PARALLEL_LIMIT may be set in either
    return Project(config, _backend(options, environ), limit=_limit(options, dict(config.variables)), naming=naming)


def stack_from_options(options: Mapping[str, Any], name: str, environ: Mapping[str, str] | None = None
                       ) -> DeployedStack:
    """The stack `name` on the engine, for the commands that need only a stack's name: no project file is read."""
    from fig.swarm.deployed import DeployedStack

    environ = os.environ if environ is None else environ
    return DeployedStack(name, _backend(options, environ), limit=_limit(options, environ))  # type: ignore[arg-type]


def _limit(options: Mapping[str, Any], variables: Mapping[str, str]) -> int | None:
    """--parallel, else FIG_PARALLEL_LIMIT, else COMPOSE_PARALLEL_LIMIT (Compose v2's): at most that many engine
    operations at once; none of them: every operation that is ready (fig.parallel.DEFAULT_LIMIT)."""
    given = [("--parallel", options.get("--parallel"))] + [(k, variables.get(k)) for k in ENVIRONMENT_LIMITS]
    for key, value in given:
        if value:
            return integer({key: value}, key, minimum=1)
    return DEFAULT_LIMIT


def _backend(options: Mapping[str, Any], environ: Mapping[str, str]) -> ContainerBackend:
    backend = engine(environ)
    if not options.get("--dry-run"):
        return backend
    from fig.backend.dryrun import DryRunBackend

    return DryRunBackend(backend, say=_say)


def _say(line: str) -> None:
    """A dry run's "would ..." lines are its result: they go to standard output."""
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()
