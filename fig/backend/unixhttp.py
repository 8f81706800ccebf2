"""The engine's HTTP API over its unix socket with http.client, for the calls that need no SDK.

Importing the docker SDK (docker, requests, urllib3, charset_normalizer) costs about 0.2 s of CPU, more than the
rest of `fig ps`; listing, inspecting, starting, stopping, removing and reading logs are one plain request each.
DockerBackend sends those here when DOCKER_HOST is a unix socket, and loads the SDK only for what needs it
(creating containers, build, pull, push, attach, TLS and TCP engines). Errors become fig.errors as the SDK's would.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlencode

from fig import errors

log = logging.getLogger(__name__)
# The SDK's test for "404 means the image is missing" (docker.errors.create_api_error_from_http_exception).
_IMAGE_MISSING = ("no such image", "not found: does not exist or no pull access", "repository does not exist",
                  "was found but does not match the specified platform")


class _Connection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float | None) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.socket_path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class _StreamConnection(_Connection):
    """HTTP/1.0, so the engine sends a stream as it comes rather than in chunks, one per line written."""

    _http_vsn = 10
    _http_vsn_str = "HTTP/1.0"


def path_of(template: str, *args: str) -> str:
    """An API path with its arguments quoted as the SDK does (keeping / and :), e.g. an image reference."""
    return template.format(*(quote(a, safe="/:") for a in args))


class UnixHTTP:
    """One connection per request (`Connection: close`), so threads never share one."""

    def __init__(self, socket_path: str, *, version: str, timeout: float | None, url: str) -> None:
        self.socket_path = socket_path
        self.prefix = f"/v{version}"
        self.timeout = timeout
        self.url = url

    def open(self, method: str, path: str, params: Mapping[str, Any] | None = None, *, subject: str = "",
             wait: float | None = 0, stream: bool = False) -> http.client.HTTPResponse:
        """Send a request and return the response of a successful one, unread. `wait` adds the seconds the
        engine may take on purpose (stop's grace period) to the timeout; None waits for ever (wait, logs -f)."""
        query = urlencode({k: v for k, v in (params or {}).items() if v is not None}, doseq=True)
        limit = None if wait is None or self.timeout is None else self.timeout + wait
        conn = (_StreamConnection if stream else _Connection)(self.socket_path, limit)
        prefix = f"{subject}: " if subject else ""
        target = self.prefix + path + (f"?{query}" if query else "")
        try:
            conn.request(method, target, headers={"Connection": "close"})
            response = conn.getresponse()
        except TimeoutError as e:
            conn.close()
            raise errors.BackendError(f"{prefix}the Docker daemon at {self.url} did not answer in time") from e
        except (ConnectionError, FileNotFoundError, http.client.HTTPException) as e:
            conn.close()
            raise errors.ConnectionFailed(f"Couldn't connect to Docker daemon at {self.url} - is it running?") from e
        log.debug('%s "%s %s HTTP/1.1" %s', self.url, method, target, response.status)
        if response.status < 400:
            return response
        try:
            body = response.read()
        finally:
            response.close()
        try:
            message = str(json.loads(body).get("message") or "")
        except (ValueError, AttributeError):
            message = body.decode("utf-8", "replace").strip()
        message = message or f"{response.status} {response.reason}"
        if response.status == 404:
            missing_image = any(f in message.lower() for f in _IMAGE_MISSING)
            raise (errors.ImageNotFound if missing_image else errors.NotFound)(f"{prefix}{message}")
        raise errors.BackendError(f"{prefix}{message}")

    def call(self, method: str, path: str, params: Mapping[str, Any] | None = None, *, subject: str = "",
             wait: float | None = 0) -> Any:
        """The decoded JSON answer of a request (None for an empty one)."""
        response = self.open(method, path, params, subject=subject, wait=wait)
        try:
            body = response.read()
        except (TimeoutError, ConnectionError, http.client.HTTPException) as e:
            raise errors.BackendError(f"{subject + ': ' if subject else ''}the answer from {self.url} broke off") from e
        finally:
            response.close()
        return json.loads(body) if body.strip() else None

    def stream(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[bytes]:
        """The body of a streaming answer (logs), chunk by chunk as the engine sends it. The request is made
        before this returns; a connection that drops ends the chunks."""
        response = self.open("GET", path, params, wait=None, stream=True)

        def chunks() -> Iterator[bytes]:
            try:
                while chunk := response.read1(65536):
                    yield chunk
            except (OSError, http.client.HTTPException):
                return
            finally:
                response.close()
        return chunks()
