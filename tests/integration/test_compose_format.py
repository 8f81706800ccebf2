"""A compose-format project against the real engine: the new keys show in `docker inspect`, secrets and configs
are readable in the container, profiles choose what starts, and `fig config --hash` is the containers' label."""

from __future__ import annotations

from tests.integration.conftest import SLEEPER


def _exec(project, container: str, *cmd: str) -> tuple[int, str]:
    exec_id = project.client.exec_create(container, list(cmd))["Id"]
    output = project.client.exec_start(exec_id).decode("utf-8", "replace")
    return project.client.exec_inspect(exec_id)["ExitCode"], output


def test_compose_keys_reach_the_engine(project):
    project.write(f"""\
        x-defaults: &defaults
          image: busybox
          init: true
          logging:
            driver: json-file
            options: {{max-size: 1m, max-file: "2"}}
        services:
          app:
            <<: *defaults
            command: {SLEEPER}
            container_name: {project.name}-app
            read_only: true
            tmpfs: ["/run:size=1m"]
            ulimits: {{nofile: {{soft: 100, hard: 200}}, nproc: 64}}
            sysctls: {{net.core.somaxconn: 511}}
            shm_size: 32m
            cpus: 0.5
            cpu_shares: 512
            mem_limit: 64m
            mem_reservation: 32m
            memswap_limit: 128m
            pids_limit: 50
            dns_search: [example.com]
            extra_hosts: ["db.local:10.0.0.1"]
            labels: {{com.example.role: app}}
            stop_signal: SIGINT
            stop_grace_period: 3s
            cap_add: [NET_ADMIN]
            devices: ["/dev/null:/dev/mynull:r"]
            ipc: shareable
            ports:
              - target: 80
                host_ip: 127.0.0.1
            volumes:
              - type: volume
                source: data
                target: /data
              - type: tmpfs
                target: /scratch
          sidecar:
            image: busybox
            command: {SLEEPER}
            pid: service:app
            ipc: service:app
        volumes:
          data:
        """, "compose.yml")
    project.write("""\
        services:
          app:
            environment: {FROM_OVERRIDE: "1"}
        """, "compose.override.yml")
    project.fig("up", "-d", check=True)
    app = project.inspect(f"{project.name}-app")
    host = app["HostConfig"]
    assert host["Init"] is True and host["ReadonlyRootfs"] is True
    assert host["Tmpfs"] == {"/run": "size=1m", "/scratch": ""}
    assert sorted((u["Name"], u["Soft"], u["Hard"]) for u in host["Ulimits"]) == [("nofile", 100, 200),
                                                                                   ("nproc", 64, 64)]
    assert host["Sysctls"] == {"net.core.somaxconn": "511"}
    assert (host["ShmSize"], host["NanoCpus"], host["CpuShares"]) == (32 << 20, 500_000_000, 512)
    assert (host["Memory"], host["MemoryReservation"], host["MemorySwap"], host["PidsLimit"]) == (
        64 << 20, 32 << 20, 128 << 20, 50)
    assert host["LogConfig"] == {"Type": "json-file", "Config": {"max-size": "1m", "max-file": "2"}}
    assert host["DnsSearch"] == ["example.com"] and host["ExtraHosts"] == ["db.local:10.0.0.1"]
    assert host["CapAdd"] == ["NET_ADMIN"] and host["IpcMode"] == "shareable"
    assert host["Devices"] == [{"PathOnHost": "/dev/null", "PathInContainer": "/dev/mynull",
                                "CgroupPermissions": "r"}]
    assert host["PortBindings"]["80/tcp"][0]["HostIp"] == "127.0.0.1"
    config = app["Config"]
    assert config["Labels"]["com.example.role"] == "app"
    assert (config["StopSignal"], config["StopTimeout"]) == ("SIGINT", 3)
    assert "FROM_OVERRIDE=1" in config["Env"]
    assert {m["Destination"]: m["Name"] for m in app["Mounts"] if m["Type"] == "volume"} == {
        "/data": f"{project.name}_data"}
    sidecar = project.inspect(project.container_name("sidecar"))["HostConfig"]
    assert sidecar["PidMode"] == sidecar["IpcMode"] == f"container:{app['Id']}"
    code, _ = _exec(project, f"{project.name}-app", "touch", "/not-writable")
    assert code != 0  # read_only
    assert _exec(project, f"{project.name}-app", "touch", "/run/writable")[0] == 0  # but the tmpfs is


