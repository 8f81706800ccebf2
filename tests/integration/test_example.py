"""The acceptance test of the counter example: `fig up -d` on fig.yml.example builds a Flask app and Redis,
links them, publishes port 5000, and the page counts its visits."""

from __future__ import annotations

import shutil
import socket
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import docker
import pytest

from tests.integration.conftest import wait_until

REPO = Path(__file__).resolve().parents[2]
PORT = 5000


def port_is_free(port: int) -> bool:
    for family, address in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET, "127.0.0.1")):
        with socket.socket(family) as s:
            try:
                s.bind((address, port))
            except OSError:
                return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


def get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except (urllib.error.URLError, OSError):
        return None


@pytest.fixture
def example(project):
    """The repository's fig.yml.example and its sources, copied into the project's directory."""
    shutil.copytree(REPO / "examples", project.dir / "examples")
    text = (REPO / "fig.yml.example").read_text()
    port = PORT
    if not port_is_free(PORT):
        # Something else holds 5000 on this machine (the counter example that script/example leaves running, the
        # README's first command): publish this copy on another port rather than stop what we did not start.
        port = free_port()
        warnings.warn(f"port {PORT} is taken; the example is published on {port} instead")
        assert '"5000:5000"' in text
        text = text.replace('"5000:5000"', f'"{port}:5000"')
    (project.dir / "fig.yml").write_text(text)
    try:
        yield project, port
    finally:
        for service in ("web", "redis"):
            try:  # keep the parent layers: the next run's build is then a cache hit
                project.client.remove_image(f"{project.name}_{service}", force=True, noprune=True)
            except docker.errors.APIError:
                pass


def test_counter_example_counts_visits(example):
    project, port = example
    project.fig("up", "-d", timeout=600, check=True)
    ps = project.fig("ps", check=True).stdout
    for service in ("web", "redis"):
        row = [line for line in ps.splitlines() if line.startswith(project.container_name(service))]
        assert row and " Up" in row[0], ps
    assert project.fig("port", "web", "5000", check=True).stdout.strip().endswith(f":{port}")

    url = f"http://localhost:{port}/"
    first = wait_until(lambda: get(url), timeout=120, interval=1, message=f"{url} to answer")
    assert first == "Hello World! I have been seen 1 times.\n"
    assert get(url) == "Hello World! I have been seen 2 times.\n"

    # The code volume: the container runs the sources from the fig.yml directory.
    mounts = {m["Destination"]: m["Source"] for m in project.inspect(project.container_name("web"))["Mounts"]}
    assert mounts["/code"] == str(project.dir / "examples" / "counter" / "web")

    # Unchanged, a second `up -d` keeps both containers and the count.
    before = sorted(c["Id"] for c in project.containers())
    project.fig("up", "-d", timeout=120, check=True)
    assert sorted(c["Id"] for c in project.containers()) == before
    assert get(url) == "Hello World! I have been seen 3 times.\n"
    project.fig("stop", "-t", "2", check=True)
    assert get(url) is None
