"""pytest-docker, used as its documentation shows, with docker_compose_command = fig: `up --build --wait`,
`port_for`, `down -v`. Its fixtures are session-scoped, so the overrides here are too."""

from __future__ import annotations

import uuid

import pytest

from fig.labels import normalize_project_name
from tests.integration.clients.common import fig_executable, http_get, remove_image, write_project
from tests.integration.conftest import remove_project

pytestmark = pytest.mark.timeout(300)
NAME = "figpd" + uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def docker_compose_command() -> str:
    return fig_executable()


@pytest.fixture(scope="session")
def docker_compose_file(tmp_path_factory) -> str:
    return str(write_project(tmp_path_factory.mktemp("pytest-docker"), f"{NAME}-web:test"))


@pytest.fixture(scope="session")
def docker_compose_project_name(engine) -> object:
    yield NAME
    remove_project(engine, normalize_project_name(NAME))  # whatever down -v left behind
    remove_image(engine, f"{NAME}-web:test")


def test_port_for_and_the_service_answers(docker_services, docker_ip, engine):
    port = docker_services.port_for("web", 80)  # fig -f F -p P port web 80
    assert 0 < port < 65536
    assert http_get(port) == "hello from fig\n"
    # up --build --wait returned only once web was healthy
    (web,) = engine.containers(filters={"label": [f"com.docker.compose.project={NAME}",
                                                  "com.docker.compose.service=web"]})
    assert engine.inspect_container(web["Id"])["State"]["Health"]["Status"] == "healthy"
    docker_services.wait_until_responsive(check=lambda: http_get(port, 1) != "", timeout=10, pause=0.2)
