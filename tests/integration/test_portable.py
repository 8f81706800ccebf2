"""What every engine must give a fig user, where Podman's Docker-compatible API makes it hard (issue 23): states
that come and go while containers exit, health that only fig checks, links Podman refuses, answers that are not
JSON, whole-second log stamps, paused containers and shared namespaces. Each test runs on dockerd and, as
`-m podman`, on Podman (script/podman)."""

from __future__ import annotations

import re
import time

import pytest

from tests.integration.conftest import SLEEPER, wait_until
from tests.integration.test_service_options import HTTPD, sh

pytestmark = [pytest.mark.podman, pytest.mark.timeout(240)]

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z ")


def state(project, service: str, number: int = 1) -> dict:
    return project.inspect(project.container_name(service, number))["State"]


def test_a_compose_project_from_up_to_down(project):
    project.write(f"""
        services:
          db:
            image: busybox
            command: {SLEEPER}
          web:
            image: busybox
            command: {SLEEPER}
            depends_on: [db]
        volumes:
          data: {{}}
        """, "compose.yaml")
    project.fig("up", "-d", check=True)
    assert project.fig("ps", check=True).stdout.count(" Up") == 2
    project.fig("stop", "-t", "1", check=True)
    assert not state(project, "web")["Running"] and not state(project, "db")["Running"]
    assert project.fig("ps", "-a", check=True).stdout.count("Exit 0") == 2
    project.fig("start", check=True)
    project.fig("restart", "-t", "1", "web", check=True)
    assert state(project, "web")["Running"] and state(project, "db")["Running"]
    project.fig("down", "-v", "-t", "1", check=True)
    assert project.containers() == []
    assert not project.client.networks(names=[f"{project.name}_default"])


def test_a_fig_file_with_links_reaches_them_by_name_with_fig_link_variables(project):
    project.write(f"""
        db:
          image: busybox
          command: {HTTPD}
          environment: [SERVICE=db]
          expose: ["80"]
        web:
          image: busybox
          command: {SLEEPER}
          links: [db, "db:database"]
        """)
    project.fig("up", "-d", check=True)
    db = project.inspect(project.container_name("db"))["NetworkSettings"]
    address = db["IPAddress"] or next(n["IPAddress"] for n in db["Networks"].values())
    for name in ("db", "database", project.container_name("db")):
        wait_until(lambda: sh(project, "web", f"wget -q -O- http://{name}:80/")[1] == "hello-from-db\n",
                   timeout=20, message=f"http://{name}/ from web")
    code, env = sh(project, "web", "env")
    assert f"DATABASE_PORT_80_TCP_ADDR={address}" in env.splitlines(), env
    assert f"DB_PORT=tcp://{address}:80" in env.splitlines(), env
    one_off = project.fig("run", "--rm", "-T", "db", "sh", "-c", "cat /etc/hosts; env", check=True).stdout
    assert f"DB_PORT=tcp://{address}:80" in one_off.splitlines(), one_off  # linked to its own running service
    assert re.search(rf"^{re.escape(address)}\s+(\S+\s+)*db(\s|$)", one_off, re.M), one_off
    project.fig("down", "-t", "1", check=True)
    assert project.containers() == []


def test_a_service_on_two_networks(project):
    project.write(f"""
        services:
          db:
            image: busybox
            command: {HTTPD}
            environment: [SERVICE=db]
            networks: [back]
          web:
            image: busybox
            command: {SLEEPER}
            networks: [front, back]
        networks:
          front: {{}}
          back: {{}}
        """, "compose.yaml")
    project.fig("up", "-d", check=True)
    joined = project.inspect(project.container_name("web"))["NetworkSettings"]["Networks"]
    assert {f"{project.name}_front", f"{project.name}_back"} <= set(joined)
    db = project.inspect(project.container_name("db"))["NetworkSettings"]["Networks"][f"{project.name}_back"]
    wait_until(lambda: sh(project, "web", f"wget -q -O- http://{db['IPAddress']}:80/")[1] == "hello-from-db\n",
               timeout=20, message="db over the back network")
    project.fig("down", "-t", "1", check=True)


HEALTHY_AFTER_A_MOMENT = f"""
    services:
      db:
        image: busybox
        command: sh -c 'trap "exit 0" TERM; sleep 2; touch /ready; while :; do sleep 1; done'
        healthcheck: {{test: ["CMD", "test", "-f", "/ready"], interval: 1s, retries: 20}}
      web:
        image: busybox
        command: {SLEEPER}
        depends_on: {{db: {{condition: service_healthy}}}}
      plain:
        image: busybox
        command: {SLEEPER}
    """


def test_service_healthy_waits_for_the_check_to_pass(project):
    project.write(HEALTHY_AFTER_A_MOMENT, "compose.yaml")
    project.fig("up", "-d", timeout=90, check=True)
    assert state(project, "db")["Health"]["Status"] == "healthy"
    assert state(project, "web")["Running"]


def test_a_failing_healthcheck_stops_up_naming_the_unhealthy_service(project):
    project.write(f"""
        services:
          db:
            image: busybox
            command: {SLEEPER}
            healthcheck: {{test: ["CMD", "false"], interval: 1s, retries: 2}}
          web:
            image: busybox
            command: {SLEEPER}
            depends_on: {{db: {{condition: service_healthy}}}}
        """, "compose.yaml")
    result = project.fig("up", "-d", timeout=90)
    assert result.returncode == 1
    assert "Service 'web' depends on 'db', which is unhealthy" in result.stderr, result.stderr
    assert project.names(service="web") == []


