"""Which Engine API version fig speaks to an engine, and which version brought what fig uses. No I/O here.

fig negotiates as the docker CLI and Compose v2 do: it learns the engine's newest version once per command (the
`Api-Version` header of `GET /_ping`, else `/version`) and speaks the lower of that and NEWEST. DOCKER_API_VERSION
pins a version instead, with no question asked. Docker 29 refuses versions below 1.44 (moby pull request 51186), so
a client that always spoke 1.41 stops working there.

The versions are the Engine API's version history (moby's api/docs/CHANGELOG.md, docs.docker.com/engine/api/
version-history) and each release's `api.DefaultVersion`:
  1.43 (Docker 24.0)  HostConfig.Annotations
  1.44 (Docker 25.0)  several EndpointsConfig entries at create, HealthConfig.StartInterval, a per-endpoint
                      MacAddress at create (Config.MacAddress deprecated)
  1.45 (Docker 26.0)  VolumeOptions.Subpath
  1.48 (Docker 28.0)  mounts of Type image (ImageOptions.Subpath), EndpointSettings.GwPriority, and the endpoint
                      driver option com.docker.network.endpoint.ifname (moby commit 56a7817, first in v28.0.0)
  1.52 (Docker 29.0)  Config.MacAddress is refused: fig sends a service's mac_address on its first endpoint from 1.44
NEWEST is the newest version whose changes fig's requests and its reading of answers were checked against (1.42
to 1.51: nothing fig sends or reads changed meaning; the top-level NetworkSettings addresses that 1.52 drops are
read from NetworkSettings.Networks as well).
"""

from __future__ import annotations

from collections.abc import Mapping

from fig import errors
from fig.patterns import pattern

OLDEST = "1.41"  # Docker 20.10: the oldest engine fig supports
NEWEST = "1.51"  # Docker 28.3

ANNOTATIONS = "1.43"
MULTI_NETWORK_CREATE = "1.44"
START_INTERVAL = "1.44"
ENDPOINT_MAC_ADDRESS = "1.44"
VOLUME_SUBPATH = "1.45"
IMAGE_MOUNT = "1.48"
GW_PRIORITY = "1.48"
INTERFACE_NAME = "1.48"

_RELEASES = {41: "20.10", 42: "23.0", 43: "24.0", 44: "25.0", 45: "26.0", 46: "27.0", 47: "27.3", 48: "28.0",
             49: "28.1", 50: "28.2", 51: "28.3", 52: "29.0", 53: "29.1"}
_VERSION = pattern(r"^1\.(\d+)$")


def minor(version: str) -> int:
    """41 for "1.41"; a version fig cannot read counts as the oldest it supports."""
    m = _VERSION.match(version.strip())
    return int(m[1]) if m else int(OLDEST[2:])


def at_least(version: str, wanted: str) -> bool:
    return minor(version) >= minor(wanted)


def docker_release(version: str) -> str:
    """The Docker release that brought an API version, e.g. "Docker 28.0" for 1.48 ("" when fig does not know)."""
    release = _RELEASES.get(minor(version))
    return f"Docker {release}" if release else ""


def pinned(environ: Mapping[str, str]) -> str | None:
    """The version DOCKER_API_VERSION pins (None: negotiate; `auto` as the docker SDK reads it)."""
    text = (environ.get("DOCKER_API_VERSION") or "").strip()
    if not text or text.lower() == "auto":
        return None
    if not _VERSION.match(text):
        raise errors.UserError(f"DOCKER_API_VERSION must be an Engine API version such as 1.45, not {text!r}")
    return text


def negotiate(engine: str | None, url: str) -> str:
    """The version to speak to an engine whose newest is `engine`: the lower of it and NEWEST. An engine older than
    fig supports is refused in one line (DOCKER_API_VERSION lets a user try it anyway)."""
    if not engine or not _VERSION.match(engine.strip()):
        raise errors.BackendError(f"The Docker engine at {url} did not say which Engine API version it speaks "
                                  "(set DOCKER_API_VERSION to choose one)")
    if minor(engine) < minor(OLDEST):
        release = docker_release(engine)
        raise errors.BackendError(
            f"The Docker engine at {url} speaks Engine API {engine.strip()}{f' ({release})' if release else ''}; fig "
            f"needs {OLDEST} ({docker_release(OLDEST)}) or newer: upgrade the engine (DOCKER_API_VERSION={engine.strip()}"
            " makes fig try it anyway)")
    return engine.strip() if minor(engine) < minor(NEWEST) else NEWEST
