"""ContainerBackend.build over the Engine API, a mixin of DockerBackend: the run's builder is chosen once
(fig.backend.builders), checked against what it cannot do, then given every request at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

from fig.errors import BuildError
from fig.logs import logger

if TYPE_CHECKING:  # the builders (subprocess, tarfile, HTTP/2 sessions) are loaded by a build, not by every command
    import socket

    from fig.backend.specs import BuildProgress, BuildRequest
    from fig.backend import builders

log = logger(__name__)


class BuildCalls:
    environ: Mapping[str, str]  # the environment the backend was made from
    engine_env: Mapping[str, str]  # DOCKER_HOST and TLS settings, as the docker CLI is to be given them

    def _post_build(self, params: Mapping[str, Any], body: IO[bytes] | None) -> Iterator[bytes]:
        raise NotImplementedError

    def _ping(self) -> Mapping[str, str]:
        """The engine's `_ping` answer headers, names in lowercase."""
        raise NotImplementedError

    def _context_files(self, root: str, ignored: list[str], dockerfile: str) -> Iterable[str]:
        raise NotImplementedError

    def _can_hijack(self) -> bool:
        """Whether a BuildKit session can be had (its connection taken over)."""
        raise NotImplementedError

    def _session_socket(self, headers: Sequence[tuple[str, str]]) -> socket.socket:
        raise NotImplementedError

    def image_id(self, name: str) -> str | None:
        raise NotImplementedError

    def builder(self, requests: Sequence[BuildRequest]) -> builders.Builder:
        """The builder of these requests (see fig.backend.builders), once it is known to be able to build them."""
        from fig.backend import builders
        from fig.backend.bake import Bake

        kind, buildx = builders.choose(self.environ, self._ping, requests,
                                       lambda found: Bake(found, self.engine_env).missing(requests))
        builders.check(requests, kind, session=self._can_hijack())
        if kind == builders.BAKE:
            assert buildx is not None
            return Bake(buildx, self.engine_env)
        from fig.backend.enginebuild import EngineBuild  # tar, the BuildKit session: not needed by a bake

        return EngineBuild(kind, self._post_build, self._context_files, self._session_socket)

    def build(self, requests: Sequence[BuildRequest], *,
              on_progress: BuildProgress | None = None) -> Mapping[str, str]:
        if not requests:
            return {}
        builder = self.builder(requests)
        builder.build(requests, on_progress)
        ids = {}
        for request in requests:
            image_id = self.image_id(request.tag)
            if not image_id:
                raise BuildError(f"the build finished but left no image {request.tag}", service=request.service)
            ids[request.service] = image_id
        return ids
