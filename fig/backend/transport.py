"""How DockerBackend reaches the engine: fig's own unix-socket client (fig.backend.unixhttp) on a local engine, else
the docker SDK's session, which knows TCP and TLS; the Engine API version negotiated once; every error a fig.errors
one. DockerBackend's calls (fig.backend.docker) and its mixins' go through `_call` and `_stream`."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from _thread import allocate_lock as Lock  # threading.Lock, without threading's import
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Self, cast

from fig import errors
from fig.backend import apiversion, contexts
from fig.backend.base import EngineTraits
from fig.backend.unixhttp import UnixHTTP, decoded, operation, subject_of

if TYPE_CHECKING:
    import docker
    from docker.tls import TLSConfig

DEFAULT_HTTP_TIMEOUT = 60.0
_TLS_VARS = ("DOCKER_TLS", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")


def _tls_config(environ: Mapping[str, str]) -> TLSConfig | None:
    verify = bool(environ.get("DOCKER_TLS_VERIFY"))
    if not verify and not environ.get("DOCKER_TLS"):
        return None
    cert_path = environ.get("DOCKER_CERT_PATH") or os.path.join(os.path.expanduser("~"), ".docker")
    ca, cert, key = (os.path.join(cert_path, n) for n in ("ca.pem", "cert.pem", "key.pem"))
    if verify and not os.path.isfile(ca):
        raise errors.ConnectionFailed(f"DOCKER_TLS_VERIFY is set but {ca} does not exist (set DOCKER_CERT_PATH)")
    client_cert = (cert, key) if os.path.isfile(cert) and os.path.isfile(key) else None
    from docker.tls import TLSConfig

    return TLSConfig(client_cert=client_cert, ca_cert=ca if verify else None, verify=ca if verify else False)


def http_timeout(environ: Mapping[str, str]) -> float:
    """Seconds an engine call may go unanswered: FIG_HTTP_TIMEOUT, else COMPOSE_HTTP_TIMEOUT, else 60."""
    for name in ("FIG_HTTP_TIMEOUT", "COMPOSE_HTTP_TIMEOUT"):
        text = environ.get(name, "").strip()
        if text:
            try:
                seconds = float(text)
            except ValueError:
                seconds = 0
            if not 0 < seconds < 1e6:
                raise errors.UserError(f"{name} must be a positive number of seconds, not {text!r}")
            return seconds
    return DEFAULT_HTTP_TIMEOUT


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if re.search(r"PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|WRONG_SSL_VERSION", text):
        return "the engine does not offer TLS 1.2 or newer"
    for pattern in (r"\[SSL: [A-Z0-9_]+\] ([^(]+)", r"hostname '[^']+' doesn't match[^\"')]*", r"Connection refused",
                    r"No such file or directory", r"Name or service not known"):
        m = re.search(pattern, text)
        if m:
            return m.group(1 if m.groups() else 0).strip()
    m = re.search(r"\(Caused by \w+\((.*)\)\)\s*$", text)  # urllib3's "Max retries exceeded ... (Caused by X(...))"
    return (m[1] if m else text.splitlines()[0])[:200] if text else type(exc).__name__


def _modern_tls_adapter() -> Any:
    """HTTPS to the engine with TLS 1.2 or newer, whatever the defaults of the installed urllib3."""
    import ssl

    import requests.adapters
    import urllib3

    class ModernTLSAdapter(requests.adapters.HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            if not str(getattr(urllib3, "__version__", "2")).startswith("1."):  # urllib3 1.x has no such option
                kwargs["ssl_minimum_version"] = ssl.TLSVersion.TLSv1_2
            super().init_poolmanager(*args, **kwargs)

    return ModernTLSAdapter()


class EngineTransport:
    environ: Mapping[str, str]  # the environment the backend was made from
    engine_env: Mapping[str, str]  # DOCKER_HOST and TLS settings, as the docker CLI is to be given them

    def __init__(self, url: str, *, connect: Callable[[str], docker.APIClient], http: UnixHTTP | None = None,
                 version: str | None = None, environ: Mapping[str, str] | None = None) -> None:
        """`connect(version)` makes the SDK client on first use; with `http`, the calls that need no SDK go there.
        Without a pinned `version`, the engine is asked which it speaks once, on the first request."""
        self._api: docker.APIClient | None = None
        self._pinged: Mapping[str, str] | None = None  # the SDK's ping's headers, when it asked
        self._connect = connect
        self._lock = Lock()
        self.url = url
        self.http = http
        self._traits: EngineTraits | None = None
        self._version = version
        self.pinned = version is not None  # DOCKER_API_VERSION: nothing asks the engine which version it speaks
        self.environ = dict(os.environ if environ is None else environ)
        self.engine_env = {"DOCKER_HOST": url, **{k: v for k, v in self.environ.items() if k in _TLS_VARS}}

    @property
    def api(self) -> docker.APIClient:
        """The SDK client, made (and the SDK imported, ~0.2 s) on first use, speaking the negotiated version."""
        if self._api is None:
            with self._lock:
                if self._api is None:
                    self._api = self._negotiated_client()
        return self._api

    def _negotiated_client(self) -> docker.APIClient:
        """The SDK client with the version given explicitly, so that the SDK asks nothing itself (its "auto" would
        be a `/version` of its own): the pinned one, the one the unix-socket client negotiated, or negotiated here
        with one `GET /_ping` on the SDK's own connection."""
        version = self._version or (self.http.version if self.http else None)
        client = self._connect(version or apiversion.NEWEST)
        if version is None:
            with self._translate(operation="ping", seconds=client.timeout):
                self._pinged = _sdk_ping(client)
                negotiated = apiversion.negotiate(_engine_version(client, self._pinged), self.url)
            # The SDK keeps its version in `_version` (api_version reads it); it takes one only when it is made,
            # and making a second client would open a second connection (a second TLS handshake).
            cast(Any, client)._version = self._version = negotiated
        return client

    def api_version(self) -> str:
        """The Engine API version this backend speaks (asking the engine first if nothing asked it yet)."""
        if self._version is None:
            self._version = self.http.version if self.http else self.api.api_version
        return self._version

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, plain_http: bool = True) -> Self:
        """The engine of DOCKER_HOST (and DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_API_VERSION), else of the
        docker context that applies (fig.backend.contexts). Without `plain_http`, every call goes through the SDK."""
        env = contexts.engine_environment(os.environ if environ is None else environ)
        url = env.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
        pinned = apiversion.pinned(env)
        timeout = http_timeout(env)

        def connect(version: str) -> docker.APIClient:
            import math

            import docker

            try:
                tls = _tls_config(env)
                client = docker.APIClient(base_url=url, version=version, tls=tls or False,
                                          timeout=math.ceil(timeout))
            except docker.errors.DockerException as e:
                raise errors.ConnectionFailed(f"Cannot use the engine at {url}: {e}") from e
            # Verify against DOCKER_CERT_PATH's CA only: REQUESTS_CA_BUNDLE and friends must not override it.
            client.trust_env = False
            if tls:
                client.mount("https://", _modern_tls_adapter())
            return client

        tls = env.get("DOCKER_TLS_VERIFY") or env.get("DOCKER_TLS")
        http = None
        if plain_http and url.startswith("unix://") and not tls:
            http = UnixHTTP(url[len("unix://"):], version=pinned, timeout=timeout, url=url)
        return cls(url, connect=connect, http=http, version=pinned, environ=env)

    def _ping(self) -> Mapping[str, str]:
        """The answer to the ping that negotiated the API version, or one of its own when the version is pinned."""
        if self.http:
            return self.http.ping()
        api = self.api
        if self._pinged is None:
            with self._translate("ping"):
                self._pinged = _sdk_ping(api)
        return self._pinged

    @contextlib.contextmanager
    def _translate(self, subject: str = "", *, operation: str = "", seconds: float = 0) -> Iterator[None]:
        """SDK and connection errors become fig.errors; a timeout names `operation` and `subject`."""
        prefix = f"{subject}: " if subject else ""
        try:
            yield
        except errors.FigError:
            raise
        except Exception as e:
            translated = self._translated(e, prefix)
            if isinstance(translated, errors.EngineTimeout) and operation:
                translated = errors.EngineTimeout.of(operation or "a request", subject, seconds, self.url)
            if translated is None:
                raise
            raise translated from e

    def _translated(self, e: Exception, prefix: str) -> errors.FigError | None:
        if "docker" not in sys.modules:  # then no SDK or requests error can have been raised
            if isinstance(e, (ConnectionError, FileNotFoundError)):
                return errors.ConnectionFailed(f"Couldn't connect to Docker daemon at {self.url} - is it running?")
            return None
        import docker.errors
        import requests.exceptions

        if isinstance(e, docker.errors.ImageNotFound):
            return errors.ImageNotFound(f"{prefix}{e.explanation or e}")
        if isinstance(e, docker.errors.NotFound):
            return errors.NotFound(f"{prefix}{e.explanation or e}")
        if isinstance(e, docker.errors.APIError):
            kind = errors.Conflict if e.status_code == 409 else errors.BackendError
            return kind(f"{prefix}{e.explanation or e}")
        if isinstance(e, requests.exceptions.SSLError):
            return errors.ConnectionFailed(f"TLS error talking to the Docker daemon at {self.url}: {_reason(e)}")
        if isinstance(e, (requests.exceptions.ConnectionError, ConnectionError, FileNotFoundError)):
            return errors.ConnectionFailed(f"Couldn't connect to Docker daemon at {self.url} - is it running?")
        if isinstance(e, requests.exceptions.ReadTimeout):
            return errors.EngineTimeout(f"{prefix}the Docker daemon at {self.url} did not answer in time")
        if isinstance(e, docker.errors.DockerException):
            return errors.BackendError(f"{prefix}{e}")
        return None

    def _call(self, method: str, path: str, params: Mapping[str, Any] | None = None, *, body: Any = None,
              subject: str = "", wait: float | None = 0, reply: bool = True) -> Any:
        """One request to the engine and its decoded JSON answer; `wait` and `reply` as in UnixHTTP.call."""
        if self.http:
            return self.http.call(method, path, params, body=body, subject=subject, wait=wait, reply=reply)
        seconds = None if wait is None else self.api.timeout + wait
        with self._translate(subject or subject_of(path), operation=operation(method, path), seconds=seconds or 0):
            response = self._sdk_request(method, path, params=params, json=body, timeout=seconds)
        return decoded(response.content, reply=reply, what=f"{subject + ': ' if subject else ''}"
                       f"{operation(method, path)}", url=self.url)

    def _stream(self, path: str, params: Mapping[str, Any], *, follow: bool) -> Iterator[bytes]:
        """The body of a streaming answer as it comes; the request is made before this returns. Only a
        followed stream may be silent for longer than the timeout."""
        if self.http:
            return self.http.stream(path, params, follow=follow)
        with self._translate(subject_of(path), operation=operation("GET", path), seconds=self.api.timeout):
            response = self._sdk_request("GET", path, params=params, stream=True,
                                         timeout=None if follow else self.api.timeout)
        return content(response)

    def _sdk_request(self, method: str, path: str, **kwargs: Any) -> Any:
        """A request through the SDK's session; an error answer raises the SDK's APIError for it."""
        import docker.errors
        import requests

        api = self.api
        response = api.request(method, f"{api.base_url}/v{api.api_version}{path}", **kwargs)
        try:
            response.raise_for_status()
        except requests.HTTPError as e:
            raise docker.errors.create_api_error_from_http_exception(e) from e
        return response


def _sdk_ping(client: Any) -> Mapping[str, str]:
    """The headers of `GET /_ping`'s answer through the SDK's session, names in lowercase."""
    return {k.lower(): v for k, v in client.get(f"{client.base_url}/_ping", timeout=client.timeout).headers.items()}


def _engine_version(client: Any, pinged: Mapping[str, str]) -> str | None:
    """The engine's newest API version: the ping's Api-Version header, else `/version` (engines before 1.25 send
    no header)."""
    import docker.errors
    import requests

    header = pinged.get("api-version")
    if header:
        return str(header)
    answer = client.get(f"{client.base_url}/version", timeout=client.timeout)
    try:
        answer.raise_for_status()
    except requests.HTTPError as e:
        raise docker.errors.create_api_error_from_http_exception(e) from e
    return str(answer.json().get("ApiVersion") or "") or None


def content(response: Any) -> Iterator[bytes]:
    try:
        yield from response.iter_content(None)
    finally:
        response.close()
