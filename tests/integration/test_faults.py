"""fig against an engine that hangs, fails or drops chosen requests (tests/faultproxy.py in front of the real
engine): one clear line naming the operation and the container, the others go on, a non-zero exit, and the
next `up -d` converges."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faultproxy import FaultProxy
from tests.integration.conftest import SLEEPER

TWO = f"""
web:
  image: busybox
  command: {SLEEPER}
db:
  image: busybox
  command: {SLEEPER}
"""
BOUND = "2"  # FIG_HTTP_TIMEOUT for these tests, in seconds


@pytest.fixture
def proxy(engine) -> Iterator[FaultProxy]:
    directory = tempfile.mkdtemp(prefix="fp")  # a unix socket path must stay short
    try:
        with FaultProxy(Path(directory) / "engine.sock") as p:
            yield p
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def through(proxy: FaultProxy) -> dict[str, str]:
    return {"DOCKER_HOST": proxy.url, "FIG_HTTP_TIMEOUT": BOUND}


def container_id(project, service: str) -> str:
    return project.inspect(project.container_name(service))["Id"]


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("ERROR")]


def assert_converges(project, services: dict[str, str] = {"web": "running", "db": "running"}) -> None:
    """`up -d` straight to the engine ends with one container per service, each running."""
    project.fig("up", "-d", check=True, timeout=60)
    for service, state in services.items():
        (c,) = project.containers(service=service)
        assert c["State"] == state, (service, c["State"])


def test_a_start_that_hangs_is_named_and_the_other_starts(project, proxy):
    project.write(TWO)
    project.fig("up", "-d", "--no-start", check=True)
    proxy.add("POST", rf"/containers/{container_id(project, 'web')}/start", "hang")
    began = time.monotonic()
    result = project.fig("start", env=through(proxy), timeout=30)
    assert time.monotonic() - began < 15
    assert result.returncode != 0
    (line,) = error_lines(result.stderr)
    assert line == (f"ERROR: {project.container_name('web')}: start got no answer from the Docker daemon at "
                    f"{proxy.url} in {BOUND} s (FIG_HTTP_TIMEOUT sets how long to wait)")
    assert project.inspect(project.container_name("db"))["State"]["Running"]
    assert not project.inspect(project.container_name("web"))["State"]["Running"]
    assert_converges(project)


def test_a_stop_whose_answer_never_comes_is_bounded_by_its_timeout_plus_the_bound(project, proxy):
    project.write(TWO + "  links: [web]\n")  # db links to web: web stops after db, and does though db failed
    project.fig("up", "-d", check=True)
    proxy.add("POST", rf"/containers/{container_id(project, 'db')}/stop", "mute")  # the engine stops it, silently
    began = time.monotonic()
    result = project.fig("stop", "-t", "1", env=through(proxy), timeout=30)
    took = time.monotonic() - began
    assert result.returncode != 0
    assert 3 <= took < 15, took  # -t 1 plus the bound of 2 s
    (line,) = error_lines(result.stderr)
    assert f"{project.container_name('db')}: stop got no answer" in line and "in 3 s" in line
    assert not project.inspect(project.container_name("web"))["State"]["Running"]
    assert_converges(project)


def test_a_remove_that_hangs_is_named_and_the_other_is_removed(project, proxy):
    project.write(TWO)
    project.fig("up", "-d", check=True)
    project.fig("stop", "-t", "1", check=True)
    proxy.add("DELETE", rf"/containers/{container_id(project, 'web')}\?", "hang")
    result = project.fig("rm", "-f", env=through(proxy), timeout=30)
    assert result.returncode != 0
    (line,) = error_lines(result.stderr)
    assert f"{project.container_name('web')}: remove got no answer" in line
    assert [c["State"] for c in project.containers()] == ["exited"]  # db is gone, web is left
    assert_converges(project)


def test_a_500_on_one_create_in_the_middle_of_up_leaves_the_rest_and_up_converges(project, proxy):
    project.write(f"""
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
        worker:
          image: busybox
          command: {SLEEPER}
          links: [web]
        """)
    proxy.add("POST", rf"/containers/create\?name={project.container_name('web')}", "fail", times=1)
    result = project.fig("up", "-d", env=through(proxy), timeout=60)
    assert result.returncode != 0
    (line,) = error_lines(result.stderr)
    assert f"{project.container_name('web')}: injected fault: 500" in line, line
    assert "worker" in line  # skipped, because it links to web
    assert sorted(c["Names"][0].rsplit("_", 2)[1] for c in project.containers()) == ["cache", "db"]
    assert_converges(project, {s: "running" for s in ("db", "web", "cache", "worker")})
