"""What each fig.yml option does to a real container: links, volumes, networking, environment and the rest."""

from __future__ import annotations

import urllib.request

from tests.integration.conftest import SLEEPER, wait_until

# A busybox web server on port 80 that answers "hello-from-db" and stops at once on SIGTERM.
HTTPD = ("""sh -c 'mkdir -p /www && echo hello-from-$$SERVICE > /www/index.html && httpd -p 80 -h /www; """
         """trap "exit 0" TERM INT; while :; do sleep 1; done'""")


def env_of(project, service: str) -> dict[str, str]:
    return dict(e.split("=", 1) for e in project.inspect(project.container_name(service))["Config"]["Env"])


def sh(project, service: str, script: str) -> tuple[int, str]:
    return project.exec(project.container_name(service), "sh", "-c", script)


# -- links ----------------------------------------------------------------------------------------------------


def test_links_by_service_name_and_alias_with_docker_link_variables(project):
    project.write(f"""
        db:
          image: busybox
          command: {HTTPD}
          environment: [SERVICE=db]
          expose: ["80"]
        web:
          image: busybox
          command: {SLEEPER}
          links:
            - db
            - db:database
        """)
    project.fig("up", "-d", check=True)
    db_ip = project.inspect(project.container_name("db"))["NetworkSettings"]["IPAddress"]
    code, hosts = sh(project, "web", "cat /etc/hosts")
    host_names = {name for line in hosts.splitlines() if line.startswith(db_ip + "\t") or
                  line.startswith(db_ip + " ") for name in line.split()[1:]}
    assert {"db", "database", project.container_name("db")} <= host_names, hosts
    for name in ("db", "database"):
        code, out = sh(project, "web", f"ping -c1 -W2 {name}")
        assert code == 0, out
        assert db_ip in out
        wait_until(lambda: sh(project, "web", f"wget -q -O- http://{name}:80/")[1] == "hello-from-db\n",
                   timeout=10, message=f"http://{name}/ from web")
        code, out = sh(project, "web", f"echo | nc {name} 80")
        assert code == 0, out
    env = env_of(project, "web")
    code, out = sh(project, "web", "env")
    for key, value in (("DB_PORT_80_TCP_ADDR", db_ip), ("DB_PORT_80_TCP_PORT", "80"),
                       ("DATABASE_PORT_80_TCP_ADDR", db_ip), ("DB_PORT", f"tcp://{db_ip}:80")):
        assert f"{key}={value}" in out.splitlines(), (key, out)
    assert "DB_PORT_80_TCP_ADDR" not in env, "link variables come from the engine, not from fig's config"


def test_link_to_a_scaled_service_uses_its_first_container(project):
    project.write(f"""
        db:
          image: busybox
          command: {SLEEPER}
        web:
          image: busybox
          command: {SLEEPER}
          links: [db]
        """)
    project.fig("up", "-d", "db", check=True)
    project.fig("scale", "db=2", check=True)
    project.fig("up", "-d", "web", check=True)
    first = project.inspect(project.container_name("db", 1))["NetworkSettings"]["IPAddress"]
    code, out = sh(project, "web", "ping -c1 -W2 db")
    assert code == 0 and first in out, out


# -- volumes --------------------------------------------------------------------------------------------------


def test_relative_volume_is_relative_to_the_fig_file_directory(project):
    (project.dir / "conf" / "rel").mkdir(parents=True)
    (project.dir / "conf" / "rel" / "hello.txt").write_text("from-the-host\n")
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
          volumes:
            - ./rel:/data
            - ./rel:/readonly:ro
        """, "conf/fig.yml")
    project.fig("-f", "conf/fig.yml", "up", "-d", check=True)
    mounts = {m["Destination"]: m for m in project.inspect(project.container_name("web"))["Mounts"]}
    assert mounts["/data"]["Source"] == str(project.dir / "conf" / "rel")
    assert mounts["/data"]["RW"] is True and mounts["/readonly"]["RW"] is False
    assert sh(project, "web", "cat /data/hello.txt") == (0, "from-the-host\n")
    assert sh(project, "web", "echo written > /data/new.txt")[0] == 0
    assert (project.dir / "conf" / "rel" / "new.txt").read_text() == "written\n"
    code, out = sh(project, "web", "echo nope > /readonly/other.txt")
    assert code != 0 and "Read-only file system" in out
    assert not (project.dir / "conf" / "rel" / "other.txt").exists()


def test_home_directory_expansion(project):
    home = project.dir / "home"
    (home / "stuff").mkdir(parents=True)
    (home / "stuff" / "x.txt").write_text("tilde\n")
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
          volumes: ["~/stuff:/stuff"]
        """)
    project.fig("up", "-d", env={"HOME": str(home)}, check=True)
    assert sh(project, "web", "cat /stuff/x.txt") == (0, "tilde\n")


