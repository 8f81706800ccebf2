"""`fig run SERVICE` is linked to the running containers of SERVICE itself, as Fig documents (`fig run db psql -h
db`): a hosts entry named after the service and the link variables, in both file formats, on the real engine."""

from __future__ import annotations

import pytest

from tests.integration.conftest import SLEEPER

pytestmark = pytest.mark.podman

FIG_FILE = f"""
    db:
      image: busybox
      command: {SLEEPER}
      expose: ["5432"]
      links: [cache]
    cache:
      image: busybox
      command: {SLEEPER}
"""
COMPOSE_FILE = "services:\n" + "".join(f"  {line}\n" for line in FIG_FILE.strip("\n").splitlines())


def _address(project, container: str) -> str:
    networks = project.inspect(container)["NetworkSettings"]["Networks"]
    return next(n["IPAddress"] for n in networks.values() if n["IPAddress"])


def _hosts(output: str) -> dict[str, str]:
    """name -> address of each /etc/hosts line."""
    found = {}
    for line in output.splitlines():
        fields = line.split()
        if fields and not fields[0].startswith("#"):
            for name in fields[1:]:
                found.setdefault(name, fields[0])
    return found


@pytest.mark.parametrize("text", [FIG_FILE, COMPOSE_FILE], ids=["fig", "compose"])
def test_a_one_off_container_has_a_hosts_entry_for_its_own_service(project, text):
    project.write(text)
    project.fig("up", "-d", check=True)
    address = _address(project, project.container_name("db"))
    result = project.fig("run", "--rm", "-T", "db", "cat", "/etc/hosts", check=True)
    assert _hosts(result.stdout).get("db") == address, result.stdout


@pytest.mark.parametrize("text", [FIG_FILE, COMPOSE_FILE], ids=["fig", "compose"])
def test_a_one_off_container_has_fig_link_variables_for_its_own_service(project, text):
    project.write(text)
    project.fig("up", "-d", check=True)
    address = _address(project, project.container_name("db"))
    result = project.fig("run", "--rm", "-T", "db", "env", check=True)
    env = dict(line.partition("=")[::2] for line in result.stdout.splitlines() if "=" in line)
    assert env.get("DB_PORT") == f"tcp://{address}:5432", result.stdout
    assert env.get("DB_PORT_5432_TCP") == f"tcp://{address}:5432"
    assert env.get("DB_PORT_5432_TCP_ADDR") == address
    assert env.get("DB_PORT_5432_TCP_PORT") == "5432"
    assert env.get("DB_PORT_5432_TCP_PROTO") == "tcp"
    assert env.get("DB_NAME", "").endswith("/db"), result.stdout


def test_a_one_off_container_of_a_fig_file_keeps_the_services_links(project):
    project.write(FIG_FILE)
    project.fig("up", "-d", check=True)
    result = project.fig("run", "--rm", "-T", "db", "cat", "/etc/hosts", check=True)
    assert _hosts(result.stdout).get("cache") == _address(project, project.container_name("cache")), result.stdout


def test_with_its_service_stopped_a_one_off_container_runs_without_the_link(project):
    project.write(FIG_FILE)
    project.fig("up", "-d", check=True)
    project.fig("stop", "-t", "1", "db", check=True)
    result = project.fig("run", "--rm", "-T", "db", "cat", "/etc/hosts", check=True)
    assert "db" not in _hosts(result.stdout), result.stdout
