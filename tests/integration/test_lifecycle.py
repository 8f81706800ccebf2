"""The core lifecycle against the real engine: `up -d` creates, converges and keeps data; `ps` reports it."""

from __future__ import annotations

import re

from tests.integration.conftest import SLEEPER

# The same long-running command, changed (so the config hash changes) but still quick to stop.
SLEEPER_2 = """sh -c 'trap "exit 0" TERM INT; while :; do sleep 2; done'"""

TWO_SERVICES = f"""
    db:
      image: busybox
      command: {SLEEPER}
    web:
      image: busybox
      command: {SLEEPER}
      links: [db]
    """


def ids(project) -> dict[str, str]:
    """Container id by name, for every container of the project."""
    return {next(n.lstrip("/") for n in c["Names"] if n.count("/") == 1): c["Id"] for c in project.containers()}


def running(project, name: str) -> bool:
    return project.inspect(name)["State"]["Running"]


def test_up_d_creates_named_containers_in_dependency_order_and_starts_them(project):
    project.write(TWO_SERVICES)
    result = project.fig("up", "-d", check=True)
    db, web = project.container_name("db"), project.container_name("web")
    assert sorted(ids(project)) == sorted([db, web])
    assert running(project, db) and running(project, web)
    # The dependency was started before its dependent was even created.
    assert project.inspect(db)["State"]["StartedAt"] < project.inspect(web)["Created"]
    assert result.stderr.index(f"Creating {db}") < result.stderr.index(f"Creating {web}")
    labels = project.inspect(web)["Config"]["Labels"]
    assert labels["com.docker.compose.project"] == project.name
    assert labels["com.docker.compose.service"] == "web"
    assert labels["com.docker.compose.container-number"] == "1"


def test_ps_table_and_quiet(project):
    project.write(TWO_SERVICES)
    project.fig("up", "-d", check=True)
    table = project.fig("ps", check=True).stdout.splitlines()
    assert re.split(r"\s{2,}", table[0].strip()) == ["Name", "Command", "State", "Ports"]
    assert set(table[1]) == {"-"}
    rows = {line.split()[0]: line for line in table[2:]}
    assert list(rows) == [project.container_name("db"), project.container_name("web")]
    assert all(re.search(r"\sUp\s*", row) for row in rows.values())
    quiet = project.fig("ps", "-q", check=True).stdout.split()
    assert sorted(quiet) == sorted(ids(project).values())
    project.fig("stop", "-t", "1", "web", check=True)
    web_row = [line for line in project.fig("ps", check=True).stdout.splitlines()
               if line.startswith(project.container_name("web"))]
    assert "Exit 0" in web_row[0]
    only_db = project.fig("ps", "-q", "db", check=True).stdout.split()
    assert only_db == [ids(project)[project.container_name("db")]]


def test_up_d_again_without_change_touches_nothing(project):
    project.write(TWO_SERVICES)
    project.fig("up", "-d", check=True)
    before = ids(project)
    started = {n: project.inspect(n)["State"]["StartedAt"] for n in before}
    again = project.fig("up", "-d", check=True)
    assert ids(project) == before
    assert {n: project.inspect(n)["State"]["StartedAt"] for n in before} == started
    assert "Recreating" not in again.stderr and "Creating" not in again.stderr


def test_up_d_starts_a_stopped_container_without_recreating_it(project):
    project.write(TWO_SERVICES)
    project.fig("up", "-d", check=True)
    before = ids(project)
    project.fig("stop", "-t", "1", check=True)
    project.fig("up", "-d", check=True)
    assert ids(project) == before
    assert all(running(project, n) for n in before)


def test_config_change_recreates_the_changed_service_and_keeps_anonymous_volume_data(project):
    project.write(f"""
        db:
          image: busybox
          command: {SLEEPER}
        web:
          image: busybox
          command: {SLEEPER}
          links: [db]
          volumes: [/data]
        """)
    project.fig("up", "-d", check=True)
    web, db = project.container_name("web"), project.container_name("db")
    code, _ = project.exec(web, "sh", "-c", "echo kept > /data/file")
    assert code == 0
    before = ids(project)
    volume = [m["Name"] for m in project.inspect(web)["Mounts"] if m["Destination"] == "/data"][0]

    project.write(f"""
        db:
          image: busybox
          command: {SLEEPER}
        web:
          image: busybox
          command: {SLEEPER_2}
          links: [db]
          volumes: [/data]
        """)
    result = project.fig("up", "-d", "-t", "1", check=True)
    after = ids(project)
    assert sorted(after) == sorted(before), "recreated under the same name, no leftovers"
    assert after[db] == before[db], "the unchanged dependency is kept"
    assert after[web] != before[web], "the changed service is recreated"
    assert f"Recreating {web}" in result.stderr
    assert project.inspect(web)["Config"]["Cmd"][-1].endswith("sleep 2; done")
    assert running(project, web)
    assert project.exec(web, "cat", "/data/file") == (0, "kept\n")
    assert [m["Name"] for m in project.inspect(web)["Mounts"] if m["Destination"] == "/data"] == [volume]


