"""DockerBackend: ContainerBackend over the Engine API. The only module that imports `docker`.

Every call is one request built from fig.backend.wire. On a unix socket it goes through fig.backend.unixhttp and
the SDK is never imported, except for build, pull and push; on TCP and TLS engines it goes through the SDK's
session, which knows their connection settings."""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import re
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, cast

from fig import errors
from fig.backend import apiversion, contexts, hostlock, streams, wire
from fig.backend.base import LIVE_STATES, ContainerInfo, ContainerState, EngineTraits, LogLine
from fig.backend.buildcalls import BuildCalls
from fig.backend.swarmcalls import SwarmCalls
from fig.backend.unixhttp import UnixHTTP, decoded, operation, path_of, subject_of

if TYPE_CHECKING:
    import docker
    from docker.tls import TLSConfig

    from fig.backend.answers import EngineEvent, ExecInfo, ImageInfo, PathStat, StatsSample
    from fig.backend.specs import ContainerSpec, ExecSpec, NetworkOptions

log = logging.getLogger(__name__)

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


class DockerBackend(SwarmCalls, BuildCalls):
    def __init__(self, url: str, *, connect: Callable[[str], docker.APIClient], http: UnixHTTP | None = None,
                 version: str | None = None, environ: Mapping[str, str] | None = None) -> None:
        """`connect(version)` makes the SDK client on first use; with `http`, the calls that need no SDK go there.
        Without a pinned `version`, the engine is asked which it speaks once, on the first request."""
        self._api: docker.APIClient | None = None
        self._pinged: Mapping[str, str] | None = None  # the SDK's ping's headers, when it asked
        self._connect = connect
        self._lock = threading.Lock()
        self.url = url
        self.http = http
        self._traits: EngineTraits | None = None
        self._version = version
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
    def from_env(cls, environ: Mapping[str, str] | None = None, *, plain_http: bool = True) -> DockerBackend:
        """The engine of DOCKER_HOST (and DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_API_VERSION), else of the
        docker context that applies (fig.backend.contexts). Without `plain_http`, every call goes through the SDK."""
        env = contexts.engine_environment(os.environ if environ is None else environ)
        url = env.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
        pinned = apiversion.pinned(env)
        timeout = http_timeout(env)

        def connect(version: str) -> docker.APIClient:
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
        return _content(response)

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

    # -- containers -------------------------------------------------------------------------------------

    def list_containers(self, labels: Mapping[str, str], *, all: bool = False,
                        having: Sequence[str] = ()) -> list[ContainerInfo]:
        """Without `all`, the running, paused and restarting ones (Podman's running list leaves paused ones out)."""
        filters = {"label": [f"{k}={v}" for k, v in labels.items()] + list(having)}
        raw = self._call("GET", "/containers/json", {"all": 1, "filters": json.dumps(filters)})
        found = [wire.from_summary(c) for c in raw]
        return found if all else [i for i in found if i.state in LIVE_STATES]

    def inspect(self, container_id: str) -> ContainerInfo:
        return wire.from_inspect(self._inspect(container_id))

    def _inspect(self, container_id: str) -> dict[str, Any]:
        return dict(self._call("GET", path_of("/containers/{}/json", container_id), subject=container_id))

    def create(self, spec: ContainerSpec) -> str:
        """One request from API 1.44 (every network at create), else create, then connect each further network."""
        version = self.api_version()
        answer = self._call("POST", "/containers/create", {"name": spec.name, "platform": spec.platform},
                            body=wire.create_body(spec, version), subject=spec.name)
        for warning in answer.get("Warnings") or ():  # e.g. a limit this kernel cannot apply
            log.warning("%s: %s", spec.name, warning)
        cid: str = answer["Id"]
        for extra in spec.networks[len(wire.created_networks(spec, version)):]:
            self._call("POST", path_of("/networks/{}/connect", extra.network), subject=spec.name,
                       body={"Container": cid, "EndpointConfig": wire.endpoint_config(extra)}, reply=False)
        return cid

    def start(self, container_id: str) -> None:
        self._call("POST", path_of("/containers/{}/start", container_id), reply=False)

    def stop(self, container_id: str, *, timeout: int) -> None:
        self._stop(container_id, "stop", timeout)

    def restart(self, container_id: str, *, timeout: int) -> None:
        self._stop(container_id, "restart", timeout)

    def _stop(self, container_id: str, action: str, timeout: int) -> None:
        """Stop or restart. Podman refuses a paused container (Docker does not): it is unpaused first then. Podman
        also fails a stop whose SIGKILL comes as the container ends by itself ("container state improper: stopped"):
        the container has stopped then, as asked (and a restart starts it)."""
        def act() -> None:
            self._call("POST", path_of(f"/containers/{{}}/{action}", container_id), {"t": timeout}, wait=timeout,
                       reply=False)

        try:
            act()
        except (errors.NotFound, errors.ConnectionFailed, errors.EngineTimeout):
            raise
        except errors.BackendError:
            state = self.inspect(container_id).state
            if state is ContainerState.PAUSED:
                self.unpause(container_id)
                act()
            elif state is not ContainerState.EXITED:
                raise
            elif action == "restart":
                self.start(container_id)

    def kill(self, container_id: str, *, signal: str = "SIGKILL") -> None:
        self._call("POST", path_of("/containers/{}/kill", container_id), {"signal": signal}, reply=False)

    def remove(self, container_id: str, *, force: bool = False, volumes: bool = False) -> None:
        try:
            self._call("DELETE", path_of("/containers/{}", container_id), {"v": int(volumes), "force": int(force)},
                       reply=False)
        except errors.BackendError as e:
            if "already in progress" not in str(e):  # the engine answers 409 while another remove runs
                raise

    def rename(self, container_id: str, name: str) -> None:
        self._call("POST", path_of("/containers/{}/rename", container_id), {"name": name}, reply=False)

    def wait(self, container_id: str) -> int:
        return int(self._call("POST", path_of("/containers/{}/wait", container_id), wait=None)["StatusCode"])

    def logs(self, container_id: str, *, follow: bool, tail: int | None = None, since: str | None = None,
             until: str | None = None, timestamps: bool = False) -> Iterator[LogLine]:
        tty = bool(self._inspect(container_id)["Config"]["Tty"])
        params: dict[str, Any] = {"stdout": 1, "stderr": 1, "follow": int(follow),
                                  "tail": "all" if tail is None else str(tail), "timestamps": int(timestamps)}
        if since is not None:
            params["since"] = wire.unix_time(since)
        if until is not None:
            params["until"] = wire.unix_time(until)
        chunks = self._stream(path_of("/containers/{}/logs", container_id), params, follow=follow)
        if timestamps and not tty:
            return streams.stamped_lines(chunks)
        lines = streams.lines(streams.frames(chunks, tty))
        return streams.timestamped(lines) if timestamps else lines

    def attach_output(self, container_id: str) -> Iterator[LogLine]:
        """The container's output from now on. The connection is made before this returns, so attaching
        before `start` catches every line of the run."""
        tty = bool(self._inspect(container_id)["Config"]["Tty"])
        sock = self._attach(container_id, {"stdout": 1, "stderr": 1, "stream": 1, "logs": 0})
        return streams.lines(streams.frames(streams.received(sock), tty))

    def attach_socket(self, container_id: str, *, stdin: bool = True, output: bool = True,
                      detach_keys: str | None = None) -> socket.socket:
        """A raw connection to the container's stdin and/or its stdout and stderr (multiplexed unless a TTY);
        the engine ends it when `detach_keys` (e.g. ctrl-p,ctrl-q) come in on stdin."""
        params: dict[str, Any] = {"stdin": int(stdin), "stdout": int(output), "stderr": int(output), "stream": 1}
        if detach_keys:
            params["detachKeys"] = detach_keys
        return self._attach(container_id, params)

    def _attach(self, container_id: str, params: Mapping[str, Any]) -> socket.socket:
        if self.http:
            return self.http.upgrade(path_of("/containers/{}/attach", container_id), params, subject=container_id)
        with self._translate(container_id):
            sock = self.api.attach_socket(container_id, params=dict(params))
        raw: socket.socket = getattr(sock, "_sock", sock)  # the SDK wraps a plain socket in a SocketIO
        return raw

    def resize(self, container_id: str, height: int, width: int) -> None:
        self._call("POST", path_of("/containers/{}/resize", container_id), {"h": height, "w": width}, reply=False)

    def pause(self, container_id: str) -> None:
        self._call("POST", path_of("/containers/{}/pause", container_id), subject=container_id, reply=False)

    def unpause(self, container_id: str) -> None:
        self._call("POST", path_of("/containers/{}/unpause", container_id), subject=container_id, reply=False)

    def top(self, container_id: str) -> tuple[list[str], list[list[str]]]:
        answer = self._call("GET", path_of("/containers/{}/top", container_id), subject=container_id)
        return list(answer.get("Titles") or ()), [list(p) for p in answer.get("Processes") or ()]

    def stats(self, container_id: str, *, stream: bool) -> Iterator[StatsSample]:
        path = path_of("/containers/{}/stats", container_id)
        if not stream:
            return iter([wire.from_stats(self._call("GET", path, {"stream": 0}, subject=container_id, wait=5))])
        return (wire.from_stats(s) for s in streams.json_lines(self._stream(path, {"stream": 1}, follow=True)))

    def events(self, labels: Mapping[str, str], *, since: str | None = None,
               until: str | None = None) -> Iterator[EngineEvent]:
        params = {"filters": json.dumps({"label": [f"{k}={v}" for k, v in labels.items()]}),
                  "since": None if since is None else wire.unix_time(since),
                  "until": None if until is None else wire.unix_time(until)}
        return (wire.from_event(e) for e in streams.json_lines(self._stream("/events", params, follow=True)))

    # -- exec -------------------------------------------------------------------------------------------

    def exec_create(self, container_id: str, spec: ExecSpec) -> str:
        answer = self._call("POST", path_of("/containers/{}/exec", container_id), body=wire.exec_body(spec),
                            subject=container_id)
        return str(answer["Id"])

    def exec_start(self, exec_id: str, *, tty: bool = False) -> socket.socket:
        body = {"Detach": False, "Tty": tty}
        if self.http:
            return self.http.upgrade(path_of("/exec/{}/start", exec_id), body=body, subject=exec_id)
        with self._translate(exec_id):
            sock: Any = self.api.exec_start(exec_id, tty=tty, socket=True)
        raw: socket.socket = getattr(sock, "_sock", sock)  # the SDK wraps a plain socket in a SocketIO
        return raw

    def exec_start_detached(self, exec_id: str) -> None:
        self._call("POST", path_of("/exec/{}/start", exec_id), body={"Detach": True, "Tty": False}, subject=exec_id)

    def exec_inspect(self, exec_id: str) -> ExecInfo:
        return wire.from_exec_inspect(self._call("GET", path_of("/exec/{}/json", exec_id), subject=exec_id))

    def exec_resize(self, exec_id: str, height: int, width: int) -> None:
        self._call("POST", path_of("/exec/{}/resize", exec_id), {"h": height, "w": width}, subject=exec_id, reply=False)

    # -- archive ----------------------------------------------------------------------------------------

    def stat_path(self, container_id: str, path: str) -> PathStat:
        headers, _ = self._fetch("HEAD", container_id, path)
        return wire.path_stat(headers.get("x-docker-container-path-stat"), path)

    def get_archive(self, container_id: str, path: str) -> tuple[PathStat, Iterator[bytes]]:
        headers, body = self._fetch("GET", container_id, path)
        return wire.path_stat(headers.get("x-docker-container-path-stat"), path), body

    def _fetch(self, method: str, container_id: str, path: str) -> tuple[Mapping[str, str], Iterator[bytes]]:
        target, params = path_of("/containers/{}/archive", container_id), {"path": path}
        try:
            if self.http:
                return self.http.fetch(method, target, params, subject=container_id)
            with self._translate(container_id):
                response = self._sdk_request(method, target, params=params, stream=True, timeout=None)
            return {k.lower(): v for k, v in response.headers.items()}, _content(response)
        except errors.NotFound as e:
            if method != "HEAD":  # GET's answer says which file; HEAD's has no body to say it
                raise
            raise errors.NotFound(f"{container_id}: Could not find the file {path} in the container") from e

    def put_archive(self, container_id: str, path: str, data: bytes | Iterable[bytes], *,
                    copy_uid_gid: bool = False) -> None:
        target = path_of("/containers/{}/archive", container_id)
        params = {"path": path, "copyUIDGID": "true" if copy_uid_gid else None}
        if self.http:
            self.http.call("PUT", target, params, tar=data, subject=container_id, wait=None)
            return
        with self._translate(container_id):
            self._sdk_request("PUT", target, params={k: v for k, v in params.items() if v}, data=data,
                              headers={"Content-Type": "application/x-tar"}, timeout=None)

    # -- what use_api_socket gives a container ---------------------------------------------------------

    def engine_socket(self) -> str:
        """The socket this client talks to when it is a local one; for an engine on another machine (tcp://), the
        default socket on that machine, /var/run/docker.sock, as Compose mounts it always."""
        return self.url[len("unix://"):] if self.url.startswith("unix://") else "/var/run/docker.sock"

    def registry_auths(self) -> dict[str, dict[str, str]]:
        """The docker CLI config's credentials (DOCKER_CONFIG or ~/.docker), its credential helpers asked too, in
        the config file's form."""
        import base64

        import docker.auth
        import docker.errors

        try:
            found: dict[str, Any] = docker.auth.load_config().get_all_credentials()  # type: ignore[no-untyped-call]
        except docker.errors.DockerException as e:
            raise errors.UserError(f"use_api_socket: resolving the registry credentials failed: {e}") from e
        auths: dict[str, dict[str, str]] = {}
        for registry, entry in found.items():
            entry = {k.lower(): v for k, v in (entry or {}).items()}
            auth = {"identitytoken": entry["identitytoken"]} if entry.get("identitytoken") else {}
            if entry.get("username") or entry.get("password"):
                pair = f"{entry.get('username') or ''}:{entry.get('password') or ''}"
                auth["auth"] = base64.b64encode(pair.encode()).decode()
            if auth:
                auths[registry] = auth
        return auths

    # -- images -----------------------------------------------------------------------------------------

    def image_inspect(self, name: str) -> ImageInfo:
        return wire.from_image_inspect(self._call("GET", path_of("/images/{}/json", name), subject=name))

    def traits(self) -> EngineTraits:
        if self._traits is None:
            self._traits = wire.engine_traits(self._call("GET", "/version"))
        return self._traits

    def run_healthcheck(self, container_id: str) -> None:
        """Podman's one check now (GET /libpod/containers/{id}/healthcheck), which it records in the container's
        health; its answer is this check's result alone."""
        self._call("GET", path_of("/libpod/containers/{}/healthcheck", container_id), subject=container_id)

    def image_id(self, name: str) -> str | None:
        try:
            return str(self._call("GET", path_of("/images/{}/json", name), subject=name)["Id"])
        except errors.NotFound:
            return None

    def _post_build(self, params: Mapping[str, Any], body: IO[bytes] | None) -> Iterator[bytes]:
        """POST /build with the context's tar, and the answer's chunks as they come (a build may be silent for
        long: no timeout once it has started)."""
        if self.http:
            return self.http.fetch("POST", "/build", params, tar=body or b"", wait=None,
                                   subject="build")[1]
        with self._translate("build"):
            response = self._sdk_request("POST", "/build", params={k: v for k, v in params.items() if v is not None},
                                         data=body, headers={"Content-Type": "application/x-tar"}, stream=True,
                                         timeout=None)
        return _content(response)

    def _ping(self) -> Mapping[str, str]:
        """The answer to the ping that negotiated the API version, or one of its own when the version is pinned."""
        if self.http:
            return self.http.ping()
        api = self.api
        if self._pinged is None:
            with self._translate("ping"):
                self._pinged = _sdk_ping(api)
        return self._pinged

    def _can_hijack(self) -> bool:
        return self.http is not None  # the SDK cannot send a header more than once, as /session needs

    def _session_socket(self, headers: Sequence[tuple[str, str]]) -> socket.socket:
        assert self.http is not None
        return self.http.upgrade("/session", headers=headers, subject="build session")

    def _context_files(self, root: str, ignored: list[str], dockerfile: str) -> Iterable[str]:
        from docker.utils.build import exclude_paths

        return exclude_paths(root, ignored, dockerfile=dockerfile)

    def pull(self, image: str, *, platform: str | None = None) -> Iterator[dict[str, Any]]:
        repo, tag = wire.split_image(image)
        with self._translate(f"pull {image}"):
            yield from streams.checked(self.api.pull(repo, tag=tag, stream=True, decode=True, platform=platform),
                                       errors.ImageNotFound, f"pull {image}: ")

    def push(self, image: str) -> Iterator[dict[str, Any]]:
        repo, tag = wire.split_image(image)
        with self._translate(f"push {image}"):
            yield from streams.checked(self.api.push(repo, tag=tag, stream=True, decode=True), errors.BackendError,
                                f"push {image}: ")

    def remove_image(self, name: str) -> None:
        self._call("DELETE", path_of("/images/{}", name), subject=name)

    # -- networks and volumes ---------------------------------------------------------------------------

    def network_exists(self, name: str) -> bool:
        return self._exists(path_of("/networks/{}", name), f"network {name}")

    def ensure_network(self, name: str, *, driver: str | None, internal: bool, labels: Mapping[str, str],
                       options: NetworkOptions | None = None) -> None:
        with hostlock.held(self.url, f"network {name}"):
            if self.network_exists(name):
                return
            try:  # CheckDuplicate: the engine refuses a second network of the name when it sees the first
                self._call("POST", "/networks/create", subject=f"network {name}",
                           body=wire.network_body(name, driver, internal, labels, options))
            except errors.Conflict:
                log.debug("network %s was made at the same moment by another client of the engine", name)

    def remove_network(self, name: str) -> None:
        self._call("DELETE", path_of("/networks/{}", name), subject=f"network {name}", reply=False)

    def volume_exists(self, name: str) -> bool:
        return self._exists(path_of("/volumes/{}", name), f"volume {name}")

    def ensure_volume(self, name: str, *, driver: str | None, labels: Mapping[str, str],
                      driver_opts: Mapping[str, str] | None = None) -> None:
        if not self.volume_exists(name):
            self._call("POST", "/volumes/create", body=wire.volume_body(name, driver, labels, driver_opts),
                       subject=f"volume {name}")

    def remove_volume(self, name: str) -> None:
        self._call("DELETE", path_of("/volumes/{}", name), subject=f"volume {name}", reply=False)

    def _exists(self, path: str, subject: str) -> bool:
        try:
            self._call("GET", path, subject=subject)
            return True
        except errors.NotFound:
            return False


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


def _content(response: Any) -> Iterator[bytes]:
    try:
        yield from response.iter_content(None)
    finally:
        response.close()
