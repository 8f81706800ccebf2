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


# -- compose-go's rules, each checked with `docker compose config` (Compose v2 2.26.1) on the same two files -----

MERGE_BASE = """\
    services:
      web:
        image: busybox
        build: {context: ., args: {A: "1", B: "1"}, labels: [x=1]}
        deploy: {labels: {a: "1"}, placement: {constraints: [node.role==manager]}}
        networks: {back: {aliases: [one], ipv4_address: 172.28.0.5}}
        depends_on: {db: {condition: service_healthy, restart: true}}
        secrets: [s, {source: t, target: /etc/t}]
        extra_hosts: ["h:1.1.1.1"]
        environment: {A: "1"}
      db:
        image: busybox
    networks:
      back:
        labels: {a: "1"}
        ipam: {config: [{subnet: 172.28.0.0/16, gateway: 172.28.0.1}]}
    volumes:
      data: {labels: [x=1]}
    secrets:
      s: {environment: S}
      t: {environment: S}
      u: {environment: S}
"""
MERGE_OVERRIDE = """\
    services:
      web:
        build: {args: [B=2, C=3], target: prod, labels: {y: "2"}}
        deploy: {labels: [b=2], placement: {constraints: [node.labels.x==y]}}
        networks: {back: {aliases: [two]}}
        depends_on: [db]
        secrets: [{source: u, target: /run/secrets/s}, {source: s, target: /etc/t}]
        extra_hosts: ["h:2.2.2.2", "h:1.1.1.1"]
        environment:
    networks:
      back:
        labels: [b=2]
        ipam: {config: [{subnet: 172.28.0.0/16, ip_range: 172.28.5.0/24}, {subnet: 10.0.0.0/24}]}
    volumes:
      data: {labels: {y: "2"}}
"""


def test_compose_merge_rules(load, write, tmp_path):
    config = _two(load, write, MERGE_OVERRIDE, legacy_base=MERGE_BASE)
    web = config.service("web")
    assert web.build is not None and web.build.args == (("A", "1"), ("B", "2"), ("C", "3"))
    assert web.build.labels == (("x", "1"), ("y", "2")) and web.build.target == "prod"
    assert web.swarm is not None and web.swarm.labels == (("a", "1"), ("b", "2"))  # deploy.labels merged
    assert web.swarm.constraints == ("node.role==manager", "node.labels.x==y")
    assert web.networks == (NetworkRef("figtest_back", ("one", "two"), "172.28.0.5"),)
    assert [(d.service, d.condition, d.restart) for d in web.depends_on] == [("db", "service_started", True)]
    assert [(s.source, s.target) for s in web.secrets] == [("u", "/run/secrets/s"), ("s", "/etc/t")]  # by target
    assert web.extra_hosts == ("h:1.1.1.1", "h:2.2.2.2")
    assert web.environment == (("A", "1"),)  # an empty value changes nothing
    back = config.networks[1]
    assert back.labels == (("a", "1"), ("b", "2"))
    assert back.ipam is not None and [(p.subnet, p.gateway, p.ip_range) for p in back.ipam.pools] == [
        ("172.28.0.0/16", "172.28.0.1", "172.28.5.0/24"), ("10.0.0.0/24", None, None)]
    assert config.volumes[0].labels == (("x", "1"), ("y", "2"))


def test_one_file_keeps_one_of_each_port_volume_and_secret(load):
    web = load("""\
        services:
          web:
            image: busybox
            ports: ["80:80", "80:80", {target: 80, published: "80"}]
            volumes: [data:/d, data:/d, ./x:/e, /y:/e/]
            secrets: [s, {source: s}]
        volumes:
          data:
        secrets:
          s: {environment: S}
    """).service("web")
    assert web.ports == (PortSpec(80, 80),)
    assert [(v.source, v.target) for v in web.volumes] == [("figtest_data", "/d"), ("/y", "/e")]
    assert len(web.secrets) == 1


def test_a_non_text_key_is_one_line(load):
    with pytest.raises(ConfigError) as info:
        load("services:\n  web:\n    image: busybox\n    networks: [n]\nnetworks:\n  n:\n    ipam:\n      config:\n"
             "        - subnet: 172.28.0.0/16\n          1: x\n")
    assert str(info.value) == "fig.yml:10: the key 1 is not text: quote it"
