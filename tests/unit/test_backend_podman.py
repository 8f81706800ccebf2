"""DockerBackend against a unix-socket server that answers as Podman 4.3.1 answered on this machine where its API
differs from Docker's: states and health it reads, answers that are not JSON, whole-second log stamps, paused
containers left out of the running list and refused a stop, its identity and its healthcheck endpoint."""

from __future__ import annotations

import json
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from fig import errors
from fig.backend import streams, wire
from fig.backend.base import ContainerState, EngineTraits, LogLine
from fig.backend.docker import DockerBackend
from fig.backend.enginebuild import EngineBuild
from fig.backend.specs import BuildRequest, ContainerSpec, EndpointSpec
from fig.container import Container
from tests.unit.test_backend_unixhttp import Handler, serving

VERSION = {"Platform": {"Name": "linux/amd64/debian-12"},
           "Components": [{"Name": "Podman Engine", "Version": "4.3.1", "Details": {"APIVersion": "4.3.1"}}],
           "Version": "4.3.1", "ApiVersion": "1.41", "MinAPIVersion": "1.24"}
LISTED = [{"Id": "run", "Names": ["/p_run_1"], "State": "running", "Status": "Up 2 seconds"},
          {"Id": "halt", "Names": ["/p_halt_1"], "State": "stopping", "Status": "Up 3 seconds"},
          {"Id": "pau", "Names": ["/p_pau_1"], "State": "paused", "Status": "Paused"},
          {"Id": "end", "Names": ["/p_end_1"], "State": "stopped", "Status": "Exited (3) Less than a second ago"}]


def frame(data: bytes) -> bytes:
    return struct.pack(">BxxxL", 1, len(data)) + data


class Podman(Handler):
    paused = {"pau"}
    seen: list[tuple[str, str]] = []
    libpod = True  # whether its ping says it is Podman (a Docker engine's does not)

    def handle_any(self) -> None:
        Podman.seen.append((self.command, self.path))
        path, _, query = self.path.partition("?")
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if path == "/_ping":
            self.send_response(200)
            for key, value in [("Api-Version", "1.41"), ("Content-Length", "2")] + \
                    ([("Libpod-Api-Version", "4.3.1")] if Podman.libpod else []):
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(b"OK")
        elif path == "/v1.41/containers/json":  # without all=1, running ones only: paused and stopping ones are not
            listed = LISTED if "all=1" in query else [c for c in LISTED if c["State"] == "running"]
            self.reply(200, json.dumps(listed).encode())
        elif path == "/v1.41/containers/create":
            self.reply(201, b'{"Id":"new","Warnings":[]}')
        elif path == "/v1.41/networks/second/connect":
            self.reply(200, b"OK", "text/plain")
        elif path == "/v1.41/containers/pau/json":
            status = "paused" if "pau" in Podman.paused else "running"
            self.reply(200, json.dumps({"Id": "pau", "State": {"Status": status, "Health": {"Status": ""}}}).encode())
        elif path in ("/v1.41/containers/pau/stop", "/v1.41/containers/pau/restart") and "pau" in Podman.paused:
            self.reply(500, b'{"cause":"container state improper","message":"container pau is running or paused, '
                            b'refusing to clean up: container state improper","response":500}')
        elif path == "/v1.41/containers/pau/unpause":
            Podman.paused.discard("pau")
            self.reply(204)
        elif path in ("/v1.41/containers/pau/stop", "/v1.41/containers/pau/restart"):
            self.reply(204)
        elif path in ("/v1.41/containers/end/stop", "/v1.41/containers/end/restart"):  # it ended as SIGKILL came
            self.reply(500, b'{"cause":"container state improper","message":"sending SIGKILL to container end: '
                            b'container state improper: stopped","response":500}')
        elif path == "/v1.41/containers/end/json":
            self.reply(200, b'{"Id": "end", "State": {"Status": "exited", "ExitCode": 137}}')
        elif path == "/v1.41/containers/end/start":
            self.reply(204)
        elif path == "/v1.41/containers/run/stop":
            self.reply(500, b'{"message":"something else went wrong"}')
        elif path == "/v1.41/containers/run/json":
            self.reply(200, b'{"Id": "run", "State": {"Status": "running"}}')
        elif path == "/v1.41/version":
            self.reply(200, json.dumps(VERSION).encode())
        elif path == "/v1.41/libpod/containers/run/healthcheck":
            self.reply(200, b'{"Status":"healthy","FailingStreak":0,"Log":null}')
        elif path == "/v1.41/libpod/containers/end/healthcheck":
            self.reply(409, b'{"cause":"container state improper","message":"container end is not running"}')
        else:
            self.reply(404, b'{"message":"page not found"}')

    do_GET = do_POST = do_DELETE = handle_any


