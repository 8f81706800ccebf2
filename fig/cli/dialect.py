"""Where fig's own command line and Compose v2's differ: defaults the handlers read, not a second set of handlers.

`fig ...` speaks Fig's (and docker-compose 1.x's) command line; `fig compose ...` and the Docker CLI plugin speak
Compose v2's. Containers are found by labels, never by name, so either dialect operates on what the other made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from fig.labels import COMPOSE_NAMES, FIG_NAMES, Naming


class Dialect(NamedTuple):  # a NamedTuple, not a dataclass: every command's start-up makes this class
    name: str
    ps_all: bool  # `ps` without -a lists stopped and one-off containers too (Fig), or running ones only (v2)
    ps_orphans: bool  # `ps` lists containers of services no longer in the file (v2), or not (Fig)
    run_detached_prints: str  # what `run -d` prints: "name" (Fig 1.0.1, docker-compose 1.x) or "id" (v2)
    wait_timeout: float | None  # `up --wait` without --wait-timeout: seconds, or None for no limit (v2)
    naming: Naming  # proj_web_1 / proj_web_run_1 (Fig), or proj-web-1 / proj-web-run-<slug> (v2)
    port_unpublished_fails: bool  # `port` of an unpublished port: an error (v2), or an empty line and 0 (Fig)
    ps_table: str  # `ps`'s columns: "fig" (Name Command State Ports) or "compose" (NAME IMAGE COMMAND SERVICE ...)
    strict_name: bool = False  # a project name given by -p or the environment must be one Compose v2 accepts


FIG = Dialect("fig", ps_all=True, ps_orphans=False, run_detached_prints="name", wait_timeout=120,
              naming=FIG_NAMES, port_unpublished_fails=False, ps_table="fig")
COMPOSE = Dialect("compose", ps_all=False, ps_orphans=True, run_detached_prints="id", wait_timeout=None,
                  naming=COMPOSE_NAMES, port_unpublished_fails=True, ps_table="compose", strict_name=True)


def compose_dialect(compatibility: bool, environ: Mapping[str, str]) -> Dialect:
    """Compose v2's, with `_` in names again under --compatibility or COMPOSE_COMPATIBILITY=true."""
    if compatibility or environ.get("COMPOSE_COMPATIBILITY", "").lower() in ("1", "true"):
        return COMPOSE._replace(naming=COMPOSE_NAMES._replace(separator="_"))
    return COMPOSE
