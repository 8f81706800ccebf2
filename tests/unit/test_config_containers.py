"""From compose keys to the ContainerSpec the backend gets (on the FakeBackend), and profiles choosing services."""

from __future__ import annotations

import os
import stat

import pytest

from fig import __version__
from fig.errors import ConfigError

RESOURCES = """\
    services:
      app:
        image: busybox
        devices: [/dev/null:/dev/mynull:r, /dev/zero]
        tmpfs: [/run, "/tmp:size=1m"]
        ulimits: {nproc: 64, nofile: {soft: 100, hard: 200}}
        sysctls: [net.core.somaxconn=1024]
        init: true
        read_only: true
        shm_size: 64m
        ipc: shareable
        cpu_shares: 512
        cpus: 0.5
        cpuset: "0"
        mem_limit: 128m
        mem_reservation: 64m
        memswap_limit: 256m
        pids_limit: 50
        logging: {driver: json-file, options: {max-size: 1m}}
        dns_search: [example.com]
        extra_hosts: ["db.local:10.0.0.1"]
        labels: {com.example: "yes"}
        stop_signal: SIGINT
        stop_grace_period: 5s
        container_name: the-app
      sidecar:
        image: busybox
        pid: service:app
        ipc: service:app
"""


def test_resource_keys_reach_the_container_spec(project, backend):
    project(RESOURCES).up()
    specs = {s.name: s for s in backend.specs()}
    app = specs["the-app"]
    assert app.devices == ("/dev/null:/dev/mynull:r", "/dev/zero:/dev/zero:rwm")
    assert app.tmpfs == {"/run": "", "/tmp": "size=1m"}
    assert app.ulimits == (("nproc", 64, 64), ("nofile", 100, 200))
    assert app.sysctls == {"net.core.somaxconn": "1024"}
    assert (app.init, app.read_only, app.shm_size, app.ipc_mode) == (True, True, 64 << 20, "shareable")
    assert (app.cpu_shares, app.nano_cpus, app.cpuset_cpus) == (512, 500_000_000, "0")
    assert (app.mem_limit, app.mem_reservation, app.memswap_limit, app.pids_limit) == (
        128 << 20, 64 << 20, 256 << 20, 50)
    assert (app.log_driver, app.log_options) == ("json-file", {"max-size": "1m"})
    assert (app.dns_search, app.extra_hosts) == (("example.com",), ("db.local:10.0.0.1",))
    assert app.labels["com.example"] == "yes"
    assert (app.stop_signal, app.stop_timeout) == ("SIGINT", 5)


def test_pid_and_ipc_of_another_service_name_its_container(project, backend):
    project(RESOURCES).up()
    app_id = backend.by_name("the-app").id
    sidecar = [s for s in backend.specs() if s.name == "figtest_sidecar_1"][0]
    assert (sidecar.pid_mode, sidecar.ipc_mode) == (f"container:{app_id}",) * 2


def test_secrets_and_configs_are_read_only_binds(project, backend, write, tmp_path):
    write("password.txt", "hunter2\n")
    runtime = tmp_path / "runtime"
    project("""\
        services:
          db:
            image: busybox
            secrets: [password, {source: token, target: api-token}]
            configs: [{source: greeting, target: /etc/greeting}]
        secrets:
          password: {file: ./password.txt}
          token: {environment: TOKEN}
        configs:
          greeting: {content: hello}
    """, environ={"TOKEN": "t0k3n", "XDG_RUNTIME_DIR": str(runtime)}).up()
    state = runtime / f"fig-{os.getuid()}" / "figtest"
    binds = backend.specs()[0].binds
    assert binds == [f"{tmp_path}/password.txt:/run/secrets/password:ro",
                     f"{state}/secrets/token:/run/secrets/api-token:ro", f"{state}/configs/greeting:/etc/greeting:ro"]
    assert (state / "secrets" / "token").read_text() == "t0k3n"
    for private in (state.parent, state, state / "secrets"):
        assert stat.S_IMODE(private.stat().st_mode) == 0o700
    assert "t0k3n" not in str(backend.specs()[0].labels)


def test_a_secret_from_an_unset_variable_fails_only_when_a_container_needs_it(project, backend):
    text = """\
        services:
          web: {image: busybox}
          db: {image: busybox, secrets: [token]}
        secrets:
          token: {environment: TOKEN}
    """
    proj = project(text)
    proj.up(["web"])  # loading and other services are fine
    with pytest.raises(Exception, match="The TOKEN variable is not set: it is the source of 'token', mounted at "
                                        "/run/secrets/token"):
        proj.up(["db"])


