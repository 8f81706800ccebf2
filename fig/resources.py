"""The project's networks and volumes, made before its containers: a mixin of Project, and the options each network
asks of the engine (which `fig deploy` asks too)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fig import labels as L
from fig.backend.base import ContainerBackend
from fig.config.model import NetworkConfig, ProjectConfig

if TYPE_CHECKING:
    from fig.backend.specs import NetworkOptions


def network_options(network: NetworkConfig) -> NetworkOptions:
    from fig.backend.specs import NetworkOptions

    ipam = network.ipam
    pools = [{"subnet": p.subnet, "ip_range": p.ip_range, "gateway": p.gateway, "aux_addresses": dict(p.aux_addresses)}
             for p in (ipam.pools if ipam else ())]
    return NetworkOptions(dict(network.driver_opts), network.attachable, network.enable_ipv6,
                          ipam.driver if ipam else None, pools, dict(ipam.options) if ipam else {})


class ProjectResources:
    config: ProjectConfig
    backend: ContainerBackend
    name: str

    def ensure_resources(self) -> None:
        """Make the declared volumes and the networks that services use (docker compose, too, leaves a declared
        network no service joins alone); external ones are checked by `check`."""
        from fig import __version__

        resource_labels = L.project_labels(self.name, __version__)
        used_networks = {ref.name for s in self.config.services for ref in s.networks}
        used_networks.update(n.name for n in self.own_network())
        for network in (n for n in self.networks() if n.name in used_networks):
            if network.external:
                continue
            self.backend.ensure_network(network.name, driver=network.driver, internal=network.internal,
                                        labels={**dict(network.labels), **resource_labels,
                                                L.LABEL_NETWORK: network.key or network.name},
                                        options=network_options(network))
        for volume in self.config.volumes:
            if volume.external:
                continue
            self.backend.ensure_volume(volume.name, driver=volume.driver,
                                       labels={**dict(volume.labels), **resource_labels,
                                               L.LABEL_VOLUME: volume.key or volume.name},
                                       driver_opts=dict(volume.driver_opts))

    def own_network(self) -> list[NetworkConfig]:
        """A Fig-format project on an engine without links (Podman) runs on a network of its own, where fig gives
        what links give (specs.SpecBuilder.linkless_wiring)."""
        if self.config.legacy and not self.backend.traits().links:
            return [NetworkConfig(L.default_network(self.name), key="default")]
        return []

    def networks(self) -> list[NetworkConfig]:
        return [*self.config.networks, *self.own_network()]
