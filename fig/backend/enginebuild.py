"""Builds through the engine's own builders: its BuildKit (`POST /build?version=2`) or the classic builder
(`POST /build`). The context goes as a GNU tar (BuildKit does not read Python's default PAX tar on this path), a git
URL as `remote`; the services of a run build side by side, each a request of its own."""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

from fig.backend import solvestatus, streams
from fig.backend.specs import BuildProgress, BuildRequest
from fig.backend.builders import BUILDKIT
from fig.backend.progress import Splitter, failure
from fig.backend.session import Session
from fig.config.model import is_remote
from fig.errors import BuildError, FigError
from fig.logs import logger
from fig.patterns import pattern

log = logger(__name__)

_STEP = pattern(r"^(?:Step|STEP) (\d+/\d+) ?: (.*)")
_SPOOL = 16 << 20  # bytes of a context kept in memory before it spills to a temporary file
PARALLEL = 4  # builds at a time
# POST /build's query and its tar body (None for a remote context), and the chunks of the answer
Post = Callable[[Mapping[str, Any], IO[bytes] | None], Iterator[bytes]]
# The files of a context that .dockerignore lets in (relative paths), the Dockerfile always among them
Select = Callable[[str, list[str], str], Iterable[str]]


def _params(r: BuildRequest, kind: str, dockerfile: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "t": list(r.tags), "dockerfile": dockerfile, "buildargs": json.dumps(dict(r.args)) if r.args else None,
        "target": r.target, "nocache": 1 if r.no_cache else None, "pull": 1 if r.pull else None,
        "labels": json.dumps(dict(r.labels)) if r.labels else None, "shmsize": r.shm_size,
        "networkmode": r.network, "extrahosts": list(r.extra_hosts) or None,
        "platform": r.platforms[0] if r.platforms else None, "isolation": r.isolation,
        "cachefrom": json.dumps([c.removeprefix("type=registry,ref=") for c in r.cache_from]) if r.cache_from else None,
        "ulimits": json.dumps([{"Name": n, "Soft": s, "Hard": h} for n, s, h in r.ulimits]) if r.ulimits else None,
        "remote": r.context if is_remote(r.context) else None,
    }
    params.update({"rm": 1, "forcerm": 1})  # BuildKit has nothing to remove; Podman's Buildah keeps a failed step's
    if kind == BUILDKIT:  # container without them
        params["version"] = "2"
    return params


def _ignored(context: str) -> list[str]:
    try:
        with open(os.path.join(context, ".dockerignore"), encoding="utf-8") as f:
            return [line.strip() for line in f.read().splitlines() if line.strip() and not line.startswith("#")]
    except FileNotFoundError:
        return []


def archive(r: BuildRequest, select: Select) -> tuple[IO[bytes], str]:
    """The context as a GNU tar, and the Dockerfile's name in it (an inline one, or one outside the context, is
    added under a name of its own)."""
    root = os.path.abspath(r.context)
    inline = r.dockerfile_inline
    name = r.dockerfile or "Dockerfile"
    outside = os.path.relpath(os.path.join(root, name), root)
    if inline is None and (outside.startswith("..") or os.path.isabs(outside)):
        with open(os.path.join(root, name), encoding="utf-8") as f:
            inline = f.read()
    if inline is not None:
        name = f".fig-dockerfile-{r.service}"
    spool = tempfile.SpooledTemporaryFile(_SPOOL)
    with tarfile.open(fileobj=spool, mode="w", format=tarfile.GNU_FORMAT, dereference=False) as tar:
        for path in sorted(select(root, _ignored(root), name if inline is None else "Dockerfile")):
            tar.add(os.path.join(root, path), arcname=path, recursive=False)
        if inline is not None:
            data = inline.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    spool.seek(0)
    return spool, name


def _session(r: BuildRequest) -> Session:
    """The session that gives a build its secrets (read now) and ssh agents (sockets here)."""
    secrets = {}
    for secret in r.secrets:
        if secret.file is None:
            secrets[secret.id] = (secret.value or "").encode()
            continue
        try:
            with open(secret.file, "rb") as f:
                secrets[secret.id] = f.read()
        except OSError as e:
            raise BuildError(f"cannot read the file of secret '{secret.id}': {e.strerror}: {secret.file}",
                             service=r.service) from e
    agents = {}
    for item in r.ssh:
        ident, _, path = item.partition("=")
        path = path or os.environ.get("SSH_AUTH_SOCK", "")
        if not path:
            raise BuildError("ssh 'default' is the agent of SSH_AUTH_SOCK, which is not set", service=r.service)
        agents[ident] = path
    return Session(secrets, agents)


class EngineBuild:
    def __init__(self, kind: str, post: Post, select: Select,
                 hijack: Callable[[Sequence[tuple[str, str]]], socket.socket]) -> None:
        """`hijack(headers)`: the connection of POST /session, taken over (for secrets and ssh)."""
        self.kind, self.post, self.select, self.hijack = kind, post, select, hijack

    def build(self, requests: Sequence[BuildRequest], on_progress: BuildProgress | None) -> None:
        log.debug("building %s with %s", ", ".join(r.service for r in requests), self.kind)
        errors: list[FigError] = []
        gate = threading.Semaphore(PARALLEL)

        def one(request: BuildRequest) -> None:
            with gate:
                if errors:
                    return
                try:
                    self._build(request, on_progress)
                except FigError as e:
                    errors.append(e)

        threads = [threading.Thread(target=one, args=(r,), daemon=True) for r in requests[1:]]
        for thread in threads:
            thread.start()
        one(requests[0])
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]

    def _build(self, r: BuildRequest, on_progress: BuildProgress | None) -> None:
        body: IO[bytes] | None = None
        dockerfile = r.dockerfile
        if not is_remote(r.context):
            try:
                body, dockerfile = archive(r, self.select)
            except OSError as e:
                raise BuildError(f"cannot read the build context: {e.strerror}: {e.filename}", service=r.service) \
                    from e
        params = _params(r, self.kind, dockerfile)
        session = _session(r) if r.secrets or r.ssh else None
        with body or io.BytesIO():
            try:
                if session:
                    session.serve(self.hijack(session.headers()))
                    params["session"] = session.id
                self._send(r, params, body, on_progress)
            finally:
                if session:
                    session.close()

    def _send(self, r: BuildRequest, params: Mapping[str, Any], body: IO[bytes] | None,
              on_progress: BuildProgress | None) -> None:
        splitter = Splitter(None, on_progress, service=r.service)
        step, said = "", []
        for event in streams.json_lines(self.post(params, body)):
            if event.get("id") == "moby.buildkit.trace" and isinstance(event.get("aux"), str):
                splitter.feed(solvestatus.decode(event["aux"]))
            elif event.get("errorDetail") or event.get("error"):
                said.append(str((event.get("errorDetail") or {}).get("message") or event.get("error")))
            elif "stream" in event:
                text = str(event["stream"])
                if m := _STEP.match(text):  # Docker's "Step 3/3 : RUN exit 3", Buildah's (Podman) "STEP 3/3: RUN ..."
                    step = f"Step {m[1]} : {m[2].strip()}"
                if on_progress:
                    on_progress(r.service, {"stream": text})
        if said:
            error = failure(splitter, said, [r.service])
            if not error.step and step:
                error.step = step.replace(" : ", " (", 1) + ")"
            raise error
