"""Lifecycle hooks and use_api_socket on the fake engine: when hooks run (and in what order against start and
stop), what a failing one does, and what a container with the API socket is given."""

from __future__ import annotations

import json

import pytest

from fig.errors import HookFailed

HOOKED = """
services:
  web:
    image: busybox
    post_start: [{command: first}, {command: second, user: "5", working_dir: /w, environment: {A: "1"}}]
    pre_stop: [{command: drain}]
"""


def _commands(backend):
    return [a[1].command[0] if m == "exec_create" else m for m, a in backend.calls
            if m in ("exec_create", "start", "stop", "restart", "kill")]


def test_post_start_runs_after_start_in_order_and_pre_stop_before_stop(project, backend):
    p = project(HOOKED)
    p.up()
    second = next(a[1] for m, a in backend.calls if m == "exec_create" and a[1].command == ("second",))
    assert (second.user, second.working_dir, dict(second.environment)) == ("5", "/w", {"A": "1"})
    p.stop()
    p.kill()  # nothing runs: it is stopped, and kill runs no hook anyway
    p.start()
    p.kill()
    assert _commands(backend) == ["start", "first", "second", "drain", "stop", "start", "first", "second", "kill"]


def test_a_failing_post_start_stops_the_container_and_names_hook_service_and_code(project, backend):
    backend.exec_results[("figtest_web_1", "second")] = (3, "not ready\n")
    with pytest.raises(HookFailed, match=r"^service 'web': post_start hook 2 \(second\) exited with code 3 in "
                                         r"container figtest_web_1: not ready$"):
        project(HOOKED).up()
    assert _commands(backend)[-1] == "stop"


def test_a_failing_pre_stop_stops_nothing(project, backend):
    p = project(HOOKED)
    p.up()
    backend.exec_results[("figtest_web_1", "drain")] = (1, "")
    with pytest.raises(HookFailed, match="pre_stop hook 1 .drain. exited with code 1"):
        p.stop()
    assert "stop" not in _commands(backend)


def test_the_api_socket_and_credentials_reach_the_container(project, backend):
    backend.auths = {"registry.example": {"auth": "dTpw"}}
    project("services:\n  tool:\n    image: busybox\n    use_api_socket: true\n").up()
    spec = backend.specs()[0]
    assert "/var/run/docker.sock:/var/run/docker.sock" in spec.binds
    assert spec.environment["DOCKER_CONFIG"] == "/run/secrets/docker"
    assert [a[1] for m, a in backend.calls if m == "put_archive"] == ["/"]  # before the start, through the engine
    assert backend.by_name("figtest_tool_1").files["/run/secrets/docker/config.json"].data == json.dumps(
        {"auths": {"registry.example": {"auth": "dTpw"}}}, indent="\t").encode()
