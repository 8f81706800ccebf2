"""A static `ipv6_address` on a service's network: read, checked, printed by config as Compose v2 prints it, hashed
like ipv4_address, and sent as the endpoint's IPAMConfig.IPv6Address."""

from __future__ import annotations

import json

import pytest

from fig.backend import wire
from fig.backend.apiversion import NEWEST
from fig.config.render import render
from fig.errors import ConfigError

DUAL = """\
    services:
      web:
        image: busybox
        networks:
          dual: {ipv4_address: 172.28.0.5, ipv6_address: "2001:db8::5"}
    networks:
      dual:
        enable_ipv6: true
        ipam:
          config: [{subnet: 172.28.0.0/16}, {subnet: "2001:db8::/64"}]
"""


def test_config_prints_it_beside_ipv4_address(load):
    document = json.loads(render(load(DUAL), format="json", long=True))
    assert document["services"]["web"]["networks"] == {"dual": {"ipv4_address": "172.28.0.5",
                                                                "ipv6_address": "2001:db8::5"}}
    assert "ipv6_address: 2001:db8::5" in render(load(DUAL))


def test_the_endpoint_asks_for_both_addresses(project, backend):
    project(DUAL).up()
    endpoints = wire.create_body(backend.specs()[0], NEWEST)["NetworkingConfig"]["EndpointsConfig"]
    assert endpoints["figtest_dual"]["IPAMConfig"] == {"IPv4Address": "172.28.0.5", "IPv6Address": "2001:db8::5"}


def test_it_is_hashed_only_when_set(load):
    with_it = load(DUAL).service("web")
    without = load(DUAL.replace(', ipv6_address: "2001:db8::5"', "")).service("web")
    other = load(DUAL.replace("2001:db8::5", "2001:db8::6")).service("web")
    assert len({with_it.config_hash("i"), without.config_hash("i"), other.config_hash("i")}) == 3
    assert "ipv6_address" not in without.config_json()  # the hash of a fig that did not know the key


@pytest.mark.parametrize("value", ["172.28.0.5", "not-an-address", "2001:db8::zz"])
def test_what_is_not_an_ipv6_address_is_refused_in_one_line(load, value):
    with pytest.raises(ConfigError, match=rf"^fig.yml:\d+: service 'web': 'networks' dual: ipv6_address "
                                          rf"'{value}' is not an IPv6 address$"):
        load(DUAL.replace("2001:db8::5", value))


def test_ipv4_address_still_wants_ipv4(load):
    with pytest.raises(ConfigError, match="ipv4_address '2001:db8::7' is not an IPv4 address"):
        load(DUAL.replace("172.28.0.5", '"2001:db8::7"'))