def test_volumes_from_a_service(project):
    project.write(f"""
        data:
          image: busybox
          command: {SLEEPER}
          volumes: [/shared]
        app:
          image: busybox
          command: {SLEEPER}
          volumes_from: [data]
        """)
    project.fig("up", "-d", check=True)
    assert sh(project, "data", "echo from-data > /shared/f")[0] == 0
    assert sh(project, "app", "cat /shared/f") == (0, "from-data\n")
    data_id = project.inspect(project.container_name("data"))["Id"]
    assert project.inspect(project.container_name("app"))["HostConfig"]["VolumesFrom"] == [f"{data_id}:rw"]


def test_net_container_service_shares_the_network_namespace(project):
    project.write(f"""
        db:
          image: busybox
          command: {SLEEPER}
        web:
          image: busybox
          command: {SLEEPER}
          net: "container:db"
        """)
    project.fig("up", "-d", check=True)
    db_id = project.inspect(project.container_name("db"))["Id"]
    assert project.inspect(project.container_name("web"))["HostConfig"]["NetworkMode"] == f"container:{db_id}"
    script = "hostname; ip -4 -o addr show eth0 | awk '{print $4}'"
    db_view, web_view = sh(project, "db", script), sh(project, "web", script)
    assert db_view[0] == 0 and web_view == db_view
    assert db_view[1].splitlines()[0] == db_id[:12]


# -- environment ----------------------------------------------------------------------------------------------


def test_environment_list_map_bare_key_and_env_file(project):
    (project.dir / "web.env").write_text("# a comment\nFROM_FILE=file\nOVERRIDDEN=by-file\nexport EXPORTED=yes\n")
    project.write(f"""
        listed:
          image: busybox
          command: {SLEEPER}
          environment:
            - PLAIN=value
            - WITH_EQUALS=a=b
            - FROM_CALLER
            - UNSET_IN_CALLER
        mapped:
          image: busybox
          command: {SLEEPER}
          env_file: web.env
          environment:
            NUMBER: 42
            OVERRIDDEN: by-environment
            FROM_CALLER:
        """)
    project.fig("up", "-d", env={"FROM_CALLER": "caller-value"}, check=True)
    listed = env_of(project, "listed")
    assert listed["PLAIN"] == "value" and listed["WITH_EQUALS"] == "a=b"
    assert listed["FROM_CALLER"] == "caller-value"
    assert listed["UNSET_IN_CALLER"] == "", "a fig.yml gives an unset bare key the empty value, as Fig 1.0.1"
    mapped = env_of(project, "mapped")
    assert mapped["NUMBER"] == "42" and mapped["FROM_CALLER"] == "caller-value"
    assert mapped["FROM_FILE"] == "file" and mapped["EXPORTED"] == "yes"
    assert mapped["OVERRIDDEN"] == "by-environment", "environment wins over env_file"
    code, out = sh(project, "mapped", "echo $NUMBER-$FROM_FILE")
    assert (code, out) == (0, "42-file\n")


# -- container options ------------------------------------------------------------------------------------------


def test_working_dir_user_hostname_and_entrypoint(project):
    project.write("""
        web:
          image: busybox
          working_dir: /tmp/work
          user: "1000:1000"
          hostname: myhost
          entrypoint: ["sh", "-c"]
          command: ["echo $$(pwd) $$(id -u):$$(id -g) $$(hostname) $$0", "arg0"]
        """)
    project.fig("up", "-d", check=True)
    wait_until(lambda: project.inspect(project.container_name("web"))["State"]["Status"] == "exited",
               message="web to exit")
    out = project.fig("logs", "--no-color", check=True).stdout
    assert "web_1 | /tmp/work 1000:1000 myhost arg0" in out.splitlines(), out
    config = project.inspect(project.container_name("web"))["Config"]
    assert config["Entrypoint"] == ["sh", "-c"]
    assert config["Cmd"] == ["echo $(pwd) $(id -u):$(id -g) $(hostname) $0", "arg0"]


def test_command_string_is_split_like_a_shell_and_list_is_kept(project):
    project.write("""
        string:
          image: busybox
          command: echo "two words"   'and  spaces'
        listed:
          image: busybox
          command: ["echo", "a  b", "$$HOME"]
        """)
    project.fig("up", "-d", check=True)
    assert project.inspect(project.container_name("string"))["Config"]["Cmd"] == ["echo", "two words", "and  spaces"]
    assert project.inspect(project.container_name("listed"))["Config"]["Cmd"] == ["echo", "a  b", "$HOME"]
    for service in ("string", "listed"):
        wait_until(lambda: project.inspect(project.container_name(service))["State"]["Status"] == "exited",
                   message=f"{service} to exit")
    lines = project.fig("logs", "--no-color", check=True).stdout.splitlines()
    assert "string_1 | two words and  spaces" in lines
    assert "listed_1 | a  b $HOME" in lines


