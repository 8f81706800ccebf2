"""Compose v2's flags on the commands fig has, run as a user would against the real engine: ps's listing and
JSON rows, up --wait and the attach set, logs' time windows, run's overrides, down SERVICE, and bad values."""

from __future__ import annotations

import json

from tests.integration.conftest import SLEEPER, wait_until

TWO = f"""
    services:
      web:
        image: busybox
        command: {SLEEPER}
        ports: ["127.0.0.1::80"]
        volumes: [/data]
        labels: {{tier: front}}
      job:
        image: busybox
        command: sh -c 'exit 3'
    """


def rows(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


# -- ps ---------------------------------------------------------------------------------------------------

def test_ps_format_json_is_one_compact_object_per_line_with_v2_fields(project):
    project.write(TWO, "compose.yaml")
    project.fig("up", "-d", check=True)
    wait_until(lambda: project.inspect(project.container_name("job"))["State"]["Status"] == "exited",
               message="job to exit")
    result = project.fig("ps", "-a", "--format", "json", check=True)
    assert all(" " not in line.split('"Command"')[0] for line in result.stdout.splitlines())  # compact
    by_service = {row["Service"]: row for row in rows(result)}
    web, job = by_service["web"], by_service["job"]
    engine = project.inspect(project.container_name("web"))
    assert web["ID"] == engine["Id"] and web["Name"] == project.container_name("web")
    assert web["Names"] == [project.container_name("web")] and web["Project"] == project.name
    assert web["State"] == "running" and web["Status"].startswith("Up") and web["Health"] == ""
    assert isinstance(web["Created"], int) and web["Image"] == "busybox"
    host_port = int(engine["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"])
    assert web["Publishers"] == [{"URL": "127.0.0.1", "TargetPort": 80, "PublishedPort": host_port,
                                  "Protocol": "tcp"}]
    assert web["Labels"]["tier"] == "front" and web["LocalVolumes"] == 1 and len(web["Mounts"]) == 1
    assert web["Networks"] == [f"{project.name}_default"]
    assert job["State"] == "exited" and job["ExitCode"] == 3 and job["Publishers"] == []


def test_ps_selects_by_status_and_prints_services_and_ids(project):
    project.write(TWO, "compose.yaml")
    project.fig("up", "-d", check=True)
    wait_until(lambda: project.inspect(project.container_name("job"))["State"]["Status"] == "exited",
               message="job to exit")
    running = project.fig("ps", "--status", "running", "--format", "json", check=True)
    assert [row["Service"] for row in rows(running)] == ["web"]
    exited = project.fig("ps", "--filter", "status=exited", "-q", check=True)
    assert exited.stdout.split() == [project.inspect(project.container_name("job"))["Id"]]
    both = project.fig("ps", "--status", "running", "--status", "exited", "--services", check=True)
    assert both.stdout.splitlines() == ["job", "web"]
    # fig's ps lists stopped containers without -a, as Fig did
    assert {row["Service"] for row in rows(project.fig("ps", "--format", "json", check=True))} == {"web", "job"}


def test_ps_orphans_true_lists_a_service_no_longer_in_the_file(project):
    project.write(TWO, "compose.yaml")
    project.fig("up", "-d", "web", check=True)
    project.write(f"services:\n  other:\n    image: busybox\n    command: {SLEEPER}\n", "compose.yaml")
    assert project.fig("ps", "--services", check=True).stdout == ""
    assert project.fig("ps", "--orphans=true", "--services", check=True).stdout.splitlines() == ["web"]


def test_ps_bad_values_are_one_line_naming_the_flag(project):
    project.write(TWO, "compose.yaml")
    for args, flag in ((["--format", "xml"], "--format"), (["--status", "sleeping"], "--status"),
                       (["--filter", "name=web"], "--filter"), (["--orphans", "perhaps"], "--orphans")):
        result = project.fig("ps", *args)
        assert result.returncode == 1
        assert len(result.stderr.strip().splitlines()) == 1 and flag in result.stderr, result.stderr
    assert project.containers() == []


# -- up --wait --------------------------------------------------------------------------------------------

HEALTH = f"""
    services:
      web:
        image: busybox
        command: {SLEEPER}
        healthcheck: {{test: ["CMD", "true"], interval: 1s}}
      sick:
        image: busybox
        command: {SLEEPER}
        healthcheck: {{test: ["CMD", "false"], interval: 1s, retries: 1}}
    """


def test_up_wait_is_detached_and_returns_once_healthy(project):
    project.write(HEALTH, "compose.yaml")
    result = project.fig("up", "--wait", "web", timeout=60, check=True)
    assert result.stdout == ""  # detached: no log lines
    assert project.inspect(project.container_name("web"))["State"]["Health"]["Status"] == "healthy"


def test_up_wait_fails_naming_the_service_that_is_not_healthy_in_time(project):
    project.write(HEALTH, "compose.yaml")
    result = project.fig("up", "--wait", "--wait-timeout", "20", timeout=60)
    assert result.returncode == 1
    assert "sick" in result.stderr and "'web'" not in result.stderr, result.stderr
    assert project.inspect(project.container_name("web"))["State"]["Running"]


def test_up_detach_long_form_and_attach_set_checks(project):
    project.write(TWO, "compose.yaml")
    result = project.fig("up", "--attach", "nope")
    assert result.returncode == 1 and "cannot attach to services not included in up: nope" in result.stderr
    result = project.fig("up", "--wait", "--attach", "web")
    assert result.returncode == 1 and "--attach" in result.stderr
    assert project.containers() == []
    project.fig("up", "--detach", "web", check=True)
    assert project.inspect(project.container_name("web"))["State"]["Running"]
