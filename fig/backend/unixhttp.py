"""The engine's HTTP API over its unix socket (fig.backend.http11): every call of DockerBackend on a local engine.

Importing the docker SDK (docker, requests, urllib3, charset_normalizer) costs about 0.2 s of CPU, more than the
rest of `fig ps`, and each call is one plain request. DockerBackend sends its calls here when DOCKER_HOST is a unix
socket, and loads the SDK only for build, pull and push, and for TLS and TCP engines. Errors become fig.errors as
the SDK's would.
"""

from __future__ import annotations

import json
from _thread import allocate_lock as Lock  # threading.Lock, without threading's import
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any
from urllib.parse import quote, urlencode

from fig import errors
from fig.backend import apiversion, http11
from fig.logs import logger

log = logger(__name__)
# The SDK's test for "404 means the image is missing" (docker.errors.create_api_error_from_http_exception).
_IMAGE_MISSING = ("no such image", "not found: does not exist or no pull access", "repository does not exist",
                  "was found but does not match the specified platform")


def path_of(template: str, *args: str) -> str:
    """An API path with its arguments quoted as the SDK does (keeping / and :), e.g. an image reference."""
    return template.format(*(quote(a, safe="/:") for a in args))


class UnixHTTP:
    """One connection per request (`Connection: close`), so threads never share one. Without a `version`, the first
    request asks the engine which it speaks (one `GET /_ping`) and every request then uses the negotiated one."""

    def __init__(self, socket_path: str, *, version: str | None, timeout: float | None, url: str) -> None:
        self.socket_path = socket_path
        self._version = version
        self._ping: Mapping[str, str] | None = None
        self._lock = Lock()
        self._ping_lock = Lock()  # two threads' first calls (the two listings of `find`) ping once
        self.timeout = timeout
        self.url = url

    @property
    def version(self) -> str:
        """The Engine API version of every request: the pinned one, else negotiated once (fig.backend.apiversion)."""
        if self._version is None:
            with self._lock:
                if self._version is None:
                    self._version = apiversion.negotiate(self._engine_version(), self.url)
        return self._version

    def ping(self) -> Mapping[str, str]:
        """The headers of the engine's answer to `GET /_ping` (names in lowercase: api-version, builder-version,
        ...), asked once; none from an engine that has no such endpoint."""
        if self._ping is None:
            with self._ping_lock:
                if self._ping is None:
                    try:
                        headers, body = self.fetch("GET", "/_ping", versioned=False)
                        for _ in body:
                            pass
                    except errors.NotFound:
                        headers = {}
                    self._ping = headers
        return self._ping

    def _engine_version(self) -> str | None:
        """The engine's newest API version: `GET /_ping`'s Api-Version header, else `/version` (engines before 1.25
        send no header)."""
        header = self.ping().get("api-version")
        if header:
            return header
        answer = self.call("GET", "/version", versioned=False) or {}
        return str(answer.get("ApiVersion") or "") or None

    def _target(self, path: str, params: Mapping[str, Any] | None, versioned: bool = True) -> str:
        query = urlencode({k: v for k, v in (params or {}).items() if v is not None}, doseq=True)
        return (f"/v{self.version}" if versioned else "") + path + (f"?{query}" if query else "")

    def open(self, method: str, path: str, params: Mapping[str, Any] | None = None, *, body: Any = None,
             subject: str = "", wait: float | None = 0, stream: bool = False,
             tar: bytes | Iterable[bytes] | IO[bytes] | None = None, versioned: bool = True
             ) -> http11.HTTPResponse:
        """Send a request (with `body` as JSON, or `tar` as a tar archive, whole or in chunks) and return the
        response of a successful one, unread. `wait` adds the seconds the engine may take on purpose (stop's grace
        period) to the timeout; None waits for ever. Only `versioned` paths carry the API version."""
        limit = None if wait is None or self.timeout is None else self.timeout + wait
        # a stream asks in HTTP/1.0, so the engine sends it as it comes rather than in chunks, one per line written
        conn = http11.HTTPConnection(self.socket_path, limit, "HTTP/1.0" if stream else "HTTP/1.1")
        target = self._target(path, params, versioned)
        headers = {"Connection": "close"}
        data: bytes | Iterable[bytes] | IO[bytes] | None = tar
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif tar is not None:
            headers["Content-Type"] = "application/x-tar"
        if hasattr(data, "seek"):  # a file: sent with its length, which an HTTP/1.0 request needs
            size = data.seek(0, 2) - data.seek(0)  # type: ignore[union-attr]
            headers["Content-Length"] = str(size)
        try:
            conn.request(method, target, body=data, headers=headers)
            response = conn.getresponse()
        except BaseException as e:
            conn.close()
            raise self._failed(e, method, path, subject, limit)
        log.debug('%s "%s %s HTTP/1.1" %s', self.url, method, target, response.status)
        if response.status < 400:
            return response
        try:
            answer = response.read()
        except (OSError, http11.HTTPException) as e:
            raise self._failed(e, method, path, subject, limit)
        finally:
            response.close()
        raise _error(response.status, response.reason, answer, subject)

    def _failed(self, e: BaseException, method: str, path: str, subject: str, limit: float | None) -> BaseException:
        """The fig error for a request that got no (whole) answer; other exceptions pass unchanged."""
        if isinstance(e, TimeoutError):
            failure: BaseException = errors.EngineTimeout.of(operation(method, path), subject or subject_of(path),
                                                             limit or 0, self.url)
        elif isinstance(e, http11.RemoteDisconnected):
            failure = errors.ConnectionFailed(f"{subject + ': ' if subject else ''}{operation(method, path)}: the "
                                              f"Docker daemon at {self.url} closed the connection without answering")
        elif isinstance(e, http11.IncompleteRead):
            failure = errors.BackendError(f"{subject + ': ' if subject else ''}{operation(method, path)}: "
                                          f"the answer from {self.url} broke off")
        elif isinstance(e, (ConnectionError, FileNotFoundError, http11.HTTPException)):
            failure = errors.ConnectionFailed(f"Couldn't connect to Docker daemon at {self.url} - is it running?")
        else:
            return e
        failure.__cause__ = e
        return failure

    def call(self, method: str, path: str, params: Mapping[str, Any] | None = None, *, body: Any = None,
             subject: str = "", wait: float | None = 0, tar: bytes | Iterable[bytes] | IO[bytes] | None = None,
             reply: bool = True, versioned: bool = True) -> Any:
        """The decoded JSON answer of a request (None for an empty one). With `reply` False (the API documents no
        answer), whatever comes is read and dropped: Podman answers some of those with the text `OK`."""
        response = self.open(method, path, params, body=body, subject=subject, wait=wait, tar=tar,
                             versioned=versioned)
        try:
            body = response.read()
        except (OSError, http11.HTTPException) as e:
            limit = None if wait is None or self.timeout is None else self.timeout + wait
            cut = e if isinstance(e, TimeoutError) else http11.IncompleteRead("the answer broke off")
            raise self._failed(cut, method, path, subject, limit) from e
        finally:
            response.close()
        return decoded(body, reply=reply, what=f"{subject + ': ' if subject else ''}{operation(method, path)}",
                       url=self.url)

    def stream(self, path: str, params: Mapping[str, Any] | None = None, *, follow: bool = True) -> Iterator[bytes]:
        """The body of a streaming answer (logs), chunk by chunk as the engine sends it. The request is made
        before this returns; a connection that drops ends the chunks. Only a followed stream may be silent
        for longer than the timeout."""
        return self.fetch("GET", path, params, wait=None if follow else 0)[1]

    def fetch(self, method: str, path: str, params: Mapping[str, Any] | None = None, *, subject: str = "",
              wait: float | None = 0, tar: bytes | Iterable[bytes] | IO[bytes] | None = None,
              versioned: bool = True) -> tuple[Mapping[str, str], Iterator[bytes]]:
        """The headers of an answer (to a request with `tar` as its body, if given), and its body chunk by chunk
        as `stream` gives it (empty for HEAD)."""
        response = self.open(method, path, params, subject=subject, wait=wait, stream=True, tar=tar,
                             versioned=versioned)
        headers = {k.lower(): v for k, v in response.getheaders()}

        def chunks() -> Iterator[bytes]:
            try:
                while chunk := response.read1(65536):
                    yield chunk
            except TimeoutError as e:
                raise self._failed(e, method, path, "", self.timeout) from e
            except (OSError, http11.HTTPException):
                return
            finally:
                response.close()
        return headers, chunks()

    def upgrade(self, path: str, params: Mapping[str, Any] | None = None, *, subject: str = "",
                body: Any = None, headers: Sequence[tuple[str, str]] = ()) -> http11.Socket:
        """POST `path` (with `body` as JSON) and take its connection over as a raw stream both ways (attach, exec
        start): the socket after the answer's head, with nothing of the stream read yet. `headers` replace the
        `Upgrade: tcp` ones (a BuildKit session's `Upgrade: h2c` and its names)."""
        target = self._target(path, params)
        sock = http11.Socket(http11.AF_UNIX, http11.SOCK_STREAM)
        data = b"" if body is None else json.dumps(body).encode()
        kind = "Content-Type: application/json\r\n" if body is not None else ""
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers or [("Connection", "Upgrade"), ("Upgrade", "tcp")])
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.socket_path)
            sock.sendall(f"POST {target} HTTP/1.1\r\nHost: localhost\r\n{extra}"
                         f"{kind}Content-Length: {len(data)}\r\n\r\n".encode() + data)
            status, reason, answered = _head(sock)
            if status >= 400:
                length = int(answered.get("content-length", 0))
                answer = b""
                while len(answer) < length and (chunk := sock.recv(length - len(answer))):
                    answer += chunk
                raise _error(status, reason, answer, subject)
        except BaseException as e:
            sock.close()
            raise self._failed(e, "POST", path, subject, self.timeout)
        sock.settimeout(None)
        return sock


