"""Issue 5 against the real engine: recreate only what changed, networks and volumes, readiness,
exit policies, and convergence after fig is killed in the middle of a recreate."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from tests.integration.conftest import SLEEPER, wait_until

STUBBORN = """sh -c 'trap "" TERM; while :; do sleep 1; done'"""


def ids(project) -> dict[str, str]:
    return {name: project.inspect(name)["Id"] for name in project.names()}


def engine_events(project, since: float, until: float) -> list[dict]:
    return list(project.client.events(since=since, until=until, decode=True,
                                      filters={"label": f"com.docker.compose.project={project.name}"}))


def test_second_up_writes_nothing(project):
    project.write(f"""
        services:
          db:
            image: busybox
            command: {SLEEPER}
          web:
            image: busybox
            command: {SLEEPER}
            depends_on: [db]
        """, "compose.yml")
    project.fig("up", "-d", check=True)
    before = ids(project)
    start = time.time()
    project.fig("up", "-d", check=True)
    assert ids(project) == before
    assert engine_events(project, start, time.time() + 1) == []


def test_changed_service_is_recreated_alone_and_keeps_volume_data(project):
    project.write(f"""
        db:
          image: busybox
          command: {SLEEPER}
          volumes: [/data]
        other:
          image: busybox
          command: {SLEEPER}
        """)
    project.fig("up", "-d", check=True)
    db = project.container_name("db")
    project.exec(db, "sh", "-c", "echo kept > /data/file")
    before = ids(project)
    project.write(f"""
        db:
          image: busybox
          command: {SLEEPER}
          volumes: [/data]
          environment: [CHANGED=1]
        other:
          image: busybox
          command: {SLEEPER}
        """)
    result = project.fig("up", "-d", check=True)
    assert f"Recreating {db}" in result.stderr
    after = ids(project)
    assert after[project.container_name("other")] == before[project.container_name("other")]
    assert after[db] != before[db]
    assert project.exec(db, "cat", "/data/file") == (0, "kept\n")


@pytest.mark.podman
def test_linked_dependent_is_recreated_when_its_dependency_is(project):
    project.write(f"""
        db:
          image: busybox
          command: {SLEEPER}
        web:
          image: busybox
          command: {SLEEPER}
          links: [db]
        """)
    project.fig("up", "-d", check=True)
    project.write(f"""
        db:
          image: busybox
          command: {SLEEPER}
          environment: [V=2]
        web:
          image: busybox
          command: {SLEEPER}
          links: [db]
        """)
    project.fig("up", "-d", "db", check=True)
    web = project.container_name("web")
    assert project.inspect(web)["State"]["Running"]
    code, hosts = project.exec(web, "cat", "/etc/hosts")
    db_ip = project.inspect(project.container_name("db"))["NetworkSettings"]["IPAddress"]
    assert f"{db_ip}\tdb" in hosts
    assert project.fig("restart", "-t", "1", check=True).ok


def test_explain_names_changed_fields_and_touches_nothing(project):
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
          environment: {{DEBUG: "0"}}
        """)
    project.fig("up", "-d", check=True)
    before = ids(project)
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
          environment: {{DEBUG: "1"}}
        """)
    result = project.fig("up", "--explain", check=True)
    assert result.stdout.strip() == 'web: recreate (environment.DEBUG: "0" -> "1")'
    assert ids(project) == before
    assert project.fig("up", "--dry-run", check=True).stdout == result.stdout


def test_kill_during_recreate_then_up_converges(project):
    project.write(f"""
        web:
          image: busybox
          command: {STUBBORN}
          volumes: [/data]
        """)
    project.fig("up", "-d", check=True)
    web = project.container_name("web")
    project.exec(web, "sh", "-c", "echo precious > /data/f")
    project.write(f"""
        web:
          image: busybox
          command: {STUBBORN}
          volumes: [/data]
          environment: [V=2]
        """)
    proc = project.popen("up", "-d", "-t", "5")
    time.sleep(1.5)  # fig is waiting for the stubborn container to stop
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    project.fig("up", "-d", "-t", "1", check=True)
    assert project.names() == [web]
    assert project.inspect(web)["State"]["Running"]
    assert "V=2" in project.inspect(web)["Config"]["Env"]
    assert project.exec(web, "cat", "/data/f") == (0, "precious\n")


def test_up_converges_after_being_killed_between_rename_and_create(project):
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
          volumes: [/data]
        """)
    project.fig("up", "-d", check=True)
    web = project.container_name("web")
    project.exec(web, "sh", "-c", "echo precious > /data/f")
    info = project.inspect(web)
    # Exactly what fig leaves when killed after setting the old container aside.
    project.client.stop(web, timeout=1)
    project.client.rename(web, f"{info['Id'][:12]}_{web}")
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
          volumes: [/data]
          environment: [V=2]
        """)
    project.fig("up", "-d", check=True)
    assert project.names() == [web]
    assert project.exec(web, "cat", "/data/f") == (0, "precious\n")


def test_compose_networks_give_dns_names_and_down_removes_them(project):
    project.write(f"""
        services:
          db:
            image: busybox
            command: sh -c 'mkdir -p /www && echo hi > /www/index.html && httpd -f -p 80 -h /www'
            networks:
              back:
                aliases: [database]
          web:
            image: busybox
            command: {SLEEPER}
            networks: [back, default]
        networks:
          back: {{}}
        volumes:
          data: {{}}
        """, "compose.yml")
    project.fig("up", "-d", check=True)
    web = project.container_name("web")
    for host in ("db", "database"):
        assert wait_until(lambda h=host: project.exec(web, "wget", "-q", "-O", "-", f"http://{h}/")[1] == "hi\n",
                          message=f"{host} answering")
    networks = {n["Name"] for n in project.client.networks(names=[f"{project.name}_back", f"{project.name}_default"])}
    assert networks == {f"{project.name}_back", f"{project.name}_default"}
    assert project.client.inspect_volume(f"{project.name}_data")
    project.fig("down", check=True)
    assert project.names() == []
    assert project.client.networks(names=[f"{project.name}_back"]) == []
    assert project.client.inspect_volume(f"{project.name}_data")  # kept without -v
    project.fig("down", "-v", check=True)
    assert all(v["Name"] != f"{project.name}_data" for v in project.client.volumes()["Volumes"] or [])


def test_depends_on_conditions_and_readiness_probes(project):
    project.write(f"""
        services:
          db:
            image: busybox
            command: sh -c 'trap "exit 0" TERM; sleep 2; mkdir -p /w; echo ok > /w/index.html; echo db accepting; httpd -f -p 80 -h /w'
            healthcheck:
              test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://localhost/"]
              interval: 1s
              retries: 30
          migrate:
            image: busybox
            command: sh -c 'sleep 1; echo migrated'
          web:
            image: busybox
            command: {SLEEPER}
            depends_on:
              db: {{condition: service_healthy}}
              migrate: {{condition: service_completed_successfully}}
          tcp:
            image: busybox
            command: {SLEEPER}
            depends_on:
              db: {{ready: "tcp:80"}}
          log:
            image: busybox
            command: {SLEEPER}
            depends_on:
              db: {{ready: "log:db accepting"}}
        """, "compose.yml")
    project.fig("up", "-d", "--wait", check=True)
    db = project.inspect(project.container_name("db"))
    web = project.inspect(project.container_name("web"))
    migrate = project.inspect(project.container_name("migrate"))
    assert db["State"]["Health"]["Status"] == "healthy"
    assert web["State"]["StartedAt"] > migrate["State"]["FinishedAt"]
    for name in ("tcp", "log"):
        assert project.inspect(project.container_name(name))["State"]["StartedAt"] > db["State"]["StartedAt"]


def test_failed_dependency_skips_dependents_and_names_them(project):
    project.write(f"""
        services:
          migrate:
            image: busybox
            command: sh -c 'exit 3'
          web:
            image: busybox
            command: {SLEEPER}
            depends_on: {{migrate: {{condition: service_completed_successfully}}}}
          other:
            image: busybox
            command: {SLEEPER}
        """, "compose.yml")
    result = project.fig("up", "-d")
    assert result.returncode == 1
    assert "migrate" in result.stderr and "exited with code 3" in result.stderr
    assert "web" in result.stderr.splitlines()[-1]
    assert project.inspect(project.container_name("other"))["State"]["Running"]
    assert project.container_name("web") not in project.names()


def test_readiness_timeout_is_a_clear_error(project):
    project.write(f"""
        services:
          db:
            image: busybox
            command: {SLEEPER}
          web:
            image: busybox
            command: {SLEEPER}
            depends_on: {{db: {{ready: "tcp:5432", timeout: 2s}}}}
        """, "compose.yml")
    result = project.fig("up", "-d")
    assert result.returncode == 1
    assert "Service 'web' depends on 'db', which was not ready (tcp:5432) within 2s" in result.stderr


def test_exit_code_from_and_abort(project):
    project.write(f"""
        test:
          image: busybox
          command: sh -c 'echo testing; exit 7'
        server:
          image: busybox
          command: {SLEEPER}
        """)
    result = project.fig("up", "--exit-code-from", "test", "-t", "1")
    assert result.returncode == 7
    assert "testing" in result.stdout
    assert not project.inspect(project.container_name("server"))["State"]["Running"]
    result = project.fig("up", "--abort-on-container-exit", "-t", "1")
    assert result.returncode == 7


def test_exit_policy_all_succeed(project):
    project.write("""
        a:
          image: busybox
          command: sh -c 'sleep 1; exit 0'
        b:
          image: busybox
          command: sh -c 'exit 2'
        """)
    result = project.fig("up", "--exit-policy", "all-succeed")
    assert result.returncode == 1
    assert f"{project.container_name('b')}: failed with exit code 2" in result.stderr
    assert f"{project.container_name('a')}: succeeded" in result.stderr


def test_json_log_format(project):
    project.write("""
        web:
          image: busybox
          command: sh -c 'echo out; echo err >&2'
        """)
    result = project.fig("up", "--format", "json", check=True)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    lines = {(r["stream"], r["line"]) for r in records if "line" in r}
    assert lines == {("stdout", "out"), ("stderr", "err")}
    assert all(r["service"] == "web" and r["container"] == project.container_name("web") for r in records)
    assert (records[-1]["event"], records[-1]["exit_code"]) == ("exit", 0)


def test_ctrl_c_stops_only_attached_containers(project):
    project.write(f"""
        db:
          image: busybox
          command: {SLEEPER}
        web:
          image: busybox
          command: sh -c 'trap "exit 0" TERM INT; echo web up; while :; do sleep 1; done'
          links: [db]
        """)
    project.fig("up", "-d", "db", check=True)
    proc = project.popen("up", "web")
    wait_until(lambda: project.container_name("web") in project.names(all=False), message="web running")
    time.sleep(1)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "Gracefully stopping" in err and "Traceback" not in err
    assert "web up" in out
    assert not project.inspect(project.container_name("web"))["State"]["Running"]
    assert project.inspect(project.container_name("db"))["State"]["Running"]


def test_remove_orphans(project):
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
        old:
          image: busybox
          command: {SLEEPER}
        """)
    project.fig("up", "-d", check=True)
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
        """)
    result = project.fig("up", "-d", check=True)
    assert "orphan" in result.stderr and project.container_name("old") in result.stderr
    assert project.container_name("old") in project.names()
    project.fig("up", "-d", "--remove-orphans", "-t", "1", check=True)
    assert project.names() == [project.container_name("web")]


def test_scale_flag_and_renew_anon_volumes(project):
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
          volumes: [/data]
        """)
    project.fig("up", "-d", "--scale", "web=3", check=True)
    assert len(project.names()) == 3
    web = project.container_name("web")
    project.exec(web, "sh", "-c", "echo x > /data/f")
    project.fig("up", "-d", "--force-recreate", "-V", "--scale", "web=1", "-t", "1", check=True)
    assert project.names() == [web]
    assert project.exec(web, "ls", "/data")[1] == ""


def test_no_start_and_no_build(project):
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
        built:
          build: .
        """)
    (project.dir / "Dockerfile").write_text("FROM busybox\nCMD sleep 1\n")
    result = project.fig("up", "-d", "--no-build")
    assert result.returncode == 1 and "fig build" in result.stderr
    project.fig("up", "-d", "--no-start", "web", check=True)
    assert project.inspect(project.container_name("web"))["State"]["Status"] == "created"
