"""DockerBackend: ContainerBackend over the Docker SDK. The only module that imports `docker`.

The SDK is imported on first use: on a unix socket, listing, inspecting, start/stop/kill/restart, removing, waiting
and logs go through fig.backend.unixhttp without it (see there why)."""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import re
import struct
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from fig import errors
from fig.backend.base import (
    BuildRequest, ContainerInfo, ContainerSpec, ContainerState, LogLine, Mount, PortBinding,
)
from fig.backend.unixhttp import UnixHTTP, path_of

if TYPE_CHECKING:
    import docker
    from docker.tls import TLSConfig

log = logging.getLogger(__name__)

DEFAULT_API_VERSION = "1.41"
_EXIT_RE = re.compile(r"Exited \((-?\d+)\)")
_HEALTH_RE = re.compile(r"\((healthy|unhealthy|health: starting)\)")


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


class DockerBackend:
    def __init__(self, client: docker.APIClient | None, url: str, *, http: UnixHTTP | None = None,
                 connect: Callable[[], docker.APIClient] | None = None) -> None:
        """Without a `client`, `connect` makes it on first use; with `http`, the calls that need no SDK go there."""
        self._api = client
        self._connect = connect
        self._lock = threading.Lock()
        self.url = url
        self.http = http

    @property
    def api(self) -> docker.APIClient:
        """The SDK client, made (and the SDK imported, ~0.2 s) on first use."""
        if self._api is None:
            with self._lock:
                if self._api is None:
                    assert self._connect is not None
                    self._api = self._connect()
        return self._api

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, plain_http: bool = True) -> DockerBackend:
        """The engine of DOCKER_HOST (and DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_API_VERSION). Without
        `plain_http`, every call goes through the SDK."""
        env = os.environ if environ is None else environ
        url = env.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
        version = env.get("DOCKER_API_VERSION") or DEFAULT_API_VERSION
        timeout = int(env.get("FIG_HTTP_TIMEOUT", "120"))

        def connect() -> docker.APIClient:
            import docker

            try:
                tls = _tls_config(env)
                client = docker.APIClient(base_url=url, version=version, tls=tls or False, timeout=timeout)
            except docker.errors.DockerException as e:
                raise errors.ConnectionFailed(f"Cannot use the engine at {url}: {e}") from e
            # Verify against DOCKER_CERT_PATH's CA only: REQUESTS_CA_BUNDLE and friends must not override it.
            client.trust_env = False
            if tls:
                client.mount("https://", _modern_tls_adapter())
            return client

        tls = env.get("DOCKER_TLS_VERIFY") or env.get("DOCKER_TLS")
        if plain_http and url.startswith("unix://") and not tls and re.fullmatch(r"\d+\.\d+", version):
            return cls(None, url, connect=connect,
                       http=UnixHTTP(url[len("unix://"):], version=version, timeout=timeout, url=url))
        return cls(connect(), url)

    @contextlib.contextmanager
    def _translate(self, subject: str = "") -> Iterator[None]:
        prefix = f"{subject}: " if subject else ""
        try:
            yield
        except errors.FigError:
            raise
        except Exception as e:
            translated = self._translated(e, prefix)
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
            return errors.BackendError(f"{prefix}{e.explanation or e}")
        if isinstance(e, requests.exceptions.SSLError):
            return errors.ConnectionFailed(f"TLS error talking to the Docker daemon at {self.url}: {_reason(e)}")
        if isinstance(e, (requests.exceptions.ConnectionError, ConnectionError, FileNotFoundError)):
            return errors.ConnectionFailed(f"Couldn't connect to Docker daemon at {self.url} - is it running?")
        if isinstance(e, requests.exceptions.ReadTimeout):
            return errors.BackendError(f"{prefix}the Docker daemon at {self.url} did not answer in time")
        if isinstance(e, docker.errors.DockerException):
            return errors.BackendError(f"{prefix}{e}")
        return None

    # -- containers -------------------------------------------------------------------------------------

    def list_containers(self, labels: Mapping[str, str], *, all: bool = False) -> list[ContainerInfo]:
        filters = {"label": [f"{k}={v}" for k, v in labels.items()]}
        if self.http:
            raw = self.http.call("GET", "/containers/json", {"all": int(all), "filters": json.dumps(filters)})
            return [self._from_summary(c) for c in raw]
        with self._translate():
            raw = self.api.containers(all=all, filters=filters)
        return [self._from_summary(c) for c in raw]

    def inspect(self, container_id: str) -> ContainerInfo:
        return self._from_inspect(self._inspect(container_id))

    def _inspect(self, container_id: str) -> dict[str, Any]:
        if self.http:
            return dict(self.http.call("GET", path_of("/containers/{}/json", container_id), subject=container_id))
        with self._translate(container_id):
            return self.api.inspect_container(container_id)  # type: ignore[no-any-return]

    def create(self, spec: ContainerSpec) -> str:
        api = self.api
        port_bindings: dict[str, list[tuple[str, int | None] | int | None]] = {}
        for p in spec.ports:
            port_bindings.setdefault(f"{p.container_port}/{p.protocol}", []).append(
                (p.host_ip or "", p.host_port) if p.host_ip else p.host_port)
        restart = None
        if spec.restart and spec.restart != "no":
            name, _, count = spec.restart.partition(":")
            restart = {"Name": name, "MaximumRetryCount": int(count or 0)}
        networking = None
        network_mode = spec.network_mode
        if spec.networks:
            first = spec.networks[0]
            network_mode = network_mode or first.network
            networking = api.create_networking_config({first.network: api.create_endpoint_config(
                aliases=list(first.aliases) or None, links=list(first.links) or None,
                ipv4_address=first.ipv4_address)})
        with self._translate(spec.name):
            host_config = api.create_host_config(
                binds=list(spec.binds) or None, port_bindings=port_bindings or None,
                links=list(spec.links) or None, volumes_from=list(spec.volumes_from) or None,
                network_mode=network_mode, dns=list(spec.dns) or None, dns_search=list(spec.dns_search) or None,
                extra_hosts=list(spec.extra_hosts) or None, mem_limit=spec.mem_limit, privileged=spec.privileged,
                cap_add=list(spec.cap_add) or None, cap_drop=list(spec.cap_drop) or None, restart_policy=restart,
                auto_remove=spec.auto_remove, **_host_config_extras(spec),
            )
            exposed = [(p.container_port, p.protocol) for p in (*spec.ports, *spec.expose)]
            result = api.create_container(
                spec.image, command=list(spec.command) if spec.command is not None else None, name=spec.name,
                entrypoint=list(spec.entrypoint) if spec.entrypoint is not None else None,
                environment=dict(spec.environment), labels=dict(spec.labels),
                ports=[p if proto == "tcp" else (p, proto) for p, proto in dict.fromkeys(exposed)] or None,
                volumes=list(spec.volumes) or None, hostname=spec.hostname, domainname=spec.domainname,
                user=spec.user, working_dir=spec.working_dir, stdin_open=spec.stdin_open, tty=spec.tty,
                host_config=host_config, networking_config=networking, healthcheck=spec.healthcheck,
                stop_signal=spec.stop_signal, stop_timeout=spec.stop_timeout,
            )
            cid: str = result["Id"]
            for extra in spec.networks[1:]:
                api.connect_container_to_network(cid, extra.network, aliases=list(extra.aliases) or None,
                                                 links=list(extra.links) or None, ipv4_address=extra.ipv4_address)
        return cid

    def start(self, container_id: str) -> None:
        if self.http:
            self.http.call("POST", path_of("/containers/{}/start", container_id))
            return
        with self._translate():
            self.api.start(container_id)

    def stop(self, container_id: str, *, timeout: int) -> None:
        if self.http:
            self.http.call("POST", path_of("/containers/{}/stop", container_id), {"t": timeout}, wait=timeout)
            return
        with self._translate():
            self.api.stop(container_id, timeout=timeout)

    def restart(self, container_id: str, *, timeout: int) -> None:
        if self.http:
            self.http.call("POST", path_of("/containers/{}/restart", container_id), {"t": timeout}, wait=timeout)
            return
        with self._translate():
            self.api.restart(container_id, timeout=timeout)

    def kill(self, container_id: str, *, signal: str = "SIGKILL") -> None:
        if self.http:
            self.http.call("POST", path_of("/containers/{}/kill", container_id), {"signal": signal})
            return
        with self._translate():
            self.api.kill(container_id, signal=signal)

    def remove(self, container_id: str, *, force: bool = False, volumes: bool = False) -> None:
        try:
            if self.http:
                self.http.call("DELETE", path_of("/containers/{}", container_id),
                               {"v": int(volumes), "force": int(force)})
                return
            with self._translate():
                self.api.remove_container(container_id, force=force, v=volumes)
        except errors.BackendError as e:
            if "already in progress" not in str(e):  # the engine answers 409 while another remove runs
                raise

    def rename(self, container_id: str, name: str) -> None:
        if self.http:
            self.http.call("POST", path_of("/containers/{}/rename", container_id), {"name": name})
            return
        with self._translate():
            self.api.rename(container_id, name)

    def wait(self, container_id: str) -> int:
        if self.http:
            return int(self.http.call("POST", path_of("/containers/{}/wait", container_id), wait=None)["StatusCode"])
        with self._translate():
            return int(self.api.wait(container_id, timeout=None)["StatusCode"])

    def logs(self, container_id: str, *, follow: bool, tail: int | None = None, since: str | None = None,
             timestamps: bool = False) -> Iterator[LogLine]:
        tty = bool(self._inspect(container_id)["Config"]["Tty"])
        params: dict[str, Any] = {"stdout": 1, "stderr": 1, "follow": int(follow),
                                  "tail": "all" if tail is None else str(tail), "timestamps": int(timestamps)}
        if since is not None:
            params["since"] = _unix_time(since)
        if self.http:
            lines = _split(_frames(self.http.stream(path_of("/containers/{}/logs", container_id), params), tty))
            return _timestamped(lines) if timestamps else lines
        with self._translate():
            response = self.api._get(self.api._url("/containers/{0}/logs", container_id), params=params,
                                     stream=True, timeout=None)
            self.api._raise_for_status(response)
        lines = _lines(response, tty)
        return _timestamped(lines) if timestamps else lines

    def attach_output(self, container_id: str) -> Iterator[LogLine]:
        """The container's output from now on. The connection is made before this returns, so attaching
        before `start` catches every line of the run."""
        with self._translate():
            tty = bool(self.api.inspect_container(container_id)["Config"]["Tty"])
            sock = self.api.attach_socket(container_id, params={"stdout": 1, "stderr": 1, "stream": 1, "logs": 0})
        return _split(_frames(_received(getattr(sock, "_sock", sock)), tty))

    def attach_socket(self, container_id: str, *, stdin: bool = True, output: bool = True) -> Any:
        """A raw connection to the container's stdin and/or its stdout and stderr (multiplexed unless a TTY)."""
        params = {"stdin": int(stdin), "stdout": int(output), "stderr": int(output), "stream": 1}
        with self._translate():
            return self.api.attach_socket(container_id, params=params)

    def resize(self, container_id: str, height: int, width: int) -> None:
        with self._translate():
            self.api.resize(container_id, height=height, width=width)

    # -- images -----------------------------------------------------------------------------------------

    def image_id(self, name: str) -> str | None:
        try:
            if self.http:
                return str(self.http.call("GET", path_of("/images/{}/json", name), subject=name)["Id"])
            with self._translate(name):
                return str(self.api.inspect_image(name)["Id"])
        except errors.NotFound:
            return None

    def build(self, request: BuildRequest) -> Iterator[dict[str, Any]]:
        with self._translate(request.tag):
            stream = self.api.build(
                path=request.context, tag=request.tag, dockerfile=request.dockerfile, buildargs=dict(request.args),
                target=request.target, nocache=request.no_cache, pull=request.pull, rm=True, forcerm=True,
                decode=True,
            )
            yield from _checked(stream, errors.BuildError, "")

    def pull(self, image: str) -> Iterator[dict[str, Any]]:
        repo, tag = _split_image(image)
        with self._translate(f"pull {image}"):
            yield from _checked(self.api.pull(repo, tag=tag, stream=True, decode=True), errors.ImageNotFound,
                                f"pull {image}: ")

    def push(self, image: str) -> Iterator[dict[str, Any]]:
        repo, tag = _split_image(image)
        with self._translate(f"push {image}"):
            yield from _checked(self.api.push(repo, tag=tag, stream=True, decode=True), errors.BackendError,
                                f"push {image}: ")

    def remove_image(self, name: str) -> None:
        with self._translate(name):
            self.api.remove_image(name)

    # -- networks and volumes ---------------------------------------------------------------------------

    def network_exists(self, name: str) -> bool:
        try:
            if self.http:
                self.http.call("GET", path_of("/networks/{}", name), subject=f"network {name}")
                return True
            with self._translate(f"network {name}"):
                self.api.inspect_network(name)
                return True
        except errors.NotFound:
            return False

    def ensure_network(self, name: str, *, driver: str | None, internal: bool, labels: Mapping[str, str]) -> None:
        if self.network_exists(name):
            return
        with self._translate(f"network {name}"):
            self.api.create_network(name, driver=driver, internal=internal, labels=dict(labels),
                                    check_duplicate=True)

    def remove_network(self, name: str) -> None:
        with self._translate(f"network {name}"):
            self.api.remove_network(name)

    def volume_exists(self, name: str) -> bool:
        try:
            if self.http:
                self.http.call("GET", path_of("/volumes/{}", name), subject=f"volume {name}")
                return True
            with self._translate(f"volume {name}"):
                self.api.inspect_volume(name)
                return True
        except errors.NotFound:
            return False

    def ensure_volume(self, name: str, *, driver: str | None, labels: Mapping[str, str]) -> None:
        if not self.volume_exists(name):
            with self._translate(f"volume {name}"):
                self.api.create_volume(name, driver=driver, labels=dict(labels))

    def remove_volume(self, name: str) -> None:
        with self._translate(f"volume {name}"):
            self.api.remove_volume(name)

    # -- conversions ------------------------------------------------------------------------------------

    @staticmethod
    def _from_summary(c: dict[str, Any]) -> ContainerInfo:
        status = c.get("Status") or ""
        exit_match = _EXIT_RE.search(status)
        health = _HEALTH_RE.search(status)
        ports = tuple(
            PortBinding(p["PrivatePort"], p.get("Type", "tcp"), p.get("IP"), p.get("PublicPort"))
            for p in c.get("Ports") or ()
        )
        mounts = tuple(
            Mount(m["Destination"], m.get("Type", ""), m.get("Name"), m.get("Source"), not m.get("RW", True))
            for m in c.get("Mounts") or ()
        )
        return ContainerInfo(
            id=c["Id"], name=_own_name(c.get("Names") or []), image=c.get("Image", ""),
            image_id=c.get("ImageID", ""), labels=c.get("Labels") or {},
            state=ContainerState(c.get("State") or "created"), exit_code=int(exit_match[1]) if exit_match else 0,
            command=c.get("Command", ""), ports=ports, mounts=mounts,
            health=health[1].replace("health: ", "") if health else None, created=str(c.get("Created", "")),
            ip_addresses=_addresses(c.get("NetworkSettings")),
        )

    @staticmethod
    def _from_inspect(c: dict[str, Any]) -> ContainerInfo:
        state = c.get("State") or {}
        ports = []
        for key, bindings in ((c.get("NetworkSettings") or {}).get("Ports") or {}).items():
            number, _, proto = key.partition("/")
            for b in bindings or [None]:
                ports.append(PortBinding(int(number), proto, b and b.get("HostIp"),
                                         int(b["HostPort"]) if b and b.get("HostPort") else None))
        mounts = tuple(
            Mount(m["Destination"], m.get("Type", ""), m.get("Name"), m.get("Source"), not m.get("RW", True))
            for m in c.get("Mounts") or ()
        )
        config = c.get("Config") or {}
        command = " ".join((config.get("Entrypoint") or []) + (config.get("Cmd") or []))
        return ContainerInfo(
            id=c["Id"], name=c.get("Name", "").lstrip("/"), image=config.get("Image", ""), image_id=c.get("Image", ""),
            labels=config.get("Labels") or {}, state=ContainerState(state.get("Status", "created")),
            exit_code=int(state.get("ExitCode") or 0), command=command, ports=tuple(ports), mounts=mounts,
            health=(state.get("Health") or {}).get("Status"), created=c.get("Created", ""),
            ip_addresses=_addresses(c.get("NetworkSettings")), finished_at=state.get("FinishedAt") or "",
        )


