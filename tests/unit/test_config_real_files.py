"""What public projects' compose files say, read as Compose v2 2.26.1 reads them (issue 25 and the files issue):
the values that reach the container. Each expectation was checked with `docker compose config` on the same text."""

from __future__ import annotations

import io
import logging
import tarfile

import pytest

from fig.errors import ConfigError, UserError
from fig.project import UpOptions
from tests.fakes import FakeBackend


def _web(load, body: str, **kwargs):
    return load("services:\n  web:\n" + body, **kwargs).service("web")


def test_an_empty_tag_from_an_unset_variable_is_the_untagged_name(project, backend: FakeBackend):
    p = project("services:\n  web:\n    image: busybox:${TAG}\n")
    assert p.config.service("web").image == "busybox:"  # as `config` prints it
    p.up()
    (created,) = [args[0] for method, args in backend.calls if method == "create"]
    assert created.image == "busybox"


@pytest.mark.parametrize("hostname, expected", [("''", None), ("host.example.", "host.example."),
                                                ("${UNSET_HOST}", None)])
def test_an_empty_hostname_and_one_ending_in_a_dot_pass(load, hostname, expected):
    assert _web(load, f"    image: busybox\n    hostname: {hostname}\n").hostname == expected


@pytest.mark.parametrize("condition, restart", [
    ("unless-stopped", "unless-stopped"), ("always", "always"), ("any", "always"), ("none", "no"), ("no", "no"),
    ("on-failure", "on-failure:3"),
])
def test_deploy_restart_policy_conditions_are_mapped_as_compose_maps_them(load, condition, restart):
    web = _web(load, f"    image: busybox\n    restart: always\n    deploy:\n      restart_policy:\n"
                     f"        condition: {condition}\n        max_attempts: 3\n")
    assert web.restart == restart  # deploy's wins over `restart:`, as in Compose v2


def test_a_restart_condition_the_engine_does_not_know_is_one_line(load):
    with pytest.raises(ConfigError) as info:
        _web(load, "    image: busybox\n    deploy:\n      restart_policy: {condition: sometimes}\n")
    assert str(info.value).startswith("fig.yml:4: service 'web': 'deploy' restart_policy.condition 'sometimes' is "
                                      "no restart policy the engine knows")


def test_a_git_url_build_context_is_kept_for_the_builder(load):
    url = "https://github.com/owner/repo.git#main:dir"
    for build in (url, f"{{context: '{url}', dockerfile: Dockerfile.prod}}"):
        web = _web(load, f"    build: {build}\n")
        assert web.build is not None and web.build.context == url


@pytest.mark.parametrize("platform", ["wasi/wasm", "linux/riscv64", "linux/arm64/v8", "windows"])
def test_any_platform_goes_to_the_engine(load, platform):
    assert _web(load, f"    image: busybox\n    platform: {platform}\n").platform == platform


def test_env_file_in_raw_format_is_taken_as_written(load, write):
    write("raw.env", "A=$HOME x # not a comment\nB=\"quoted\"\n  C=  spaced\n# comment\nFROM_CALLER\n")
    web = _web(load, "    image: busybox\n    env_file:\n      - path: raw.env\n        format: raw\n",
               environ={"HOME": "/root", "FROM_CALLER": "caller"})
    assert dict(web.environment) == {"A": "$HOME x # not a comment", "B": '"quoted"', "C": "  spaced",
                                     "FROM_CALLER": "caller"}


