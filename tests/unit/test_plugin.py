"""fig/cli/plugin.py: writing and removing the Docker CLI plugin, and the docker CLI's flags as environment."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from fig.cli import plugin
from fig.errors import UserError


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"DOCKER_CONFIG": str(tmp_path / "dc")}


def test_install_writes_an_executable_that_answers_the_metadata(env, tmp_path):
    path = plugin.install("compose", force=False, environ=env)
    assert path == tmp_path / "dc" / "cli-plugins" / "docker-compose"
    assert os.access(path, os.X_OK)
    out = subprocess.run([str(path), "docker-cli-plugin-metadata"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    meta = json.loads(out.stdout)
    assert meta["SchemaVersion"] == "0.1.0" and meta["Vendor"] == "fig" and meta["ShortDescription"]
    from fig import __version__

    assert meta["Version"] == __version__


def test_default_home_is_dot_docker(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert plugin.plugin_path("fig", {}) == tmp_path / ".docker" / "cli-plugins" / "docker-fig"


def test_refuses_to_replace_or_remove_a_plugin_it_did_not_write(env, tmp_path):
    other = tmp_path / "dc" / "cli-plugins" / "docker-compose"
    other.parent.mkdir(parents=True)
    other.write_text("#!/bin/sh\necho the real compose\n")
    with pytest.raises(UserError, match="was not written by fig: not replacing it \\(use --force"):
        plugin.install("compose", force=False, environ=env)
    with pytest.raises(UserError, match="not written by fig: not removing it"):
        plugin.uninstall("compose", environ=env)
    assert other.read_text() == "#!/bin/sh\necho the real compose\n"
    plugin.install("compose", force=True, environ=env)
    assert plugin.MARK in other.read_text()
    plugin.install("compose", force=False, environ=env)  # its own: replaced without --force
    assert plugin.uninstall("compose", environ=env) == other and not other.exists()
    assert plugin.uninstall("compose", environ=env) is None


def test_only_fig_and_compose_are_names(env):
    with pytest.raises(UserError, match="--as takes fig or compose"):
        plugin.install("buildx", force=False, environ=env)


@pytest.mark.parametrize("argv, flags, rest", [
    (["compose", "up", "-d"], {}, ["up", "-d"]),
    (["-H", "tcp://h:2376", "--tlsverify", "compose", "ps"], {"--host": "tcp://h:2376", "--tlsverify": "true"},
     ["ps"]),
    (["--context=remote", "-D", "fig", "-p", "x", "ps"], {"--context": "remote", "--debug": "true"},
     ["-p", "x", "ps"]),
    (["--tlsverify=false", "--tlscacert", "/c/ca.pem", "compose"], {"--tlsverify": "false",
                                                                   "--tlscacert": "/c/ca.pem"}, []),
])
def test_docker_flags_before_the_plugin_name(argv, flags, rest):
    assert plugin.split_docker_flags(argv) == (flags, rest)


def test_host_and_tls_flags_become_the_engine_environment(tmp_path):
    (tmp_path / "ca.pem").write_text("ca")
    flags = {"--host": "tcp://h:2376", "--tlsverify": "true", "--tlscacert": str(tmp_path / "ca.pem")}
    with plugin.engine_environment(flags, {"DOCKER_CONFIG": str(tmp_path)}) as env:
        assert env["DOCKER_HOST"] == "tcp://h:2376" and env["DOCKER_TLS_VERIFY"] == "1"
        assert (Path(env["DOCKER_CERT_PATH"]) / "ca.pem").read_text() == "ca"
    with pytest.raises(UserError, match="either specify --host or --context"):
        with plugin.engine_environment({"--host": "x", "--context": "y"}, {}):
            pass


def write_context(config: Path, name: str, host: str, *, tls: bool = False) -> None:
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = config / "contexts" / "meta" / digest
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({"Name": name, "Endpoints": {"docker": {"Host": host}}}))
    if tls:
        certs = config / "contexts" / "tls" / digest / "docker"
        certs.mkdir(parents=True)
        (certs / "ca.pem").write_text("ca")


def test_contexts_come_from_the_flag_the_variable_or_the_config(tmp_path):
    write_context(tmp_path, "remote", "tcp://remote:2376", tls=True)
    write_context(tmp_path, "other", "unix:///other.sock")
    base = {"DOCKER_CONFIG": str(tmp_path)}
    with plugin.engine_environment({"--context": "remote"}, base) as env:
        assert env["DOCKER_HOST"] == "tcp://remote:2376" and env["DOCKER_TLS_VERIFY"] == "1"
        assert env["DOCKER_CERT_PATH"].endswith("/docker")
    with plugin.engine_environment({}, {**base, "DOCKER_CONTEXT": "other"}) as env:
        assert env["DOCKER_HOST"] == "unix:///other.sock"
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "other"}))
    with plugin.engine_environment({}, base) as env:
        assert env["DOCKER_HOST"] == "unix:///other.sock"
    with plugin.engine_environment({}, {**base, "DOCKER_HOST": "unix:///mine.sock"}) as env:
        assert env["DOCKER_HOST"] == "unix:///mine.sock"  # DOCKER_HOST wins over the config's context
    with pytest.raises(UserError, match="^docker context 'gone' does not exist in .*contexts: .docker context ls. lists them$"):
        with plugin.engine_environment({"--context": "gone"}, base):
            pass


def test_the_plugin_command_line(env, capsys, monkeypatch):
    from fig.cli.main import main

    monkeypatch.setenv("DOCKER_CONFIG", env["DOCKER_CONFIG"])
    assert main(["plugin", "install", "--as", "compose"]) == 0
    assert main(["plugin", "install", "--as", "nope"]) == 1
    assert main(["plugin", "uninstall", "--as", "compose"]) == 0
    assert not plugin.plugin_path("compose", env).exists()


def test_completion_grammar_reads_the_docstrings():
    from fig.cli.completion import Flag, flags_of, grammar

    doc = """Usage: x [options]

    Options:
        -t, --timeout TIMEOUT  Seconds to wait
        --no-deps              Don't start linked services
        --as=NAME              The name
    """
    assert flags_of(doc) == (Flag(("-t", "--timeout"), True, "Seconds to wait"),
                             Flag(("--no-deps",), False, "Don't start linked services"),
                             Flag(("--as",), True, "The name"))
    top = "Usage: fig [options] COMMAND\n\nOptions:\n  -p NAME  Project\n\nCommands:\n  up       Create and start\n"
    flags, commands = grammar(top, {"up": "Usage: up [options] [SERVICE...]\n\nOptions:\n    -d  Detached\n"})
    assert flags == (Flag(("-p",), True, "Project"),)
    assert [(c.name, c.help, c.services, [f.names for f in c.flags]) for c in commands] == [
        ("up", "Create and start", True, [("-d",)])]


def test_the_plugin_runs_fig_with_the_contexts_environment_only(tmp_path, monkeypatch):
    """A variable of the default context (DOCKER_TLS_VERIFY) does not follow fig into a named context's engine."""
    from fig.cli import plugin_main

    write_context(tmp_path, "local", "unix:///run/local/docker.sock")
    seen: dict[str, str] = {}
    monkeypatch.setattr(os, "environ", {"DOCKER_CONFIG": str(tmp_path), "DOCKER_TLS_VERIFY": "1", "HOME": "/root"})
    monkeypatch.setattr(plugin_main.cli, "main", lambda argv: seen.update(os.environ) or 0)
    assert plugin_main.main(["--context", "local", "compose", "ps"]) == 0
    assert seen["DOCKER_HOST"] == "unix:///run/local/docker.sock" and "DOCKER_TLS_VERIFY" not in seen
