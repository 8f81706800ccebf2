"""A service the active profiles leave out is not checked for what only running it needs (an image or build, the
services, networks, volumes and secrets it refers to), as Compose v2 leaves it out before it checks those; what
is wrong with the file itself (schema, a value fig cannot read) still counts everywhere, as in Compose v2."""

from __future__ import annotations

import pytest

from fig.config.render import render
from fig.errors import ConfigError, Unresolved
from fig.project import Project
from fig.records import replace

OVERRIDE_ONLY = """\
    services:
      web: {image: busybox}
      bar:
        profiles: [debug]
"""


@pytest.mark.parametrize("extra", [
    "", "\n        networks: [nope]", "\n        depends_on: [nope]", "\n        secrets: [nope]",
    "\n        volumes: ['nope:/data']", "\n        links: [nope]", "\n        network_mode: 'service:nope'",
])
def test_an_inactive_service_that_could_not_run_loads(load, extra):
    config = load(OVERRIDE_ONLY + extra)
    assert config.selected() == ["web"]
    assert [s.name for s in config.services] == ["web", "bar"] and config.service("bar").profiles == ("debug",)
    printed = replace(config, services=tuple(s for s in config.services if s.name in config.selected()))
    assert "bar" not in render(printed)


def test_naming_it_or_enabling_its_profile_gives_the_error(load, project, backend):
    with pytest.raises(Unresolved, match=r"^fig.yml:\d+: service 'bar' must have 'image', 'build' or 'provider'$"):
        load(OVERRIDE_ONLY).selected(["bar"])
    with pytest.raises(Unresolved, match="service 'bar' must have 'image'"):
        load(OVERRIDE_ONLY, environ={"COMPOSE_PROFILES": "debug"})
    p: Project = project(OVERRIDE_ONLY)
    with pytest.raises(Unresolved, match="service 'bar' must have 'image'"):
        p.up(["bar"])
    assert backend.writes() == []
    p.up()
    assert [c.service for c in p.containers()] == ["web"]


@pytest.mark.parametrize("extra, error", [
    ("\n        unknown: 1", "unknown key 'unknown'"),
    ("\n        ports: ['abc']", "'ports' item \"abc\" is not a valid port"),
    ("\n        mem_limit: lots", "'mem_limit' 'lots' is not a size"),
    ("\n        extends: {service: nope}", "there is no service 'nope'"),
])
def test_what_is_wrong_with_the_file_still_counts(load, extra, error):
    with pytest.raises(ConfigError, match=error):
        load(OVERRIDE_ONLY + extra)


def test_an_active_service_is_checked_as_before(load):
    with pytest.raises(Unresolved, match=r"service 'web' refers to|service 'web': 'networks' refers to undefined"):
        load(OVERRIDE_ONLY.replace("{image: busybox}", "{image: busybox, networks: [nope]}"))


def test_convert_prints_every_service_so_it_refuses_one_that_cannot_run(project):
    from fig.cli.configs import convert

    with pytest.raises(Unresolved, match="service 'bar' must have 'image'"):
        convert(project(OVERRIDE_ONLY), {"--output": None})