@pytest.fixture
def podman(tmp_path: Path) -> Iterator[DockerBackend]:
    path = str(tmp_path / "podman.sock")
    Podman.seen, Podman.paused = [], {"pau"}
    with serving(path, Podman):
        yield DockerBackend.from_env({"DOCKER_HOST": f"unix://{path}", "DOCKER_API_VERSION": "1.41"},
                                     plain_http=True)


def test_every_state_is_read_and_the_running_list_has_the_paused_ones(podman):
    everything = {i.id: i for i in podman.list_containers({}, all=True)}
    assert {k: i.state for k, i in everything.items()} == {
        "run": ContainerState.RUNNING, "halt": ContainerState.RUNNING, "pau": ContainerState.PAUSED,
        "end": ContainerState.EXITED}
    assert everything["end"].exit_code == 3
    assert {i.id for i in podman.list_containers({})} == {"run", "halt", "pau"}


@pytest.mark.parametrize("libpod,running_list", [(True, "all=1"), (False, "all=0")], ids=["podman", "docker"])
def test_the_live_containers_come_from_dockers_running_list_and_from_every_container_on_podman(
        tmp_path, libpod, running_list):
    """Docker's running list has the paused ones and costs the engine less than every container (it keeps the
    stopped ones of every project); Podman's leaves paused ones out. Which engine it is, the version's ping says."""
    path = str(tmp_path / "engine.sock")
    Podman.seen, Podman.paused, Podman.libpod = [], {"pau"}, libpod
    try:
        with serving(path, Podman):
            backend = DockerBackend.from_env({"DOCKER_HOST": f"unix://{path}"}, plain_http=True)
            live = {i.id for i in backend.list_containers({})}
            everything = {i.id for i in backend.list_containers({}, all=True)}
    finally:
        Podman.libpod = True
    listings = [p.partition("?")[2].split("&")[0] for _, p in Podman.seen if p.startswith("/v1.41/containers/json")]
    assert Podman.seen[0][1] == "/_ping" and listings == [running_list, "all=1"]  # one ping, the version's
    assert live == ({"run", "halt", "pau"} if libpod else {"run"}) and everything == {"run", "halt", "pau", "end"}


def test_a_stop_or_restart_the_engine_refuses_for_a_paused_container_unpauses_it_first(podman):
    podman.stop("pau", timeout=1)
    assert [p for _, p in Podman.seen if "/pau/" in p] == [
        "/v1.41/containers/pau/stop?t=1", "/v1.41/containers/pau/json", "/v1.41/containers/pau/unpause",
        "/v1.41/containers/pau/stop?t=1"]
    Podman.paused.add("pau")
    podman.restart("pau", timeout=1)
    assert Podman.seen[-1][1] == "/v1.41/containers/pau/restart?t=1"


def test_a_stop_that_ended_as_the_container_did_is_done_and_a_restart_starts_it(podman):
    podman.stop("end", timeout=1)
    podman.restart("end", timeout=1)
    assert Podman.seen[-1] == ("POST", "/v1.41/containers/end/start")
    with pytest.raises(errors.BackendError, match="something else went wrong"):
        podman.stop("run", timeout=1)  # a container still running was not stopped: the error stands


def test_a_connect_answered_with_ok_is_no_error(podman):
    spec = ContainerSpec(name="p_web_1", image="busybox", labels={},
                         networks=(EndpointSpec("first"), EndpointSpec("second", aliases=("web",))))
    assert podman.create(spec) == "new"
    assert Podman.seen[-1] == ("POST", "/v1.41/networks/second/connect")


def test_an_answer_that_should_be_json_and_is_not_is_one_clear_error(podman):
    with pytest.raises(errors.BackendError, match="answered with something that is not JSON: 'OK'"):
        podman.http.call("POST", "/networks/second/connect", subject="web")


def test_no_healthcheck_is_no_health(podman):
    assert podman.inspect("pau").health is None


def test_podman_has_no_links_and_runs_no_healthchecks_of_its_own(podman):
    assert podman.traits() == EngineTraits(links=False, healthchecks=False)
    podman.traits()
    assert [p for _, p in Podman.seen].count("/v1.41/version") == 1  # asked once