def _addresses(settings: dict[str, Any] | None) -> tuple[str, ...]:
    settings = settings or {}
    found = [settings.get("IPAddress")] + [n.get("IPAddress") for n in (settings.get("Networks") or {}).values()]
    return tuple(dict.fromkeys(a for a in found if a))


def _unix_time(stamp: str) -> str:
    """RFC 3339 (as the engine writes it) to the "seconds.nanoseconds" form its API reads."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$", stamp)
    if not m:
        raise errors.BackendError(f"not a timestamp: {stamp!r}")
    zone = "+00:00" if m[3] == "Z" else m[3]
    seconds = int(datetime.datetime.fromisoformat(m[1] + zone).timestamp())
    return f"{seconds}.{(m[2] or '0')[:9].ljust(9, '0')}"


def _timestamped(lines: Iterator[LogLine]) -> Iterator[LogLine]:
    """Move the engine's leading timestamp of each line into LogLine.timestamp."""
    for line in lines:
        stamp, _, text = line.text.partition(" ")
        yield LogLine(text, line.stream, stamp)


def _host_config_extras(spec: ContainerSpec) -> dict[str, Any]:
    """create_host_config arguments for resources and isolation; unset values are left to the engine."""
    import docker.types

    extras: dict[str, Any] = {
        "devices": list(spec.devices) or None, "tmpfs": dict(spec.tmpfs) or None,
        "ulimits": [docker.types.Ulimit(name=n, soft=s, hard=h) for n, s, h in spec.ulimits] or None,
        "sysctls": dict(spec.sysctls) or None, "init": spec.init, "read_only": spec.read_only or None,
        "shm_size": spec.shm_size, "pid_mode": spec.pid_mode, "ipc_mode": spec.ipc_mode,
        "cpu_shares": spec.cpu_shares, "nano_cpus": spec.nano_cpus, "cpuset_cpus": spec.cpuset_cpus,
        "mem_reservation": spec.mem_reservation, "memswap_limit": spec.memswap_limit,
        "pids_limit": spec.pids_limit,
    }
    if spec.log_driver or spec.log_options:
        extras["log_config"] = docker.types.LogConfig(type=spec.log_driver or "", config=dict(spec.log_options))
    return {k: v for k, v in extras.items() if v is not None}


