"""Where fig's own command line and Compose v2's differ: defaults the handlers read, not a second set of handlers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    name: str
    ps_all: bool  # `ps` without -a lists stopped and one-off containers too (Fig), or running ones only (v2)
    ps_orphans: bool  # `ps` lists containers of services no longer in the file (v2), or not (Fig)
    run_detached_prints: str  # what `run -d` prints: "name" (Fig 1.0.1, docker-compose 1.x) or "id" (v2)
    wait_timeout: float | None  # `up --wait` without --wait-timeout: seconds, or None for no limit (v2)


FIG = Dialect("fig", ps_all=True, ps_orphans=False, run_detached_prints="name", wait_timeout=120)
COMPOSE = Dialect("compose", ps_all=False, ps_orphans=True, run_detached_prints="id", wait_timeout=None)
