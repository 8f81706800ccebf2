"""Argument parsing and naming for run, scale and port: docopt grammar, -e pairs, SERVICE=NUM, one-off specs."""

from __future__ import annotations

import pytest

from fig import labels as L
from fig.cli.run import environment
from fig.cli.commands import TopLevelCommand
from fig.cli.options import parse_scale
from fig.cli.docopt_command import UsageError
from fig.errors import UserError
from fig.specs import RunOptions


def parse(command: str, *argv: str) -> dict:
    return TopLevelCommand().parse_command(command, list(argv))


# -- run: the grammar ---------------------------------------------------------------------------------------

def test_run_options_before_the_service_and_everything_after_it_goes_to_the_command():
    options = parse("run", "-T", "--rm", "-e", "A=1", "-e", "B=2", "-u", "1000", "-w", "/tmp", "--name", "x",
                    "--entrypoint", "sh -c", "--service-ports", "--no-deps", "web", "ls", "-la", "--rm", "-e", "Z")
    assert options["SERVICE"] == "web"
    assert options["COMMAND"] == "ls" and options["ARGS"] == ["-la", "--rm", "-e", "Z"]
    assert options["--env"] == ["A=1", "B=2"]
    assert options["--no-TTY"] and options["--rm"] and options["--no-deps"] and options["--service-ports"]
    assert (options["--user"], options["--workdir"], options["--name"], options["--entrypoint"]) == (
        "1000", "/tmp", "x", "sh -c")
    assert not options["--detach"]


def test_run_without_a_command_keeps_the_services_command():
    options = parse("run", "-d", "web")
    assert options["SERVICE"] == "web" and options["COMMAND"] is None and options["ARGS"] == []
    assert options["--detach"] and options["--env"] == []


def test_run_needs_a_service():
    with pytest.raises(UsageError):
        parse("run", "-T")


@pytest.mark.parametrize("pairs, environ, expected", [
    (["A=1"], {}, (("A", "1"),)),
    (["A=x=y"], {}, (("A", "x=y"),)),
    (["A="], {}, (("A", ""),)),
    (["FROM_HOST"], {"FROM_HOST": "h"}, (("FROM_HOST", "h"),)),
    (["UNSET"], {}, ()),
    (["A=1", "A=2"], {}, (("A", "1"), ("A", "2"))),
])
def test_environment_pairs(monkeypatch, pairs, environ, expected):
    monkeypatch.delenv("UNSET", raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    assert environment(pairs) == expected


def test_environment_pair_without_a_key_is_refused():
    with pytest.raises(UserError, match=r"Invalid -e '=x': use KEY=VALUE"):
        environment(["=x"])


# -- scale and port ---------------------------------------------------------------------------------------------

SERVICES = """\
web:
  image: busybox
worker:
  image: busybox
"""


def test_parse_scale(project):
    assert parse_scale(["web=2", "worker=0"], project(SERVICES)) == {"web": 2, "worker": 0}
    assert parse("scale", "-t", "1", "web=2", "worker=3")["SERVICE=NUM"] == ["web=2", "worker=3"]


@pytest.mark.parametrize("pair", ["web", "web=", "web=x", "web=-1", "web=1.5", "=2", "web=2=3"])
def test_parse_scale_refuses_malformed_pairs(project, pair):
    with pytest.raises(UserError, match=r"Invalid scale argument .*: use SERVICE=NUMBER"):
        parse_scale([pair], project(SERVICES))


def test_parse_scale_refuses_an_unknown_service(project):
    with pytest.raises(UserError, match="No such service: nope"):
        parse_scale(["nope=2"], project(SERVICES))


def test_port_options():
    options = parse("port", "--protocol=udp", "--index=2", "web", "53")
    assert (options["SERVICE"], options["PRIVATE_PORT"], options["--protocol"], options["--index"]) == (
        "web", "53", "udp", "2")
    defaults = parse("port", "web", "80")
    assert (defaults["--protocol"], defaults["--index"]) == ("tcp", "1")


# -- one-off containers: names and specs ---------------------------------------------------------------------------

def test_one_off_container_names():
    assert L.container_name("proj", "web", 3, oneoff=True) == "proj_web_run_3"
    assert L.container_name("proj", "web", 3) == "proj_web_3"


PORTS = """\
web:
  image: busybox
  command: echo service
  entrypoint: /bin/true
  ports: ['8000:80', '53/udp']
  environment: {A: from-file, B: from-file}
  restart: always
"""


def one_off_spec(project, backend, options: RunOptions):
    web = project(PORTS).service("web")
    container = web.create_oneoff(web.ensure_image(), options)
    [spec] = [s for s in backend.specs() if s.name == container.name]
    return container, spec


def test_one_off_spec_replaces_command_and_drops_published_ports(project, backend):
    container, spec = one_off_spec(project, backend, RunOptions(
        command=("ls", "-l"), entrypoint=("sh", "-c"), environment=(("B", "cli"), ("C", "new")), user="1000",
        workdir="/w", tty=True, stdin_open=True))
    assert container.name == "figtest_web_run_1" and container.oneoff
    assert spec.labels[L.LABEL_ONEOFF] == "True"
    assert tuple(spec.command) == ("ls", "-l") and tuple(spec.entrypoint) == ("sh", "-c")
    assert dict(spec.environment) == {"A": "from-file", "B": "cli", "C": "new"}
    assert (spec.user, spec.working_dir, spec.tty, spec.stdin_open) == ("1000", "/w", True, True)
    assert list(spec.ports) == [], "no published ports without --service-ports"
    assert {(p.container_port, p.protocol) for p in spec.expose} >= {(80, "tcp"), (53, "udp")}
    assert spec.restart is None and not spec.auto_remove


def test_one_off_spec_keeps_the_services_command_and_ports_when_asked(project, backend):
    _, spec = one_off_spec(project, backend, RunOptions(service_ports=True, auto_remove=True, name="custom"))
    assert spec.name == "custom"
    assert tuple(spec.command) == ("echo", "service")
    assert {(p.container_port, p.host_port) for p in spec.ports} == {(80, 8000), (53, None)}
    assert spec.auto_remove
