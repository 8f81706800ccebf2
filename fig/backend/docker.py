"""DockerBackend: ContainerBackend over the Engine API. The only module that imports `docker`.

Every call is one request built from fig.backend.wire. On a unix socket it goes through fig.backend.unixhttp and
the SDK is never imported, except for build, pull and push; on TCP and TLS engines it goes through the SDK's
session, which knows their connection settings (fig.backend.transport)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

from fig import errors
from fig.backend import hostlock, streams, wire
from fig.backend.base import LIVE_STATES, ContainerInfo, ContainerState, EngineTraits, LogLine
from fig.backend.buildcalls import BuildCalls
from fig.backend.swarmcalls import SwarmCalls
from fig.backend.transport import EngineTransport, content
from fig.backend.unixhttp import path_of
from fig.logs import logger

if TYPE_CHECKING:
    import socket

    from fig.backend.answers import EngineEvent, ExecInfo, ImageInfo, PathStat, StatsSample
    from fig.backend.specs import ContainerSpec, ExecSpec, NetworkOptions

log = logger(__name__)


class DockerBackend(EngineTransport, SwarmCalls, BuildCalls):
    """ContainerBackend and SwarmBackend over the Engine API: each call one request through EngineTransport."""

    # -- containers -------------------------------------------------------------------------------------

    def list_containers(self, labels: Mapping[str, str], *, all: bool = False,
                        having: Sequence[str] = ()) -> list[ContainerInfo]:
        """Without `all`, the running, paused and restarting ones: Docker's running list, which costs the engine
        far less than every container where many stopped ones are kept. Podman's running list leaves paused ones
        out, so there (and where a pinned version means no ping tells which engine this is) every container is
        listed and the live ones kept."""
        filters = {"label": [f"{k}={v}" for k, v in labels.items()] + list(having)}
        every = all or self.pinned or "libpod-api-version" in self._ping()
        raw = self._call("GET", "/containers/json", {"all": int(every), "filters": json.dumps(filters)})
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
            return {k.lower(): v for k, v in response.headers.items()}, content(response)
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
        return content(response)

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
        if self.network_exists(name):  # the usual case, with no lock to take (nor tempfile to load)
            return
        with hostlock.held(self.url, f"network {name}"):
            if self.network_exists(name):  # made by another fig while this one waited
                return
            try:  # CheckDuplicate: the engine refuses a second network of the name when it sees the first
                self._call("POST", "/networks/create", subject=f"network {name}",
                           body=wire.network_body(name, driver, internal, labels, options))
            except errors.Conflict:
                log.debug("network %s was made at the same moment by another client of the engine", name)

    def remove_network(self, name: str) -> None:
        """Remove a network. Refused for its endpoints, the error says whose they are: containers that exist (joined
        to it from outside the project), or none, when dockerd still counts endpoints of containers it removed (seen
        on dockerd 20.10 after 300 were removed at once; they stay until the daemon restarts)."""
        try:
            self._call("DELETE", path_of("/networks/{}", name), subject=f"network {name}", reply=False)
        except errors.BackendError as e:
            if type(e) is not errors.BackendError or "active endpoints" not in str(e):
                raise
            holders = self._holders(name)
            if holders:
                raise errors.BackendError(f"network {name} is still used by {', '.join(holders)}: disconnect them "
                                          "from it, or remove them, first") from None
            raise errors.BackendError(
                f"network {name}: the Docker daemon still counts endpoints of containers it has removed, and refuses "
                "to remove the network until it restarts (fig uses the network again meanwhile)") from None

    def _holders(self, network: str) -> list[str]:
        """The names of the containers attached to `network` that exist."""
        try:
            attached = self._call("GET", path_of("/networks/{}", network), subject=f"network {network}")
        except errors.NotFound:
            return []
        return [str(endpoint.get("Name") or cid) for cid, endpoint in (attached.get("Containers") or {}).items()
                if self._exists(path_of("/containers/{}/json", cid), f"container {cid}")]

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
