"""UnixHTTP against a small HTTP server on a unix socket: answers, streams and errors as fig.errors."""

from __future__ import annotations

import contextlib
import http.server
import json
import socketserver
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fig import errors
from fig.backend.docker import DockerBackend
from fig.backend.transport import http_timeout
from fig.backend.unixhttp import UnixHTTP, operation, path_of


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def reply(self, status: int, body: bytes = b"", content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self) -> None:
        Handler.seen.append((self.command, self.path))
        path = self.path.split("?")[0]
        # read the whole request first: a reply that closes before the body is in makes the client's send fail
        sent = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if path == "/v1.41/containers/create":
            body = json.loads(sent)
            answer = {"Id": "new", "got": body, "type": self.headers["Content-Type"]}
            self.reply(201, json.dumps(answer).encode())
        elif path == "/v1.41/containers/c1/attach":
            # the engine's answer to an upgrade: a head, then the raw stream at once, in the same packet
            self.wfile.write(b"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
                             b"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\nfirst bytes;")
            self.wfile.flush()
            self.wfile.write(self.rfile.readline())  # echo one line of "stdin"
            self.close_connection = True
        elif path == "/_ping":  # slow, so that two first calls overlap
            time.sleep(0.2)
            self.send_response(200)
            self.send_header("Api-Version", "1.41")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"OK")
        elif path == "/v1.41/containers/json":
            self.reply(200, json.dumps([{"Id": "c1"}]).encode())
        elif path == "/v1.41/containers/c1/start":
            self.reply(204)
        elif path == "/v1.41/images/nope/json":
            self.reply(404, b'{"message":"No such image: nope:latest"}')
        elif path == "/v1.41/containers/gone/json":
            self.reply(404, b'{"message":"No such container: gone"}')
        elif path == "/v1.41/containers/c1":
            self.reply(409, b'{"message":"You cannot remove a running container c1"}')
        elif path.startswith("/v1.41/slow/"):  # answers after the seconds its path says
            time.sleep(float(path.rsplit("/", 1)[1]))
            self.reply(204)
        elif path == "/v1.41/containers/" + "a" * 64 + "/stop":
            time.sleep(3)
        elif path == "/v1.41/networks/create":
            self.reply(409, b'{"message":"network with name x already exists"}')
        elif path == "/v1.41/broken":
            self.reply(500, b"plain text trouble", "text/plain")
        elif path == "/v1.41/containers/c1/logs":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (b"one\n", b"two\nthr", b"ee\n"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.reply(404, b'{"message":"page not found"}')

    do_GET = do_POST = do_DELETE = handle_any


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that hung up early is no server fault
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serving(path: str, handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[None]:
    """`handler` answering on the unix socket `path`, on threads, until the block ends."""
    server = Server(path, handler)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http(tmp_path: Path) -> Iterator[UnixHTTP]:
    path = str(tmp_path / "engine.sock")
    Handler.seen = []
    with serving(path, Handler):
        yield UnixHTTP(path, version="1.41", timeout=5, url=f"unix://{path}")


def test_json_answer_and_query(http):
    assert http.call("GET", "/containers/json", {"all": 1, "filters": '{"label": ["a=b"]}', "skip": None}) == \
        [{"Id": "c1"}]
    method, target = Handler.seen[-1]
    assert method == "GET" and target.startswith("/v1.41/containers/json?all=1&filters=%7B") and "skip" not in target


def test_two_threads_first_calls_ping_the_engine_once(http):
    """`find` lists two label sets at once, and each listing asks the ping first."""
    answers: list[object] = []
    threads = [threading.Thread(target=lambda: answers.append(http.ping())) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [dict(a)["api-version"] for a in answers] == ["1.41", "1.41"]  # type: ignore[call-overload]
    assert Handler.seen.count(("GET", "/_ping")) == 1


def test_empty_answer_is_none(http):
    assert http.call("POST", "/containers/c1/start") is None


def test_404_of_an_image_is_image_not_found(http):
    with pytest.raises(errors.ImageNotFound, match="nope: No such image"):
        http.call("GET", "/images/nope/json", subject="nope")


def test_404_of_a_container_is_not_found(http):
    with pytest.raises(errors.NotFound) as caught:
        http.call("GET", "/containers/gone/json")
    assert not isinstance(caught.value, errors.ImageNotFound)
    assert str(caught.value) == "No such container: gone"


def test_other_errors_carry_the_engine_message(http):
    with pytest.raises(errors.BackendError, match="^You cannot remove a running container c1$"):
        http.call("DELETE", "/containers/c1")
    with pytest.raises(errors.BackendError, match="plain text trouble"):
        http.call("GET", "/broken")


def test_stream_yields_chunks_as_sent(http):
    assert b"".join(http.stream("/containers/c1/logs", {"follow": 0})) == b"one\ntwo\nthree\n"


def test_a_call_unanswered_in_time_names_the_operation_and_what_it_acted_on(http):
    http.timeout = 0.3
    started = time.monotonic()
    with pytest.raises(errors.EngineTimeout) as caught:
        http.call("POST", "/containers/" + "a" * 64 + "/stop", {"t": 0})
    assert time.monotonic() - started < 2
    assert str(caught.value).startswith("aaaaaaaaaaaa: stop timed out: no answer from the Docker daemon at unix://")
    assert "in 0.3 s" in str(caught.value)
    assert caught.value.about("figtest_web_1").args[0].startswith("figtest_web_1: stop timed out")


def test_wait_adds_the_seconds_the_engine_takes_on_purpose(http):
    http.timeout = 0.3
    http.call("POST", "/slow/0.6", wait=1)  # stop -t 1: answered within timeout + 1
    with pytest.raises(errors.EngineTimeout, match="in 0.8 s"):
        http.call("POST", "/slow/1.5", wait=0.5)


def test_a_409_is_a_conflict(http):
    with pytest.raises(errors.Conflict, match="already exists"):
        http.call("POST", "/networks/create", body={"Name": "x"})


@pytest.mark.parametrize("method,path,described", [
    ("POST", "/containers/abc/stop", "stop"), ("DELETE", "/containers/abc", "remove"),
    ("POST", "/containers/create", "create"), ("GET", "/containers/abc/json", "inspect"),
    ("GET", "/containers/json", "list containers"), ("POST", "/networks/create", "create network"),
    ("GET", "/images/localhost:5000/app/json", "inspect image"), ("DELETE", "/volumes/v", "remove volume"),
])
def test_operations_are_described_in_words(method, path, described):
    assert operation(method, path) == described


def test_no_engine_is_connection_failed(tmp_path):
    missing = UnixHTTP(str(tmp_path / "none.sock"), version="1.41", timeout=5, url="unix:///none.sock")
    with pytest.raises(errors.ConnectionFailed, match="Couldn't connect to Docker daemon at unix:///none.sock"):
        missing.call("GET", "/containers/json")


def test_path_arguments_are_quoted():
    assert path_of("/images/{}/json", "registry:5000/app:1.0") == "/images/registry:5000/app:1.0/json"
    assert path_of("/containers/{}/json", "a b?#") == "/containers/a%20b%3F%23/json"


def test_a_body_goes_as_json(http):
    answer = http.call("POST", "/containers/create", {"name": "p_web_1"}, body={"Image": "busybox", "Env": []})
    assert answer == {"Id": "new", "got": {"Image": "busybox", "Env": []}, "type": "application/json"}
    assert Handler.seen[-1] == ("POST", "/v1.41/containers/create?name=p_web_1")


def test_upgrade_hands_over_the_socket_with_nothing_of_the_stream_taken(http):
    sock = http.upgrade("/containers/c1/attach", {"stdin": 1, "stream": 1})
    try:
        sock.sendall(b"typed\n")
        received = b""
        while chunk := sock.recv(100):
            received += chunk
    finally:
        sock.close()
    assert received == b"first bytes;typed\n"
    assert Handler.seen[-1] == ("POST", "/v1.41/containers/c1/attach?stdin=1&stream=1")


def test_upgrade_of_a_missing_container_is_not_found(http):
    with pytest.raises(errors.NotFound, match="^gone: page not found$"):
        http.upgrade("/containers/gone/attach", subject="gone")


@pytest.mark.parametrize("plain_http", [True, False], ids=["plain-http", "sdk"])
def test_both_transports_bound_a_stop_by_its_timeout_plus_the_http_timeout(http, plain_http):
    env = {"DOCKER_HOST": http.url, "FIG_HTTP_TIMEOUT": "1", "DOCKER_API_VERSION": "1.41"}
    backend = DockerBackend.from_env(env, plain_http=plain_http)
    started = time.monotonic()
    with pytest.raises(errors.EngineTimeout, match=r"^aaaaaaaaaaaa: stop timed out: .* in 2 s"):
        backend.stop("a" * 64, timeout=1)
    assert 1.9 < time.monotonic() - started < 5  # a busy machine answers late


@pytest.mark.parametrize("env,seconds", [
    ({}, 60), ({"COMPOSE_HTTP_TIMEOUT": "5"}, 5), ({"FIG_HTTP_TIMEOUT": "2.5", "COMPOSE_HTTP_TIMEOUT": "5"}, 2.5),
    ({"FIG_HTTP_TIMEOUT": " "}, 60),
])
def test_the_http_timeout_comes_from_the_environment(env, seconds):
    assert http_timeout(env) == seconds


@pytest.mark.parametrize("value", ["soon", "0", "-3"])
def test_a_bad_http_timeout_is_a_clear_error(value):
    message = f"^COMPOSE_HTTP_TIMEOUT must be a positive number of seconds, not '{value}'$"
    with pytest.raises(errors.UserError, match=message):
        http_timeout({"COMPOSE_HTTP_TIMEOUT": value})
