"""fig/cli: the ps table, `scale` argument parsing, and a handler driven through its docstring grammar."""

from __future__ import annotations

import io

import pytest

from fig.backend.base import ContainerState
from fig.cli.commands import TopLevelCommand
from fig.cli.dialect import COMPOSE
from fig.cli.options import parse_scale
from fig.cli.docopt_command import UsageError
from fig.cli.formatter import table
from fig.cli.status import Status
from fig.errors import UserError
from fig.records import replace

SERVICES = "web:\n  image: busybox\ndb:\n  image: busybox\n"


# -- formatter ----------------------------------------------------------------------------------------------

def test_table_aligns_columns_under_a_rule():
    text = table(["Name", "State"], [["figtest_web_1", "Up"], ["figtest_db_1", "Exit 0"]])
    assert text == (
        "Name            State\n"
        "----------------------\n"
        "figtest_web_1   Up\n"
        "figtest_db_1    Exit 0\n"
    )


def test_table_without_rows_is_headers_and_rule():
    assert table(["Name", "Command"], []) == "Name   Command\n--------------\n"


def test_table_has_no_trailing_spaces():
    text = table(["A", "B", "C"], [["long value", "", ""], ["x", "y", ""]])
    assert all(line == line.rstrip() for line in text.splitlines())
    assert text.splitlines()[2] == "long value"


# -- scale arguments ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("pairs, expected", [
    (["web=2"], {"web": 2}),
    (["web=0"], {"web": 0}),
    (["web=3", "db=1"], {"web": 3, "db": 1}),
    (["web=1", "web=4"], {"web": 4}),
    (["web=02"], {"web": 2}),
])
def test_parse_scale(project, pairs, expected):
    assert parse_scale(pairs, project(SERVICES)) == expected


@pytest.mark.parametrize("pair", ["web", "web=x", "web=-1", "web=", "=2", "web=1.5", "web=2=3", "web:2"])
def test_parse_scale_refuses_malformed_pairs(project, pair):
    with pytest.raises(UserError, match=r"Invalid scale argument .*use SERVICE=NUMBER"):
        parse_scale([pair], project(SERVICES))


def test_parse_scale_refuses_an_unknown_service(project):
    with pytest.raises(UserError, match="No such service: nope"):
        parse_scale(["web=1", "nope=2"], project(SERVICES))


def test_scale_command_through_its_usage(project, backend):
    p = project(SERVICES)
    command = TopLevelCommand()
    command.status = Status(io.StringIO())  # not a terminal: plain lines
    options = command.parse_command("scale", ["-t", "3", "web=2", "db=1"])
    assert options["SERVICE=NUM"] == ["web=2", "db=1"] and options["--timeout"] == "3"
    assert command.handler("scale")(p, options) == 0
    assert [c.name for c in p.containers()] == ["figtest_web_1", "figtest_web_2", "figtest_db_1"]
    with pytest.raises(UsageError):
        command.parse_command("scale", [])


@pytest.mark.parametrize("command, argv, first_line", [
    ("rm", ["--bogus"], "no such option: --bogus"),
    ("rm", ["-f", "-t", "1"], "no such option: -t"),
    ("stop", ["-t", "1", "-t", "2"], "option -t/--timeout given more than once"),
    ("port", ["web", "80", "81"], "unexpected argument 81"),
    ("logs", ["--tail"], "--tail requires argument"),
])
def test_usage_errors_say_what_is_wrong_then_the_usage(command, argv, first_line):
    with pytest.raises(UsageError) as caught:
        TopLevelCommand().parse_command(command, argv)
    problem, usage = str(caught.value).splitlines()
    assert problem == first_line and usage.startswith(f"Usage: {command} [options]")


# -- handlers on a FakeBackend ----------------------------------------------------------------------------

def _command() -> TopLevelCommand:
    command = TopLevelCommand()
    command.status = Status(io.StringIO())
    return command


def _call(command: TopLevelCommand, name: str, p, argv: list[str]) -> int:
    return command.handler(name)(p, command.parse_command(name, argv))


def test_ps_lists_containers_in_a_table(project, capsys):
    p = project("web:\n  image: busybox\n  command: sleep 100\n  ports: ['8000:80']\ndb:\n  image: busybox\n")
    p.up()
    p.stop(["db"])
    assert _call(_command(), "ps", p, []) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Name", "Command", "State", "Ports"]
    assert set(lines[1]) == {"-"}
    rows = {line.split()[0]: line for line in lines[2:]}
    assert set(rows) == {"figtest_web_1", "figtest_db_1"}
    assert "sleep 100" in rows["figtest_web_1"] and "Up" in rows["figtest_web_1"]
    assert "0.0.0.0:8000->80/tcp" in rows["figtest_web_1"]
    assert "Exit 0" in rows["figtest_db_1"]


def test_logs_prints_each_containers_lines_with_its_prefix(project, backend, capsys):
    p = project(SERVICES)
    p.up()
    backend.log_lines["figtest_web_1"] = ["hello from web\n"]
    backend.log_lines["figtest_db_1"] = ["db ready\n", "no newline"]
    assert _call(_command(), "logs", p, ["--no-color"]) == 0
    out = capsys.readouterr().out
    assert sorted(out.splitlines()) == ["db_1  | db ready", "db_1  | no newline", "web_1 | hello from web"]
    assert "\033" not in out


def test_rm_stop_removes_what_it_stopped_though_the_engine_still_lists_it_running(project, backend, monkeypatch):
    """dockerd 26 may list a container as running for a moment after its stop has returned."""
    p = project("web:\n  image: busybox\n  command: sleep 100\n")
    p.up()
    listed = backend.list_containers

    def lagging(labels, *, all=False, having=()):
        return [replace(i, state=ContainerState.RUNNING) for i in listed(labels, all=all, having=having)]

    monkeypatch.setattr(backend, "list_containers", lagging)
    assert _call(_command(), "rm", p, ["--stop", "--force"]) == 0
    assert listed({}, all=True) == []


def test_port_prints_the_public_binding(project, capsys):
    p = project("web:\n  image: busybox\n  ports: ['127.0.0.1:8000:80']\n")
    p.up()
    assert _call(_command(), "port", p, ["web", "80"]) == 0
    assert capsys.readouterr().out == "127.0.0.1:8000\n"
    assert _call(_command(), "port", p, ["web", "81"]) == 0  # Fig: an unpublished port is an empty line
    assert capsys.readouterr().out == "\n"
    compose = _command()
    compose.dialect = COMPOSE
    with pytest.raises(UserError, match="No public port for 81/tcp"):  # Compose v2: an error
        _call(compose, "port", p, ["web", "81"])


def test_ps_lists_stopped_ones_in_figs_dialect_and_running_ones_in_composes(project, capsys):
    p = project(SERVICES)
    p.up()
    p.stop(["db"])
    compose = TopLevelCommand(dialect=COMPOSE)
    compose.status = Status(io.StringIO())
    for command, argv, expected in ((_command(), [], ["db", "web"]), (compose, [], ["web"]),
                                    (compose, ["-a"], ["db", "web"]), (compose, ["--status", "exited"], ["db"])):
        assert _call(command, "ps", p, [*argv, "--services"]) == 0
        assert capsys.readouterr().out.splitlines() == expected, (command.dialect, argv)
