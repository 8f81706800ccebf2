"""fig/config/normalize.py: the validated tree becomes typed, resolved ServiceConfigs."""

from __future__ import annotations

from pathlib import Path

import pytest

from fig.config.model import Link, PortSpec, VolumesFrom, VolumeSpec
from fig.errors import ConfigError, DependencyError


def _web(load, body: str, **kwargs):
    return load("web:\n  image: busybox\n" + body, **kwargs).service("web")


# -- environment --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, expected", [
    ("  environment:\n    - A=1\n    - B=x=y\n    - C=\n", {"A": "1", "B": "x=y", "C": ""}),
    ("  environment:\n    A: 1\n    B: x=y\n    C: ''\n", {"A": "1", "B": "x=y", "C": ""}),
    ("  environment:\n    T: true\n    F: false\n    N: 1.5\n", {"T": "true", "F": "false", "N": "1.5"}),
    # a bare KEY (list) or KEY with no value (mapping) takes the caller's value, and is empty when unset (Fig)
    ("  environment:\n    - FROM_CALLER\n    - NOT_SET\n", {"FROM_CALLER": "caller", "NOT_SET": ""}),
    ("  environment:\n    FROM_CALLER:\n    NOT_SET:\n", {"FROM_CALLER": "caller", "NOT_SET": ""}),
])
def test_environment(load, body, expected):
    web = _web(load, body, environ={"FROM_CALLER": "caller"})
    assert dict(web.environment) == expected


def test_env_file_is_relative_to_the_file_and_environment_wins(load, fixture_dir, tmp_path: Path):
    directory = fixture_dir("env")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = load(files=(str(directory / "fig.yml"),), environ={"FROM_CALLER": "caller"}, cwd=elsewhere)
    web = config.service("web")
    assert dict(web.environment) == {
        "SHARED": "from-environment",  # environment: beats env_file
        "ONLY_FILE": "quoted value",  # quotes stripped
        "EXPORTED": "yes",  # 'export ' prefix allowed
        "FROM_CALLER": "caller",
    }
    assert web.image == "busybox:1.36"  # from the .env next to the file


def test_several_env_files_later_wins(load, write):
    write("a.env", "X=a\nY=a\n")
    write("sub/b.env", "Y=b\n")
    web = _web(load, "  env_file: [a.env, sub/b.env]\n")
    assert dict(web.environment) == {"X": "a", "Y": "b"}


def test_missing_env_file_is_an_error(load):
    with pytest.raises(ConfigError, match=r"nope\.env"):
        _web(load, "  env_file: nope.env\n")


def test_malformed_env_file_names_the_line(load, write):
    write("bad.env", "OK=1\nNOT A PAIR\n")
    with pytest.raises(ConfigError, match=r"bad\.env:2: key 'NOT A PAIR' cannot contain a space"):
        _web(load, "  env_file: bad.env\n")


# -- command, volumes, ports ------------------------------------------------------------------------------

@pytest.mark.parametrize("body, expected", [
    ("  command: echo hello\n", ("echo", "hello")),
    ("  command: sh -c 'echo \"a b\"; exit 3'\n", ("sh", "-c", 'echo "a b"; exit 3')),
    ("  command: [sh, -c, 'echo a  b']\n", ("sh", "-c", "echo a  b")),
    ("  command: ''\n", ()),
    ("", None),
])
def test_command_is_split_like_a_shell(load, body, expected):
    assert _web(load, body).command == expected


def test_entrypoint_is_split_too(load):
    assert _web(load, "  entrypoint: /bin/sh -c\n").entrypoint == ("/bin/sh", "-c")


def test_volumes_are_resolved(load, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    web = _web(load, "  volumes:\n    - /anon\n    - ./code:/code\n    - ../up:/up:ro\n"
                     "    - ~/cache:/cache\n    - /abs:/abs\n    - data:/named\n")
    assert web.volumes == (
        VolumeSpec("/anon"),
        VolumeSpec("/code", str(tmp_path / "code")),
        VolumeSpec("/up", str(tmp_path.parent / "up"), "ro"),
        VolumeSpec("/cache", str(tmp_path / "home" / "cache")),
        VolumeSpec("/abs", "/abs"),
        VolumeSpec("/named", "figtest_data"),
    )


def test_relative_container_path_is_refused(load):
    with pytest.raises(ConfigError, match=r"^fig\.yml:4: service 'web'.*'volumes'.*absolute"):
        _web(load, "  volumes:\n    - relative/path\n")


def test_ports_expand_ranges(load):
    web = _web(load, "  ports:\n    - '8000-8001:80-81'\n    - '53/udp'\n")
    assert web.ports == (PortSpec(80, 8000), PortSpec(81, 8001), PortSpec(53, protocol="udp"))


def test_invalid_port_names_the_item(load):
    with pytest.raises(ConfigError, match=r"^fig\.yml:5: service 'web'.*'ports'.*99999.* is not a valid port"):
        _web(load, "  ports:\n    - '80'\n    - '99999'\n")


# -- image/build --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "web:\n  command: echo\n",
    "web:\n  image: busybox\n  build: .\n",
])
def test_exactly_one_of_image_or_build_in_fig_format(load, text):
    with pytest.raises(ConfigError, match=r"^fig\.yml:1: service 'web'.* exactly one of 'image' or 'build'"):
        load(text)