def test_a_secret_with_an_owner_and_mode_is_written_into_the_container(project, backend: FakeBackend, caplog):
    caplog.set_level(logging.WARNING)
    p = project("services:\n  web:\n    image: busybox\n    secrets:\n      - {source: token, uid: '1000', gid: '1001', "
                "mode: 0400}\n      - {source: plain, mode: 0440}\n    configs:\n      - {source: conf, mode: 0600}\n"
                "secrets:\n  token: {environment: TOKEN}\n  plain: {file: fig.yml}\nconfigs:\n  conf: {content: hi}\n",
                environ={"TOKEN": "t0k3n"})
    token, plain = p.config.service("web").secrets
    with tarfile.open(fileobj=io.BytesIO(token.archive())) as tar:
        (member,) = tar.getmembers()
        assert (member.name, member.mode, member.uid, member.gid) == ("run/secrets/token", 0o400, 1000, 1001)
        assert tar.extractfile(member).read() == b"t0k3n"  # type: ignore[union-attr]
    assert "'plain': the file is mounted as it is, so its 'uid', 'gid' and 'mode' are ignored" in caplog.text
    p.up()
    puts = [args for method, args in backend.calls if method == "put_archive"]
    assert [(path, copy) for _, path, copy in puts] == [("/", True), ("/", False)]
    (created,) = [args[0] for method, args in backend.calls if method == "create"]
    assert [b.split(":")[1] for b in created.binds] == ["/run/secrets/plain"]  # only the file is bound


def test_a_bad_uid_is_one_line(load):
    with pytest.raises(ConfigError, match="'secrets' item .* has a 'uid' 'root' that is not a number"):
        load("services:\n  web:\n    image: busybox\n    secrets: [{source: s, uid: root}]\n"
             "secrets:\n  s: {environment: S}\n", environ={"S": "x"})


def test_an_external_secret_is_read_and_up_refuses_it_in_one_line(project, backend: FakeBackend):
    p = project("services:\n  web:\n    image: busybox\n    secrets: [pw]\nsecrets:\n  pw:\n    external: true\n"
                "    name: prod_pw\n")
    assert p.config.secrets[0].external == "prod_pw"
    with pytest.raises(UserError) as info:
        p.up(options=UpOptions())
    assert str(info.value) == ("fig.yml: service 'web': 'secrets' item 'pw' is an external secret (prod_pw), which "
                               "only Swarm can give to a container: use `fig deploy`, or give it a 'file' or "
                               "'environment'")
    assert backend.writes() == []


def test_generic_resources_are_read_and_ignored_with_a_warning(load, caplog):
    caplog.set_level(logging.WARNING)
    web = _web(load, "    image: busybox\n    deploy:\n      resources:\n        reservations:\n"
                     "          generic_resources: [{discrete_resource_spec: {kind: gpu, value: 2}}]\n")
    assert web.swarm is not None and web.swarm.generic_resources == (("gpu", 2),)
    assert "ignores deploy.resources.reservations.generic_resources: only Swarm uses it" in caplog.text


def test_built_images_are_named_as_each_format_names_them(project):
    compose = project("services:\n  web:\n    build: .\n")
    assert compose.service("web").image_name == "figtest-web"  # Compose v2's
    assert project("web:\n  build: .\n").service("web").image_name == "figtest_web"  # Fig's


def test_an_empty_restart_from_an_unset_variable_is_none(load):
    assert _web(load, "    image: busybox\n    restart: ${RESTART}\n").restart is None


@pytest.mark.parametrize("hostname", ["host-", "'bad host!'", "-x"])
def test_any_host_name_the_kernel_takes_passes(load, hostname):
    """The engine passes a host name on as it is (checked with dockerd 20.10: `docker run --hostname host-`)."""
    assert _web(load, f"    image: busybox\n    hostname: {hostname}\n").hostname == hostname.strip("'")


def test_devices_in_the_long_syntax(load):
    web = _web(load, "    image: busybox\n    devices:\n      - {source: /dev/null, target: /dev/n2, permissions: r}\n"
                     "      - {source: /dev/zero}\n")
    assert web.devices == ("/dev/null:/dev/n2:r", "/dev/zero:/dev/zero:rwm")


def test_a_local_bind_volumes_device_is_relative_to_the_project(load, tmp_path):
    config = load("services:\n  web:\n    image: busybox\n    volumes: [data:/d]\nvolumes:\n  data:\n    driver: local\n"
                  "    driver_opts: {type: none, o: bind, device: ./data}\n")
    assert dict(config.volumes[0].driver_opts)["device"] == str(tmp_path / "data")
