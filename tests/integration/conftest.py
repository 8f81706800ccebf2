"""Integration fixtures: a real engine (never mocked), one uniquely named project per test, removed by label."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest

from fig.labels import LABEL_PROJECT, LABEL_SERVICE, LEGACY
from tests.faultproxy import FaultProxy

FIG = [sys.executable, "-m", "fig"]
# The engine under test: DOCKER_HOST (a unix socket), as for every client the tests start.
ENGINE_HOST = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "podman: runs on Podman too (script/test runs `-m podman` against it)")
    config.addinivalue_line(
        "markers", "engine26: needs dockerd 26's Dockerfile frontend (heredocs, named build contexts); on dockerd "
        "20.10 script/test deselects these with -m 'not engine26'")


def _engine() -> docker.APIClient | None:
    try:
        client = docker.from_env(version="auto", timeout=10).api  # DOCKER_HOST's engine, as fig's own
        client.ping()
        return client
    except Exception:
        return None


@pytest.fixture(scope="session")
def engine() -> docker.APIClient:
    client = _engine()
    if client is None:
        message = "No Docker engine answers at DOCKER_HOST or /var/run/docker.sock: run script/engine first"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    for image in ("busybox:latest",):
        try:
            client.inspect_image(image)
        except docker.errors.ImageNotFound:
            pytest.fail(f"image {image} is missing: run script/engine to seed it", pytrace=False)
    return client


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def remove_project(client: docker.APIClient, name: str) -> None:
    """Remove every container, network and volume labelled with the project (fig 1.1.0's label too)."""
    for key in (LABEL_PROJECT, LEGACY[LABEL_PROJECT]):
        left = [c["Id"] for c in client.containers(all=True, filters={"label": f"{key}={name}"})]
        while left:  # Podman removes a container only after those that join its namespaces: another round for it
            refused = []
            for cid in left:
                try:
                    client.remove_container(cid, force=True, v=True)
                except docker.errors.APIError as e:
                    if "dependent containers" not in str(e) or len(refused) == len(left) - 1:
                        raise
                    refused.append(cid)
            left = refused
    for n in client.networks(filters={"label": f"{LABEL_PROJECT}={name}"}):
        try:
            client.remove_network(n["Id"])
        except docker.errors.APIError:
            pass
    for v in (client.volumes(filters={"label": f"{LABEL_PROJECT}={name}"}) or {}).get("Volumes") or []:
        try:
            client.remove_volume(v["Name"])
        except docker.errors.APIError:
            pass


class FigProject:
    """A temp directory with a fig.yml, a unique project name, and a way to run the CLI as a user would."""

    def __init__(self, directory: Path, client: docker.APIClient) -> None:
        self.dir = directory
        self.name = "figtest" + uuid.uuid4().hex[:10]
        self.client = client

    def write(self, text: str, filename: str = "fig.yml") -> Path:
        path = self.dir / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    def fig(self, *args: str, timeout: float = 120, input: str | None = None, env: dict[str, str] | None = None,
            check: bool = False) -> Result:
        """Run `fig -p NAME ARGS` in the project directory, stdin closed unless input is given."""
        return self.raw("-p", self.name, *args, timeout=timeout, input=input, env=env, check=check)

    def raw(self, *args: str, timeout: float = 120, input: str | None = None, env: dict[str, str] | None = None,
            check: bool = False, cwd: Path | None = None) -> Result:
        """Run `fig ARGS` exactly as given (no -p), in `cwd` (default: the project directory)."""
        full_env = {**os.environ, **(env or {})}
        proc = subprocess.run(
            [*FIG, *args], cwd=cwd or self.dir, capture_output=True, text=True, timeout=timeout,
            input=input, stdin=None if input is not None else subprocess.DEVNULL, env=full_env,
        )
        result = Result(proc.returncode, proc.stdout, proc.stderr)
        if "Traceback" in proc.stderr:
            pytest.fail(f"fig {' '.join(args)} printed a traceback:\n{proc.stderr}")
        if check and not result.ok:
            pytest.fail(f"fig {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
        return result

    def containers(self, *, all: bool = True, service: str | None = None) -> list[dict]:
        labels = [f"{LABEL_PROJECT}={self.name}"]
        if service:
            labels.append(f"{LABEL_SERVICE}={service}")
        return self.client.containers(all=all, filters={"label": labels})

    def names(self, *, all: bool = True, service: str | None = None) -> list[str]:
        """The sorted canonical names of the project's containers (not the `/other/alias` names of links)."""
        return sorted(next(n.lstrip("/") for n in c["Names"] if n.count("/") == 1)
                      for c in self.containers(all=all, service=service))

    def inspect(self, name: str) -> dict:
        return self.client.inspect_container(name)

    def container_name(self, service: str, number: int = 1) -> str:
        return f"{self.name}_{service}_{number}"

    def exec(self, container: str, *cmd: str) -> tuple[int, str]:
        """Run a command inside a running container; returns (exit code, stdout+stderr)."""
        exec_id = self.client.exec_create(container, list(cmd))["Id"]
        output = self.client.exec_start(exec_id).decode("utf-8", "replace")
        return self.client.exec_inspect(exec_id)["ExitCode"], output

    def popen(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        """Start `fig -p NAME ARGS` in its own process group (as a terminal would), stdin closed."""
        return subprocess.Popen(
            [*FIG, "-p", self.name, *args], cwd=self.dir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})}, start_new_session=True,
        )


def wait_until(predicate: Callable[[], object], timeout: float = 30, interval: float = 0.2,
               message: str = "condition") -> object:
    """Poll until `predicate()` is truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


@pytest.fixture
def project(engine: docker.APIClient, tmp_path: Path) -> Iterator[FigProject]:
    proj = FigProject(tmp_path, engine)
    try:
        yield proj
    finally:
        remove_project(engine, proj.name)


# A long-running command that stops at once on SIGTERM (sh as PID 1 would ignore it).
SLEEPER = """sh -c 'trap "exit 0" TERM INT; while :; do sleep 1; done'"""


def sleepers(*services: str) -> str:
    """A fig.yml whose services run SLEEPER."""
    return "".join(f"{name}:\n  image: busybox\n  command: {SLEEPER}\n" for name in services)


@pytest.fixture
def proxy(engine: docker.APIClient) -> Iterator[FaultProxy]:
    """tests/faultproxy.py in front of the engine: what fig asks is seen, and chosen requests can be hurt."""
    directory = tempfile.mkdtemp(prefix="fp")  # a unix socket path must stay short
    try:
        with FaultProxy(Path(directory) / "engine.sock") as p:
            yield p
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def up(project: FigProject) -> FigProject:
    """The project with a `web` service running SLEEPER, up."""
    project.write(sleepers("web"))
    project.fig("up", "-d", check=True)
    return project
