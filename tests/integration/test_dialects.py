"""`fig` and `fig compose` on the same project: names by dialect, and neither recreates what the other made."""

from __future__ import annotations

import re
import subprocess

from tests.integration.conftest import SLEEPER
from tests.integration.test_lifecycle import ids

APP = f"""
    services:
      db:
        image: busybox
        command: {SLEEPER}
      web:
        image: busybox
        command: {SLEEPER}
        depends_on: [db]
    """


def compose(project, *args: str, env: dict[str, str] | None = None, check: bool = True):
    return project.raw("compose", "-p", project.name, *args, env=env, check=check)


def test_what_fig_made_fig_compose_keeps_and_the_other_way_round(project):
    project.write(APP, "compose.yaml")
    project.fig("up", "-d", check=True)
    made = ids(project)
    assert sorted(made) == [f"{project.name}_db_1", f"{project.name}_web_1"]
    again = compose(project, "up", "-d")
    assert "Creating" not in again.stderr and "Recreating" not in again.stderr
    assert ids(project) == made
    assert compose(project, "ps", "-q").stdout.split() != []
    compose(project, "up", "-d", "--scale", "web=2")
    assert sorted(ids(project)) == [f"{project.name}-web-2", f"{project.name}_db_1", f"{project.name}_web_1"]
    kept = ids(project)
    assert "Creating" not in project.fig("up", "-d", "--scale", "web=2", check=True).stderr
    assert ids(project) == kept
    compose(project, "down")
    assert project.containers() == []


def test_compose_names_with_dashes_and_compatibility_brings_underscores_back(project):
    project.write(APP, "compose.yaml")
    compose(project, "up", "-d", "db")
    compose(project, "--compatibility", "up", "-d", "web")
    assert sorted(ids(project)) == [f"{project.name}-db-1", f"{project.name}_web_1"]
    compose(project, "up", "-d", "--scale", "web=2", env={"COMPOSE_COMPATIBILITY": "true"})
    assert f"{project.name}_web_2" in ids(project)
    assert project.fig("up", "-d", "--scale", "web=2", check=True).stderr.count("Creating") == 0


def test_one_off_names_by_dialect(project):
    project.write(APP, "compose.yaml")
    compose(project, "run", "-d", "--no-deps", "db", "true")
    project.fig("run", "-d", "--no-deps", "db", "true", check=True)
    oneoffs = sorted(n for n in ids(project) if "run" in n)
    assert len(oneoffs) == 2
    assert re.fullmatch(rf"{project.name}-db-run-[0-9a-f]{{12}}", oneoffs[0]), oneoffs
    assert oneoffs[1] == f"{project.name}_db_run_2"


def test_each_dialect_has_its_own_ps_table(project):
    project.write(f"""
        services:
          web:
            image: busybox
            command: {SLEEPER}
            ports: ["127.0.0.1::80"]
        """, "compose.yaml")
    compose(project, "up", "-d")
    header, row = compose(project, "ps").stdout.splitlines()
    assert header.split() == ["NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"]
    starts = [header.index(title) for title in header.split()] + [None]
    cells = dict(zip(header.split(), (row[a:b].strip() for a, b in zip(starts, starts[1:]))))
    assert (cells["NAME"], cells["IMAGE"], cells["SERVICE"]) == (f"{project.name}-web-1", "busybox", "web")
    shown_by_docker = subprocess.run(["docker", "ps", "--filter", f"name={cells['NAME']}", "--format",
                                      "{{.Command}}"], capture_output=True, text=True, check=True).stdout.strip()
    assert cells["COMMAND"] == shown_by_docker and cells["COMMAND"].endswith('\u2026"'), cells
    assert cells["CREATED"].endswith(" ago") and cells["STATUS"].startswith("Up ")
    assert re.fullmatch(r"127\.0\.0\.1:\d+->80/tcp", cells["PORTS"]), cells
    fig_header = project.fig("ps", check=True).stdout.splitlines()[0]
    assert fig_header.split() == ["Name", "Command", "State", "Ports"]
