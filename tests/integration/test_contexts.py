"""docker contexts made by the real docker CLI, followed by fig run directly (no DOCKER_HOST): the CLI's current
context, DOCKER_CONTEXT, a TLS context, DOCKER_HOST winning over a context, and a context that does not exist."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.integration.conftest import ENGINE_HOST, FIG, SLEEPER, FigProject
from tests.integration.test_remote import endpoint, pki  # noqa: F401  (the TLS endpoint fixtures)

NOWHERE = "unix:///nonexistent-fig-context.sock"


@pytest.fixture
def docker_config(tmp_path: Path) -> Path:
    """A private DOCKER_CONFIG with two contexts: `figctx` (the engine under test) and `nowhere`."""
    if shutil.which("docker") is None:
        pytest.fail("the docker CLI is missing: script/engine installs it (Debian's docker.io)", pytrace=False)
    config = tmp_path / "docker-config"
    docker(config, "context", "create", "figctx", "--docker", f"host={ENGINE_HOST}")
    docker(config, "context", "create", "nowhere", "--docker", f"host={NOWHERE}")
    return config


def docker(config: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT")}
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                            env={**env, "DOCKER_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def fig(project: FigProject, config: Path, *args: str, **env: str):
    """fig with no DOCKER_HOST (unless given) and the private DOCKER_CONFIG."""
    base = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT")}
    full = {**base, "DOCKER_CONFIG": str(config), **env}
    result = subprocess.run([*FIG, *args], cwd=project.dir, capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL, env=full)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_fig_follows_the_current_context_with_no_docker_host(project, docker_config):
    project.write(f"services:\n  web:\n    image: busybox\n    command: {SLEEPER}\n", "compose.yaml")
    docker(docker_config, "context", "use", "figctx")
    up = fig(project, docker_config, "-p", project.name, "up", "-d")
    assert up.returncode == 0, up.stderr
    assert [c["State"] for c in project.containers()] == ["running"]  # made on the engine under test
    ps = fig(project, docker_config, "-p", project.name, "ps")
    assert f"{project.name}_web_1" in ps.stdout and "Up" in ps.stdout

    docker(docker_config, "context", "use", "nowhere")
    away = fig(project, docker_config, "-p", project.name, "ps")
    assert away.returncode == 1 and NOWHERE in away.stderr  # the current context is where fig went
    chosen = fig(project, docker_config, "-p", project.name, "ps", DOCKER_CONTEXT="figctx")
    assert chosen.returncode == 0 and f"{project.name}_web_1" in chosen.stdout  # DOCKER_CONTEXT beats the config
    host = fig(project, docker_config, "-p", project.name, "ps", DOCKER_HOST=ENGINE_HOST, DOCKER_CONTEXT="nowhere")
    assert host.returncode == 0 and f"{project.name}_web_1" in host.stdout  # DOCKER_HOST beats any context
    default = fig(project, docker_config, "-p", project.name, "ps", DOCKER_CONTEXT="default")
    assert NOWHERE not in default.stderr  # the default context is the default socket, whatever the config says
    assert default.returncode == 0 or "unix:///var/run/docker.sock" in default.stderr


def test_a_context_that_does_not_exist_is_one_line_and_writes_nothing(project, docker_config):
    project.write(f"services:\n  web:\n    image: busybox\n    command: {SLEEPER}\n", "compose.yaml")
    result = fig(project, docker_config, "-p", project.name, "up", "-d", DOCKER_CONTEXT="gone")
    assert result.returncode == 1
    assert result.stderr == (f"ERROR: docker context 'gone' does not exist in {docker_config / 'contexts'}: "
                             "`docker context ls` lists them\n")
    assert project.containers() == []


def test_a_tls_context_is_verified_with_its_own_certificates(project, docker_config, pki, endpoint):  # noqa: F811
    port, socat = endpoint()
    good = pki["good"]
    docker(docker_config, "context", "create", "figtls", "--docker",
           f"host=tcp://localhost:{port},ca={good / 'ca.pem'},cert={good / 'cert.pem'},key={good / 'key.pem'}")
    project.write("services:\n  web:\n    image: busybox\n", "compose.yaml")
    # The default context's TLS variables name another CA: a named context's own material must be used.
    result = fig(project, docker_config, "-p", project.name, "ps", DOCKER_CONTEXT="figtls",
                 DOCKER_CERT_PATH=str(pki["wrong"]), DOCKER_TLS_VERIFY="1")
    assert result.returncode == 0, result.stderr
    assert "accepting connection" in socat.text(), "fig went through the context's TLS endpoint"
