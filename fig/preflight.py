"""Before anything is written: what the configuration refers to outside the project must exist on the engine, and
the containers made together must not clash.

Only reads: the engine's API version (when a key needs a newer one than fig's oldest), containers named by
volumes_from, external_links and network_mode/pid/ipc `container:NAME`, a network named by network_mode, external
networks and volumes. A missing one (or an engine too old for a key) is one line naming the file, service and key,
so `up` or `run` never creates half a project before the engine refuses a container.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from fig.backend import apiversion
from fig.backend.base import ContainerBackend
from fig.config.model import PortSpec, ProjectConfig, ServiceConfig
from fig.errors import ConfigError, NotFound, UserError

_NETWORK_MODES = ("bridge", "host", "none", "default")
_ANY_ADDRESS = {"", "0.0.0.0", "::"}


def _references(service: ServiceConfig) -> Iterator[tuple[str, str, str]]:
    """(key, kind, name) of each thing outside the project the service refers to; kind is container or network."""
    for source in service.volumes_from:
        if source.is_container:
            yield "volumes_from", "container", source.source
    for link in service.external_links:
        yield "external_links", "container", link.target
    for key, mode in (("network_mode", service.network_mode), ("pid", service.pid), ("ipc", service.ipc)):
        kind, _, target = (mode or "").partition(":")
        if kind == "container":
            yield key, "container", target
        elif key == "network_mode" and mode and kind not in ("service", *_NETWORK_MODES):
            yield key, "network", mode


def _requirements(service: ServiceConfig, network_keys: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(what, API version) of each key of the service that needs a newer engine than fig's oldest, in the file's
    words: "'healthcheck' 'start_interval'", "'volumes' item 2 'type: image'"."""
    if service.annotations:
        yield "'annotations'", apiversion.ANNOTATIONS
    if service.healthcheck and service.healthcheck.start_interval is not None:
        yield "'healthcheck' 'start_interval'", apiversion.START_INTERVAL
    for index, volume in enumerate(service.volumes, 1):
        if volume.image:
            yield f"'volumes' item {index} 'type: image'", apiversion.IMAGE_MOUNT
        elif volume.subpath is not None:
            yield f"'volumes' item {index} 'volume.subpath'", apiversion.VOLUME_SUBPATH
    for ref in service.networks:
        for key, used, version in (("mac_address", ref.mac_address, apiversion.ENDPOINT_MAC_ADDRESS),
                                   ("gw_priority", ref.gw_priority is not None, apiversion.GW_PRIORITY),
                                   ("interface_name", ref.interface_name, apiversion.INTERFACE_NAME)):
            if used:
                yield f"'networks' '{network_keys.get(ref.name, ref.name)}' '{key}'", version


def check_engine_version(config: ProjectConfig, services: Sequence[ServiceConfig], backend: ContainerBackend) -> None:
    """Refuse, before anything is written, a key the engine's API version cannot carry (the engine is asked for its
    version only when a service uses such a key)."""
    shown = ", ".join(config.files) or "the configuration"
    network_keys = {n.name: n.key or n.name for n in config.networks}
    for service in services:
        for what, needed in _requirements(service, network_keys):
            spoken = backend.api_version()
            if not apiversion.at_least(spoken, needed):
                raise UserError(f"{shown}: service '{service.name}': {what} needs Docker Engine API {needed} "
                                f"({apiversion.docker_release(needed)}); this engine speaks {spoken}")


def _exists(backend: ContainerBackend, kind: str, name: str) -> bool:
    if kind == "network":
        return backend.network_exists(name)
    try:
        backend.inspect(name)
    except NotFound:
        return False
    return True


def check_unique(shown: str, services: Sequence[ServiceConfig]) -> None:
    """What only one container of those made together may have: a container name, and a host port (the engine
    would refuse the second container only after making the first)."""
    names: dict[str, str] = {}
    published: list[tuple[str, PortSpec]] = []  # (service, port) of each fixed host port so far
    for service in services:
        if service.container_name in names:
            raise UserError(f"{shown}: service '{service.name}': 'container_name' {service.container_name!r} is the "
                            f"container name of service '{names[service.container_name]}' too")
        if service.container_name:
            names[service.container_name] = service.name
        for port in (p for p in service.ports if p.host_count == 1):  # the engine picks a free port of a range
            for other, taken in published:
                addresses = {port.host_ip or "", taken.host_ip or ""}
                if (taken.host, taken.protocol) == (port.host, port.protocol) and \
                        (addresses & _ANY_ADDRESS or len(addresses) == 1) and \
                        (other != service.name or taken.container != port.container):
                    whose = "this service" if other == service.name else f"service '{other}'"
                    raise UserError(f"{shown}: service '{service.name}': 'ports' host port {port.host}/"
                                    f"{port.protocol} is published by {whose} already")
            published.append((service.name, port))


def check_references(config: ProjectConfig, services: Sequence[ServiceConfig], backend: ContainerBackend) -> None:
    """Raise for two containers made together that would clash, or for the first reference of `services`, or
    external network or volume of the project, that the engine does not have."""
    shown = ", ".join(config.files) or "the configuration"
    check_unique(shown, services)
    check_engine_version(config, services, backend)
    for service in services:
        for kind, mounts in (("secret", service.secrets), ("config", service.configs)):
            for mount in mounts:
                if mount.external:
                    raise UserError(f"{shown}: service '{service.name}': '{kind}s' item {mount.source!r} is an "
                                    f"external {kind} ({mount.external}), which only Swarm can give to a container: "
                                    "use `fig deploy`, or give it a 'file' or 'environment'")
                try:
                    mount.check_source(service.name, kind)
                except ConfigError as e:
                    raise ConfigError(f"{shown}: {e}") from None
        for key, kind, name in _references(service):
            if not _exists(backend, kind, name):
                raise NotFound(f"{shown}: service '{service.name}': '{key}' refers to {kind} {name!r}, which does not "
                               f"exist")
    used = {ref.name for s in config.services for ref in s.networks}
    for network in config.networks:
        if network.external and network.name in used and not backend.network_exists(network.name):
            raise NotFound(f"External network {network.name} not found: create it with docker network create")
    for volume in config.volumes:
        if volume.external and not backend.volume_exists(volume.name):
            raise NotFound(f"External volume {volume.name} not found: create it with docker volume create")
