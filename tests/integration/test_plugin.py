"""fig as a Docker CLI plugin, run by the real docker CLI: `docker compose ...` and `docker fig ...`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fig import __version__
from tests.integration.conftest import ENGINE_HOST, FIG, SLEEPER
from tests.integration.test_remote import endpoint, pki  # noqa: F401  (the TLS endpoint fixtures)


@pytest.fixture
def docker_config(tmp_path: Path) -> Path:
    if shutil.which("docker") is None:
        pytest.fail("the docker CLI is missing: script/engine installs it (Debian's docker.io)", pytrace=False)
    return tmp_path / "docker-config"


def docker(config: Path, *args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(["docker", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL, env={**os.environ, "DOCKER_CONFIG": str(config), **(env or {})})
    assert "Traceback" not in result.stderr, result.stderr
    return result


def install(config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*FIG, "plugin", "install", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "DOCKER_CONFIG": str(config)})


def test_docker_compose_runs_fig_in_composes_dialect(project, docker_config):
    assert install(docker_config, "--as", "compose").returncode == 0
    version = docker(docker_config, "compose", "version", cwd=project.dir)
    assert version.returncode == 0 and __version__ in version.stdout
    listed = docker(docker_config, "--help", cwd=project.dir).stdout
    assert "compose*" in listed and "by fig" in listed  # the docker CLI took the metadata
    project.write(f"services:\n  web:\n    image: busybox\n    command: {SLEEPER}\n", "compose.yaml")
    up = docker(docker_config, "compose", "-p", project.name, "up", "-d", cwd=project.dir)
    assert up.returncode == 0, up.stderr
    (container,) = project.containers()
    assert container["Names"] == [f"/{project.name}-web-1"] and container["State"] == "running"
    ps = docker(docker_config, "compose", "-p", project.name, "ps", cwd=project.dir)
    assert f"{project.name}-web-1" in ps.stdout and "Up" in ps.stdout
    down = docker(docker_config, "compose", "-p", project.name, "down", cwd=project.dir)
    assert down.returncode == 0 and project.containers() == []


def test_docker_fig_is_the_default_name_and_refuses_what_it_did_not_write(project, docker_config):
    assert install(docker_config).returncode == 0
    project.write(f"services:\n  web:\n    image: busybox\n    command: {SLEEPER}\n", "compose.yaml")
    assert docker(docker_config, "fig", "-p", project.name, "up", "-d", cwd=project.dir).returncode == 0
    assert [c["State"] for c in project.containers()] == ["running"]
    foreign = docker_config / "cli-plugins" / "docker-compose"
    foreign.write_text("#!/bin/sh\necho someone else's\n")
    refused = install(docker_config, "--as", "compose")
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1 and "--force" in refused.stderr
    assert foreign.read_text() == "#!/bin/sh\necho someone else's\n"
    assert install(docker_config, "--as", "compose", "--force").returncode == 0
    gone = subprocess.run([*FIG, "plugin", "uninstall"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "DOCKER_CONFIG": str(docker_config)})
    assert gone.returncode == 0 and not (docker_config / "cli-plugins" / "docker-fig").exists()


def test_the_docker_clis_host_and_context_flags_reach_fig(project, docker_config):
    assert install(docker_config, "--as", "compose").returncode == 0
    project.write("services:\n  web:\n    image: busybox\n", "compose.yaml")
    bad = docker(docker_config, "-H", "unix:///nonexistent-fig.sock", "compose", "ps", cwd=project.dir)
    assert bad.returncode == 1 and "unix:///nonexistent-fig.sock" in bad.stderr
    made = docker(docker_config, "context", "create", "figctx", "--docker", "host=unix:///nonexistent-ctx.sock",
                  cwd=project.dir)
    assert made.returncode == 0, made.stderr
    bad = docker(docker_config, "--context", "figctx", "compose", "ps", cwd=project.dir)
    assert bad.returncode == 1 and "unix:///nonexistent-ctx.sock" in bad.stderr
    good = docker(docker_config, "-H", ENGINE_HOST, "compose", "-p", project.name, "ps",
                  cwd=project.dir, env={"DOCKER_HOST": "unix:///nonexistent-env.sock"})
    assert good.returncode == 0, good.stderr  # -H wins over DOCKER_HOST, as in the docker CLI


def test_tls_flags_reach_fig(project, docker_config, pki, endpoint):  # noqa: F811
    port, socat = endpoint()
    assert install(docker_config, "--as", "compose").returncode == 0
    project.write("services:\n  web:\n    image: busybox\n", "compose.yaml")
    good = pki["good"]
    flags = ["-H", f"tcp://localhost:{port}", "--tlsverify", "--tlscacert", str(good / "ca.pem"),
             "--tlscert", str(good / "cert.pem"), "--tlskey", str(good / "key.pem")]
    result = docker(docker_config, *flags, "compose", "-p", project.name, "ps", cwd=project.dir,
                    env={"DOCKER_CERT_PATH": str(pki["wrong"])})
    assert result.returncode == 0, result.stderr
    assert "accepting connection" in socat.text(), "fig went through the TLS endpoint"
    wrong = docker(docker_config, *flags[:3], "--tlscacert", str(pki["wrong"] / "ca.pem"), "compose", "ps",
                   cwd=project.dir)
    assert wrong.returncode == 1 and "ERROR" in wrong.stderr