def test_up_wait_and_start_wait_return_once_healthy(project):
    project.write(HEALTHY_AFTER_A_MOMENT.replace("depends_on: {db: {condition: service_healthy}}", "depends_on: [db]"),
                  "compose.yaml")
    project.fig("up", "-d", "--wait", "--wait-timeout", "60", timeout=90, check=True)
    assert state(project, "db")["Health"]["Status"] == "healthy"
    project.fig("stop", "-t", "1", check=True)
    project.fig("start", "--wait", "--wait-timeout", "60", timeout=90, check=True)
    assert state(project, "db")["Running"] and state(project, "plain")["Running"]


def test_exit_code_from_a_service_that_fails(project):
    project.write(f"""
        services:
          web:
            image: busybox
            command: sh -c 'echo testing; sleep 1; exit 3'
          db:
            image: busybox
            command: {SLEEPER}
        """, "compose.yaml")
    result = project.fig("up", "--exit-code-from", "web", "-t", "1", timeout=90)
    assert result.returncode == 3, result.stderr
    assert "testing" in result.stdout
    assert not state(project, "db")["Running"]


def test_attached_up_shows_every_container_exit(project):
    project.write("""
        services:
          quick:
            image: busybox
            command: sh -c 'echo quick-done'
          slow:
            image: busybox
            command: sh -c 'sleep 2; echo slow-done; exit 2'
        """, "compose.yaml")
    result = project.fig("up", timeout=90)
    assert result.returncode == 0, result.stderr
    for line in ("quick-done", "slow-done"):
        assert line in result.stdout
    assert f"{project.container_name('quick')} exited with code 0" in result.stdout, result.stdout
    assert f"{project.container_name('slow')} exited with code 2" in result.stdout, result.stdout


def test_ps_a_while_containers_exit(project):
    # ten exits half a second apart, once up is done: Podman says "stopped" for a moment around each
    project.write("".join(f"""
        s{n}:
          image: busybox
          command: sh -c 'sleep {10 + n / 2}; exit {n}'
        """ for n in range(10)))
    project.fig("up", "-d", check=True)
    deadline = time.monotonic() + 60
    while True:
        table = project.fig("ps", "-a", check=True).stdout
        states = [line.split()[-1] for line in table.splitlines()[2:]]
        assert len(states) == 10 and all(s == "Up" or s.isdigit() for s in states), table
        if "Up" not in states or time.monotonic() > deadline:
            break
    assert sorted(states) == [str(n) for n in range(10)], table


def test_logs_follow_and_timestamps_keep_every_character(project):
    project.write("""
        web:
          image: busybox
          command: sh -c 'echo hello-from-web; sleep 2; echo second-line'
        """)
    project.fig("up", "-d", check=True)
    followed = project.fig("logs", "-f", "--no-color", timeout=60, check=True).stdout
    assert "web_1 | hello-from-web" in followed and "web_1 | second-line" in followed, followed
    stamped = project.fig("logs", "-t", "--no-color", check=True).stdout.splitlines()
    texts = [line.split(" | ", 1)[1] for line in stamped]
    assert all(STAMP.match(t) for t in texts), stamped
    assert [STAMP.sub("", t) for t in texts] == ["hello-from-web", "second-line"]


def test_pause_then_unpause(project):
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
        """)
    project.fig("up", "-d", check=True)
    project.fig("pause", check=True)
    assert state(project, "web")["Status"] == "paused"
    assert "Paused" in project.fig("ps", check=True).stdout
    result = project.fig("unpause", check=True)
    assert f"Unpausing {project.container_name('web')}" in result.stderr, result.stderr
    assert state(project, "web")["Status"] == "running"
    assert project.fig("exec", "-T", "web", "echo", "awake", check=True).stdout == "awake\n"


def test_pause_then_stop_and_down(project):
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
        db:
          image: busybox
          command: {SLEEPER}
        """)
    project.fig("up", "-d", check=True)
    project.fig("pause", "web", check=True)
    project.fig("stop", "-t", "1", "web", check=True)
    assert state(project, "web")["Status"] == "exited"
    project.fig("start", "web", check=True)
    project.fig("pause", check=True)
    project.fig("down", "-t", "1", check=True)
    assert project.containers() == []


def test_network_mode_service_recreate_and_down(project):
    text = f"""
        services:
          web:
            image: busybox
            command: {SLEEPER}
            environment: {{VERSION: "%s"}}
          app:
            image: busybox
            command: {SLEEPER}
            network_mode: service:web
        """
    project.write(text % 1, "compose.yaml")
    project.fig("up", "-d", check=True)
    project.write(text % 2, "compose.yaml")
    project.fig("up", "-d", check=True)
    assert project.names() == [project.container_name("app"), project.container_name("web")]
    web = project.inspect(project.container_name("web"))
    assert "VERSION=2" in web["Config"]["Env"]
    assert project.inspect(project.container_name("app"))["HostConfig"]["NetworkMode"] == f"container:{web['Id']}"
    assert project.fig("run", "--rm", "-T", "app", "echo", "shared", check=True).stdout == "shared\n"
    project.fig("down", "-t", "1", check=True)
    assert project.containers() == []
