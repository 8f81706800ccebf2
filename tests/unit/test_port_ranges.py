"""A range of host ports published to one container port ("6005-6015:80"): Compose v2 reads it and the engine binds
one free host port of the range. Read, printed as Compose v2 prints it, sent as one PortBinding, scalable up to the
size of the range; an exposed range is kept as written and exposes each of its ports."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from fig.backend import wire
from fig.backend.apiversion import NEWEST
from fig.config import load_project
from fig.config.model import PortSpec
from fig.config.render import render
from fig.errors import ConfigError, UserError
from fig.project import UpOptions
from fig.swarm.convert import Converter

RANGE = """\
    services:
      web:
        image: busybox
        ports: ["6005-6007:80", "127.0.0.1:7000-7002:81/udp", "8000-8001:90-91"]
        expose: ["3000-3002", "4000/udp"]
"""


def test_a_host_range_for_one_container_port_is_one_port():
    assert PortSpec.parse_many("6005-6015:80") == [PortSpec(80, 6005, host_end=6015)]
    (spec,) = PortSpec.parse_many("127.0.0.1:7000-7002:81/udp")
    assert (spec.host, spec.host_end, spec.host_ip, spec.protocol, spec.published) == \
        (7000, 7002, "127.0.0.1", "udp", "7000-7002")
    assert str(spec) == "127.0.0.1:7000-7002:81/udp" and str(PortSpec.parse("6005-6015:80")) == "6005-6015:80"
    assert PortSpec.parse_many("8000-8001:80-81") == [PortSpec(80, 8000), PortSpec(81, 8001)]  # as before


@pytest.mark.parametrize("text, problem", [
    ("6000:80-81", "maps a range to a single host port"),
    ("6000-6002:80-81", "host and container ranges of different sizes"),
    ("6010-6005:80", "is not a valid port"),
])
def test_ranges_that_do_not_fit_are_still_refused(text, problem):
    with pytest.raises(ConfigError, match=problem):
        PortSpec.parse_many(text)


def test_config_prints_the_range_as_compose_v2(load):
    config = load(RANGE)
    document = json.loads(render(config, format="json", long=True))
    ports = document["services"]["web"]["ports"]
    assert ports[0] == {"mode": "ingress", "target": 80, "published": "6005-6007", "protocol": "tcp"}
    assert ports[1] == {"mode": "ingress", "host_ip": "127.0.0.1", "target": 81, "published": "7000-7002",
                        "protocol": "udp"}
    assert [p["published"] for p in ports[2:]] == ["8000", "8001"]
    assert document["services"]["web"]["expose"] == ["3000-3002", "4000/udp"]
    assert "- 6005-6007:80" in render(config)  # the short form reads back to the same


def test_the_long_syntax_takes_a_published_range(load):
    config = load("services:\n  web:\n    image: busybox\n    ports:\n      - {target: 80, published: '6005-6007'}\n")
    assert config.service("web").ports == (PortSpec(80, 6005, host_end=6007),)


def test_the_engine_is_asked_for_the_range_and_each_exposed_port(project, backend):
    project(RANGE).up()
    body = wire.create_body(backend.specs()[0], NEWEST)
    bindings = body["HostConfig"]["PortBindings"]
    assert bindings["80/tcp"] == [{"HostIp": "", "HostPort": "6005-6007"}]
    assert bindings["81/udp"] == [{"HostIp": "127.0.0.1", "HostPort": "7000-7002"}]
    assert bindings["90/tcp"] == [{"HostIp": "", "HostPort": "8000"}]
    assert {"3000/tcp", "3001/tcp", "3002/tcp", "4000/udp", "80/tcp"} <= set(body["ExposedPorts"])


def test_a_range_scales_up_to_its_size_each_container_on_its_own_port(project, backend):
    p = project("services:\n  web:\n    image: busybox\n    ports: ['6005-6007:80']\n")
    p.up(options=UpOptions(scale={"web": 3}))
    assert sorted(c.port(80) or "" for c in p.containers()) == ["0.0.0.0:6005", "0.0.0.0:6006", "0.0.0.0:6007"]
    writes = len(backend.container_writes())
    with pytest.raises(UserError, match=r"Cannot scale service 'web' to 4: it publishes 6005-6007:80, whose 3 host "
                                        r"ports are fewer than its containers"):
        p.scale({"web": 4})
    assert len(backend.container_writes()) == writes


def test_two_services_may_publish_the_same_range(project, backend):
    p = project("services:\n  a: {image: busybox, ports: ['6005-6006:80']}\n"
                "  b: {image: busybox, ports: ['6005-6006:80']}\n")
    p.up()
    assert sorted(c.port(80) or "" for c in p.containers()) == ["0.0.0.0:6005", "0.0.0.0:6006"]


def test_the_hash_of_a_port_without_a_range_is_unchanged(load):
    """host_end is hashed only when set, so containers made before fig knew ranges are not recreated."""
    config = load("services:\n  a: {image: busybox, ports: ['8000:80']}\n  b: {image: busybox, ports: ['8000-8005:80']}\n")
    assert '"host_end"' not in config.service("a").config_json()
    assert '"host_end":8005' in config.service("b").config_json()


def test_deploy_refuses_a_range_in_one_line(tmp_path: Path):
    (tmp_path / "compose.yml").write_text(textwrap.dedent(RANGE).replace('"127.0.0.1:7000-7002:81/udp", ', ""))
    config = load_project(project_name="proj", environ={}, cwd=str(tmp_path), swarm=True)
    with pytest.raises(ConfigError, match=r"^service 'web': port 6005-6007:80 publishes a range of host ports, "
                                          r"which Swarm cannot"):
        Converter(config, "st").stack_spec(["web"])
