"""use_api_socket on the real engine: the container talks to the engine fig talks to through the socket mounted at
/var/run/docker.sock, and finds the user's registry credentials (a credential helper's too) in the docker CLI
config at /run/secrets/docker/config.json, which DOCKER_CONFIG names unless the service sets it."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from tests.integration.conftest import FigProject

# debian:bookworm-slim has perl: ask the engine, through the mounted socket, for the running containers' names (an
# unversioned path: the engine answers in its own API version, which any engine accepts)
ASK_THE_ENGINE = ("perl -MIO::Socket::UNIX -e '$s = IO::Socket::UNIX->new(Peer => \"/var/run/docker.sock\") or die "
                  "\"no socket: $!\"; print $s \"GET /containers/json HTTP/1.0\\r\\n\\r\\n\"; print <$s>'")

HELPER = """#!/bin/sh
# a docker credential helper that knows one registry
case "$1" in
  list) echo '{"registry.example.com": "helped"}' ;;
  get) read server; echo "{\\"ServerURL\\": \\"$server\\", \\"Username\\": \\"helped\\", \\"Secret\\": \\"h3lp\\"}" ;;
  *) exit 1 ;;
esac
"""


@pytest.fixture
def docker_config(tmp_path: Path) -> dict[str, str]:
    """A DOCKER_CONFIG with one stored login and a credential helper for another registry, on PATH."""
    config = tmp_path / "docker-config"
    config.mkdir()
    stored = base64.b64encode(b"user:s3cret").decode()
    (config / "config.json").write_text(json.dumps({
        "auths": {"127.0.0.1:5000": {"auth": stored}}, "credHelpers": {"registry.example.com": "figtest"}}))
    helpers = tmp_path / "bin"
    helpers.mkdir()
    helper = helpers / "docker-credential-figtest"
    helper.write_text(HELPER)
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    return {"DOCKER_CONFIG": str(config), "PATH": f"{helpers}:{os.environ['PATH']}"}


def test_the_container_talks_to_the_engine_and_finds_the_credentials(project: FigProject, docker_config):
    project.write("""\
        tool:
          image: debian:bookworm-slim
          command: sleep 300
          use_api_socket: true
        """)
    project.fig("up", "-d", env=docker_config, check=True)
    name = project.container_name("tool")
    code, answer = project.exec(name, "sh", "-c", ASK_THE_ENGINE)
    assert code == 0 and f'"/{name}"' in answer, answer  # the engine that runs it lists it
    code, variable = project.exec(name, "sh", "-c", "echo $DOCKER_CONFIG")
    assert variable.strip() == "/run/secrets/docker"
    code, text = project.exec(name, "cat", "/run/secrets/docker/config.json")
    assert json.loads(text) == {"auths": {
        "127.0.0.1:5000": {"auth": base64.b64encode(b"user:s3cret").decode()},
        "registry.example.com": {"auth": base64.b64encode(b"helped:h3lp").decode()}}}


def test_a_docker_config_the_service_sets_is_kept_and_one_offs_get_the_socket_too(project: FigProject, docker_config):
    project.write("""\
        services:
          tool:
            image: debian:bookworm-slim
            command: sleep 300
            use_api_socket: true
            environment: {DOCKER_CONFIG: /etc/docker-cli}
        """, "compose.yml")
    result = project.fig("run", "--rm", "tool", "sh", "-c",
                         f"echo $DOCKER_CONFIG; test -s /run/secrets/docker/config.json && {ASK_THE_ENGINE}",
                         env=docker_config, check=True)
    assert result.stdout.splitlines()[0] == "/etc/docker-cli"
    assert "HTTP/1.0 200 OK" in result.stdout