def _own_name(names: list[str]) -> str:
    """A container's own name: legacy links add `/linker/alias` names to the engine's list, in any order."""
    names = [n.lstrip("/") for n in names]
    return next((n for n in names if "/" not in n), names[0] if names else "")


def _split_image(image: str) -> tuple[str, str | None]:
    if "@" in image:
        return image, None
    name, _, tag = image.rpartition(":")
    if name and "/" not in tag:
        return name, tag
    return image, "latest"


def _frames(chunks: Iterator[bytes], tty: bool) -> Iterator[tuple[str, bytes]]:
    """(stream, data) pieces of an engine output stream: raw for a TTY, else 8-byte-header frames.
    A connection that drops ends the pieces, like a clean end of stream."""
    buffer = b""
    try:
        for chunk in chunks:
            if tty:
                yield "stdout", chunk
                continue
            buffer += chunk
            offset = 0
            run: list[bytes] = []  # consecutive frames of one stream go out as one piece
            run_kind = 0
            while len(buffer) - offset >= 8:
                kind, size = struct.unpack_from(">BxxxL", buffer, offset)
                if len(buffer) - offset < 8 + size:
                    break
                if run and kind != run_kind:
                    yield ("stderr" if run_kind == 2 else "stdout"), b"".join(run)
                    run = []
                run_kind = kind
                run.append(buffer[offset + 8:offset + 8 + size])
                offset += 8 + size
            if run:
                yield ("stderr" if run_kind == 2 else "stdout"), b"".join(run)
            buffer = buffer[offset:]
    except OSError:  # requests' ConnectionError and ChunkedEncodingError are OSErrors too
        return


