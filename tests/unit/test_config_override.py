"""-f a -f b and override files: later files win; lists combine the way docker-compose combines them."""

from __future__ import annotations

import pytest

from fig.config.model import LogConfig, NetworkRef, PortSpec, VolumeSpec
from fig.errors import ConfigError

BASE = """\
    services:
      web:
        image: busybox:1
        command: echo base
        ports: ["8000:80", "9000:90"]
        expose: ["3000"]
        volumes: ["/a:/data", "/b:/logs:ro"]
        environment: {A: "1", B: "2"}
        labels: [tier=base, keep=yes]
        dns: [1.1.1.1]
        logging: {driver: json-file, options: {max-size: 1m}}
        networks: {front: {aliases: [www]}}
    networks:
      front:
"""


def _two(load, write, override: str, *, legacy_base: str | None = None):
    write("a.yml", legacy_base or BASE)
    write("b.yml", override)
    return load(files=("a.yml", "b.yml"))


def test_scalars_are_replaced_by_the_later_file(load, write):
    web = _two(load, write, "services:\n  web:\n    image: busybox:2\n    command: [echo, override]\n").service("web")
    assert web.image == "busybox:2" and web.command == ("echo", "override")


def test_ports_are_combined_and_an_identical_one_is_kept_once(load, write):
    web = _two(load, write, "services:\n  web:\n    ports: ['9000:90', '8443:443', {target: 80, published: 8000}]\n"
               ).service("web")
    assert web.ports == (PortSpec(80, 8000), PortSpec(90, 9000), PortSpec(443, 8443))


def test_volumes_are_merged_by_container_path(load, write):
    web = _two(load, write, "services:\n  web:\n    volumes: ['/c:/data', {type: bind, source: /d, target: /new}]\n"
               ).service("web")
    assert web.volumes == (VolumeSpec("/data", "/c"), VolumeSpec("/logs", "/b", "ro"), VolumeSpec("/new", "/d"))


def test_mappings_merge_key_by_key_whatever_their_form(load, write):
    web = _two(load, write, "services:\n  web:\n    environment: [B=3, C=4]\n    labels: {tier: web}\n").service("web")
    assert web.environment == (("A", "1"), ("B", "3"), ("C", "4"))
    assert web.labels == (("tier", "web"), ("keep", "yes"))


def test_simple_lists_combine_without_duplicates(load, write):
    web = _two(load, write, "services:\n  web:\n    dns: [1.1.1.1, 8.8.8.8]\n    expose: ['3000', '4000']\n"
               ).service("web")
    assert web.dns == ("1.1.1.1", "8.8.8.8") and web.expose == ("3000", "4000")


def test_logging_options_merge_for_the_same_driver_and_reset_for_another(load, write):
    same = _two(load, write, "services:\n  web:\n    logging: {options: {max-file: '3'}}\n").service("web")
    assert same.logging == LogConfig("json-file", (("max-size", "1m"), ("max-file", "3")))
    other = _two(load, write, "services:\n  web:\n    logging: {driver: syslog}\n").service("web")
    assert other.logging == LogConfig("syslog")


def test_network_aliases_combine(load, write):
    web = _two(load, write, "services:\n  web:\n    networks: {front: {aliases: [api]}}\n").service("web")
    assert web.networks == (NetworkRef("figtest_front", ("www", "api")),)


def test_a_later_file_adds_services_and_top_level_sections(load, write):
    config = _two(load, write, "services:\n  db:\n    image: busybox\n    volumes: [data:/data]\nvolumes:\n  data:\n")
    assert [s.name for s in config.services] == ["web", "db"]
    assert [v.key for v in config.volumes] == ["data"]


def test_in_a_fig_yml_image_and_build_replace_each_other(load, write, tmp_path):
    (tmp_path / "app").mkdir()
    write("a.yml", "web:\n  build: app\n")
    write("b.yml", "web:\n  image: busybox\n")
    web = load(files=("a.yml", "b.yml")).service("web")
    assert web.image == "busybox" and web.build is None


def test_the_override_file_beside_the_default_one_is_merged(load, write):
    write("fig.yml", "web:\n  image: busybox\n  environment: [A=1]\n")
    write("fig.override.yml", "web:\n  environment: [B=2]\n")
    assert load().service("web").environment == (("A", "1"), ("B", "2"))
    assert load().files == ("fig.yml", "fig.override.yml")


def test_a_mistake_in_the_second_file_names_that_file_and_its_line(load, write):
    with pytest.raises(ConfigError) as info:
        _two(load, write, "# override\nservices:\n  web:\n    ports:\n      - '8001:81'\n      - '70000'\n")
    assert str(info.value) == "b.yml:6: service 'web': 'ports' item \"70000\" is not a valid port"


def test_a_schema_mistake_in_the_second_file_names_that_file(load, write):
    with pytest.raises(ConfigError) as info:
        _two(load, write, "services:\n  web:\n    volumes: /x\n")
    assert str(info.value) == ("b.yml:3: service 'web': 'volumes' must be a list of volumes, not the string '/x'")