def test_secrets_and_configs_are_readable_in_the_container(project):
    (project.dir / "db_password.txt").write_text("hunter2\n")
    project.write(f"""\
        services:
          db:
            image: busybox
            command: {SLEEPER}
            secrets:
              - db_password
              - source: api_token
                target: token
            configs:
              - source: greeting
                target: /etc/greeting
        secrets:
          db_password:
            file: ./db_password.txt
          api_token:
            environment: API_TOKEN
        configs:
          greeting:
            content: hello from a config
        """, "compose.yml")
    env = {"API_TOKEN": "t0k3n-from-env", "XDG_RUNTIME_DIR": str(project.dir / "runtime")}
    project.fig("up", "-d", env=env, check=True)
    name = project.container_name("db")
    assert _exec(project, name, "cat", "/run/secrets/db_password") == (0, "hunter2\n")
    assert _exec(project, name, "cat", "/run/secrets/token") == (0, "t0k3n-from-env")
    assert _exec(project, name, "cat", "/etc/greeting") == (0, "hello from a config")
    assert _exec(project, name, "sh", "-c", "echo no >> /run/secrets/db_password")[0] != 0  # read-only
    labels = project.inspect(name)["Config"]["Labels"]
    assert "t0k3n-from-env" not in str(labels)
    # A new value recreates the container with it; the same value leaves it alone.
    project.fig("up", "-d", env={**env, "API_TOKEN": "rotated"}, check=True)
    assert _exec(project, name, "cat", "/run/secrets/token") == (0, "rotated")


def test_profiles_choose_what_up_starts(project):
    project.write(f"""\
        services:
          web:
            image: busybox
            command: {SLEEPER}
          debug:
            image: busybox
            command: {SLEEPER}
            profiles: [debug]
          tool:
            image: busybox
            command: {SLEEPER}
            profiles: [tools]
        """, "compose.yml")
    project.fig("up", "-d", check=True)
    assert sorted(c["Labels"]["com.docker.compose.service"] for c in project.containers()) == ["web"]
    project.fig("--profile", "debug", "up", "-d", check=True)
    assert sorted(c["Labels"]["com.docker.compose.service"] for c in project.containers()) == ["debug", "web"]
    project.fig("up", "-d", "tool", check=True)  # naming a service enables it
    assert sorted(c["Labels"]["com.docker.compose.service"] for c in project.containers()) == ["debug", "tool", "web"]


def test_config_hash_is_the_label_up_puts_on_containers(project):
    project.write(f"""\
        services:
          web:
            image: busybox
            command: {SLEEPER}
            environment: {{A: "1"}}
        """, "compose.yml")
    project.fig("up", "-d", check=True)
    hashes = dict(line.split() for line in project.fig("config", "--hash", check=True).stdout.splitlines())
    label = project.inspect(project.container_name("web"))["Config"]["Labels"]["com.docker.compose.config-hash"]
    assert hashes == {"web": label}


def test_extends_and_env_files_in_the_running_container(project):
    (project.dir / "common").mkdir()
    (project.dir / "common" / "common.env").write_text("FROM_ENV_FILE=common\nOVERRIDDEN=env-file\n")
    project.write(f"""\
        services:
          base:
            image: busybox
            command: {SLEEPER}
            env_file: common.env
        """, "common/base.yml")
    project.write("""\
        services:
          web:
            extends:
              file: common/base.yml
              service: base
            environment:
              OVERRIDDEN: environment
        """, "compose.yml")
    project.fig("up", "-d", check=True)
    env = project.inspect(project.container_name("web"))["Config"]["Env"]
    assert "FROM_ENV_FILE=common" in env and "OVERRIDDEN=environment" in env


def test_an_invalid_file_touches_nothing(project):
    project.write("services:\n  web:\n    image: busybox\n    ports: ['70000']\n", "compose.yml")
    result = project.fig("up", "-d")
    assert result.returncode == 1
    assert result.stderr.strip() == "ERROR: compose.yml:4: service 'web': 'ports' item \"70000\" is not a valid port"
    assert project.containers() == []


def test_an_included_file_runs_with_its_own_directory_and_dotenv(project):
    (project.dir / "db").mkdir()
    (project.dir / "db" / ".env").write_text("GREETING=from-db-dir\n")
    (project.dir / "db" / "init").mkdir()
    (project.dir / "db" / "init" / "hello.txt").write_text("mounted\n")
    (project.dir / "db" / "compose.yml").write_text(
        "services:\n  db:\n    image: busybox\n"
        f"    command: {SLEEPER}\n"
        "    environment: ['GREETING=${GREETING}']\n    volumes: [./init:/init:ro]\n")
    project.write(f"""\
        include: [db/compose.yml]
        services:
          web:
            image: busybox
            command: {SLEEPER}
            depends_on: [db]
        """, "compose.yml")
    project.fig("up", "-d", check=True)
    db = project.container_name("db")
    assert "GREETING=from-db-dir" in project.inspect(db)["Config"]["Env"]
    assert _exec(project, db, "cat", "/init/hello.txt") == (0, "mounted\n")
    assert sorted(project.names()) == sorted([db, project.container_name("web")])
