"""Compose v2's flags on the commands fig has, run as a user would against the real engine: ps's listing and
JSON rows, up --wait and the attach set, logs' time windows, run's overrides, down SERVICE, and bad values."""

from __future__ import annotations

import datetime
import json
import math
import re
import time

import pytest

from tests.integration.conftest import SLEEPER, wait_until

TWO = f"""
    services:
      web:
        image: busybox
        command: {SLEEPER}
        ports: ["127.0.0.1::80"]
        volumes: [/data]
        labels: {{tier: front}}
      job:
        image: busybox
        command: sh -c 'exit 3'
    """


def rows(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


# -- ps ---------------------------------------------------------------------------------------------------

def test_ps_format_json_is_one_compact_object_per_line_with_v2_fields(project):
    project.write(TWO, "compose.yaml")
    project.fig("up", "-d", check=True)
    wait_until(lambda: project.inspect(project.container_name("job"))["State"]["Status"] == "exited",
               message="job to exit")
    result = project.fig("ps", "-a", "--format", "json", check=True)
    assert all(" " not in line.split('"Command"')[0] for line in result.stdout.splitlines())  # compact
    by_service = {row["Service"]: row for row in rows(result)}
    web, job = by_service["web"], by_service["job"]
    engine = project.inspect(project.container_name("web"))
    assert web["ID"] == engine["Id"] and web["Name"] == project.container_name("web")
    assert web["Names"] == [project.container_name("web")] and web["Project"] == project.name
    assert web["State"] == "running" and web["Status"].startswith("Up") and web["Health"] == ""
    assert isinstance(web["Created"], int) and web["Image"] == "busybox"
    host_port = int(engine["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"])
    assert web["Publishers"] == [{"URL": "127.0.0.1", "TargetPort": 80, "PublishedPort": host_port,
                                  "Protocol": "tcp"}]
    assert web["Labels"]["tier"] == "front" and web["LocalVolumes"] == 1 and len(web["Mounts"]) == 1
    assert web["Networks"] == [f"{project.name}_default"]
    assert job["State"] == "exited" and job["ExitCode"] == 3 and job["Publishers"] == []


def test_ps_selects_by_status_and_prints_services_and_ids(project):
    project.write(TWO, "compose.yaml")
    project.fig("up", "-d", check=True)
    wait_until(lambda: project.inspect(project.container_name("job"))["State"]["Status"] == "exited",
               message="job to exit")
    running = project.fig("ps", "--status", "running", "--format", "json", check=True)
    assert [row["Service"] for row in rows(running)] == ["web"]
    exited = project.fig("ps", "--filter", "status=exited", "-q", check=True)
    assert exited.stdout.split() == [project.inspect(project.container_name("job"))["Id"]]
    both = project.fig("ps", "--status", "running", "--status", "exited", "--services", check=True)
    assert both.stdout.splitlines() == ["job", "web"]
    # fig's ps lists stopped containers without -a, as Fig did
    assert {row["Service"] for row in rows(project.fig("ps", "--format", "json", check=True))} == {"web", "job"}


def test_ps_orphans_true_lists_a_service_no_longer_in_the_file(project):
    project.write(TWO, "compose.yaml")
    project.fig("up", "-d", "web", check=True)
    project.write(f"services:\n  other:\n    image: busybox\n    command: {SLEEPER}\n", "compose.yaml")
    assert project.fig("ps", "--services", check=True).stdout == ""
    assert project.fig("ps", "--orphans=true", "--services", check=True).stdout.splitlines() == ["web"]


def test_ps_bad_values_are_one_line_naming_the_flag(project):
    project.write(TWO, "compose.yaml")
    for args, flag in ((["--format", "xml"], "--format"), (["--status", "sleeping"], "--status"),
                       (["--filter", "name=web"], "--filter"), (["--orphans", "perhaps"], "--orphans")):
        result = project.fig("ps", *args)
        assert result.returncode == 1
        assert len(result.stderr.strip().splitlines()) == 1 and flag in result.stderr, result.stderr
    assert project.containers() == []


# -- up --wait --------------------------------------------------------------------------------------------

HEALTH = f"""
    services:
      web:
        image: busybox
        command: {SLEEPER}
        healthcheck: {{test: ["CMD", "true"], interval: 1s}}
      sick:
        image: busybox
        command: {SLEEPER}
        healthcheck: {{test: ["CMD", "false"], interval: 1s, retries: 1}}
    """


def test_up_wait_is_detached_and_returns_once_healthy(project):
    project.write(HEALTH, "compose.yaml")
    result = project.fig("up", "--wait", "web", timeout=60, check=True)
    assert result.stdout == ""  # detached: no log lines
    assert project.inspect(project.container_name("web"))["State"]["Health"]["Status"] == "healthy"


@pytest.mark.podman
def test_up_wait_fails_naming_the_service_that_is_not_healthy_in_time(project):
    project.write(HEALTH, "compose.yaml")
    result = project.fig("up", "--wait", "--wait-timeout", "20", timeout=60)
    assert result.returncode == 1
    assert "sick" in result.stderr and "'web'" not in result.stderr, result.stderr
    assert project.inspect(project.container_name("web"))["State"]["Running"]


def test_up_detach_long_form_and_attach_set_checks(project):
    project.write(TWO, "compose.yaml")
    result = project.fig("up", "--attach", "nope")
    assert result.returncode == 1 and "cannot attach to services not included in up: nope" in result.stderr
    result = project.fig("up", "--wait", "--attach", "web")
    assert result.returncode == 1 and "--attach" in result.stderr
    assert project.containers() == []
    project.fig("up", "--detach", "web", check=True)
    assert project.inspect(project.container_name("web"))["State"]["Running"]


# -- logs -------------------------------------------------------------------------------------------------

def test_logs_timestamps_prefix_index_and_tail_short_form(project):
    project.write(f"""
        services:
          web:
            image: busybox
            command: sh -c 'echo one; echo two; echo three; {SLEEPER[7:-1]}'
        """, "compose.yaml")
    project.fig("up", "-d", "--scale", "web=2", check=True)
    wait_until(lambda: project.fig("logs").stdout.count("three") == 2, message="both to print three")
    out = project.fig("logs", "--no-log-prefix", "-t", "-n", "1", "--index", "2", "web", check=True).stdout
    [line] = out.splitlines()
    stamp, text = line.split(" ", 1)
    assert text == "three" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", stamp), line
    result = project.fig("logs", "--index", "1")
    assert result.returncode == 1 and "--index needs exactly one SERVICE" in result.stderr


def test_logs_since_and_until_bound_the_lines_by_time(project):
    project.write("""
        services:
          web:
            image: busybox
            command: sh -c 'echo early; sleep 3; echo late; sleep 60'
        """, "compose.yaml")
    project.fig("up", "-d", check=True)
    wait_until(lambda: "late" in project.fig("logs").stdout, timeout=30, message="late")
    texts = lambda *args: [line.split("| ", 1)[1] for line in project.fig("logs", *args, check=True).stdout.splitlines()]
    started = project.inspect(project.container_name("web"))["State"]["StartedAt"]
    unix = datetime.datetime.fromisoformat(started[:19] + "+00:00").timestamp()
    assert texts("--since", str(unix + 2)) == ["late"]
    assert texts("--since", started[:19] + "Z", "--until", str(unix + 2)) == ["early"]
    assert texts("--since", "10m") == ["early", "late"]
    assert texts("--until", "2000-01-01T00:00:00Z") == []
    result = project.fig("logs", "--since", "yesterday")
    assert result.returncode == 1 and "--since" in result.stderr and len(result.stderr.splitlines()) == 1


# -- run --------------------------------------------------------------------------------------------------

def test_run_long_forms_volume_publish_label_and_capabilities(project):
    project.write(f"""
        services:
          web:
            image: busybox
            command: {SLEEPER}
            ports: ["80"]
            cap_add: [NET_ADMIN]
            labels: {{tier: front}}
        volumes:
          data: {{}}
        """, "compose.yaml")
    name = project.fig("run", "--detach", "--label", "tier=back", "-l", "extra=1", "--volume", "data:/d",
                       "-v", "./here:/here:ro", "--publish", "127.0.0.1::80", "--cap-drop", "NET_ADMIN",
                       "--cap-add", "SYS_TIME", "--env", "A=1", "--user", "0", "--workdir", "/d",
                       "--entrypoint", "sh -c", "web", "sleep 60", check=True).stdout.strip()
    assert name == f"{project.name}_web_run_1"  # fig prints the name, as Fig 1.0.1 did
    info = project.inspect(name)
    assert info["Config"]["Labels"]["tier"] == "back" and info["Config"]["Labels"]["extra"] == "1"
    assert f"{project.name}_data:/d:rw" in info["HostConfig"]["Binds"]
    assert f"{project.dir}/here:/here:ro" in info["HostConfig"]["Binds"]
    assert info["HostConfig"]["PortBindings"] == {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}
    assert info["HostConfig"]["CapAdd"] == ["SYS_TIME"] and info["HostConfig"]["CapDrop"] == ["NET_ADMIN"]
    assert "A=1" in info["Config"]["Env"] and info["Config"]["User"] == "0" and info["Config"]["WorkingDir"] == "/d"
    assert info["Config"]["Entrypoint"] == ["sh", "-c"] and info["Config"]["Cmd"] == ["sleep 60"]
    published = project.fig("run", "-d", "-P", "web", check=True).stdout.strip()
    assert project.inspect(published)["HostConfig"]["PortBindings"]["80/tcp"]
    plain = project.fig("run", "--no-TTY", "web", "echo", "piped", check=True)
    assert plain.stdout == "piped\n"
    assert project.fig("run", "--no-tty", "-i", "web", "cat", input="in\n", check=True).stdout == "in\n"
    for args, flag in ((["-l", "novalue"], "--label"), (["-p", "x:y"], "--publish"),
                       (["-p", "80", "-P"], "--publish"), (["--pull", "sometimes"], "--pull")):
        result = project.fig("run", *args, "web", "true")
        assert result.returncode == 1 and flag in result.stderr and len(result.stderr.splitlines()) == 1, result


# -- lifecycle --------------------------------------------------------------------------------------------

CHAIN = f"""
    services:
      db:
        image: busybox
        command: {SLEEPER}
      web:
        image: busybox
        command: {SLEEPER}
        depends_on: [db]
      other:
        image: busybox
        command: {SLEEPER}
    """


def test_down_service_removes_it_and_its_dependents_only(project):
    project.write(CHAIN, "compose.yaml")
    project.fig("up", "-d", check=True)
    project.fig("down", "db", check=True)
    assert project.names() == [project.container_name("other")]
    assert project.client.networks(names=[f"{project.name}_default"])  # still in use by other
    project.fig("down", "other", check=True)
    assert project.names() == [] and not project.client.networks(names=[f"{project.name}_default"])
    assert project.fig("down", "nope").returncode == 1


def test_kill_signal_rm_volumes_and_start_wait_long_forms(project):
    project.write(f"""
        services:
          web:
            image: busybox
            command: sh -c 'trap "echo got-usr1" USR1; while :; do sleep 1; done'
            volumes: [/data]
            healthcheck: {{test: ["CMD", "true"], interval: 1s}}
        """, "compose.yaml")
    project.fig("up", "-d", check=True)
    project.fig("kill", "--signal", "USR1", "web", check=True)
    wait_until(lambda: "got-usr1" in project.fig("logs").stdout, message="the signal to arrive")
    result = project.fig("kill", "--signal", "NOSUCH")
    assert result.returncode == 1 and "--signal" in result.stderr
    project.fig("stop", "--timeout", "1", check=True)
    project.fig("start", "--wait", "--wait-timeout", "30", timeout=60, check=True)
    assert project.inspect(project.container_name("web"))["State"]["Health"]["Status"] == "healthy"
    project.fig("restart", "--wait", timeout=60, check=True)
    assert project.inspect(project.container_name("web"))["State"]["Health"]["Status"] == "healthy"
    volume = next(m["Name"] for m in project.inspect(project.container_name("web"))["Mounts"])
    project.fig("rm", "--stop", "--force", "--volumes", check=True)
    assert project.names() == []
    assert volume not in [v["Name"] for v in project.client.volumes()["Volumes"] or []]


# -- global options ---------------------------------------------------------------------------------------

def test_env_file_replaces_dotenv_and_project_directory_moves_the_project(project):
    app = project.dir / "app"
    app.mkdir()
    (app / "compose.yaml").write_text("services:\n  web:\n    image: busybox\n    environment: [\"A=${A}\", \"B=${B:-unset}\"]\n"
                                      "    volumes: [./code:/code]\n")
    (app / ".env").write_text("A=from-dotenv\n")
    (project.dir / "one.env").write_text("A=one\nB=one\n")
    (project.dir / "two.env").write_text("B=two\n")
    result = project.fig("--project-directory", "app", "config", "--format", "json", check=True)
    web = json.loads(result.stdout)["services"]["web"]
    assert web["environment"] == {"A": "from-dotenv", "B": "unset"}
    assert web["volumes"][0]["source"] == str(app / "code")
    result = project.fig("--project-directory", "app", "--env-file", "one.env", "--env-file", "two.env",
                         "config", "--format", "json", check=True)
    assert json.loads(result.stdout)["services"]["web"]["environment"] == {"A": "one", "B": "two"}
    result = project.fig("--project-directory", "app", "--env-file", "missing.env", "config")
    assert result.returncode == 1 and "missing.env" in result.stderr
    result = project.fig("--project-directory", "nowhere", "config")
    assert result.returncode == 1 and "--project-directory" in result.stderr


def test_ansi_and_no_color(project):
    project.write("services:\n  web:\n    image: busybox\n    command: echo hi\n", "compose.yaml")
    project.fig("up", "-d", check=True)
    wait_until(lambda: "hi" in project.fig("logs").stdout, message="hi")
    assert "\x1b[" in project.fig("--ansi", "always", "logs", check=True).stdout
    assert "\x1b[" not in project.fig("--ansi", "always", "logs", "--no-color", check=True).stdout
    assert "\x1b[" not in project.fig("logs", check=True).stdout  # not a terminal
    result = project.fig("--ansi", "sometimes", "ps")
    assert result.returncode == 1 and "--ansi" in result.stderr and len(result.stderr.splitlines()) == 1


# -- config -----------------------------------------------------------------------------------------------

def test_config_normal_form_reads_back_as_the_same_project(project):
    (project.dir / "code").mkdir()
    project.write(f"""
        services:
          web:
            image: busybox
            command: {SLEEPER}
            ports: ["127.0.0.1:8000:80", "53/udp"]
            volumes: [./code:/code:ro, data:/data, /anon]
            depends_on: [db]
            mem_limit: 64m
            environment: {{A: "${{A:-dflt}}"}}
          db:
            image: busybox
            command: {SLEEPER}
        volumes:
          data: {{}}
        """, "compose.yaml")
    normal = json.loads(project.fig("config", "--format", "json", check=True).stdout)
    web = normal["services"]["web"]
    assert web["ports"][0] == {"mode": "ingress", "host_ip": "127.0.0.1", "target": 80, "published": "8000",
                               "protocol": "tcp"}
    assert web["volumes"][0] == {"type": "bind", "source": str(project.dir / "code"), "target": "/code",
                                 "read_only": True, "bind": {"create_host_path": True}}
    assert web["depends_on"] == {"db": {"condition": "service_started", "required": True}}
    assert web["mem_limit"] == 67108864 and web["environment"] == {"A": "dflt"}
    hashes = project.fig("config", "--hash", check=True).stdout
    project.fig("config", "-o", "normal.json", "--format", "json", check=True)
    project.fig("convert", "-o", "short.yml", check=True)
    for name in ("normal.json", "short.yml"):
        assert project.fig("-f", name, "config", "--hash", check=True).stdout == hashes, name
    assert project.fig("config", "--images", check=True).stdout.splitlines() == ["busybox", "busybox"]
    assert project.fig("config", "--networks", check=True).stdout.splitlines() == ["default"]
    raw = json.loads(project.fig("config", "--no-interpolate", "--format", "json", check=True).stdout)
    assert raw["services"]["web"]["environment"] == {"A": "${A:-dflt}"}
    variables = project.fig("config", "--variables", check=True).stdout.splitlines()
    assert variables[1].split() == ["A", "false", "dflt"]  # under the header, as Compose v2 lays it out
    assert "A=mine" in project.fig("config", "--environment", env={"A": "mine"}, check=True).stdout.splitlines()
    relative = json.loads(project.fig("config", "--no-path-resolution", "--format", "json", check=True).stdout)
    assert relative["services"]["web"]["volumes"][0]["source"] == "./code"
    project.fig("up", "-d", check=True)
    project.fig("-f", "normal.json", "up", "-d", check=True)  # the same project: nothing is recreated
    assert project.fig("-f", "short.yml", "up", "--explain").stdout.splitlines() == ["db: noop", "web: noop"]


# -- images -----------------------------------------------------------------------------------------------

def test_build_arg_quiet_and_with_dependencies(project):
    for name in ("web", "base"):
        (project.dir / name).mkdir()
        (project.dir / name / "Dockerfile").write_text("FROM busybox\nARG V=none\nRUN echo $V > /v\n")
    project.write(f"""
        services:
          web:
            build: web
            command: cat /v
            depends_on: [base]
          base:
            build: base
            command: {SLEEPER}
        """, "compose.yaml")
    images = lambda: {t for i in project.client.images() for t in i["RepoTags"] or ()
                      if t.startswith(f"{project.name}-")}  # a compose file's builds: <project>-<service>, as v2
    try:
        result = project.fig("build", "--quiet", "--build-arg", "V=given", "web", check=True)
        assert "Step" not in result.stdout + result.stderr
        assert images() == {f"{project.name}-web:latest"}
        assert project.fig("run", "--no-deps", "-T", "web", check=True).stdout == "given\n"
        project.fig("build", "--with-dependencies", "web", check=True)
        assert images() == {f"{project.name}-web:latest", f"{project.name}-base:latest"}
        assert project.fig("run", "--no-deps", "-T", "web", check=True).stdout == "none\n"
    finally:
        for tag in images():
            project.client.remove_image(tag, force=True)


def test_pull_policy_missing_include_deps_and_ignored_failures(project):
    project.write("""
        services:
          web:
            image: busybox
            depends_on: [gone]
          gone:
            image: localhost:1/figtest-nothing-here:1
        """, "compose.yaml")
    assert project.fig("pull", "--policy", "missing", "--quiet", "web", check=True).stdout == ""
    failed = project.fig("pull", "--policy", "missing", "--include-deps", "web")
    assert failed.returncode == 1 and "gone" in failed.stderr
    project.fig("pull", "--ignore-pull-failures", "--quiet", "gone", check=True)
    result = project.fig("pull", "--policy", "sometimes")
    assert result.returncode == 1 and "--policy" in result.stderr


def test_push_ignore_push_failures(project):
    (project.dir / "Dockerfile").write_text("FROM busybox\n")
    project.write("""
        services:
          web:
            build: .
            image: localhost:1/figtest-push:1
        """, "compose.yaml")
    try:
        project.fig("build", "-q", check=True)
        assert project.fig("push", "--quiet").returncode == 1
        result = project.fig("push", "--ignore-push-failures", check=True)
        assert "web" in result.stderr
    finally:
        project.client.remove_image("localhost:1/figtest-push:1", force=True)


# -- --dry-run --------------------------------------------------------------------------------------------

def engine_events_about(project, since: float) -> list[dict]:
    until = time.time() + 1
    events = project.client.events(since=math.floor(since), until=math.ceil(until), decode=True)
    return [e for e in events if project.name in json.dumps(e)]


def test_dry_run_says_what_each_writing_command_would_do_and_the_engine_sees_no_write(project):
    (project.dir / "Dockerfile").write_text("FROM busybox\n")
    project.write(f"""
        services:
          web:
            build: .
            command: {SLEEPER}
            depends_on: {{db: {{condition: service_healthy}}}}
            volumes: [data:/d]
          db:
            image: busybox
            command: {SLEEPER}
            healthcheck: {{test: ["CMD", "true"], interval: 1s}}
        volumes:
          data: {{}}
        """, "compose.yaml")
    started = time.time() - 1
    up = project.fig("--dry-run", "up", "--wait", timeout=60, check=True).stdout.splitlines()
    assert sorted(up[:3]) == [f"would build image {project.name}-web from {project.dir}",
                              f"would create network {project.name}_default", f"would create volume {project.name}_data"]
    assert up[3:] == [f"would create container {project.name}_db_1", f"would start container {project.name}_db_1",
                      f"would create container {project.name}_web_1", f"would start container {project.name}_web_1"]
    run = project.fig("--dry-run", "run", "--rm", "db", "echo", "hi", timeout=60, check=True).stdout
    assert f"would create container {project.name}_db_run_1" in run and "would remove container" in run
    for args in (("pull",), ("build",), ("scale", "db=2"), ("run", "-d", "db")):
        result = project.fig("--dry-run", *args, timeout=60, check=True)
        assert result.stdout.startswith("would "), (args, result.stdout)
    assert project.containers() == [] and engine_events_about(project, started) == []
    assert not project.client.volumes(filters={"name": f"{project.name}_data"})["Volumes"]

    project.fig("up", "-d", timeout=60, check=True)
    before = {c["Id"]: c["State"] for c in project.containers()}
    time.sleep(1)
    started = math.ceil(time.time())  # the engine's `since` is whole seconds: start the watch on one
    time.sleep(started - time.time())
    for args, expected in ((("stop",), "would stop container"), (("kill", "-s", "TERM"), "would send SIGTERM"),
                           (("restart",), "would restart container"), (("rm", "-sf"), "would remove container"),
                           (("up", "-d", "--force-recreate"), "would rename container"),
                           (("down", "--rmi", "local"), f"would remove image {project.name}-web")):
        result = project.fig("--dry-run", *args, timeout=60, check=True)
        assert expected in result.stdout, (args, result.stdout)
    assert {c["Id"]: c["State"] for c in project.containers()} == before
    writes = [e for e in engine_events_about(project, started)  # the healthcheck's execs are the engine's own
              if not str(e.get("Action", "")).startswith(("exec_", "health_status"))]
    assert writes == [], [(e.get("Action"), e.get("Actor", {}).get("Attributes", {}).get("name"), e.get("time")) for e in writes]
    project.client.remove_image(f"{project.name}-web", force=True)


# -- up's attached flags ----------------------------------------------------------------------------------

ATTACHED = """
    services:
      web:
        image: busybox
        command: sh -c 'echo web-says-hi; sleep 1'
        depends_on: [db]
      db:
        image: busybox
        command: sh -c 'echo db-says-hi; sleep 1'
      fails:
        image: busybox
        command: sh -c 'sleep 1; exit 4'
        profiles: [bad]
      slow:
        image: busybox
        command: sh -c 'trap "exit 0" TERM; while :; do sleep 1; done'
        profiles: [bad]
    """


def test_up_attach_no_attach_dependencies_prefix_and_timestamps(project):
    project.write(ATTACHED, "compose.yaml")
    out = project.fig("up", "web", timeout=60, check=True).stdout
    assert "web-says-hi" in out and "db-says-hi" not in out  # only the named service is shown
    out = project.fig("up", "--attach-dependencies", "web", timeout=60, check=True).stdout
    assert "web-says-hi" in out and "db-says-hi" in out
    out = project.fig("up", "--no-attach", "web", timeout=60, check=True).stdout
    assert "db-says-hi" in out and "web-says-hi" not in out
    out = project.fig("up", "--attach", "db", "--no-log-prefix", "--timestamps", "-y", timeout=60,
                      check=True).stdout
    [line] = [line for line in out.splitlines() if "says-hi" in line]
    stamp, text = line.split(" ", 1)
    assert text == "db-says-hi" and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d", stamp), line


def test_up_abort_on_container_failure_stops_the_rest_with_the_failures_code(project):
    project.write(ATTACHED, "compose.yaml")
    result = project.fig("--profile", "bad", "up", "--abort-on-container-failure", "fails", "slow", timeout=60)
    assert result.returncode == 4, result
    assert project.inspect(project.container_name("slow"))["State"]["Status"] == "exited"
    result = project.fig("up", "--abort-on-container-failure", "--abort-on-container-exit")
    assert result.returncode == 1 and "cannot be combined" in result.stderr


def test_up_always_recreate_deps_and_pull_policy(project):
    project.write(CHAIN, "compose.yaml")
    project.fig("up", "-d", "web", check=True)
    ids = {c["Names"][0]: c["Id"] for c in project.containers()}
    explained = project.fig("up", "--explain", "--always-recreate-deps", "web", check=True).stdout
    assert explained.splitlines() == ["db: recreate (forced)", "web: noop"], explained
    project.fig("up", "-d", "--always-recreate-deps", "web", check=True)
    after = {c["Names"][0]: c["Id"] for c in project.containers()}
    db = f"/{project.container_name('db')}"
    assert after[db] != ids[db]
    result = project.fig("up", "-d", "--always-recreate-deps", "--no-recreate")
    assert result.returncode == 1 and "cannot be combined" in result.stderr
    project.write(CHAIN.replace("image: busybox\n        command", "image: localhost:1/figtest-none:1\n        command", 1),
                  "compose.yaml")
    result = project.fig("up", "-d", "--pull", "never", "--quiet-pull", "db")
    assert result.returncode == 1 and "never" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    result = project.fig("up", "-d", "--pull", "whenever")
    assert result.returncode == 1 and "--pull" in result.stderr


def test_bad_global_values_are_one_line_naming_the_flag(project):
    project.write("services:\n  web:\n    image: busybox\n", "compose.yaml")
    for args, flag in ((["--parallel", "x"], "--parallel"), (["--ansi", "maybe"], "--ansi"),
                       (["--progress", "loud"], "--progress"), (["--env-file", "nowhere.env"], "nowhere.env")):
        result = project.fig(*args, "ps")
        assert result.returncode == 1 and flag in result.stderr, result
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_run_use_aliases_joins_the_network_under_the_service_name(project):
    project.write(f"""
        services:
          web:
            image: busybox
            command: {SLEEPER}
            networks: {{default: {{aliases: [front]}}}}
        """, "compose.yaml")
    aliases = {}
    for args in ((), ("--use-aliases",)):
        name = project.fig("run", "-d", *args, "web", check=True).stdout.strip()
        network = project.inspect(name)["NetworkSettings"]["Networks"][f"{project.name}_default"]
        aliases[args] = set(network["Aliases"] or ())
    assert not {"web", "front"} & aliases[()]
    assert {"web", "front"} <= aliases[("--use-aliases",)]


def test_dry_run_may_follow_the_command_name(project):
    project.write(f"services:\n  web:\n    image: busybox\n    command: {SLEEPER}\n", "compose.yaml")
    project.fig("up", "-d", check=True)
    result = project.fig("stop", "-t", "1", "--dry-run", "web", check=True)
    assert result.stdout == f"would stop container {project.name}_web_1\n"
    assert project.inspect(project.container_name("web"))["State"]["Running"]
    result = project.fig("run", "--rm", "-T", "web", "echo", "--dry-run", check=True)  # the command's own word
    assert result.stdout == "--dry-run\n"