def test_a_missing_secret_file_is_refused_only_when_a_container_needs_it(project, backend, tmp_path):
    text = """\
        services:
          web: {image: busybox}
          db: {image: busybox, secrets: [password], configs: [{source: conf, target: /etc/x}]}
        secrets:
          password: {file: ./password.txt}
        configs:
          conf: {file: ./conf.txt}
    """
    proj = project(text)  # loading is fine, as Compose v2's config does not look
    proj.up(["web"])
    backend.reset_calls()
    with pytest.raises(ConfigError, match=rf"^fig.yml: service 'db': secret 'password': its file "
                                          rf"{tmp_path}/password.txt is not a file here$"):
        proj.up(["db"])
    (tmp_path / "password.txt").write_text("s3cret")
    with pytest.raises(ConfigError, match=rf"service 'db': config 'conf': its file {tmp_path}/conf.txt is not"):
        proj.up(["db"])
    assert backend.writes() == []  # refused before anything is written
    (tmp_path / "conf.txt").write_text("x")
    proj.up(["db"])
    assert backend.specs()[-1].binds[:1] == [f"{tmp_path}/password.txt:/run/secrets/password:ro"]


def test_a_changed_secret_value_changes_the_config_hash(load):
    text = "services:\n  db: {image: busybox, secrets: [t]}\nsecrets:\n  t: {environment: T}\n"
    one = load(text, environ={"T": "1"}).service("db").config_hash("img")
    two = load(text, environ={"T": "2"}).service("db").config_hash("img")
    assert one != two and one == load(text, environ={"T": "1"}).service("db").config_hash("img")


PROFILES = """\
    services:
      web: {image: busybox}
      debug: {image: busybox, profiles: [debug], depends_on: [web]}
      tools: {image: busybox, profiles: [tools]}
      needs_tools: {image: busybox, profiles: [debug], depends_on: [tools]}
"""


def _created(backend) -> list[str]:
    return sorted(s.labels["com.docker.compose.service"] for s in backend.specs())


def test_services_with_profiles_are_left_out_by_default(project, backend):
    project(PROFILES).up()
    assert _created(backend) == ["web"]


def test_a_named_service_is_enabled_whatever_its_profiles(project, backend):
    project(PROFILES).up(["tools"])
    assert _created(backend) == ["tools"]


def test_an_active_profile_enables_its_services(project, backend):
    project(PROFILES, environ={"COMPOSE_PROFILES": "debug,tools"}).up()
    assert _created(backend) == ["debug", "needs_tools", "tools", "web"]


def test_a_dependency_disabled_by_profiles_is_refused_as_compose_does(project):
    with pytest.raises(ConfigError, match='Service "tools" was pulled in as a dependency of service "needs_tools" but '
                                          'is not enabled by the active profiles'):
        project(PROFILES, environ={"COMPOSE_PROFILES": "debug"}).up()


def test_compose_profiles_variable(load):
    config = load(PROFILES, environ={"COMPOSE_PROFILES": "tools, debug"})
    assert config.profiles == ("tools", "debug")
    assert config.selected() == ["web", "debug", "tools", "needs_tools"]


def test_ps_and_stop_still_see_containers_of_disabled_profiles(project, backend):
    project(PROFILES).up(["tools"])
    assert [c.service for c in project(PROFILES).containers(stopped=True)] == ["tools"]


def test_a_state_directory_made_by_someone_else_is_refused(project, tmp_path):
    runtime = tmp_path / "runtime"
    (runtime / f"fig-{os.getuid()}").mkdir(parents=True, mode=0o755)
    (runtime / f"fig-{os.getuid()}").chmod(0o755)
    proj = project("services:\n  db: {image: busybox, secrets: [t]}\nsecrets:\n  t: {environment: T}\n",
                   environ={"T": "1", "XDG_RUNTIME_DIR": str(runtime)})
    with pytest.raises(Exception, match="must be a directory of yours that only you can open"):
        proj.up()


def test_labels_of_declared_networks_and_volumes_reach_the_engine(project, backend):
    project("""\
        services:
          web: {image: busybox, networks: [front], volumes: [data:/data]}
        networks:
          front: {driver: bridge, labels: {com.example: front}}
        volumes:
          data: {labels: [com.example=data]}
    """).up()
    compose = {"com.docker.compose.project": "figtest", "com.docker.compose.version": __version__}
    assert backend.networks["figtest_front"]["labels"] == {"com.example": "front", **compose,
                                                           "com.docker.compose.network": "front"}
    assert backend.volumes["figtest_data"]["labels"] == {"com.example": "data", **compose,
                                                         "com.docker.compose.volume": "data"}