def test_no_recreate_keeps_a_changed_container(project):
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
        """)
    project.fig("up", "-d", check=True)
    before = ids(project)
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER_2}
        """)
    project.fig("up", "-d", "--no-recreate", check=True)
    assert ids(project) == before
    assert project.inspect(project.container_name("web"))["Config"]["Cmd"][-1].endswith("sleep 1; done")
    # Without the flag the same change does recreate: the test above is not vacuous.
    project.fig("up", "-d", "-t", "1", check=True)
    assert ids(project) != before


def test_force_recreate_recreates_unchanged_containers(project):
    project.write(TWO_SERVICES)
    project.fig("up", "-d", check=True)
    before = ids(project)
    result = project.fig("up", "-d", "--force-recreate", "-t", "1", check=True)
    after = ids(project)
    assert sorted(after) == sorted(before)
    assert all(after[name] != before[name] for name in before)
    assert all(running(project, name) for name in after)
    assert "Recreating" in result.stderr


def test_force_recreate_and_no_recreate_conflict(project):
    project.write(TWO_SERVICES)
    result = project.fig("up", "-d", "--force-recreate", "--no-recreate")
    assert result.returncode != 0
    assert "cannot be combined" in result.stderr
    assert project.containers() == []


def test_no_deps_starts_only_the_named_service(project):
    project.write(TWO_SERVICES)
    project.fig("up", "-d", "--no-deps", "web", check=True)
    assert list(ids(project)) == [project.container_name("web")]
    assert running(project, project.container_name("web"))


def test_up_d_service_starts_its_dependencies_first(project):
    project.write(f"""
        db:
          image: busybox
          command: {SLEEPER}
        cache:
          image: busybox
          command: {SLEEPER}
          links: [db]
        web:
          image: busybox
          command: {SLEEPER}
          links: [cache]
        other:
          image: busybox
          command: {SLEEPER}
        """)
    project.fig("up", "-d", "web", check=True)
    db, cache, web = (project.container_name(s) for s in ("db", "cache", "web"))
    assert sorted(ids(project)) == sorted([db, cache, web]), "the unrelated service is not started"
    assert project.inspect(db)["State"]["StartedAt"] < project.inspect(cache)["Created"]
    assert project.inspect(cache)["State"]["StartedAt"] < project.inspect(web)["Created"]
    assert all(running(project, n) for n in (db, cache, web))


def test_a_local_engine_is_driven_without_loading_the_docker_sdk(project):
    # On a unix socket every request is plain HTTP (fig.backend.unixhttp); the SDK costs ~0.2 s per command.
    project.write(f"""
        services:
          web:
            image: busybox
            command: {SLEEPER}
            networks: [front, back]
            volumes: [data:/data]
            ports: ["80"]
          hello:
            image: busybox
            command: sh -c 'echo hello from hello'
        networks:
          front:
          back:
        volumes:
          data:
        """, "compose.yml")
    env = {"PYTHONPROFILEIMPORTTIME": "1"}
    steps = [("up", "-d", "web"), ("scale", "web=2"), ("up", "hello"), ("logs", "--no-color", "hello"),
             ("port", "web", "80"), ("run", "--rm", "-T", "web", "cat"), ("stop", "-t", "1"), ("down", "-v")]
    for args in steps:
        result = project.fig(*args, env=env, input="piped in\n" if args[0] == "run" else None, check=True)
        loaded = {m.split(".")[0] for m in re.findall(r"\|\s+(\S+)$", result.stderr, re.M)}
        sdk = sorted(loaded & {"docker", "requests", "urllib3"})
        assert sdk == [], f"fig {' '.join(args)} imported {sdk}"
        if args[0] == "up" and args[1] == "hello":
            assert "hello from hello" in result.stdout
        if args[0] == "run":
            assert result.stdout == "piped in\n"
    assert project.names() == []
