"""The library API against the real engine: a project driven through fig.Project, no CLI, nothing printed."""

from __future__ import annotations

import time

import pytest

import fig
from tests.integration.conftest import SLEEPER


def test_a_project_through_the_library(project, capfd):
    path = project.write(f"""
        services:
          db:
            image: busybox
            command: {SLEEPER}
            healthcheck: {{test: ["CMD", "true"], interval: 1s}}
          web:
            image: busybox
            command: {SLEEPER}
            depends_on: {{db: {{condition: service_healthy}}}}
          counter:
            image: busybox
            command: sh -c 'seq 1 5 | sed "s/^/n /"'
        """, "compose.yaml")
    lib = fig.Project.from_files([path], project_name=project.name)
    made = lib.up(["db", "web"], wait=True)
    assert sorted(c.name for c in made) == [f"{project.name}_db_1", f"{project.name}_web_1"]
    assert all(c["State"] == "running" for c in project.containers())
    assert project.inspect(f"{project.name}_db_1")["State"]["Health"]["Status"] == "healthy"
    lib.up(["counter"])
    lines = [line for c, line in lib.logs(["counter"], follow=True)]
    assert lines == [f"n {i}" for i in range(1, 6)]
    assert lib.ps(["counter"], all=True)[0].wait() == 0  # its stream ends a moment before the engine says it exited
    assert [c.service for c in lib.ps()] == ["db", "web"]  # counter has exited
    assert {c.service for c in lib.ps(all=True)} == {"db", "web", "counter"}
    result = lib.run("web", ["sh", "-c", "echo from run; exit 4"], rm=True, no_deps=True)
    assert (result.exit_code, result.output) == (4, "from run\n")
    with pytest.raises(fig.UserError):
        lib.run("nope")
    lib.down()
    assert project.containers() == []
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_bad_files_and_engines_raise_fig_errors(project):
    path = project.write("services:\n  web: {image: busybox, restart: sometimes}\n", "compose.yaml")
    with pytest.raises(fig.ConfigError, match="restart"):
        fig.Project.from_files([path], project_name=project.name)
    path = project.write("services:\n  web: {image: busybox}\n", "compose.yaml")
    lib = fig.Project.from_files([path], project_name=project.name,
                                 environ={"DOCKER_HOST": "unix:///nonexistent-fig.sock"})
    with pytest.raises(fig.ConnectionFailed):
        lib.ps()


def test_exec_and_events_through_the_library(project):
    path = project.write(f"services:\n  web:\n    image: busybox\n    command: {SLEEPER}\n", "compose.yaml")
    lib = fig.Project.from_files([path], project_name=project.name)
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 5))
    lib.up()
    result = lib.exec("web", ["sh", "-c", "echo out; echo err >&2; exit 3"], environment={"X": "1"})
    assert (result.exit_code, result.stdout, result.stderr) == (3, "out\n", "err\n")
    assert lib.exec("web", ["sh", "-c", "echo $X"], environment={"X": "42"}).stdout == "42\n"
    assert lib.exec("web", ["sleep", "1"], detach=True).exit_code is None
    with pytest.raises(fig.UserError, match='service "nope"|No such service'):
        lib.exec("nope", ["true"])
    lib.stop()
    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))  # the stream ends then
    actions = [(service, event.action) for service, event in lib.events(since=since, until=until)]
    assert ("web", "start") in actions and ("web", "die") in actions
    lib.down()
