"""fig against an engine that hangs, fails or drops chosen requests (tests/faultproxy.py in front of the real
engine): one clear line naming the operation and the container, the others go on, a non-zero exit, and the
next `up -d` converges."""

from __future__ import annotations

import re
import time

import pytest

from tests.faultproxy import FaultProxy
from tests.integration.conftest import SLEEPER, wait_until

TWO = f"""
web:
  image: busybox
  command: {SLEEPER}
db:
  image: busybox
  command: {SLEEPER}
"""
BOUND = "6"  # FIG_HTTP_TIMEOUT for these tests, in seconds: short, yet what a busy engine answers within


def through(proxy: FaultProxy) -> dict[str, str]:
    return {"DOCKER_HOST": proxy.url, "FIG_HTTP_TIMEOUT": BOUND}


def container_id(project, service: str) -> str:
    return project.inspect(project.container_name(service))["Id"]


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("ERROR")]


def assert_converges(project, services: dict[str, str | None] = {"web": "running", "db": "running"}) -> None:
    """`up -d` straight to the engine ends with one container per service, each in the state given."""
    project.fig("up", "-d", check=True, timeout=60)
    for service, state in services.items():
        (c,) = project.containers(service=service)
        assert state is None or c["State"] == state, (service, c["State"])


def test_a_start_that_hangs_is_named_and_the_other_starts(project, proxy):
    project.write(TWO)
    project.fig("up", "-d", "--no-start", check=True)
    proxy.add("POST", rf"/containers/{container_id(project, 'web')}/start", "hang")
    began = time.monotonic()
    result = project.fig("start", env=through(proxy), timeout=30)
    assert time.monotonic() - began < 25
    assert result.returncode != 0
    (line,) = error_lines(result.stderr)
    assert line == (f"ERROR: {project.container_name('web')}: start timed out: no answer from the Docker daemon at "
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
    assert 7 <= took < 25, took  # -t 1 plus the bound
    (line,) = error_lines(result.stderr)
    assert f"{project.container_name('db')}: stop timed out" in line and "in 7 s" in line
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
    assert f"{project.container_name('web')}: remove timed out" in line
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


COUNTER = """sh -c 'for i in $$(seq 1 60); do echo "line $$i"; sleep 0.05; done'"""


def numbers(stdout: str) -> list[int]:
    return [int(m[1]) for m in re.finditer(r"\| line (\d+)$", stdout, re.M)]


def test_logs_follow_cut_by_the_engine_goes_on_after_the_last_line_shown(project, proxy):
    project.write(f"web:\n  image: busybox\n  command: {COUNTER}\n")
    project.fig("up", "-d", check=True)
    proxy.add("GET", r"/containers/[0-9a-f]+/logs\?.*follow=1", "cut", seconds=1, times=1)
    result = project.fig("logs", "-f", env=through(proxy), timeout=60)
    assert result.returncode == 0, result.stderr
    assert numbers(result.stdout) == list(range(1, 61))
    assert len(proxy.requests("GET", r"/containers/[0-9a-f]+/logs")) >= 2  # it was cut, and resumed
    assert_converges(project, {"web": None})


def test_attached_up_cut_by_the_engine_goes_on_after_the_last_line_shown(project, proxy):
    project.write(f"web:\n  image: busybox\n  command: {COUNTER}\n")
    proxy.add("POST", r"/containers/[0-9a-f]+/attach", "cut", seconds=1, times=1)
    result = project.fig("up", env=through(proxy), timeout=60)
    assert result.returncode == 0, result.stderr
    assert numbers(result.stdout) == list(range(1, 61))
    assert proxy.requests("GET", r"/containers/[0-9a-f]+/logs")  # resumed from the log
    assert f"{project.container_name('web')} exited with code 0" in result.stdout
    assert_converges(project, {"web": None})


@pytest.mark.parametrize("command", [("logs", "-f"), ("up",)], ids=["logs -f", "attached up"])
def test_an_engine_that_goes_away_under_a_stream_ends_it_with_one_line_and_a_failure(project, proxy, command):
    project.write(f"web:\n  image: busybox\n  command: {SLEEPER.replace('sleep 1', 'echo tick; sleep 0.2')}\n"
                  f"db:\n  image: busybox\n  command: {SLEEPER}\n")
    if command[0] == "logs":
        project.fig("up", "-d", check=True)
    proc = project.popen(*command, env=through(proxy))
    try:
        wait_until(lambda: len(proxy.requests("*", r"/containers/[0-9a-f]+/(attach|logs)")) >= 2, timeout=30,
                   message="both streams")
        wait_until(lambda: all(c["State"] == "running" for c in project.containers()), timeout=30,
                   message="both running")
        time.sleep(1)
        proxy.add("*", ".*", "drop")
        proxy.sever()
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    (line,) = error_lines(err)
    assert line.startswith(f"ERROR: lost the output of {project.container_name('db')}, "
                           f"{project.container_name('web')}: ")
    assert "tick" in out
    proxy.clear()
    assert_converges(project)


def test_the_sdk_transport_is_bounded_too(project, proxy):
    """TCP and TLS engines go through the docker SDK: the same bound, the same one line."""
    from fig.backend.docker import DockerBackend
    from fig.container import Container
    from fig.errors import EngineTimeout

    project.write(TWO)
    project.fig("up", "-d", "--no-start", check=True)
    web = container_id(project, "web")
    proxy.add("POST", rf"/containers/{web}/start", "hang")
    backend = DockerBackend.from_env({"DOCKER_HOST": proxy.url, "FIG_HTTP_TIMEOUT": BOUND}, plain_http=False)
    container = Container(backend, backend.inspect(web))
    began = time.monotonic()
    with pytest.raises(EngineTimeout) as caught:
        container.start()
    assert time.monotonic() - began < 25
    assert str(caught.value) == (f"{project.container_name('web')}: start timed out: no answer from the Docker "
                                 f"daemon at {proxy.url} in {BOUND} s (FIG_HTTP_TIMEOUT sets how long to wait)")
    assert_converges(project)
