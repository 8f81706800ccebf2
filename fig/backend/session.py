"""A BuildKit session for builds by the engine's BuildKit: the build's secrets and ssh agents, served to the engine.

`POST /session` (headers naming the session and the gRPC methods it serves) is answered with 101, and the
connection becomes HTTP/2 with the engine as gRPC client and fig as server. fig serves BuildKit's
`Secrets.GetSecret`, `SSH.CheckAgent` and `SSH.ForwardAgent` (bytes both ways between the build's agent socket and
an agent socket here), and the health check the engine calls every second. The `h2` package speaks HTTP/2; the
few protobuf messages are read and written by hand (fig.backend.solvestatus reads them)."""

from __future__ import annotations

import secrets as random
import socket
import struct
import threading
import uuid
from collections.abc import Mapping
from typing import Any

from fig.backend.solvestatus import fields
from fig.logs import logger

log = logger(__name__)

GET_SECRET = "/moby.buildkit.secrets.v1.Secrets/GetSecret"
HEALTH = "/grpc.health.v1.Health/Check"
CHECK_AGENT = "/moby.sshforward.v1.SSH/CheckAgent"
FORWARD_AGENT = "/moby.sshforward.v1.SSH/ForwardAgent"
_NOT_FOUND, _UNIMPLEMENTED = 5, 12


def _message(data: bytes) -> bytes:
    """A protobuf message of one bytes field (number 1), framed as gRPC sends it."""
    size, body = len(data), bytearray()
    while True:
        body.append((size & 0x7F) | (0x80 if size > 0x7F else 0))
        size >>= 7
        if not size:
            break
    payload = b"\x0a" + bytes(body) + data if data else b""
    return struct.pack(">BI", 0, len(payload)) + payload


def _first_field(frame: bytes) -> bytes:
    """Field 1 of the protobuf message in a gRPC frame (the secret's or agent's ID, an agent's bytes)."""
    return next((bytes(v) for n, v in fields(frame[5:]) if n == 1 and isinstance(v, bytes)), b"")


def _frames(buffer: bytearray) -> list[bytes]:
    """The whole gRPC frames at the start of `buffer`, taken out of it."""
    out = []
    while len(buffer) >= 5:
        size = struct.unpack_from(">I", buffer, 1)[0]
        if len(buffer) < 5 + size:
            break
        out.append(bytes(buffer[:5 + size]))
        del buffer[:5 + size]
    return out


