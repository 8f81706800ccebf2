"""The keys that need a newer Engine API than 1.41: read from the file (with their mistakes), printed by `config`,
sent as the engine's version allows, and refused in one line before any write where the engine is too old."""

from __future__ import annotations

import pytest

from fig.backend import wire
from fig.backend.specs import ContainerSpec, EndpointSpec, MountSpec
from fig.config.model import NetworkRef, VolumeSpec
from fig.config.render import as_document, render
from fig.errors import ConfigError, UserError

FILE = """\
services:
  web:
    image: busybox
    annotations: {com.example.team: web, com.example.tier: "1"}
    mac_address: "02:42:ac:11:00:09"
    healthcheck: {test: [CMD, "true"], interval: 30s, start_period: 20s, start_interval: 2s}
    networks:
      front:
        mac_address: "02:42:ac:11:00:09"
        gw_priority: 10
        interface_name: front0
      back:
        driver_opts: {com.docker.network.endpoint.sysctls: "net.ipv4.conf.IFNAME.log_martians=1"}
    volumes:
      - {type: volume, source: data, target: /data, volume: {subpath: sub/dir}}
      - {type: image, source: "busybox:latest", target: /img, read_only: true, image: {subpath: bin}}
networks: {front: {}, back: {}}
volumes: {data: {}}
"""


def test_every_key_is_read(load):
    web = load(FILE).service("web")
    assert web.annotations == (("com.example.team", "web"), ("com.example.tier", "1"))
    assert web.healthcheck.start_interval == 2.0
    front, back = web.networks
    assert front == NetworkRef("figtest_front", mac_address="02:42:ac:11:00:09", gw_priority=10,
                               interface_name="front0")
    assert back.driver_opts == (("com.docker.network.endpoint.sysctls", "net.ipv4.conf.IFNAME.log_martians=1"),)
    assert web.volumes == (VolumeSpec("/data", "figtest_data", "rw", "sub/dir"),
                           VolumeSpec("/img", "busybox:latest", "ro", "bin", image=True))


def test_annotations_as_a_list(load):
    web = load("services:\n  web:\n    image: busybox\n    annotations: [a=1, b=two]\n").service("web")
    assert web.annotations == (("a", "1"), ("b", "two"))


@pytest.mark.parametrize("item,problem", [
    ("{type: volume, source: data, target: /d, volume: {subpath: /abs}}", "subpath '/abs', which must be a relative"),
    ("{type: volume, source: data, target: /d, volume: {subpath: ../up}}", "subpath '../up', which must be a relative"),
    ("{type: volume, target: /d, volume: {subpath: x}}", "has a 'subpath' but no 'source'"),
    ("{type: image, target: /d}", "is an image mount without a 'source'"),
    ("{type: image, source: busybox, target: /d, volume: {nocopy: true}}", "options of another mount type"),
    ("{type: bind, source: ./x, target: /d, bind: {subpath: x}}", "uses bind option 'subpath: x'"),
])
def test_volume_mistakes_are_one_line(load, item, problem):
    with pytest.raises(ConfigError, match=r"^fig\.yml:5: service 'web': 'volumes' item .*" + problem):
        load(f"services:\n  web:\n    image: busybox\n    volumes:\n      - {item}\nvolumes: {{data: {{}}}}\n")


@pytest.mark.parametrize("options,problem", [
    ("{mac_address: nope}", "front: mac_address 'nope' is not a MAC address"),
    ("{interface_name: a/b}", "front: interface_name 'a/b' is not a network interface name"),
    ("{interface_name: much-too-long-name}", "front: interface_name 'much-too-long-name' is not a network"),
    ("{interface_name: eth1, driver_opts: {com.docker.network.endpoint.ifname: eth2}}",
     "front: interface_name 'eth1' contradicts driver_opts com.docker.network.endpoint.ifname='eth2'"),
    ("{gw_priority: high}", "gw_priority"),
])
def test_network_mistakes_are_one_line(load, options, problem):
    with pytest.raises(ConfigError, match=r"^fig\.yml:\d+: service 'web': .*" + problem):
        load(f"services:\n  web:\n    image: busybox\n    networks:\n      front: {options}\nnetworks: {{front: {{}}}}\n")