def test_build_context_is_resolved(load, tmp_path: Path):
    (tmp_path / "app").mkdir()
    web = load("web:\n  build: ./app\n").service("web")
    assert web.build is not None and web.build.context == str(tmp_path / "app")
    assert load("web:\n  build: missing\n").service("web").build.context == str(tmp_path / "missing")


def test_compose_format_may_have_both_image_and_build(load, tmp_path: Path):
    config = load("services:\n  web:\n    image: mine:1\n    build: .\n")
    assert config.service("web").image == "mine:1"
    assert not config.legacy


# -- dependencies -------------------------------------------------------------------------------------------

def test_links_are_typed(load):
    config = load("web:\n  image: busybox\n  links: [db, 'cache:redis']\ndb:\n  image: busybox\n"
                  "cache:\n  image: busybox\n")
    assert config.service("web").links == (Link("db", "db"), Link("cache", "redis"))
    assert config.service("web").dependencies() == ("db", "cache")


def test_link_to_an_undefined_service_names_both(load):
    with pytest.raises(ConfigError) as info:  # DependencyError is a ConfigError too
        load("web:\n  image: busybox\n  links: [db]\n")
    assert "'web'" in str(info.value) and "'db'" in str(info.value) and "undefined" in str(info.value)


def test_volumes_from_an_undefined_name_is_a_container(load):
    web = _web(load, "  volumes_from: [other_container]\n")
    assert web.volumes_from == (VolumesFrom("other_container", "rw", True),)
    assert web.dependencies() == ()


def test_cycles_print_the_cycle(load, fixture_dir):
    with pytest.raises(DependencyError, match=r"(?i)circular dependency between services: a -> b -> c -> a"):
        load(cwd=fixture_dir("cycle"))


def test_self_link_is_a_cycle(load):
    with pytest.raises(DependencyError, match="web -> web"):
        load("web:\n  image: busybox\n  links: [web]\n")


@pytest.mark.parametrize("net, mode, deps", [
    ("container:db", "service:db", ("db",)),
    ("container:not_a_service", "container:not_a_service", ()),
    ("host", "host", ()),
    ("bridge", "bridge", ()),
])
def test_net_container_service_is_a_dependency(load, net, mode, deps):
    config = load(f"web:\n  image: busybox\n  net: '{net}'\ndb:\n  image: busybox\n")
    assert config.service("web").network_mode == mode
    assert config.service("web").dependencies() == deps


def test_net_must_name_a_container(load):
    with pytest.raises(ConfigError, match="names no container"):
        load("web:\n  image: busybox\n  net: 'container:'\n")


def test_volumes_from_a_service_is_a_dependency(load, fixture_dir):
    config = load(cwd=fixture_dir("volumes_from"))
    assert config.service("app").volumes_from == (VolumesFrom("data"),)
    assert config.service("app").dependencies() == ("data",)


# -- other values -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [("512m", 512 * 1024**2), ("1g", 1024**3), (7340032, 7340032),
                                             ("7168k", 7340032)])
def test_mem_limit_sizes(load, value, expected):
    assert _web(load, f"  mem_limit: {value}\n").mem_limit == expected


def test_a_memory_limit_below_the_engines_minimum_is_refused(load):
    with pytest.raises(ConfigError, match="'mem_limit' '10k' is below the engine's minimum memory limit of 6m"):
        _web(load, "  mem_limit: 10k\n")


def test_bad_restart_policy(load):
    with pytest.raises(ConfigError, match="'restart' 'sometimes' must be no, always"):
        _web(load, "  restart: sometimes\n")


def test_services_keep_file_order(load):
    config = load("b:\n  image: busybox\na:\n  image: busybox\nc:\n  image: busybox\n")
    assert [s.name for s in config.services] == ["b", "a", "c"]


def test_unquoted_restart_no_means_no(load):
    # YAML 1.1 reads `no` as false; docker compose (YAML 1.2) reads the string "no"
    assert load("web:\n  image: busybox\n  restart: no\n").service("web").restart == "no"