class Session:
    def __init__(self, secrets: Mapping[str, bytes], agents: Mapping[str, str]) -> None:
        """`secrets` by id; `agents`: ssh agent sockets here by id."""
        self.id = uuid.uuid4().hex
        self.secrets, self.agents = dict(secrets), dict(agents)
        self.lock = threading.Lock()
        self.sock: socket.socket | None = None
        self.streams: dict[int, dict[str, Any]] = {}

    def headers(self) -> list[tuple[str, str]]:
        methods = [HEALTH] + ([GET_SECRET] if self.secrets else []) + ([CHECK_AGENT, FORWARD_AGENT] if self.agents
                                                                         else [])
        return [("Upgrade", "h2c"), ("Connection", "Upgrade"), ("X-Docker-Expose-Session-Uuid", self.id),
                ("X-Docker-Expose-Session-Name", "fig"),
                ("X-Docker-Expose-Session-Sharedkey", random.token_hex(16)),
                *(("X-Docker-Expose-Session-Grpc-Method", m) for m in methods)]

    def serve(self, sock: socket.socket) -> None:
        """Answer the engine on `sock` (the hijacked connection) until it or `close` ends it."""
        import h2.config
        import h2.connection

        self.sock = sock
        self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        self.h2.initiate_connection()
        self._flush()
        threading.Thread(target=self._loop, name="buildkit-session", daemon=True).start()

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()

    def _flush(self) -> None:
        assert self.sock is not None
        data = self.h2.data_to_send()
        if data:
            self.sock.sendall(data)

    def _loop(self) -> None:
        import h2.events

        assert self.sock is not None
        try:
            while data := self.sock.recv(65536):
                with self.lock:
                    for event in self.h2.receive_data(data):
                        self._on(event, h2.events)
                    self._pump()
                    self._flush()
        except Exception as e:  # the connection ends with the build (or the engine goes): nothing to answer
            log.debug("buildkit session %s ended: %s", self.id, e)
        finally:
            for stream in self.streams.values():
                if stream.get("agent"):
                    stream["agent"].close()

    def _on(self, event: Any, events: Any) -> None:
        if isinstance(event, events.RequestReceived):
            headers = dict(event.headers)
            self.streams[event.stream_id] = {"path": headers.get(":path", ""), "in": bytearray(), "out": b"",
                                             "id": headers.get("buildkit.ssh.id") or "default", "end": None}
            if self.streams[event.stream_id]["path"] == FORWARD_AGENT:
                self._forward(event.stream_id)
        elif isinstance(event, events.DataReceived):
            self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            stream = self.streams.get(event.stream_id)
            if stream is not None:
                stream["in"] += event.data
                if stream.get("agent"):
                    for frame in _frames(stream["in"]):
                        stream["agent"].sendall(_first_field(frame))
        elif isinstance(event, events.StreamEnded) and event.stream_id in self.streams:
            stream = self.streams[event.stream_id]
            if stream.get("agent"):
                stream["agent"].shutdown(socket.SHUT_WR)
            else:
                self._answer(event.stream_id, stream)
        elif isinstance(event, events.StreamReset) and event.stream_id in self.streams:
            stream = self.streams.pop(event.stream_id)
            if stream.get("agent"):
                stream["agent"].close()

    def _answer(self, stream_id: int, stream: dict[str, Any]) -> None:
        """A unary call: the request is in; the answer is queued."""
        path, request = stream["path"], _frames(stream["in"])
        ident = _first_field(request[0]).decode() if request else ""
        if path == HEALTH:
            self._reply(stream_id, struct.pack(">BI", 0, 2) + b"\x08\x01")  # status: SERVING
        elif path == GET_SECRET and ident in self.secrets:
            self._reply(stream_id, _message(self.secrets[ident]))
        elif path == CHECK_AGENT and (ident or "default") in self.agents:
            self._reply(stream_id, _message(b""))
        elif path in (GET_SECRET, CHECK_AGENT):
            self._reply(stream_id, b"", _NOT_FOUND, f"no secret or ssh agent {ident!r} was given to the build")
        else:
            self._reply(stream_id, b"", _UNIMPLEMENTED, f"{path} is not served")

    def _reply(self, stream_id: int, body: bytes, status: int = 0, message: str = "") -> None:
        self.h2.send_headers(stream_id, [(":status", "200"), ("content-type", "application/grpc")])
        trailers = [("grpc-status", str(status))] + ([("grpc-message", message)] if message else [])
        self.streams[stream_id].update(out=body, end=trailers)

    def _pump(self) -> None:
        """Send what the streams have queued, as far as HTTP/2's flow control lets it go."""
        for stream_id, stream in list(self.streams.items()):
            while stream["out"]:
                room = min(self.h2.local_flow_control_window(stream_id), self.h2.max_outbound_frame_size)
                if room <= 0:
                    break
                self.h2.send_data(stream_id, stream["out"][:room])
                stream["out"] = stream["out"][room:]
            if not stream["out"] and stream["end"] is not None:
                self.h2.send_headers(stream_id, stream["end"], end_stream=True)
                del self.streams[stream_id]

    def _forward(self, stream_id: int) -> None:
        """ForwardAgent: the agent's socket here, joined to the stream both ways."""
        stream = self.streams[stream_id]
        path = self.agents.get(stream["id"])
        if path is None:
            self._reply(stream_id, b"", _NOT_FOUND, f"no ssh agent {stream['id']!r} was given to the build")
            return
        agent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        agent.connect(path)
        stream["agent"] = agent
        self.h2.send_headers(stream_id, [(":status", "200"), ("content-type", "application/grpc")])

        def pipe() -> None:
            try:
                while data := agent.recv(16384):
                    with self.lock:
                        stream["out"] += _message(data)
                        self._pump()
                        self._flush()
            except OSError:
                pass
            with self.lock:
                stream["end"] = [("grpc-status", "0")]
                self._pump()
                self._flush()

        threading.Thread(target=pipe, name="ssh-agent", daemon=True).start()
