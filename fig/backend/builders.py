"""Which builder builds a run's images, chosen here and only here, and what each one cannot do.

- buildx bake (`docker buildx bake`, all services in one call) where the docker CLI and its buildx plugin are found
  (not on Podman: buildx cannot reach its builder, Buildah);
- else the engine's BuildKit (`POST /build?version=2`; secrets and ssh agents through fig.backend.session);
- the classic builder (`POST /build`) where DOCKER_BUILDKIT=0, or where the engine says it has no BuildKit.

Each refuses, before anything is built, what it cannot honour: one line naming the service and the key (or the
Dockerfile instruction)."""

from __future__ import annotations

import os
import re
import shutil
import stat
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from fig.backend.specs import BuildProgress, BuildRequest
from fig.config.model import is_remote
from fig.errors import UserError
from fig.logs import logger
from fig.patterns import pattern
from fig.records import record

log = logger(__name__)

BAKE, BUILDKIT, CLASSIC = "buildx bake", "the engine's BuildKit", "the classic builder"
# Where the docker CLI looks for plugins after $DOCKER_CONFIG/cli-plugins (or ~/.docker/cli-plugins)
SYSTEM_PLUGIN_DIRS = ("/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins",
                      "/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins")
_FALSE = ("0", "false", "f", "no", "off")


class Builder(Protocol):
    kind: str  # BAKE, BUILDKIT or CLASSIC

    def build(self, requests: Sequence[BuildRequest], on_progress: BuildProgress | None) -> None: ...


@record(frozen=True)
class Buildx:
    docker: str  # the docker CLI
    plugin: str  # its buildx plugin


def plugin_dirs(environ: Mapping[str, str]) -> list[str]:
    config = environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    return [os.path.join(config, "cli-plugins"), *SYSTEM_PLUGIN_DIRS]


def find_buildx(environ: Mapping[str, str]) -> Buildx | None:
    """The docker CLI on PATH and the buildx plugin where that CLI looks for it, or None."""
    docker = shutil.which("docker", path=environ.get("PATH", os.defpath))
    if docker is None:
        return None
    for directory in plugin_dirs(environ):
        plugin = os.path.join(directory, "docker-buildx")
        if os.path.isfile(plugin) and os.access(plugin, os.X_OK):
            return Buildx(docker, plugin)
    return None


def buildkit_wanted(environ: Mapping[str, str]) -> bool | None:
    """DOCKER_BUILDKIT's say: False for 0/false, True for 1/true, None when unset."""
    value = environ.get("DOCKER_BUILDKIT", "").strip().lower()
    if not value:
        return None
    return value not in _FALSE


def choose(environ: Mapping[str, str], ping: Callable[[], Mapping[str, str]], requests: Sequence[BuildRequest],
           bake_misses: Callable[[Buildx], list[tuple[str, str]]]) -> tuple[str, Buildx | None]:
    """The builder of a run, and the buildx that bake would use. `ping` gives the engine's `_ping` headers
    (lowercase names); `bake_misses` what a buildx's bake would drop of these requests: (service, key)."""
    wanted = buildkit_wanted(environ)
    if wanted is False:
        return CLASSIC, None
    headers = ping()
    if "libpod-api-version" in headers:  # Podman: buildx cannot reach its builder (Buildah), which /build runs
        return BUILDKIT, None
    buildx = find_buildx(environ)
    if buildx is not None:
        missed = bake_misses(buildx)
        if not missed:
            return BAKE, buildx
        log.info("Service '%s': this buildx's bake cannot set build key '%s': building with %s instead",
                 *missed[0], BUILDKIT)
        return BUILDKIT, None
    engine_has_buildkit = headers.get("ostype", "linux") != "windows" and headers.get("builder-version") != "1"
    return (BUILDKIT if engine_has_buildkit or wanted else CLASSIC), None


# -- what each builder cannot do --------------------------------------------------------------------------------

_NEEDS_BUILDKIT = pattern(
    r"^\s*(?:(?P<run>RUN)\s+(?P<runflag>--(?:mount|network|security))"
    r"|(?P<copy>COPY|ADD)\s+(?:--[a-z-]+(?:=\S+)?\s+)*(?P<copyflag>--(?:chmod|link|parents))"
    r"|(?P<doc>RUN|COPY|ADD)\s.*(?P<heredoc><<)-?[\"']?[A-Za-z_])", re.IGNORECASE | re.MULTILINE)


def dockerfile_text(request: BuildRequest) -> str | None:
    """The Dockerfile of a request when it is here to read (inline, or a file of a directory context)."""
    if request.dockerfile_inline is not None:
        return request.dockerfile_inline
    if is_remote(request.context):
        return None
    path = os.path.join(request.context, request.dockerfile or "Dockerfile")
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None  # the builder says it is missing, as it says everything about the Dockerfile


def _keys_refused(request: BuildRequest, kind: str, session: bool) -> list[str]:
    """The keys of a request that builder `kind` cannot honour (with a word on why, after a colon)."""
    refused = []
    if kind in (BUILDKIT, CLASSIC):
        if request.additional_contexts:
            refused.append("additional_contexts")
        if request.cache_to:
            refused.append("cache_to")
        if len(request.platforms) > 1:
            refused.append("platforms (more than one)")
        if "security.insecure" in request.entitlements or request.privileged:
            refused.append("privileged" if request.privileged else "entitlements (security.insecure)")
        if any("type=" in c and "type=registry" not in c for c in request.cache_from):
            refused.append("cache_from (a cache other than an image)")
        if request.dockerfile_inline is not None and is_remote(request.context):
            refused.append("dockerfile_inline (with a git context)")
    if kind == CLASSIC or (kind == BUILDKIT and not session):
        refused += [key for key in ("secrets", "ssh") if getattr(request, key)]
    elif kind == BUILDKIT and any("=" in s and not _is_socket(s.partition("=")[2]) for s in request.ssh):
        refused.append("ssh (a key file rather than an agent's socket)")
    return refused


def _is_socket(path: str) -> bool:
    try:
        return stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        return False


def check(requests: Sequence[BuildRequest], kind: str, *, session: bool = True) -> None:
    """Refuse, before anything is built, what builder `kind` cannot do; one line naming service and key."""
    for request in requests:
        refused = _keys_refused(request, kind, session)
        if refused:
            key = refused[0]
            how = "buildx (the docker CLI's plugin)" if kind == BUILDKIT or key in ("secrets", "ssh") and not session \
                else "BuildKit"
            local = " (fig serves them to the engine's BuildKit on a unix socket only)" \
                if kind == BUILDKIT and key in ("secrets", "ssh") else ""
            raise UserError(f"Service '{request.service}': build key '{key}' needs {how}{local}, and {kind} builds "
                            f"this run{_hint(kind)}")
        if kind == CLASSIC:
            text = dockerfile_text(request) or ""
            m = _NEEDS_BUILDKIT.search(text)
            if m:
                line = text.count("\n", 0, m.start(next(g for g in ("run", "copy", "doc") if m[g]))) + 1
                instruction = " ".join(p for p in m.group("run", "runflag", "copy", "copyflag", "doc") if p)
                what = f"'{instruction} <<' (a heredoc)" if m["heredoc"] else f"'{instruction}'"
                raise UserError(f"Service '{request.service}': the Dockerfile's {what} (line {line}) needs "
                                f"BuildKit, and {kind} builds this run{_hint(kind)}")


def _hint(kind: str) -> str:
    if kind == CLASSIC:
        return " (DOCKER_BUILDKIT=0, or an engine without BuildKit)"
    return " (no docker CLI with the buildx plugin was found)"