def test_a_service_mac_address_must_agree_with_its_first_networks(load):
    with pytest.raises(ConfigError, match=r"^fig\.yml:\d+: service 'web': 'mac_address' '02:42:ac:11:00:01' differs "
                                          r"from the 'mac_address' the service sets on its first network, "
                                          r"'02:42:ac:11:00:02'$"):
        load('services:\n  web:\n    image: busybox\n    mac_address: "02:42:ac:11:00:01"\n    networks:\n'
             '      front: {mac_address: "02:42:ac:11:00:02"}\nnetworks: {front: {}}\n')


def test_config_prints_them_in_composes_normal_form(load):
    doc = as_document(load(FILE), long=True)
    web = doc["services"]["web"]
    assert web["annotations"] == {"com.example.team": "web", "com.example.tier": "1"}
    assert web["healthcheck"]["start_interval"] == "2s"
    assert web["networks"] == {
        "front": {"mac_address": "02:42:ac:11:00:09", "gw_priority": 10, "interface_name": "front0"},
        "back": {"driver_opts": {"com.docker.network.endpoint.sysctls": "net.ipv4.conf.IFNAME.log_martians=1"}}}
    assert web["volumes"] == [
        {"type": "volume", "source": "data", "target": "/data", "volume": {"subpath": "sub/dir"}},
        {"type": "image", "source": "busybox:latest", "target": "/img", "read_only": True,
         "image": {"subpath": "bin"}}]
    assert "busybox:latest" not in doc["volumes"]  # an image is not a volume to declare


@pytest.mark.parametrize("long", [True, False], ids=["config", "convert"])
def test_what_config_prints_reads_back_as_the_same_project(load, write, long):
    first = load(FILE)
    write("again.yml", render(first, long=long))
    again = load(files=("again.yml",))
    assert again.service("web") == first.service("web")


NETWORKED = ContainerSpec(
    name="p_web_1", image="busybox", labels={}, mac_address="02:42:ac:11:00:09",
    healthcheck={"test": ["CMD", "true"], "start_period": 20 * 10**9, "start_interval": 2 * 10**9},
    networks=[EndpointSpec("p_front", ("web",), gw_priority=10, driver_opts={"com.docker.network.endpoint.ifname": "f0"}),
              EndpointSpec("p_back", ("web",), mac_address="02:42:ac:11:00:0a")],
    annotations={"com.example.team": "web"},
    mounts=[MountSpec("volume", "p_data", "/data", subpath="sub/dir", nocopy=True),
            MountSpec("image", "busybox:latest", "/img", read_only=True, subpath="bin")],
)


def test_from_144_every_network_is_joined_at_create_and_the_mac_address_is_the_first_endpoints():
    body = wire.create_body(NETWORKED, "1.45")
    assert body["HostConfig"]["NetworkMode"] == "p_front" and "MacAddress" not in body
    assert body["NetworkingConfig"] == {"EndpointsConfig": {
        "p_front": {"Aliases": ["web"], "MacAddress": "02:42:ac:11:00:09", "GwPriority": 10,
                    "DriverOpts": {"com.docker.network.endpoint.ifname": "f0"}},
        "p_back": {"Aliases": ["web"], "MacAddress": "02:42:ac:11:00:0a"}}}
    assert body["Healthcheck"]["StartInterval"] == 2 * 10**9
    assert wire.created_networks(NETWORKED, "1.44") == NETWORKED.networks


def test_before_144_one_network_at_create_and_the_mac_address_is_the_containers():
    body = wire.create_body(NETWORKED, "1.41")
    assert list(body["NetworkingConfig"]["EndpointsConfig"]) == ["p_front"]
    assert body["MacAddress"] == "02:42:ac:11:00:09"
    assert [e.network for e in wire.created_networks(NETWORKED, "1.43")] == ["p_front"]


def test_mounts_and_annotations_go_in_the_host_config():
    host = wire.create_body(NETWORKED, "1.48")["HostConfig"]
    assert host["Annotations"] == {"com.example.team": "web"}
    assert host["Mounts"] == [
        {"Type": "volume", "Source": "p_data", "Target": "/data", "VolumeOptions": {"Subpath": "sub/dir", "NoCopy": True}},
        {"Type": "image", "Source": "busybox:latest", "Target": "/img", "ReadOnly": True,
         "ImageOptions": {"Subpath": "bin"}}]


