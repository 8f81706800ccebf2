"""`use_api_socket: true`: the container gets the engine's socket at /var/run/docker.sock and the user's registry
credentials as a docker CLI config at /run/secrets/docker/config.json, with DOCKER_CONFIG pointing there (unless
the service sets DOCKER_CONFIG itself), as Compose gives them (it mimics `docker run --use-api-socket`)."""

from __future__ import annotations

import io
import json
import time
from typing import TYPE_CHECKING

from fig.config.model import ServiceConfig
from fig.container import Container
from fig.records import replace

if TYPE_CHECKING:  # loaded by the commands that make or run something
    from fig.backend.specs import ContainerSpec

SOCKET = "/var/run/docker.sock"
CONFIG_DIR = "/run/secrets/docker"


def with_socket(spec: ContainerSpec, config: ServiceConfig, engine_socket: str) -> ContainerSpec:
    """The spec with the socket bound in (`engine_socket`: where it is on the engine's machine) and DOCKER_CONFIG."""
    if not config.use_api_socket:
        return spec
    environment = {"DOCKER_CONFIG": CONFIG_DIR, **spec.environment}
    return replace(spec, binds=[*spec.binds, f"{engine_socket}:{SOCKET}"], environment=environment)


def give_credentials(container: Container, config: ServiceConfig) -> None:
    """Copy the credentials into a created container, before it starts (through the engine, so a remote engine's
    containers get them too). The file is readable by any user of the container, as Compose writes it."""
    if not config.use_api_socket:
        return
    import tarfile  # only services with use_api_socket need it

    data = json.dumps({"auths": container.backend.registry_auths()}, indent="\t").encode()
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:  # the engine makes the missing directories (0755)
        entry = tarfile.TarInfo(f"{CONFIG_DIR.lstrip('/')}/config.json")
        entry.size, entry.mode, entry.mtime = len(data), 0o444, int(time.time())
        tar.addfile(entry, io.BytesIO(data))
    container.backend.put_archive(container.id, "/", archive.getvalue())
