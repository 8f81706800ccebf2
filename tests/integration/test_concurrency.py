"""Several `fig up -d` of one project started at the same moment end with one container per service, one
network and one volume of each name, and exit 0 each."""

from __future__ import annotations

import os
import subprocess
import threading

import pytest

from tests.integration.conftest import FIG, SLEEPER

SERVICES = ("db", "web", "cache")
FIG_FILE = f"""
db:
  image: busybox
  command: {SLEEPER}
web:
  image: busybox
  command: {SLEEPER}
  links: [db]
cache:
  image: busybox
  command: {SLEEPER}
"""
COMPOSE_FILE = f"""
services:
  db:
    image: busybox
    command: {SLEEPER}
    volumes: [data:/data]
  web:
    image: busybox
    command: {SLEEPER}
    depends_on: [db]
    networks: [default, back]
  cache:
    image: busybox
    command: {SLEEPER}
networks:
  back: {{}}
volumes:
  data: {{}}
"""


def up_at_once(project, count: int) -> list[subprocess.CompletedProcess[str]]:
    """Start `count` `fig up -d` together (released by one barrier) and return how each ended."""
    barrier = threading.Barrier(count)
    results: list[subprocess.CompletedProcess[str]] = []

    def one() -> None:
        barrier.wait()
        results.append(subprocess.run([*FIG, "-p", project.name, "up", "-d"], cwd=project.dir, capture_output=True,
                                      text=True, timeout=120, stdin=subprocess.DEVNULL, env=dict(os.environ)))

    threads = [threading.Thread(target=one) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(150)
    assert len(results) == count
    return results


@pytest.mark.parametrize("count", [2, 3])
@pytest.mark.parametrize("text", [FIG_FILE, COMPOSE_FILE], ids=["fig.yml", "compose"])
def test_concurrent_ups_make_each_container_network_and_volume_once(project, engine, count, text):
    project.write(text, "fig.yml" if text is FIG_FILE else "compose.yaml")
    for result in up_at_once(project, count):
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    assert project.names() == sorted(project.container_name(s) for s in SERVICES)
    assert all(c["State"] == "running" for c in project.containers())
    if text is COMPOSE_FILE:
        networks = [n["Name"] for n in engine.networks() if n["Name"].startswith(project.name + "_")]
        assert sorted(networks) == [f"{project.name}_back", f"{project.name}_default"]
        volumes = [v["Name"] for v in engine.volumes()["Volumes"] or [] if v["Name"].startswith(project.name)]
        assert volumes == [f"{project.name}_data"]