def test_the_service_becomes_that_spec(project, backend):
    backend.add_image("busybox:latest")
    proj = project(FILE)
    proj.up(["web"])
    (spec,) = backend.specs()
    assert spec.annotations == {"com.example.team": "web", "com.example.tier": "1"}
    assert spec.healthcheck["start_interval"] == 2 * 10**9
    assert [(e.network, e.mac_address, e.gw_priority, dict(e.driver_opts)) for e in spec.networks] == [
        ("figtest_front", "02:42:ac:11:00:09", 10, {"com.docker.network.endpoint.ifname": "front0"}),
        ("figtest_back", None, None, {"com.docker.network.endpoint.sysctls": "net.ipv4.conf.IFNAME.log_martians=1"})]
    assert list(spec.mounts) == [MountSpec("volume", "figtest_data", "/data", False, "sub/dir"),
                                 MountSpec("image", "busybox:latest", "/img", True, "bin")]
    assert not any(b.endswith(":/data:rw") or ":/img:" in b for b in spec.binds)


REFUSALS = [
    ("annotations: {a: b}", "'annotations' needs Docker Engine API 1.43 (Docker 24.0)", "1.42"),
    ("healthcheck: {test: [CMD, 'true'], start_interval: 1s}",
     "'healthcheck' 'start_interval' needs Docker Engine API 1.44 (Docker 25.0)", "1.43"),
    ("networks: {front: {mac_address: '02:42:ac:11:00:09'}}",
     "'networks' 'front' 'mac_address' needs Docker Engine API 1.44 (Docker 25.0)", "1.43"),
    ("networks: {front: {gw_priority: 1}}", "'networks' 'front' 'gw_priority' needs Docker Engine API 1.48 (Docker 28.0)",
     "1.47"),
    ("networks: {front: {interface_name: f0}}",
     "'networks' 'front' 'interface_name' needs Docker Engine API 1.48 (Docker 28.0)", "1.47"),
    ("volumes: [{type: volume, source: data, target: /d, volume: {subpath: x}}]",
     "'volumes' item 1 'volume.subpath' needs Docker Engine API 1.45 (Docker 26.0)", "1.44"),
    ("volumes: [/x, {type: image, source: busybox, target: /d}]",
     "'volumes' item 2 'type: image' needs Docker Engine API 1.48 (Docker 28.0)", "1.47"),
]


@pytest.mark.parametrize("key,message,older", REFUSALS, ids=[r[1].split(" needs")[0] for r in REFUSALS])
def test_an_engine_too_old_for_a_key_is_one_line_before_any_write(project, backend, key, message, older):
    text = (f"services:\n  web:\n    image: busybox\n    {key}\n  db:\n    image: busybox\n"
            "networks: {front: {}}\nvolumes: {data: {}}\n")
    backend.version = "1.41"
    with pytest.raises(UserError) as caught:
        project(text).up()
    assert str(caught.value) == f"fig.yml: service 'web': {message}; this engine speaks 1.41"
    assert backend.writes() == []
    backend.version = older  # the version before the one it needs is refused too ...
    with pytest.raises(UserError, match=f"this engine speaks {older}$"):
        project(text).up()
    backend.version = message.split("API ")[1].split(" ")[0]  # ... and the one it names is enough
    project(text).up()
    assert backend.container_writes()


def test_the_version_is_asked_only_when_a_key_needs_it(project, backend, monkeypatch):
    monkeypatch.setattr(backend, "api_version", lambda: pytest.fail("asked for the version"))
    project("services:\n  web:\n    image: busybox\n    healthcheck: {test: [CMD, 'true'], interval: 1s}\n").up()


def test_an_image_a_volume_mounts_is_pulled_when_missing(load):
    from fig.project import Project
    from tests.fakes import FakeBackend

    backend = FakeBackend(registry=["tools:1"])
    text = ("services:\n  web:\n    image: busybox\n    volumes: [{type: image, source: 'tools:1', target: /t}]\n"
            "  db:\n    image: busybox\n    volumes: [{type: image, source: 'tools:1', target: /t}]\n")
    Project(load(text), backend, limit=4).up()
    assert [args for method, args in backend.calls if method == "pull"] == [("tools:1",)]  # once for both
    assert backend.image_id("tools:1")