def _split(pieces: Iterator[tuple[str, bytes]]) -> Iterator[LogLine]:
    """Whole lines per stream; a last line without a newline still counts."""
    pending = {"stdout": b"", "stderr": b""}
    for stream, data in pieces:
        data = pending[stream] + data
        if b"\n" not in data:
            pending[stream] = data
            continue
        *complete, pending[stream] = data.split(b"\n")
        for line in complete:
            yield LogLine(line.decode("utf-8", "replace") + "\n", stream)
    for stream, data in pending.items():
        if data:
            yield LogLine(data.decode("utf-8", "replace"), stream)


def _lines(response: Any, tty: bool) -> Iterator[LogLine]:
    try:
        yield from _split(_frames(response.iter_content(None), tty))
    finally:
        response.close()


def _received(sock: Any) -> Iterator[bytes]:
    try:
        while chunk := sock.recv(65536):
            yield chunk
    finally:
        sock.close()


def _checked(events: Iterator[dict[str, Any]], error: type[errors.FigError], prefix: str) -> Iterator[dict[str, Any]]:
    """Pass progress events on; an event that carries an error ends the stream with `error`."""
    for event in events:
        detail = event.get("errorDetail") or {}
        message = detail.get("message") or event.get("error")
        if message:
            raise error(f"{prefix}{str(message).strip()}")
        yield event
