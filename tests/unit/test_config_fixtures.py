"""Table-driven tests over tests/fixtures/config: each invalid file fails with the exact one-line message on its
first line (`# expect: ...`, `{dir}` standing for the fixture directory); each valid file loads to the values
listed below, and `fig config`'s rendering of it, read again, renders the same."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from fig.config import load_project
from fig.config.model import (
    BuildSpec, DependsOn, FileMount, Healthcheck, Ipam, IpamPool, Link, LogConfig, NetworkRef, PortSpec, ProjectConfig,
    Ulimit, VolumesFrom, VolumeSpec,
)
from fig.config.hooks import ExecHook
from fig.config.providers import ModelConfig, ProviderConfig, ServiceModel
from fig.config.render import render
from fig.errors import ConfigError

CONFIG = Path(__file__).resolve().parents[1] / "fixtures" / "config"
VALID = CONFIG / "valid"
INVALID = CONFIG / "invalid"
ENVIRON = {"TAG": "1.0", "EMPTY": "", "PORT": "8000", "TOKEN": "t0k3n", "FROM_CALLER": "caller",
           "XDG_RUNTIME_DIR": "/run/user/test"}


def _load(directory: Path, name: str, **kwargs: Any) -> ProjectConfig:
    return load_project([name], project_name=kwargs.pop("project_name", "proj"), environ=kwargs.pop("environ", ENVIRON),
                        cwd=str(directory), **kwargs)


def _expected(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} needs a first line '# expect: MESSAGE'"
    return first[len("# expect: "):].replace("{dir}", str(path.parent))


@pytest.mark.parametrize("path", sorted(INVALID.glob("*.yml")), ids=lambda p: p.name)
def test_invalid_file_fails_with_its_exact_message(path: Path):
    with pytest.raises(ConfigError) as info:
        _load(INVALID, path.name, environ={})
    assert str(info.value) == _expected(path)
    assert "\n" not in str(info.value)


def test_there_are_invalid_fixtures_for_each_kind_of_mistake():
    names = {p.stem for p in INVALID.glob("*.yml")}
    assert {"port_out_of_range", "port_base60", "unknown_key", "python_tag", "alias_bomb", "duplicate_key",
            "deep_nesting", "required_variable", "extends_cycle", "unsupported_key"} <= names


# -- valid files: what each loads to ------------------------------------------------------------------------

def _svc(config: ProjectConfig, name: str) -> Any:
    return config.service(name)


def check_fig_legacy(c: ProjectConfig) -> None:
    web = _svc(c, "web")
    assert c.legacy and web.build == BuildSpec(str(VALID / "support/app"))
    assert web.command == ("python", "app.py")
    assert web.links == (Link("redis", "redis"), Link("db", "database"))
    assert web.ports == (PortSpec(5000, 5000), PortSpec(8001, 8001, "127.0.0.1", "udp"))
    assert web.volumes == (VolumeSpec("/code", str(VALID / "support/shared")), VolumeSpec("/data"),
                           VolumeSpec("/cache", "proj_cache"))
    assert web.environment == (("DEBUG", "1"), ("EMPTY", ""))
    assert web.dns == ("8.8.8.8",) and web.networks == ()
    db = _svc(c, "db")
    assert db.volumes_from == (VolumesFrom("redis", "ro"),) and db.network_mode == "service:redis"
    assert _svc(c, "redis").expose == ("6379",)


def check_anchors(c: ProjectConfig) -> None:
    one, two = _svc(c, "one"), _svc(c, "two")
    logging = LogConfig("json-file", (("max-size", "10m"),))
    assert one.image == two.image == "busybox" and one.logging == two.logging == logging
    assert one.environment == (("A", "1"), ("B", "overridden")) and two.environment == (("A", "1"), ("B", "2"))
    assert one.restart == "unless-stopped" and two.restart == "no"


def check_resources(c: ProjectConfig) -> None:
    app = _svc(c, "app")
    assert c.name == "proj" and app.container_name == "resources-app"
    assert app.devices == ("/dev/null:/dev/mynull:r", "/dev/zero:/dev/zero:rwm")
    assert app.tmpfs == ("/run", "/tmp:size=1m,mode=1777")
    assert app.ulimits == (Ulimit("nproc", 512, 512), Ulimit("nofile", 1024, 2048))
    assert app.sysctls == (("net.core.somaxconn", "1024"), ("net.ipv4.tcp_syncookies", "0"))
    assert (app.init, app.read_only, app.shm_size, app.pid, app.ipc) == (True, True, 64 << 20, "host", "shareable")
    assert (app.cpu_shares, app.cpus, app.cpuset) == (512, 1.5, "0-1")
    assert (app.mem_limit, app.mem_reservation, app.memswap_limit, app.pids_limit) == (1 << 30, 512 << 20, -1, 100)
    assert app.logging == LogConfig("json-file", (("max-size", "1m"), ("max-file", "3")))
    assert app.dns_search == ("example.com",)
    assert app.extra_hosts == ("somehost:162.242.195.82", "otherhost:50.31.209.229")
    assert app.labels == (("com.example.description", "Accounting webapp"), ("com.example.empty", ""))
    assert (app.stop_signal, app.stop_grace_period) == ("SIGUSR1", 90.0)
    assert app.restart == "on-failure:3" and app.user == "1000"
    assert app.healthcheck == Healthcheck(("CMD", "true"), 30.0, 0.5, 3, 60.0)
    sidecar = _svc(c, "sidecar")
    assert (sidecar.pid, sidecar.ipc, sidecar.network_mode) == ("service:app",) * 3
    assert sidecar.dependencies() == ("app",) and sidecar.networks == ()
    assert sidecar.labels == (("com.example.role", "sidecar"),)


def check_long_syntax(c: ProjectConfig) -> None:
    web = _svc(c, "web")
    assert web.ports == (PortSpec(80, 8080), PortSpec(53, 5353, "127.0.0.1", "udp"), PortSpec(9000),
                         PortSpec(90, 9090), PortSpec(91, 9091), PortSpec(7000, 6005, host_end=6015))
    assert web.expose == ("3000", "4000-4001/udp")  # a range kept as written, as Compose v2 prints it
    assert web.volumes == (
        VolumeSpec("/etc/shared", str(VALID / "support/shared"), "ro,rslave"),
        VolumeSpec("/data", "proj_data", "rw,nocopy"), VolumeSpec("/anonymous", None, "rw"),
        VolumeSpec("/more", "proj_data", "ro"), VolumeSpec("/support", str(VALID / "support")))
    assert web.tmpfs == ("/scratch:size=1048576",)


def check_extends_same_file(c: ProjectConfig) -> None:
    top = _svc(c, "top")
    assert top.image == "busybox" and top.command == ("echo", "top")
    assert top.environment == (("LEVEL", "middle"), ("KEEP", "yes"))
    assert top.ports == (PortSpec(80, 8000), PortSpec(81, 8001))
    assert top.cap_add == ("NET_ADMIN", "SYS_TIME")
    assert _svc(c, "middle").command == ("echo", "base")


def check_extends_other_file(c: ProjectConfig) -> None:
    web = _svc(c, "web")
    support = VALID / "support"
    assert web.build == BuildSpec(str(support / "app"))  # relative to support/base.yml, not to this file
    assert web.volumes == (VolumeSpec("/shared", str(support / "shared"), "ro"),)
    assert dict(web.environment) == {"FROM_FILE": "file", "SHARED": "from-environment", "EXPORTED": "yes",
                                     "QUOTED": "a b"}
    assert web.labels == (("tier", "web"),)
    worker = _svc(c, "worker")
    assert worker.command == ("worker",) and dict(worker.environment)["DEEP"] == "1"
    assert worker.build == BuildSpec(str(support / "app"))


def check_env_files(c: ProjectConfig) -> None:
    assert dict(_svc(c, "one").environment) == {"FROM_FILE": "file", "SHARED": "from-common.env",
                                                "EXPORTED": "yes", "QUOTED": "a b"}
    many = dict(_svc(c, "many").environment)
    assert many["SHARED"] == "from-local.env"  # the later env_file wins
    assert many["LOCAL"] == "from-environment"  # `environment` wins over env files
    assert many["FROM_CALLER"] == "caller" and many["UNSET_IN_CALLER"] is None  # bare: unset in the container


def check_interpolation(c: ProjectConfig) -> None:
    web = _svc(c, "web")
    assert web.image == "busybox:1.0"
    assert web.command == ("echo", "1.0", "1.0", "${NOT_INTERPOLATED}", "$TAG")
    assert web.ports == (PortSpec(80, 8000), PortSpec(81, 8001))
    assert dict(web.environment) == {
        "UNSET_DASH": "default", "UNSET_COLON_DASH": "default", "EMPTY_DASH": "", "EMPTY_COLON_DASH": "default",
        "SET_REQUIRED": "1.0", "SET_REQUIRED_Q": "1.0", "ALT": "tag is set", "NESTED": "1.0"}
    assert web.labels == (("x-label", "1.0"),)


def check_profiles(c: ProjectConfig) -> None:
    assert [s.name for s in c.services] == ["web", "debug", "tools"]
    assert c.selected() == ["web"]
    assert _svc(c, "debug").profiles == ("debug",)


def check_secrets_configs(c: ProjectConfig) -> None:
    db = _svc(c, "db")
    state = "/run/user/test/fig-%d/proj" % os.getuid()
    assert db.secrets == (FileMount("db_password", "/run/secrets/db_password", str(VALID / "support/db_password.txt")),
                          FileMount("token", "/run/secrets/api-token", f"{state}/secrets/token",
                                    db.secrets[1].content))
    assert db.secrets[1].content is not None and db.secrets[1].content.value == "t0k3n"
    assert "t0k3n" not in db.config_json()  # the value is hashed, never stored in a label
    assert [(m.source, m.target) for m in db.configs] == [("nginx", "/etc/nginx/nginx.conf"), ("greeting", "/greeting")]
    assert db.configs[1].content is not None and db.configs[1].content.value == "hello"


def check_networks_volumes(c: ProjectConfig) -> None:
    web = _svc(c, "web")
    assert web.networks == (NetworkRef("proj_front", ("www",)), NetworkRef("proj_back"))
    assert web.volumes == (VolumeSpec("/data", "proj_data"), VolumeSpec("/shared", "the-shared-volume"))
    assert web.depends_on == (DependsOn("db", "service_healthy"),)
    networks = {n.key: n for n in c.networks}
    assert networks["front"].labels == (("com.example", "front"),) and networks["back"].internal
    assert networks["outside"].external and networks["outside"].name == "outside"
    volumes = {v.key: v for v in c.volumes}
    assert volumes["data"].labels == (("com.example", "data"),)
    assert volumes["shared"].external and volumes["shared"].name == "the-shared-volume"


def check_build_map(c: ProjectConfig) -> None:
    assert _svc(c, "app").build == BuildSpec(str(VALID / "support/app"), "Dockerfile.multi",
                                              (("VERSION", "1.0"), ("FROM_CALLER", "caller")), "prod")
    assert _svc(c, "app").image == "example/app:1.0"
    assert _svc(c, "plain").build == BuildSpec(str(VALID / "support/app"))


def check_engine_options(c: ProjectConfig) -> None:
    api = _svc(c, "api")
    assert api.build == BuildSpec(str(VALID / "support/app"), cache_from=("example/api:cache",), network="host",
                                  labels=(("org.example.stage", "build"),), shm_size=128 << 20,
                                  extra_hosts=("mirror:10.0.0.5",))
    assert (api.scale, api.pull_policy, api.platform, api.attach) == (2, "build", "linux/amd64", False)
    assert (api.cpus, api.mem_limit, api.pids_limit, api.mem_reservation) == (0.5, 256 << 20, 200, 64 << 20)
    assert api.restart == "on-failure:3" and api.mac_address == "02:42:ac:11:00:02"
    assert api.ports == (PortSpec(80, 8080),)
    assert dict(api.engine_options) == {
        "security_opt": ("no-new-privileges:true", "seccomp=unconfined"), "group_add": ("audio", "1001"),
        "oom_score_adj": -500, "oom_kill_disable": True, "mem_swappiness": 10, "cpu_quota": 50000,
        "cpu_period": 100000, "cpu_rt_runtime": 400000, "userns_mode": "host", "cgroup": "private",
        "cgroup_parent": "/fig", "storage_opt": (("size", "1G"),),
        "gpus": ((("capabilities", ("gpu", "utility")), ("count", 1), ("driver", "nvidia")),),
        "blkio_config": (("weight", 300), ("weight_device", (("/dev/sda", 400),)),
                         ("device_read_bps", (("/dev/sda", 12 << 20),)), ("device_write_iops", (("/dev/sda", 30),))),
    }
    worker = _svc(c, "worker")
    assert (worker.scale, worker.pull_policy, worker.restart) == (3, "missing", "no")  # deploy's wins, as in v2
    assert dict(worker.engine_options)["gpus"] == ((("capabilities", ("gpu",)), ("count", "all")),)
    backend = {n.key: n for n in c.networks}["backend"]
    assert backend.attachable and backend.driver_opts == (("com.docker.network.bridge.name", "fig-backend"),)
    assert backend.ipam == Ipam("default", (IpamPool("172.28.0.0/16", "172.28.5.0/24", "172.28.5.254",
                                                     (("host1", "172.28.1.5"),)),))
    nfs = {v.key: v for v in c.volumes}["nfs"]
    assert nfs.driver_opts == (("type", "nfs"), ("o", "addr=10.0.0.1,rw"), ("device", ":/export"))


def check_lifecycle(c: ProjectConfig) -> None:
    web, app, db = _svc(c, "web"), _svc(c, "app"), _svc(c, "db")
    # label files in order (a later one winning, `${VAR}` from the labels read before), `labels` winning over them
    assert web.labels == (("team", "web"), ("com.example.tier", "front"), ("version", "1"), ("both", "web-and-more"))
    assert dict(app.labels)["com.example.tier"] == "back"
    assert web.devices == ("nvidia.com/gpu=all", "/dev/null:/dev/nothing:rwm")
    assert web.post_start == (
        ExecHook(("echo", "started", ">", "/tmp/started"), "nobody", False, None,
                 (("GREETING", "hello"), ("FROM_CALLER", "caller"))),
        ExecHook(("sh", "-c", "true"), None, True, "/tmp"))
    assert web.pre_stop == (ExecHook(("echo", "stopping")),)
    assert web.use_api_socket and not app.use_api_socket
    assert web.models == (ServiceModel("llm"),)
    assert app.models == (ServiceModel("llm", "AI_URL", "AI_MODEL"), ServiceModel("embed"))
    assert db.provider == ProviderConfig("awesomecloud", (("type", ("mysql",)), ("size", ("256",)), ("zones", ("a", "b"))))
    assert db.networks == () and db.image is None  # a provider's service has no container to join a network
    assert c.models == (ModelConfig("llm", "ai/smollm2", None, 4096, ("--no-prefill",)),
                        ModelConfig("embed", "ai/mxbai-embed-large", "embedder"))


def test_deploy_says_what_it_ignores_and_develop_is_read(caplog):
    config = _load(VALID, "engine_options.yml")
    assert "service 'api' ignores deploy.placement: only Swarm uses it" in caplog.text
    assert "develop" not in caplog.text
    rule, = config.service("api").develop
    assert (rule.action, rule.path, rule.target) == ("sync", str(VALID / "src"), "/src")


def check_secret_mode(c: ProjectConfig) -> None:
    token, from_file = _svc(c, "web").secrets
    assert (token.uid, token.gid, token.mode, token.copied) == ("1000", "1001", 0o400, True)
    assert (from_file.mode, from_file.copied) == (0o440, False)


def check_secret_file_missing(c: ProjectConfig) -> None:
    (password,) = _svc(c, "web").secrets  # looked for only when a container needs it, as in Compose v2
    assert password.file == str(VALID / "no-such-file.txt") and c.secrets[0].file == password.file


def check_secret_external(c: ProjectConfig) -> None:
    (password,) = _svc(c, "web").secrets
    assert password.external == "password" and c.secrets[0].external == "password"


def check_deploy_generic_resources(c: ProjectConfig) -> None:
    assert _svc(c, "web").swarm.generic_resources == (("gpu", 2),)  # type: ignore[union-attr]


CHECKS = {name[len("check_"):]: fn for name, fn in globals().items() if name.startswith("check_")}


@pytest.mark.parametrize("path", sorted(VALID.glob("*.yml")), ids=lambda p: p.name)
def test_valid_file_loads_to_the_expected_values(path: Path):
    assert path.stem in CHECKS, f"add check_{path.stem}() for the new fixture {path.name}"
    CHECKS[path.stem](_load(VALID, path.name))


@pytest.mark.parametrize("path", sorted(VALID.glob("*.yml")), ids=lambda p: p.name)
@pytest.mark.parametrize("long", [False, True], ids=["short form", "normal form"])
def test_rendered_config_read_again_renders_the_same(path: Path, tmp_path: Path, long: bool):
    original = _load(VALID, path.name)
    first = render(original, long=long)
    (tmp_path / "compose.yml").write_text(first)
    again = _load(tmp_path, "compose.yml")
    if original.legacy and long:  # in the normal form the compose file's services say they join its network
        first = render(again, long=long)
        (tmp_path / "compose.yml").write_text(first)
        again = _load(tmp_path, "compose.yml")
    assert render(again, long=long) == first
    if not original.legacy:  # a fig.yml becomes a compose file, whose services join a network
        assert again.services == original.services
        assert [s.config_hash("img") for s in again.services] == [s.config_hash("img") for s in original.services]


@pytest.mark.parametrize("path", sorted(VALID.glob("*.yml")), ids=lambda p: p.name)
def test_json_rendering_reads_back_too(path: Path, tmp_path: Path):
    (tmp_path / "compose.json").write_text(render(_load(VALID, path.name), format="json"))
    assert render(_load(tmp_path, "compose.json")) == render(_load(VALID, path.name))


def test_more_than_10_mb_on_standard_input_is_refused_before_parsing(monkeypatch, tmp_path: Path):
    import io
    import sys

    from fig.config.loader import MAX_BYTES

    monkeypatch.setattr(sys, "stdin", io.StringIO("web:\n  image: busybox\n  command: " + "x" * MAX_BYTES + "\n"))
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, "-")
    assert str(info.value) == "<stdin>: the file is larger than 10 MB"


def test_a_fig_yml_may_keep_x_templates_at_the_top_level(tmp_path: Path):
    (tmp_path / "fig.yml").write_text("x-base: &base\n  image: busybox\nweb:\n  <<: *base\n")
    config = _load(tmp_path, "fig.yml")
    assert config.legacy and [s.name for s in config.services] == ["web"]
