"""testcontainers' DockerCompose, used as its documentation shows, pointed at fig: once with
docker_command_path = fig (it runs `fig compose ...`), once through `docker compose` after
`fig plugin install --as compose`."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from testcontainers.compose import ContainerIsNotRunning, DockerCompose

from fig.labels import normalize_project_name
from tests.integration.clients.common import fig_executable, http_get, remove_image, write_project
from tests.integration.conftest import remove_project

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def context(tmp_path: Path, engine):
    """A project directory whose name is the project's (testcontainers passes no -p)."""
    name = "figtc" + uuid.uuid4().hex[:8]
    directory = tmp_path / name
    write_project(directory, f"{name}-web:test")
    yield directory
    remove_project(engine, normalize_project_name(name))
    remove_image(engine, f"{name}-web:test")


def drive(compose: DockerCompose, engine) -> None:
    with compose:  # up --build --wait; on the way out down --volumes
        web = compose.get_container("web")  # ps --format json
        assert (web.Service, web.State) == ("web", "running")
        assert compose.get_container("worker").State == "running"
        port = compose.get_service_port("web", 80)  # Publishers[].PublishedPort, an int
        assert isinstance(port, int) and http_get(port) == "hello from fig\n"
        host, host_port = compose.get_service_host_and_port("web", 80)
        assert host_port == port
        stdout, stderr, code = compose.exec_in_container(["cat", "/www/index.html"], "web")  # exec -T
        assert (stdout, code) == ("hello from fig\n", 0)
        with pytest.raises(subprocess.CalledProcessError):
            compose.exec_in_container(["sh", "-c", "exit 3"], "web")
        stdout, _ = compose.get_logs("worker")  # logs worker
        assert "worker ready" in stdout
        assert all(not line or line.split("|")[0].strip().startswith("worker") for line in stdout.splitlines())
        config = compose.get_config()  # config --format json
        assert config["services"]["web"]["image"].endswith("-web:test")
        assert config["services"]["web"]["ports"][0]["target"] == 80
        compose.stop(down=False)  # stop
        with pytest.raises(ContainerIsNotRunning):
            compose.get_container("web")  # ps without -a: running ones only
        stopped = {c.Service: c for c in compose.get_containers(include_all=True)}
        assert stopped["web"].State == "exited"
    project = normalize_project_name(Path(compose.context).name)
    assert engine.containers(all=True, filters={"label": f"com.docker.compose.project={project}"}) == []


def test_docker_compose_with_fig_as_the_command(context, engine):
    drive(DockerCompose(context, build=True, docker_command_path=fig_executable()), engine)


def test_docker_compose_through_the_docker_cli_plugin(context, engine, tmp_path, monkeypatch):
    config = tmp_path / "docker-config"
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    installed = subprocess.run([fig_executable(), "plugin", "install", "--as", "compose"], capture_output=True,
                               text=True, timeout=60, env=os.environ.copy())
    assert installed.returncode == 0, installed.stderr
    drive(DockerCompose(context, build=True), engine)  # the library's default: `docker compose ...`
