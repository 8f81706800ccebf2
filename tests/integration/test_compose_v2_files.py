"""A compose file's project is the one Compose v2 2.26.1 makes from it (issue 25): `fig up` finds the containers
and the named volume's data that `docker compose up` made, and the other way round, in both of fig's dialects;
and what the engine decides of the values fig reads as Compose v2 does (a bare variable unsets the image's,
secrets written with their owner and mode, COMPOSE_* set in .env)."""

from __future__ import annotations

import io
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.integration.conftest import FIG, SLEEPER, remove_project

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = f"""\
services:
  web:
    image: busybox
    command: {SLEEPER}
    volumes: [data:/data]
volumes:
  data:
"""


@pytest.fixture(scope="session")
def compose_v2() -> str:
    """Compose v2 2.26.1, unpacked by script/peers (a quick no-op once done)."""
    try:
        subprocess.run([str(ROOT / "script/peers")], check=True, capture_output=True, timeout=900)
        path = subprocess.run([str(ROOT / "script/peers"), "--path", "compose"], check=True, capture_output=True,
                              text=True, timeout=60).stdout.strip()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        pytest.fail(f"script/peers could not give Compose v2: {e}", pytrace=False)
    if not Path(path).is_file():
        pytest.fail(f"Compose v2 is not at {path}", pytrace=False)
    return path


@pytest.fixture
def directory(engine: docker.APIClient, tmp_path: Path) -> Iterator[Path]:
    """A project directory whose name has the '-' and '_' that Compose v2 keeps (and Fig's rule drops); the
    project, named after it, is removed afterwards."""
    path = tmp_path / f"figtest-{uuid.uuid4().hex[:8]}_v2"
    path.mkdir()
    (path / "compose.yaml").write_text(COMPOSE_FILE)
    try:
        yield path
    finally:
        remove_project(engine, path.name)


def _run(command: list[str], cwd: Path) -> str:
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, f"{command}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


def _containers(engine: docker.APIClient, project: str) -> list[dict]:
    return engine.containers(all=True, filters={"label": f"com.docker.compose.project={project}"})


def _marker(engine: docker.APIClient, container: str, command: str) -> str:
    exec_id = engine.exec_create(container, ["sh", "-c", command])["Id"]
    return engine.exec_start(exec_id).decode().strip()


def _running_web(engine: docker.APIClient, project: str) -> str:
    (only,) = _containers(engine, project)  # one container: no second set
    assert only["State"] == "running" and only["Labels"]["com.docker.compose.service"] == "web"
    return str(only["Id"])


@pytest.mark.parametrize("fig_up", [["up", "-d"], ["compose", "up", "-d"]], ids=["fig", "fig compose"])
def test_fig_finds_what_compose_v2_made_and_the_other_way_round(engine, compose_v2, directory, fig_up):
    project = directory.name
    _run([compose_v2, "up", "-d"], directory)
    first = _running_web(engine, project)
    _marker(engine, first, "echo made-by-v2 > /data/marker")

    _run([*FIG, *fig_up], directory)  # no -p: the project is the directory's, as v2 names it
    second = _running_web(engine, project)  # recreated (the config hashes differ), not duplicated
    assert _run([*FIG, *fig_up[:-2], "ps", "-q"], directory).split() == [second]  # fig's project is v2's
    assert _marker(engine, second, "cat /data/marker") == "made-by-v2"  # the same named volume
    _marker(engine, second, "echo made-by-fig >> /data/marker")
    volumes = engine.volumes(filters={"label": f"com.docker.compose.project={project}"})["Volumes"]
    assert [v["Name"] for v in volumes] == [f"{project}_data"]
    assert [n["Name"] for n in engine.networks(names=[f"{project}_default"])] == [f"{project}_default"]

    _run([compose_v2, "up", "-d"], directory)
    third = _running_web(engine, project)
    assert _marker(engine, third, "cat /data/marker") == "made-by-v2\nmade-by-fig"
    assert f"{project}-web-1" in _run([compose_v2, "ps"], directory)
    _run([*FIG, *fig_up], directory)
    _running_web(engine, project)
    _run([compose_v2, "down", "-v"], directory)  # v2 removes all of it: fig made nothing it does not know
    assert _containers(engine, project) == [] and engine.volumes(
        filters={"label": f"com.docker.compose.project={project}"})["Volumes"] in (None, [])


def test_a_bare_variable_unsets_the_images_and_secrets_get_their_owner_and_mode(engine, project):
    image = f"{project.name}-env:latest"
    dockerfile = "FROM busybox\nENV SERVICE_URL=from-image KEEP=from-image\n"
    for _ in engine.build(fileobj=io.BytesIO(dockerfile.encode()), tag=image, rm=True, decode=True):
        pass
    try:
        project.write(f"""\
            services:
              web:
                image: {image}
                command: {SLEEPER}
                environment: [SERVICE_URL, ANSWER=yes]
                secrets:
                  - {{source: token, uid: "1000", gid: "1001", mode: 0400}}
                  - {{source: plain, mode: 0440}}
            secrets:
              token: {{environment: TOKEN}}
              plain: {{file: ./plain.txt}}
            """, "compose.yaml")
        (project.dir / "plain.txt").write_text("plain\n")
        project.fig("up", "-d", env={"TOKEN": "t0k3n"}, check=True)
        (container,) = project.containers()
        env = engine.inspect_container(container["Id"])["Config"]["Env"]
        assert "SERVICE_URL=from-image" not in env and "KEEP=from-image" in env and "ANSWER=yes" in env
        assert _marker(engine, container["Id"], "echo ${SERVICE_URL-unset}") == "unset"
        assert _marker(engine, container["Id"], "stat -c '%u %g %a' /run/secrets/token; cat /run/secrets/token") \
            == "1000 1001 400\nt0k3n"
        assert _marker(engine, container["Id"], "cat /run/secrets/plain") == "plain"
    finally:
        remove_project(engine, project.name)
        engine.remove_image(image, force=True)


def test_compose_variables_in_dotenv_take_effect(engine, project):
    project.write(f"services:\n  web:\n    image: busybox\n    command: {SLEEPER}\n  old:\n    image: busybox\n"
                  f"    command: {SLEEPER}\n", "compose.yaml")
    project.fig("up", "-d", check=True)
    project.write(f"services:\n  web:\n    image: busybox\n    command: {SLEEPER}\n", "compose.yaml")
    (project.dir / ".env").write_text("COMPOSE_IGNORE_ORPHANS=true\n")
    quiet = project.fig("up", "-d", check=True)
    assert "orphan" not in quiet.stderr and len(project.containers()) == 2
    refused = project.fig("up", "-d", "--remove-orphans")
    assert refused.returncode == 1 and "COMPOSE_IGNORE_ORPHANS and --remove-orphans cannot be combined" in refused.stderr
    (project.dir / ".env").write_text("COMPOSE_REMOVE_ORPHANS=1\nCOMPOSE_PARALLEL_LIMIT=1\n")
    project.fig("up", "-d", "-t", "1", check=True)
    assert [c["Labels"]["com.docker.compose.service"] for c in project.containers()] == ["web"]
