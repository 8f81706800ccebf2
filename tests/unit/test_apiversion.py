"""Negotiating the Engine API version, against a small engine on a unix socket that reports the version it is
told to: one question per command (`GET /_ping`), the lower of the engine's version and fig's newest, on both
transports; DOCKER_API_VERSION pins a version and asks nothing."""

from __future__ import annotations

import http.server
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fig import errors
from fig.backend import apiversion
from fig.backend.docker import DockerBackend
from fig.backend.specs import ContainerSpec, EndpointSpec
from tests.unit.test_backend_unixhttp import serving


class Engine(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    version: str | None = "1.45"  # what the engine reports
    header = True  # whether _ping carries it (engines before 1.25 send no Api-Version header)
    seen: list[str] = []
    bodies: list[object] = []

    def log_message(self, *args: object) -> None:
        pass

    def reply(self, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(200)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        Engine.seen.append(self.path.split("?")[0])
        if self.path == "/_ping":
            self.reply(b"OK", {"Api-Version": Engine.version} if Engine.header and Engine.version else {})
        elif self.path == "/version":
            self.reply(json.dumps({"ApiVersion": Engine.version, "Version": "x"}).encode())
        else:
            self.reply(b"[]")

    def do_POST(self) -> None:  # noqa: N802
        Engine.seen.append(self.path.split("?")[0])
        sent = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Engine.bodies.append(json.loads(sent) if sent else None)
        self.reply(json.dumps({"Id": "new", "Warnings": []}).encode() if self.path.startswith("/v") and
                   "/containers/create" in self.path else b"")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[str]:
    """The engine's DOCKER_HOST."""
    path = str(tmp_path / "engine.sock")
    Engine.version, Engine.header, Engine.seen, Engine.bodies = "1.45", True, [], []
    with serving(path, Engine):
        yield f"unix://{path}"


TRANSPORTS = pytest.mark.parametrize("plain_http", [True, False], ids=["unix-client", "sdk"])


@TRANSPORTS
@pytest.mark.parametrize("reported,spoken", [("1.41", "1.41"), ("1.45", "1.45"), ("1.51", "1.51"),
                                             ("1.52", apiversion.NEWEST)])
def test_the_version_spoken_is_the_lower_of_the_engines_and_figs(engine, plain_http, reported, spoken):
    Engine.version = reported
    backend = DockerBackend.from_env({"DOCKER_HOST": engine}, plain_http=plain_http)
    assert Engine.seen == []  # nothing is asked before the first request
    backend.list_containers({"a": "b"})
    backend.list_containers({"a": "b"})
    assert Engine.seen == ["/_ping", f"/v{spoken}/containers/json", f"/v{spoken}/containers/json"]
    assert backend.api_version() == spoken


def test_newest_is_the_last_version_checked():
    assert apiversion.NEWEST == "1.51" and apiversion.docker_release(apiversion.NEWEST) == "Docker 28.3"


@TRANSPORTS
def test_an_engine_older_than_figs_oldest_is_one_line_of_error(engine, plain_http):
    Engine.version = "1.24"
    backend = DockerBackend.from_env({"DOCKER_HOST": engine}, plain_http=plain_http)
    with pytest.raises(errors.BackendError) as caught:
        backend.list_containers({})
    message = str(caught.value)
    assert message == (f"The Docker engine at {engine} speaks Engine API 1.24; fig needs 1.41 (Docker 20.10) or "
                       "newer: upgrade the engine (DOCKER_API_VERSION=1.24 makes fig try it anyway)")
    assert Engine.seen == ["/_ping"]  # nothing else was sent


@TRANSPORTS
@pytest.mark.parametrize("reported", ["1.24", "1.41", "1.45", "1.51"])
def test_docker_api_version_pins_the_version_and_asks_nothing(engine, plain_http, reported):
    Engine.version = reported
    backend = DockerBackend.from_env({"DOCKER_HOST": engine, "DOCKER_API_VERSION": "1.43"}, plain_http=plain_http)
    backend.list_containers({})
    assert Engine.seen == ["/v1.43/containers/json"]
    assert backend.api_version() == "1.43"


@TRANSPORTS
def test_an_engine_without_the_header_is_asked_for_its_version(engine, plain_http):
    Engine.header = False
    backend = DockerBackend.from_env({"DOCKER_HOST": engine}, plain_http=plain_http)
    backend.list_containers({})
    assert Engine.seen == ["/_ping", "/version", "/v1.45/containers/json"]


def test_the_sdk_takes_the_version_the_unix_client_negotiated(engine):
    """Build, pull and push go through the SDK on a unix socket too: it asks nothing again."""
    backend = DockerBackend.from_env({"DOCKER_HOST": engine})
    backend.list_containers({})
    assert backend.api.api_version == "1.45"
    assert Engine.seen == ["/_ping", "/v1.45/containers/json"]


@pytest.mark.parametrize("text", ["latest", "1", "v1.45", "1.45.2"])
def test_a_malformed_docker_api_version_is_one_line_of_error(text):
    with pytest.raises(errors.UserError, match=f"^DOCKER_API_VERSION must be an Engine API version such as 1.45, "
                                               f"not '{text}'$"):
        DockerBackend.from_env({"DOCKER_HOST": "unix:///nonexistent.sock", "DOCKER_API_VERSION": text})


def test_auto_negotiates_as_the_docker_sdk_reads_it(engine):
    backend = DockerBackend.from_env({"DOCKER_HOST": engine, "DOCKER_API_VERSION": "auto"})
    assert backend.api_version() == "1.45" and Engine.seen == ["/_ping"]


@pytest.mark.parametrize("version,needed,ok", [("1.41", "1.44", False), ("1.44", "1.44", True),
                                               ("1.45", "1.48", False), ("1.51", "1.48", True),
                                               ("1.100", "1.48", True)])
def test_at_least_compares_minor_versions_as_numbers(version, needed, ok):
    assert apiversion.at_least(version, needed) is ok


@TRANSPORTS
@pytest.mark.parametrize("reported,requests", [
    ("1.45", ["/_ping", "/v1.45/containers/create"]),
    ("1.43", ["/_ping", "/v1.43/containers/create", "/v1.43/networks/p_back/connect"]),
])
def test_a_container_joins_every_network_in_one_request_from_144(engine, plain_http, reported, requests):
    Engine.version = reported
    backend = DockerBackend.from_env({"DOCKER_HOST": engine}, plain_http=plain_http)
    spec = ContainerSpec("p_web_1", "busybox", {}, networks=[EndpointSpec("p_front"), EndpointSpec("p_back")])
    assert backend.create(spec) == "new"
    assert Engine.seen == requests
    assert list(Engine.bodies[0]["NetworkingConfig"]["EndpointsConfig"]) == (
        ["p_front", "p_back"] if reported == "1.45" else ["p_front"])