def test_a_healthcheck_is_run_through_podmans_own_endpoint(podman):
    podman.run_healthcheck("run")
    assert Podman.seen[-1] == ("GET", "/v1.41/libpod/containers/run/healthcheck")
    with pytest.raises(errors.BackendError, match="not running"):
        podman.run_healthcheck("end")


def test_docker_has_links_and_runs_its_healthchecks():
    docker = {"Components": [{"Name": "Engine", "Version": "20.10.24+dfsg1"}, {"Name": "containerd"}],
              "Platform": {"Name": ""}}
    assert wire.engine_traits(docker) == EngineTraits()


@pytest.mark.parametrize("stamp, expected", [
    ("2026-12-07T01:00:13Z", "2026-12-07T01:00:13.000000000Z"),
    ("2026-12-07T01:00:13.5Z", "2026-12-07T01:00:13.500000000Z"),
    ("2026-12-07T01:00:13.123456789Z", "2026-12-07T01:00:13.123456789Z"),
    ("2026-12-07T02:00:13.25+01:00", "2026-12-07T01:00:13.250000000Z"),
    ("not-a-stamp", "not-a-stamp"),
])
def test_stamps_of_any_precision_sort_as_text(stamp, expected):
    assert streams.nanostamp(stamp) == expected


def test_whole_second_stamps_come_off_whole_lines():
    data = frame(b"2026-12-07T01:00:13Z hello-from-podman\n") + frame(b"2026-12-07T01:00:14Z two\n")
    assert list(streams.stamped_lines(iter([data[:10], data[10:]]))) == [
        LogLine("hello-from-podman\n", "stdout", "2026-12-07T01:00:13.000000000Z"),
        LogLine("two\n", "stdout", "2026-12-07T01:00:14.000000000Z")]
    tty = iter([LogLine("2026-12-07T01:00:13Z a tty line\n")])
    assert list(streams.timestamped(tty)) == [LogLine("a tty line\n", "stdout", "2026-12-07T01:00:13.000000000Z")]


@pytest.mark.parametrize("raw, state, shown", [
    ("stopped", ContainerState.EXITED, "Exit 3"), ("stopping", ContainerState.RUNNING, "Up"),
    ("configured", ContainerState.CREATED, "Created"), ("exited", ContainerState.EXITED, "Exit 3"),
])
def test_podmans_states_in_dockers_words(raw, state, shown):
    info = wire.from_inspect({"Id": "c", "Name": "/p_c_1", "State": {"Status": raw, "ExitCode": 3}, "Config": {}})
    assert info.state is state
    assert Container(None, info).human_state == shown  # type: ignore[arg-type]


def test_a_state_no_engine_had_yet_is_kept_and_shown_as_it_is():
    info = wire.from_summary({"Id": "c", "Names": ["/p_c_1"], "State": "hibernating", "Status": "Zzz"})
    assert info.state.value == "hibernating" and info.state is wire.from_summary(
        {"Id": "d", "State": "hibernating"}).state
    container = Container(None, info)  # type: ignore[arg-type]
    assert container.human_state == "hibernating" and not container.is_running


def test_the_health_interval_is_read_from_the_healthcheck():
    def interval(check):
        return wire.from_inspect({"Id": "c", "State": {"Status": "running"}, "Config": {"Healthcheck": check}})\
            .health_interval
    assert interval({"Test": ["CMD", "true"], "Interval": 1_500_000_000}) == 1.5
    assert interval({"Test": ["CMD-SHELL", "true"]}) == 30
    assert interval({"Test": ["NONE"]}) == interval(None) == 0


def test_a_failing_buildah_step_is_named_as_dockers_are(tmp_path):
    said = [{"stream": "STEP 1/2: FROM busybox\n"}, {"stream": "STEP 2/2: RUN exit 4\n"},
            {"error": 'building at STEP "RUN exit 4": while running runtime: exit status 4'}]
    answer = "".join(json.dumps(e) + "\n" for e in said).encode()
    build = EngineBuild("classic", lambda params, body: iter([answer]), lambda root, ignored, dockerfile: [],
                        lambda headers: socket.socket())
    with pytest.raises(errors.BuildError) as caught:
        build.build([BuildRequest("web", str(tmp_path), ("p_web",))], None)
    assert caught.value.step == "Step 2/2 (RUN exit 4)"