def decoded(body: bytes, *, reply: bool, what: str, url: str) -> Any:
    """An answer's JSON (None when empty, or when no answer is expected); an answer that is not JSON is an error."""
    if not reply or not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError:
        text = body[:80].decode("utf-8", "replace")
        raise errors.BackendError(f"{what}: the engine at {url} answered with something that is not JSON: "
                                  f"{text!r}") from None


def operation(method: str, path: str) -> str:
    """What a request does, in a word or two: "stop", "remove", "create", "inspect image", "list containers"."""
    parts = path.strip("/").split("/")
    noun = parts[0][:-1] if parts[0].endswith("s") else parts[0]
    if len(parts) == 2 and parts[1] in ("json", "create"):
        verb, noun = ("list", parts[0]) if parts[1] == "json" else ("create", noun)
    elif len(parts) > 2 and parts[-1] != "json":
        verb = parts[-1]
    else:
        verb = {"GET": "inspect", "DELETE": "remove"}.get(method, method.lower())
    return verb if noun == "container" else f"{verb} {noun}"


def subject_of(path: str) -> str:
    """The object a path acts on (a container id, shortened), for messages whose caller named none."""
    parts = path.strip("/").split("/")
    if len(parts) < 2 or parts[1] in ("json", "create"):
        return ""
    return parts[1][:12] if len(parts[1]) == 64 else parts[1]


def _head(sock: http11.Socket) -> tuple[int, str, dict[str, str]]:
    """Status, reason and headers of an answer, read a byte at a time so that none of what follows is taken."""
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        byte = sock.recv(1)
        if not byte or len(head) > 65536:
            raise http11.HTTPException("the engine closed the connection before answering")
        head += byte
    status_line, *lines = head.decode("latin-1").split("\r\n")
    _, status, reason = (status_line.split(" ", 2) + [""])[:3]
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
    return int(status), reason, headers


def _error(status: int, reason: str, answer: bytes, subject: str) -> errors.FigError:
    """The fig error for an engine's error answer, as the SDK would classify it."""
    try:
        message = str(json.loads(answer).get("message") or "")
    except (ValueError, AttributeError):
        message = answer.decode("utf-8", "replace").strip()
    message = message or f"{status} {reason}"
    prefix = f"{subject}: " if subject else ""
    if status == 404:
        missing_image = any(f in message.lower() for f in _IMAGE_MISSING)
        return (errors.ImageNotFound if missing_image else errors.NotFound)(prefix + message)
    return (errors.Conflict if status == 409 else errors.BackendError)(prefix + message)
