"""`fig scale` and `fig port` against a real engine."""

from __future__ import annotations

import socket

import pytest

from tests.integration.conftest import SLEEPER


def ids_by_number(project, service: str = "web") -> dict[int, str]:
    """Running-or-not containers of a service (not one-offs), by their number label."""
    return {int(c["Labels"]["com.docker.compose.container-number"]): c["Id"]
            for c in project.containers(service=service) if c["Labels"]["com.docker.compose.oneoff"] == "False"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVICES = f"""
    web:
      image: busybox
      command: {SLEEPER}
    worker:
      image: busybox
      command: {SLEEPER}
    """


@pytest.mark.podman
def test_scale_up_and_down_keeps_the_lower_numbers_untouched(project):
    project.write(SERVICES)
    project.fig("scale", "web=3", check=True)
    three = ids_by_number(project)
    assert sorted(three) == [1, 2, 3]
    assert all(project.inspect(cid)["State"]["Running"] for cid in three.values())
    assert [project.inspect(three[n])["Name"] for n in (1, 2, 3)] == [
        f"/{project.container_name('web', n)}" for n in (1, 2, 3)]

    project.fig("scale", "-t", "1", "web=1", check=True)
    assert ids_by_number(project) == {1: three[1]}, "scaling down removes the highest numbers only"

    project.fig("scale", "web=2", check=True)
    two = ids_by_number(project)
    assert two[1] == three[1] and two[2] != three[2], "web_1 is kept, web_2 is new"
    assert project.inspect(two[2])["State"]["Running"]

    project.fig("scale", "-t", "1", "web=0", check=True)
    assert ids_by_number(project) == {}


@pytest.mark.podman
def test_scale_several_services_at_once(project):
    project.write(SERVICES)
    project.fig("scale", "web=2", "worker=3", check=True)
    assert sorted(ids_by_number(project, "web")) == [1, 2]
    assert sorted(ids_by_number(project, "worker")) == [1, 2, 3]


@pytest.mark.parametrize("argument, message", [
    ("web", "Invalid scale argument 'web'"),
    ("web=x", "Invalid scale argument 'web=x'"),
    ("web=-1", "Invalid scale argument 'web=-1'"),
    ("=2", "Invalid scale argument '=2'"),
    ("nope=2", "No such service: nope"),
])
def test_scale_bad_arguments_are_one_line_errors(project, argument, message):
    project.write(SERVICES)
    result = project.fig("scale", "web=2", argument)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR: ") and message in lines[0], result.stderr
    assert project.containers() == [], "nothing is created when any argument is bad"


def test_scale_refuses_a_fixed_host_port(project):
    port = free_port()
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
          ports: ["{port}:80"]
        worker:
          image: busybox
          command: {SLEEPER}
        """)
    result = project.fig("scale", "worker=2", "web=2")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Cannot scale service 'web' to 2" in lines[0] and f"fixed host port {port}:80" in lines[0]
    assert project.containers() == []
    project.fig("scale", "web=1", check=True)  # one container can bind it
    assert sorted(ids_by_number(project)) == [1]


def test_a_host_port_range_gives_each_container_a_free_port_of_it(project):
    first = free_port()
    ports = range(first, first + 3)
    project.write(f"""
        services:
          web:
            image: busybox
            command: {SLEEPER}
            ports: ["{first}-{first + 2}:80"]
        """, "compose.yml")
    project.fig("up", "-d", "--scale", "web=2", check=True)
    bound = [host_binding(project, project.container_name("web", n), "80/tcp") for n in (1, 2)]
    assert len(set(bound)) == 2 and all(int(b.rsplit(":", 1)[1]) in ports for b in bound), bound
    assert project.fig("port", "--index=2", "web", "80", check=True).stdout == bound[1] + "\n"
    assert f"{bound[0].rsplit(':', 1)[1]}->80/tcp" in project.fig("ps", check=True).stdout
    result = project.fig("up", "-d", "--scale", "web=4")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert f"Cannot scale service 'web' to 4: it publishes {first}-{first + 2}:80, whose 3 host ports" in lines[0]
    assert len(project.containers()) == 2


# -- port ----------------------------------------------------------------------------------------------

PORTS = f"""
    web:
      image: busybox
      command: {SLEEPER}
      ports: ["80", "53/udp", "127.0.0.1::8080"]
    """


def host_binding(project, name: str, key: str) -> str:
    bindings = project.inspect(name)["NetworkSettings"]["Ports"][key]
    binding = next(b for b in bindings if ":" not in b["HostIp"])  # the IPv4 one
    return f"{binding['HostIp']}:{binding['HostPort']}"


def test_port_prints_the_binding_by_protocol_and_index(project):
    project.write(PORTS)
    project.fig("up", "-d", "--scale", "web=2", check=True)
    first, second = project.container_name("web", 1), project.container_name("web", 2)

    assert project.fig("port", "web", "80", check=True).stdout == host_binding(project, first, "80/tcp") + "\n"
    assert project.fig("port", "--index=2", "web", "80", check=True).stdout == \
        host_binding(project, second, "80/tcp") + "\n"
    assert host_binding(project, first, "80/tcp") != host_binding(project, second, "80/tcp")
    udp = host_binding(project, first, "53/udp")
    assert project.fig("port", "--protocol=udp", "web", "53", check=True).stdout == udp + "\n"
    assert project.fig("port", "web", "53/udp", check=True).stdout == udp + "\n"
    loopback = project.fig("port", "web", "8080", check=True).stdout
    assert loopback.startswith("127.0.0.1:") and loopback == host_binding(project, first, "8080/tcp") + "\n"


def test_port_of_an_unpublished_port_is_an_empty_line_in_fig_and_an_error_in_compose(project):
    project.write(PORTS)
    project.fig("up", "-d", check=True)
    for port in ("81", "53"):
        result = project.fig("port", "web", port, check=True)
        assert (result.stdout, result.stderr) == ("\n", "")
        v2 = project.raw("compose", "-p", project.name, "port", "web", port)
        assert v2.returncode == 1 and v2.stdout == ""
        assert v2.stderr.strip() == f"ERROR: No public port for {port}/tcp on {project.name}_web_1"


@pytest.mark.parametrize("args, message", [
    (["--index=3", "web", "80"], "No container found for web_3"),
    (["--index=x", "web", "80"], "--index must be a whole number, not 'x'"),
    (["--protocol=sctp", "web", "80"], "--protocol must be tcp or udp, not 'sctp'"),
    (["web", "http"], "PRIVATE_PORT must be a port number, not 'http'"),
    (["nope", "80"], "No such service: nope"),
])
def test_port_errors_are_one_line(project, args, message):
    project.write(PORTS)
    project.fig("up", "-d", check=True)
    result = project.fig("port", *args)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [f"ERROR: {message.format(name=project.name)}"]
