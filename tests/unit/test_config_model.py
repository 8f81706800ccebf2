"""fig/config/model.py: value objects parse and print themselves (table-driven round trips)."""

from __future__ import annotations

import pytest

from fig.config.model import Link, PortSpec, ServiceConfig, VolumesFrom, VolumeSpec
from fig.errors import ConfigError


@pytest.mark.parametrize("text", [
    "80", "8000:80", "127.0.0.1:8000:80", "127.0.0.1::80/udp", "53/udp", "8000:80/sctp",
    "[::1]:8000:80", "[::1]::80", "0.0.0.0:80:80",
])
def test_port_round_trip(text):
    assert str(PortSpec.parse(text)) == text


@pytest.mark.parametrize("text, expected", [
    ("80", PortSpec(80)),
    (80, PortSpec(80)),
    ("80/tcp", PortSpec(80)),
    ("8000:80", PortSpec(80, 8000)),
    ("127.0.0.1:8000:80", PortSpec(80, 8000, "127.0.0.1")),
    ("127.0.0.1::80/udp", PortSpec(80, None, "127.0.0.1", "udp")),
    ("[::1]:8000:80", PortSpec(80, 8000, "::1")),
])
def test_port_parse(text, expected):
    assert PortSpec.parse(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("80-82", ["80", "81", "82"]),
    ("8000-8001:80-81", ["8000:80", "8001:81"]),
    ("127.0.0.1:8000-8001:80-81/udp", ["127.0.0.1:8000:80/udp", "127.0.0.1:8001:81/udp"]),
    ("127.0.0.1::80-81", ["127.0.0.1::80", "127.0.0.1::81"]),
])
def test_port_ranges(text, expected):
    assert [str(p) for p in PortSpec.parse_many(text)] == expected


def test_a_range_is_not_a_single_port():
    with pytest.raises(ConfigError, match="is a range"):
        PortSpec.parse("80-81")


@pytest.mark.parametrize("text, message", [
    ("0", "not a valid port"),
    ("65536", "not a valid port"),
    ("8000:0", "not a valid port"),
    ("http", "not a valid port"),
    ("80-79", "not a valid port"),
    ("80/xyz", "not a valid port"),
    ("1.2.3.4:80", "not a valid port"),
    ("8000:80-81", "maps a range to a single host port"),
    ("8000-8002:80-81", "different sizes"),
])
def test_invalid_ports(text, message):
    with pytest.raises(ConfigError, match=message):
        PortSpec.parse_many(text)


def test_port_key():
    assert PortSpec.parse("53/udp").key == "53/udp"
    assert PortSpec.parse("8000:80").key == "80/tcp"


@pytest.mark.parametrize("text, expected, bind, named", [
    ("/data", VolumeSpec("/data"), False, False),
    ("/data:ro", VolumeSpec("/data", None, "ro"), False, False),
    ("/host:/c", VolumeSpec("/c", "/host"), True, False),
    ("/host:/c:ro", VolumeSpec("/c", "/host", "ro"), True, False),
    ("named:/c", VolumeSpec("/c", "named"), False, True),
    ("/a:/b:z", VolumeSpec("/b", "/a", "z"), True, False),
])
def test_volume_parse_and_round_trip(text, expected, bind, named):
    spec = VolumeSpec.parse(text)
    assert spec == expected
    assert (spec.is_bind, spec.is_named) == (bind, named)
    assert str(spec) == text


def test_volume_rw_is_the_default_and_not_printed():
    assert str(VolumeSpec.parse("named:/c:rw")) == "named:/c"


@pytest.mark.parametrize("text", ["a:b", ":/c", "a:/b:c:d", "/a:b"])
def test_invalid_volumes(text):
    with pytest.raises(ConfigError, match="is not a valid volume"):
        VolumeSpec.parse(text)


@pytest.mark.parametrize("text, expected, printed", [
    ("db", Link("db", "db"), "db"),
    ("db:database", Link("db", "database"), "db:database"),
    ("db:db", Link("db", "db"), "db"),
    ("db:", Link("db", "db"), "db"),
])
def test_link(text, expected, printed):
    assert Link.parse(text) == expected
    assert str(Link.parse(text)) == printed


def test_link_needs_a_target():
    with pytest.raises(ConfigError, match="names no service"):
        Link.parse(":alias")


SERVICES = frozenset({"db"})


@pytest.mark.parametrize("text, expected, printed", [
    ("db", VolumesFrom("db"), "db"),
    ("db:ro", VolumesFrom("db", "ro"), "db:ro"),
    ("db:rw", VolumesFrom("db"), "db"),
    ("service:db:ro", VolumesFrom("db", "ro"), "db:ro"),
    ("container:c1", VolumesFrom("c1", "rw", True), "container:c1"),
    ("container:c1:ro", VolumesFrom("c1", "ro", True), "container:c1:ro"),
    ("c1", VolumesFrom("c1", "rw", True), "container:c1"),  # not a service, so a container
])
def test_volumes_from(text, expected, printed):
    parsed = VolumesFrom.parse(text, SERVICES)
    assert parsed == expected
    assert str(parsed) == printed
    assert VolumesFrom.parse(printed, SERVICES) == parsed


@pytest.mark.parametrize("text", ["db:zz", "", "a:b:c", "container:"])
def test_invalid_volumes_from(text):
    with pytest.raises(ConfigError, match="is not valid"):
        VolumesFrom.parse(text, SERVICES)


def test_config_hash_changes_with_config_and_image():
    a = ServiceConfig("web", image="busybox")
    assert a.config_hash("sha256:1") == ServiceConfig("web", image="busybox").config_hash("sha256:1")
    assert a.config_hash("sha256:1") != a.config_hash("sha256:2")
    assert a.config_hash("sha256:1") != ServiceConfig("web", image="busybox", command=("x",)).config_hash("sha256:1")
