"""A unix socket in front of the engine's that delays, fails, drops or hangs chosen requests.

Tests point fig at it with DOCKER_HOST=unix://PATH and change its rules while fig runs:

    with FaultProxy(tmp_path / "engine.sock") as proxy:
        proxy.add("POST", r"/containers/[0-9a-f]+/start", "hang", times=1)
        project.fig("start", env={"DOCKER_HOST": proxy.url, "FIG_HTTP_TIMEOUT": "2"})

A rule matches a request by method ("*" for any) and a regular expression searched in its target (the path
with the API version and the query, e.g. /v1.41/containers/abc/logs?follow=1). The first rule that matches
acts, `times` times (None: for ever). Actions:
  delay  wait `seconds`, then pass the request on;
  fail   answer `status` (500) with an engine-style JSON message, never passing the request on;
  drop   close the connection as soon as the request has arrived, never passing it on;
  hang   never answer (the request does not reach the engine) until the client gives up;
  mute   pass the request on (the engine acts) but never pass its answer back;
  cut    pass the request on, relay the answer for `seconds`, then close the connection (a stream that breaks).
Each request's connection is forwarded on its own upstream connection with `Connection: close` (upgrades to a
raw stream, as attach does, pass as they are), so every request is seen and matched.
"""

from __future__ import annotations

import json
import os
import re
import select
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

ACTIONS = ("delay", "fail", "drop", "hang", "mute", "cut")


@dataclass
class Rule:
    method: str
    path: str
    action: str
    seconds: float = 0.0
    status: int = 500
    times: int | None = None
    hits: int = 0

    def matches(self, method: str, target: str) -> bool:
        return (self.method in ("*", method) and re.search(self.path, target) is not None
                and (self.times is None or self.hits < self.times))


class FaultProxy:
    def __init__(self, path: Path | str, upstream: str | None = None) -> None:
        """`upstream`: the engine's socket (default: DOCKER_HOST's, else /var/run/docker.sock)."""
        self.path = str(path)
        self.upstream = upstream or (os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock").removeprefix(
            "unix://")
        self.rules: list[Rule] = []
        self.seen: list[tuple[str, str]] = []  # (method, target) of every request, in arrival order
        self.acted: list[tuple[str, str, str]] = []  # (action, method, target) of each request a rule took
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._closed = threading.Event()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)

    @property
    def url(self) -> str:
        return f"unix://{self.path}"

    def __enter__(self) -> FaultProxy:
        self._server.bind(self.path)
        self._server.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._closed.set()
        self._server.close()
        with self._lock:
            for sock in list(self._open):
                _close(sock)

    def add(self, method: str, path: str, action: str, *, seconds: float = 0.0, status: int = 500,
            times: int | None = None) -> Rule:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}: one of {', '.join(ACTIONS)}")
        rule = Rule(method, path, action, seconds, status, times)
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule; requests already held (hang, mute) stay held until their client gives up."""
        with self._lock:
            self.rules.clear()

    def sever(self) -> None:
        """Close every connection open now (streams included), as an engine that goes away would."""
        with self._lock:
            for sock in list(self._open):
                _close(sock)

    def requests(self, method: str, path: str) -> list[str]:
        """The targets of the requests seen so far that match `method` and the pattern `path`."""
        with self._lock:
            return [t for m, t in self.seen if method in ("*", m) and re.search(path, t)]

    # -- serving ------------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _track(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._open.add(sock)
        return sock

    def _serve(self, client: socket.socket) -> None:
        self._track(client)
        upstream = None
        try:
            head, rest = _read_head(client)
            if head is None:
                return
            method, target = head.split(b" ", 2)[:2]
            rule = self._match(method.decode(), target.decode()) or Rule("*", "", "pass")
            action = rule.action
            if action == "delay":
                time.sleep(rule.seconds)
            elif action == "fail":
                body = json.dumps({"message": f"injected fault: {rule.status}"}).encode()
                client.sendall(b"HTTP/1.1 %d Injected Fault\r\nContent-Type: application/json\r\nContent-Length: %d"
                               b"\r\nConnection: close\r\n\r\n%s" % (rule.status, len(body), body))
                _wait_for_hang_up(client, self._closed)  # take the rest of the request, as the engine would
                return
            elif action == "drop":
                return
            elif action == "hang":
                _wait_for_hang_up(client, self._closed)
                return
            upstream = self._track(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
            upstream.connect(self.upstream)
            upstream.sendall(_closing(head) + rest)
            threading.Thread(target=_pump, args=(client, upstream, None), daemon=True).start()
            if action == "mute":
                _wait_for_hang_up(client, self._closed)
                return
            _pump(upstream, client, time.monotonic() + rule.seconds if action == "cut" else None)
        except OSError:
            pass
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    _close(sock)
                    with self._lock:
                        self._open.discard(sock)

    def _match(self, method: str, target: str) -> Rule | None:
        with self._lock:
            self.seen.append((method, target))
            for rule in self.rules:
                if rule.matches(method, target):
                    rule.hits += 1
                    self.acted.append((rule.action, method, target))
                    return rule
        return None


def _read_head(sock: socket.socket) -> tuple[bytes | None, bytes]:
    """The request's head (up to the blank line) and whatever of its body came with it."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head + b"\r\n\r\n", rest


def _closing(head: bytes) -> bytes:
    """The head with `Connection: close`, so the engine answers one request per connection (not for upgrades)."""
    lines = head.split(b"\r\n")
    if any(line.lower().startswith(b"upgrade:") for line in lines):
        return head
    kept = [line for line in lines[:-2] if not line.lower().startswith(b"connection:")]
    return b"\r\n".join(kept + [b"Connection: close", b"", b""])


def _pump(source: socket.socket, sink: socket.socket, deadline: float | None) -> None:
    """Copy bytes until `source` ends (or the deadline passes); then tell `sink` nothing more comes."""
    try:
        while True:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                _close(sink)
                _close(source)
                return
            ready, _, _ = select.select([source], [], [], wait)
            if not ready:
                continue
            chunk = source.recv(65536)
            if not chunk:
                break
            sink.sendall(chunk)
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        _close(sink)


def _wait_for_hang_up(client: socket.socket, closed: threading.Event) -> None:
    """Hold a connection, answering nothing, until the client closes it or the proxy closes."""
    while not closed.is_set():
        ready, _, _ = select.select([client], [], [], 0.2)
        if ready:
            try:
                if not client.recv(65536):
                    return
            except OSError:
                return


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
