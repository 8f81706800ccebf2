"""How a compose file's text is read, as compose-go (Compose v2 2.26.1) reads it: YAML 1.2 scalars, values typed
after interpolation, `!reset` and `!override`; a Fig-format file keeps YAML 1.1, as Fig 1.0.1 read it. Every
expectation below was checked with `docker compose config --format json` on the same text."""

from __future__ import annotations

import pytest

from fig.config.loader import parse_document
from fig.config.model import PortSpec
from fig.errors import ConfigError

SCALARS = {
    "yes": "yes", "on": "on", "y": "y", "NO": "NO", "off": "off", "true": True, "False": False, "TRUE": True,
    "2222:22": "2222:22", "12:30:00": "12:30:00", "0755": 493, "0o755": 493, "08": 8.0, "1_000": 1000,
    "0x1F": 31, "0b101": 5, "+1": 1, "-0o7": -7, "1e3": 1000.0, "1.": 1.0, ".5": 0.5, "1_0.5": 10.5,
    "2001-01-01": "2001-01-01", "~": None, "null": None, "_1": "_1", "0o8": "0o8", "1e": "1e",
}


@pytest.mark.parametrize("text, expected", list(SCALARS.items()))
def test_compose_file_scalars_are_yaml_1_2_as_compose_go_reads_them(text, expected):
    data, compose = parse_document(f"services: {{}}\nx-v: {text}\n", "compose.yml")
    assert compose and data["x-v"] == expected and type(data["x-v"]) is type(expected)


@pytest.mark.parametrize("text, expected", [("yes", True), ("on", True), ("off", False), ("0755", 493),
                                            ("2001-01-01", "date")])
def test_fig_format_file_scalars_stay_yaml_1_1(text, expected):
    data, compose = parse_document(f"web:\n  image: busybox\n  x: {text}\n", "fig.yml")
    value = data["web"]["x"]
    assert not compose and (value == expected if expected != "date" else type(value).__name__ == "date")


def test_an_explicit_tag_is_kept_in_either_format():
    data, _ = parse_document("web:\n  a: !!str yes\n  b: !!int '12'\n", "fig.yml")
    assert data["web"] == {"a": "yes", "b": 12}


def test_yes_no_reach_the_container_as_written(load):
    web = load("services:\n  web:\n    image: busybox\n    environment:\n      ALLOW_EMPTY_PASSWORD: yes\n"
               "      DEBUG: off\n      N: 1e3\n      T: true\n").service("web")
    assert dict(web.environment) == {"ALLOW_EMPTY_PASSWORD": "yes", "DEBUG": "off", "N": "1000", "T": "true"}


def test_an_unquoted_port_pair_is_text_not_base_60(load):
    web = load("services:\n  web:\n    image: busybox\n    ports:\n      - 2222:22\n").service("web")
    assert web.ports == (PortSpec(22, 2222),)


def test_a_fig_yml_still_says_base_60(load):
    with pytest.raises(ConfigError, match="base-60 number 133342"):
        load("web:\n  image: busybox\n  ports:\n    - 2222:22\n")


@pytest.mark.parametrize("key, text, environ, expected", [
    ("read_only", "${RO}", {"RO": "true"}, True),
    ("read_only", "${RO:-false}", {}, False),
    ("privileged", "${P:-no}", {}, False),
    ("tty", '"yes"', {}, True),
    ("stdin_open", "on", {}, True),
    ("init", '"TRUE"', {}, True),
    ("attach", '"false"', {}, False),
    ("scale", "${N:-2}", {}, 2),
])
def test_booleans_and_numbers_are_typed_after_interpolation(load, key, text, environ, expected):
    web = load(f"services:\n  web:\n    image: busybox\n    {key}: {text}\n", environ=environ).service("web")
    assert getattr(web, key) == expected


def test_nested_numbers_are_typed_after_interpolation(load):
    web = load("services:\n  web:\n    image: busybox\n    deploy:\n      replicas: ${N:-3}\n"
               "    healthcheck:\n      test: 'true'\n      retries: $X\n    ulimits:\n      nofile: {soft: '10', hard: '20'}\n",
               environ={"X": "5"}).service("web")
    assert web.scale == 3 and web.healthcheck is not None and web.healthcheck.retries == 5
    assert [(u.name, u.soft, u.hard) for u in web.ulimits] == [("nofile", 10, 20)]


@pytest.mark.parametrize("text, message", [
    ("    tty: maybe\n", "fig.yml:4: service 'web': 'tty' must be a boolean (true or false), not the string 'maybe'"),
    ("    scale: '1.5'\n", "fig.yml:4: service 'web': 'scale' must be an integer, not the string '1.5'"),
    ("    deploy:\n      replicas: ${N:-two}\n",
     "fig.yml:5: service 'web': 'deploy.replicas' must be an integer, not the string 'two'"),
])
def test_text_that_is_no_boolean_or_number_is_one_line(load, text, message):
    with pytest.raises(ConfigError) as info:
        load(f"services:\n  web:\n    image: busybox\n{text}")
    assert str(info.value) == message


def test_reset_and_override_in_an_override_file(load, write):
    write("fig.yml", "services:\n  web:\n    image: busybox\n    ports: ['80:80']\n    command: [a]\n"
                     "    environment: {A: '1', B: '2'}\n    labels: [x=1]\n")
    write("fig.override.yml", "services:\n  web:\n    ports: !reset []\n    environment: !override {C: '3'}\n"
                              "    labels: [y=2]\n")
    web = load().service("web")
    assert web.ports == () and dict(web.environment) == {"C": "3"} and dict(web.labels) == {"x": "1", "y": "2"}


def test_reset_in_a_service_that_extends(load):
    web = load("services:\n  base:\n    image: busybox\n    ports: ['80:80']\n    command: [a]\n"
               "  web:\n    extends: base\n    ports: !reset []\n    command: !reset\n").service("web")
    assert web.ports == () and web.command is None


def test_an_override_file_without_services_is_a_compose_file(load, write):
    write("fig.yml", "services:\n  web:\n    image: busybox\n    networks: [back]\nnetworks:\n  back: {}\n")
    write("fig.override.yml", "networks:\n  back:\n    driver: bridge\n    labels: {tier: back}\n")
    config = load()
    assert not config.legacy and [n.key for n in config.networks] == ["default", "back"]
    back = config.networks[1]
    assert back.driver == "bridge" and back.labels == (("tier", "back"),)
