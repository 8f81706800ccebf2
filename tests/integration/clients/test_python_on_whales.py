"""python-on-whales' DockerClient(client_call=[fig]), used as its documentation shows: it runs
`fig compose --file F --project-name N ...` and parses what fig prints."""

from __future__ import annotations

import uuid

import pytest
from python_on_whales import DockerClient
from python_on_whales.components.compose.models import ComposeConfig

from tests.integration.clients.common import fig_executable, http_get, remove_image, write_project
from tests.integration.conftest import remove_project

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def whales(tmp_path, engine):
    name = "figpow" + uuid.uuid4().hex[:8]
    path = write_project(tmp_path / "app", f"{name}-web:test")
    yield DockerClient(client_call=[fig_executable()], compose_files=[path], compose_project_name=name), name
    remove_project(engine, name)
    remove_image(engine, f"{name}-web:test")


def state(engine, container_id: str) -> str:
    return engine.inspect_container(container_id)["State"]["Status"]  # through the SDK: fig has no `container`


def test_python_on_whales_drives_a_project(whales, engine):
    client, name = whales
    client.compose.up(detach=True, wait=True, build=True)  # up --build --detach --wait
    ids = [str(c) for c in client.compose.ps()]  # ps --quiet
    assert len(ids) == 2 and all(state(engine, i) == "running" for i in ids)
    host, port = client.compose.port("web", 80)  # port --index 1 --protocol tcp web 80
    assert isinstance(port, int) and http_get(port) == "hello from fig\n"
    assert client.compose.execute("web", ["cat", "/www/index.html"], tty=False) == "hello from fig"  # exec --no-TTY
    config = client.compose.config()  # config --format json, validated into its pydantic model
    assert isinstance(config, ComposeConfig)
    assert config.services["web"].ports[0].target == 80 and config.services["worker"].image == "busybox:latest"
    projects = {p.name: p for p in client.compose.ls()}  # ls --format json
    assert projects[name].running == 2
    client.compose.pause(["worker"])
    worker = next(i for i in ids if engine.inspect_container(i)["Config"]["Labels"]["com.docker.compose.service"]
                  == "worker")
    assert state(engine, worker) == "paused"
    client.compose.unpause(["worker"])
    assert state(engine, worker) == "running"
    client.compose.kill(["worker"])
    assert state(engine, worker) == "exited"
    assert [str(c) for c in client.compose.ps()] == [i for i in ids if i != worker]  # running ones only
    one_off = client.compose.run("worker", ["sleep", "30"], detach=True, tty=False)  # run --detach prints the id
    assert state(engine, str(one_off)) == "running"
    assert engine.inspect_container(str(one_off))["Config"]["Labels"]["com.docker.compose.oneoff"] == "True"
    client.compose.down(volumes=True, timeout=1)  # down --timeout 1 --volumes
    assert engine.containers(all=True, filters={"label": f"com.docker.compose.project={name}"}) == []
