"""One HTTP/1.1 exchange on a unix socket: a request written, its answer read (by Content-Length, in chunks, or
to the end of the connection). It is what fig.backend.unixhttp needs of http.client, whose import (the email
package, ssl) cost more than the rest of `fig ps` before its first request. The names follow http.client's.
"""

from __future__ import annotations

import io
from _socket import AF_UNIX, SOCK_STREAM, socket as Socket  # socket.py's base, without its 4 ms import; attach,
# exec and BuildKit sessions use these sockets too
from collections.abc import Iterable, Mapping
from typing import IO

_BODYLESS = {204, 304}
_MAX_LINE = 65536


class HTTPException(Exception):
    """An answer that is not HTTP (or a request that could not be sent)."""


class RemoteDisconnected(ConnectionResetError, HTTPException):
    """The other side closed the connection without answering."""


class IncompleteRead(HTTPException):
    """The connection ended before the whole body came."""


class HTTPConnection:
    """One request and its answer on a fresh unix-socket connection; `version` "HTTP/1.0" asks for a body that is
    not cut into chunks (a stream then comes as it is written)."""

    def __init__(self, path: str, timeout: float | None, version: str = "HTTP/1.1") -> None:
        self.path, self.timeout, self.version = path, timeout, version
        self.sock: Socket | None = None
        self.method = ""

    def request(self, method: str, target: str, body: bytes | Iterable[bytes] | IO[bytes] | None = None,
                headers: Mapping[str, str] | None = None) -> None:
        """Connect and send. A file goes as it is read, with the Content-Length its caller gave; an iterable, or a
        file of unknown length, goes in chunks (Transfer-Encoding: chunked)."""
        self.method = method
        headers = dict(headers or {})
        sized = any(k.lower() == "content-length" for k in headers)
        if isinstance(body, bytes) or (body is None and method in ("POST", "PUT", "PATCH")):
            headers["Content-Length"] = str(len(body or b""))
        elif body is not None and not sized:
            headers["Transfer-Encoding"] = "chunked"
        lines = [f"{method} {target} {self.version}", "Host: localhost", *(f"{k}: {v}" for k, v in headers.items())]
        sock = Socket(AF_UNIX, SOCK_STREAM)
        self.sock = sock
        sock.settimeout(self.timeout)
        sock.connect(self.path)
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if body is None or isinstance(body, bytes):
            sock.sendall(head + (body or b""))
            return
        sock.sendall(head)
        pieces: Iterable[bytes] = iter(lambda: body.read(65536), b"") if hasattr(body, "read") else body
        for piece in pieces:
            if piece and not sized:
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            elif piece:
                sock.sendall(piece)
        if not sized:
            sock.sendall(b"0\r\n\r\n")

    def getresponse(self) -> HTTPResponse:
        if self.sock is None:
            raise HTTPException("no request was sent")
        return HTTPResponse(self.sock, self.method)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()


class _Received(io.RawIOBase):
    """What comes in on a connection, as a file to buffer (socket.makefile("rb") without the socket module). A
    timeout raises TimeoutError, as the socket's does."""

    def __init__(self, sock: Socket) -> None:
        self.sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        return self.sock.recv_into(buffer)


class HTTPResponse:
    """An answer's status and headers, read as it is made; its body read whole (`read`) or as it comes (`read1`)."""

    def __init__(self, sock: Socket, method: str) -> None:
        self.sock = sock
        self.fp = io.BufferedReader(_Received(sock))
        status_line = self.fp.readline(_MAX_LINE + 1)
        if not status_line:
            raise RemoteDisconnected("the other side closed the connection without answering")
        try:
            version, status, *reason = status_line.decode("latin-1").rstrip("\r\n").split(" ", 2)
            self.status = int(status)
        except ValueError:
            raise HTTPException(f"not an HTTP answer: {status_line[:80]!r}") from None
        if not version.startswith("HTTP/"):
            raise HTTPException(f"not an HTTP answer: {status_line[:80]!r}")
        self.reason = reason[0] if reason else ""
        self.headers: dict[str, str] = {}
        while (line := self.fp.readline(_MAX_LINE + 1)) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            self.headers[name.strip().lower()] = value.strip()
        self.chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"
        empty = method == "HEAD" or self.status in _BODYLESS or 100 <= self.status < 200
        self.left: int | None = 0 if empty else (None if self.chunked or "content-length" not in self.headers
                                                 else int(self.headers["content-length"]))
        self.chunk_left = 0  # of the chunk being read, when chunked
        self.done = empty

    def getheader(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def getheaders(self) -> list[tuple[str, str]]:
        return list(self.headers.items())

    def read(self) -> bytes:
        """The rest of the body."""
        parts = []
        while piece := self.read1(65536):
            parts.append(piece)
        return b"".join(parts)

    def read1(self, size: int) -> bytes:
        """Up to `size` bytes of the body as soon as some have come; b"" at its end."""
        if self.done:
            return b""
        if self.chunked:
            return self._chunk(size)
        data = self.fp.read1(size if self.left is None else min(size, self.left))
        if self.left is not None:
            if not data and self.left:
                raise IncompleteRead(f"{self.left} bytes of the body never came")
            self.left -= len(data)
            self.done = self.left == 0
        elif not data:
            self.done = True
        return data

    def _chunk(self, size: int) -> bytes:
        if not self.chunk_left:
            line = self.fp.readline(_MAX_LINE + 1)
            try:
                self.chunk_left = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise IncompleteRead("the body broke off between two chunks") from None
            if not self.chunk_left:  # the last chunk; then trailers, up to a blank line
                while self.fp.readline(_MAX_LINE + 1) not in (b"\r\n", b"\n", b""):
                    pass
                self.done = True
                return b""
        data = self.fp.read1(min(size, self.chunk_left))
        if not data:
            raise IncompleteRead("the body broke off in a chunk")
        self.chunk_left -= len(data)
        if not self.chunk_left:
            self.fp.readline(_MAX_LINE + 1)  # the chunk's CRLF
        return data

    def close(self) -> None:
        self.fp.close()
        self.sock.close()