def test_mem_limit_caps_restart_and_dns(project):
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
          mem_limit: 64m
          cap_add: [NET_ADMIN]
          cap_drop: [CHOWN]
          restart: on-failure:3
          dns: [192.0.2.53, 192.0.2.54]
        always:
          image: busybox
          command: {SLEEPER}
          restart: always
          dns: 192.0.2.55
        """)
    project.fig("up", "-d", check=True)
    host = project.inspect(project.container_name("web"))["HostConfig"]
    assert host["Memory"] == 64 * 1024 * 1024
    assert host["CapAdd"] == ["NET_ADMIN"] and host["CapDrop"] == ["CHOWN"]
    assert host["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert host["Dns"] == ["192.0.2.53", "192.0.2.54"]
    always = project.inspect(project.container_name("always"))["HostConfig"]
    assert always["RestartPolicy"]["Name"] == "always" and always["Dns"] == ["192.0.2.55"]
    code, out = sh(project, "web", "cat /sys/fs/cgroup/memory.max 2>/dev/null || "
                                   "cat /sys/fs/cgroup/memory/memory.limit_in_bytes")
    assert out.strip() == str(64 * 1024 * 1024), out
    assert sh(project, "web", "touch /tmp/f && chown 1:1 /tmp/f")[0] != 0, "CHOWN was dropped"
    assert sh(project, "web", "ip addr add 192.0.2.1/32 dev lo")[0] == 0, "NET_ADMIN was added"
    assert sh(project, "always", "ip addr add 192.0.2.1/32 dev lo")[0] != 0, "no NET_ADMIN by default"
    resolv = sh(project, "web", "cat /etc/resolv.conf")[1]
    assert "nameserver 192.0.2.53" in resolv and "nameserver 192.0.2.54" in resolv


def test_restart_policy_restarts_a_failing_container(project):
    project.write("""
        web:
          image: busybox
          command: sh -c 'echo run; exit 3'
          restart: on-failure:2
        """)
    project.fig("up", "-d", check=True)
    wait_until(lambda: project.inspect(project.container_name("web"))["RestartCount"] == 2 and
               project.inspect(project.container_name("web"))["State"]["Status"] == "exited",
               timeout=60, message="two restarts")
    assert project.inspect(project.container_name("web"))["State"]["ExitCode"] == 3


def test_expose_and_ports_publish_and_fig_port_prints_the_binding(project):
    project.write(f"""
        web:
          image: busybox
          command: {HTTPD.replace("-p 80", "-p 8080")}
          environment: [SERVICE=web]
          expose: ["9000"]
          ports:
            - "8080"
            - "127.0.0.1::8080"
        """)
    project.fig("up", "-d", check=True)
    exposed = project.inspect(project.container_name("web"))["Config"]["ExposedPorts"]
    assert {"8080/tcp", "9000/tcp"} <= set(exposed)
    bindings = project.inspect(project.container_name("web"))["NetworkSettings"]["Ports"]["8080/tcp"]
    assert bindings and all(b["HostPort"] for b in bindings)
    assert bindings[0]["HostPort"] != "8080", "no host port given: the engine picks one"
    printed = project.fig("port", "web", "8080", check=True).stdout.strip()
    host, port = printed.rsplit(":", 1)
    assert port.isdigit() and {"HostIp": host if host != "0.0.0.0" else "0.0.0.0", "HostPort": port} in bindings
    body = wait_until(lambda: _get(f"http://127.0.0.1:{port}/"), timeout=15, message="the published port")
    assert body == "hello-from-web\n"
    missing = project.fig("port", "web", "9000")  # not published: Fig prints an empty line (v2 fails)
    assert missing.returncode == 0 and missing.stdout == "\n" and missing.stderr == ""
    ps = project.fig("ps", check=True).stdout
    for b in bindings:
        if b["HostIp"] == "::":  # the IPv6 twin of 0.0.0.0 is not listed again
            continue
        assert f"{b['HostIp']}:{b['HostPort']}->8080/tcp" in ps, ps
    assert "9000/tcp" in ps


def test_fixed_host_port(project):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    project.write(f"""
        web:
          image: busybox
          command: {HTTPD}
          environment: [SERVICE=fixed]
          ports: ["127.0.0.1:{free}:80"]
        """)
    project.fig("up", "-d", check=True)
    assert project.fig("port", "web", "80", check=True).stdout.strip() == f"127.0.0.1:{free}"
    assert wait_until(lambda: _get(f"http://127.0.0.1:{free}/"), timeout=15) == "hello-from-fixed\n"


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.read().decode()
    except OSError:
        return None


def test_privileged_is_requested_and_runs_or_is_refused_in_one_line(project):
    project.write("""
        web:
          image: busybox
          command: sh -c 'grep CapEff /proc/self/status'
          privileged: true
        """)
    result = project.fig("up", "-d")
    host = project.inspect(project.container_name("web"))["HostConfig"]
    assert host["Privileged"] is True
    if result.returncode == 0:  # dockerd 26 here hands out the capabilities this kernel has
        wait_until(lambda: project.inspect(project.container_name("web"))["State"]["Status"] == "exited")
        effective = project.fig("logs", "--no-color", "web", check=True).stdout.split()[-1]
        assert int(effective, 16) & ~0xa80425fb, f"more than the default capabilities: {effective}"
        return
    # dockerd 20.10 cannot start privileged containers on this machine (no capabilities to hand out).
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, result.stderr
    assert "ERROR: " in errors[0] and len(errors[0]) < 500
    assert all(line.startswith(("ERROR", "Creating", "Starting")) for line in result.stderr.splitlines()), \
        result.stderr
