"""The labels other tools read, on the real engine; containers made by fig 1.1.0 (io.fig.* only) adopted."""

from __future__ import annotations

import os

from fig import __version__
from tests.integration.conftest import SLEEPER
from tests.integration.test_dialects import APP as DIALECTS_APP

APP = DIALECTS_APP.rstrip() + "\n    volumes:\n      data: {}\n"


def test_containers_networks_and_volumes_carry_composes_labels(project):
    project.write(APP, "compose.yaml")
    project.fig("up", "-d", check=True)
    labels = project.inspect(project.container_name("web"))["Config"]["Labels"]
    assert labels["com.docker.compose.project"] == project.name
    assert labels["com.docker.compose.service"] == "web"
    assert labels["com.docker.compose.container-number"] == "1"
    assert labels["com.docker.compose.oneoff"] == "False"
    assert len(labels["com.docker.compose.config-hash"]) == 64
    assert labels["com.docker.compose.version"] == __version__
    assert labels["com.docker.compose.project.working_dir"] == str(project.dir)
    assert labels["com.docker.compose.project.config_files"] == os.path.join(str(project.dir), "compose.yaml")
    assert labels["com.docker.compose.depends_on"] == "db:service_started:false"
    network = project.client.inspect_network(f"{project.name}_default")["Labels"]
    assert network["com.docker.compose.project"] == project.name
    assert network["com.docker.compose.network"] == "default"
    volume = project.client.inspect_volume(f"{project.name}_data")["Labels"]
    assert volume["com.docker.compose.project"] == project.name and volume["com.docker.compose.volume"] == "data"


def make_legacy(project, service: str, config_hash: str) -> str:
    """A container exactly as fig 1.1.0 labelled it: io.fig.* only."""
    labels = {"io.fig.project": project.name, "io.fig.service": service, "io.fig.container-number": "1",
              "io.fig.oneoff": "False", "io.fig.config-hash": config_hash, "io.fig.version": "1.1.0"}
    cid = project.client.create_container("busybox", ["sh", "-c", 'trap "exit 0" TERM INT; while :; do sleep 1; done'],
                                          name=project.container_name(service), labels=labels)["Id"]
    project.client.start(cid)
    return cid


def both(project) -> list[dict]:
    """The project's containers by either label set."""
    legacy = project.client.containers(all=True, filters={"label": f"io.fig.project={project.name}"})
    return legacy + project.containers()


def test_up_adopts_a_fig_1_1_container_instead_of_duplicating_it(project):
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
        """)
    (line,) = project.fig("config", "--hash", check=True).stdout.splitlines()
    old = make_legacy(project, "web", line.split()[1])
    assert project.fig("ps", "-q", check=True).stdout.split() == [old]
    result = project.fig("up", "-d", check=True)
    assert "Creating" not in result.stderr and "Recreating" not in result.stderr
    assert [c["Id"] for c in both(project)] == [old]
    assert project.fig("scale", "web=2", check=True).ok
    numbers = [c["Labels"]["com.docker.compose.container-number"] for c in project.containers()]
    assert numbers == ["2"] and len(both(project)) == 2  # number 1 is still fig 1.1.0's, number 2 Compose-labelled
    assert len(project.fig("ps", "-q", check=True).stdout.split()) == 2
    project.fig("down", check=True)
    assert project.client.containers(all=True, filters={"label": f"io.fig.project={project.name}"}) == []


def test_a_changed_fig_1_1_container_is_recreated_with_composes_labels(project):
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
        """)
    old = make_legacy(project, "web", "0" * 64)
    result = project.fig("up", "-d", check=True)
    assert f"Recreating {project.container_name('web')}" in result.stderr
    (new,) = project.containers()
    assert new["Id"] != old and new["Labels"]["com.docker.compose.container-number"] == "1"
    assert project.client.containers(all=True, filters={"label": f"io.fig.project={project.name}"}) == []
