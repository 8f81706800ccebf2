"""The everyday commands as a user runs them: logs, start/stop/restart/kill, rm, help, file and project options,
and the errors a user sees (one line, non-zero exit, nothing created)."""

from __future__ import annotations

import re
import time

import pytest

from tests.integration.conftest import SLEEPER, wait_until

ANSI = re.compile(r"\x1b\[")
STUBBORN = """sh -c 'trap "" TERM; while :; do sleep 1; done'"""


def state(project, service: str, number: int = 1) -> dict:
    return project.inspect(project.container_name(service, number))["State"]


def exited(project, service: str) -> bool:
    return state(project, service)["Status"] == "exited"


# -- logs ------------------------------------------------------------------------------------------------


def test_logs_prints_every_line_with_a_prefix_and_no_colour_when_piped(project):
    project.write("""
        web:
          image: busybox
          command: sh -c 'echo one; echo two >&2; echo three'
        """)
    project.fig("up", "-d", check=True)
    wait_until(lambda: exited(project, "web"), message="web to exit")
    for args in (("logs",), ("logs", "--no-color")):
        out = project.fig(*args, check=True).stdout
        assert not ANSI.search(out), out
        lines = [line for line in out.splitlines() if "|" in line]
        # The engine keeps the order within a stream; between stdout and stderr it races.
        assert [line for line in lines if "two" not in line] == ["web_1 | one", "web_1 | three"], out
        assert sorted(lines) == ["web_1 | one", "web_1 | three", "web_1 | two"], out


def test_logs_tail(project):
    project.write("""
        web:
          image: busybox
          command: seq 1 20
        """)
    project.fig("up", "-d", check=True)
    wait_until(lambda: exited(project, "web"), message="web to exit")
    out = project.fig("logs", "--no-color", "--tail", "3", check=True).stdout
    assert [line for line in out.splitlines() if "|" in line] == ["web_1 | 18", "web_1 | 19", "web_1 | 20"]
    bad = project.fig("logs", "--tail", "lots")
    assert bad.returncode != 0 and "--tail" in bad.stderr


def test_logs_follow_returns_when_the_containers_exit(project):
    project.write("""
        web:
          image: busybox
          command: sh -c 'echo start; sleep 3; echo middle; sleep 1; echo end'
        db:
          image: busybox
          command: sh -c 'echo db-start; sleep 2; echo db-end'
        """)
    project.fig("up", "-d", check=True)
    began = time.monotonic()
    out = project.fig("logs", "-f", "--no-color", timeout=30, check=True).stdout
    assert time.monotonic() - began >= 2, "follow waited for the containers"
    lines = out.splitlines()
    for expected in ("web_1 | start", "web_1 | middle", "web_1 | end", "db_1  | db-start", "db_1  | db-end"):
        assert expected in lines, out
    assert exited(project, "web") and exited(project, "db")


# -- start / stop / restart / kill ---------------------------------------------------------------------------


def test_stop_with_timeout_then_start(project):
    project.write(f"""
        stubborn:
          image: busybox
          command: {STUBBORN}
        quick:
          image: busybox
          command: {SLEEPER}
        """)
    project.fig("up", "-d", check=True)
    began = time.monotonic()
    project.fig("stop", "-t", "1", check=True)
    took = time.monotonic() - began
    assert 0.9 <= took < 8, f"stop -t 1 took {took:.1f}s"
    assert state(project, "stubborn")["ExitCode"] == 137, "killed after the timeout"
    assert state(project, "quick")["ExitCode"] == 0, "stopped by SIGTERM"
    assert exited(project, "quick") and exited(project, "stubborn")
    ids = sorted(c["Id"] for c in project.containers())
    project.fig("start", check=True)
    assert state(project, "quick")["Running"] and state(project, "stubborn")["Running"]
    assert sorted(c["Id"] for c in project.containers()) == ids, "start reuses the containers"


def test_stop_and_start_one_service(project):
    project.write(f"""
        a:
          image: busybox
          command: {SLEEPER}
        b:
          image: busybox
          command: {SLEEPER}
        """)
    project.fig("up", "-d", check=True)
    project.fig("stop", "-t", "1", "a", check=True)
    assert exited(project, "a") and state(project, "b")["Running"]
    project.fig("start", "a", check=True)
    assert state(project, "a")["Running"]


def test_restart_with_timeout(project):
    project.write(f"""
        stubborn:
          image: busybox
          command: {STUBBORN}
        """)
    project.fig("up", "-d", check=True)
    first = state(project, "stubborn")["StartedAt"]
    began = time.monotonic()
    project.fig("restart", "-t", "1", check=True)
    assert time.monotonic() - began < 8
    after = state(project, "stubborn")
    assert after["Running"] and after["StartedAt"] > first


def test_kill_with_a_signal_reaches_the_container(project):
    project.write("""
        web:
          image: busybox
          command: sh -c 'trap "echo got-usr1" USR1; trap "exit 0" TERM; echo ready; while :; do sleep 1; done'
        """)
    project.fig("up", "-d", check=True)
    wait_until(lambda: "ready" in project.fig("logs", "--no-color").stdout, message="the trap to be set")
    project.fig("kill", "-s", "SIGUSR1", check=True)
    wait_until(lambda: "web_1 | got-usr1" in project.fig("logs", "--no-color").stdout, timeout=10,
               message="the USR1 trap to write to the log")
    assert state(project, "web")["Running"], "SIGUSR1 is not SIGKILL"
    project.fig("kill", check=True)
    wait_until(lambda: exited(project, "web"), timeout=10, message="SIGKILL")
    assert state(project, "web")["ExitCode"] == 137


# -- rm -------------------------------------------------------------------------------------------------------


def test_rm_removes_only_stopped_containers(project):
    project.write(f"""
        a:
          image: busybox
          command: {SLEEPER}
        b:
          image: busybox
          command: {SLEEPER}
        """)
    project.fig("up", "-d", check=True)
    nothing = project.fig("rm", "-f", check=True)
    assert "No stopped containers" in nothing.stdout
    assert len(project.containers()) == 2
    project.fig("stop", "-t", "1", "a", check=True)
    removed = project.fig("rm", "-f", check=True)
    assert "Are you sure" not in removed.stderr + removed.stdout, "-f does not ask"
    assert project.names() == [project.container_name("b")]


def test_rm_prompts_and_reads_the_answer_from_stdin(project):
    project.write("""
        web:
          image: busybox
          command: "true"
        """)
    project.fig("up", "-d", check=True)
    wait_until(lambda: exited(project, "web"), message="web to exit")
    no = project.fig("rm", input="n\n", check=True)
    assert "Going to remove " + project.container_name("web") in no.stdout
    assert "Are you sure? [yN]" in no.stderr
    assert len(project.containers()) == 1
    closed = project.fig("rm", check=True)  # stdin closed: no answer means no
    assert len(project.containers()) == 1, closed
    project.fig("rm", input="y\n", check=True)
    assert project.containers() == []


def test_rm_v_removes_anonymous_volumes(project):
    project.write("""
        web:
          image: busybox
          command: "true"
          volumes: [/data]
        """)
    project.fig("up", "-d", check=True)
    wait_until(lambda: exited(project, "web"), message="web to exit")
    volume = project.inspect(project.container_name("web"))["Mounts"][0]["Name"]
    project.fig("rm", "-f", "-v", check=True)
    assert project.containers() == []
    assert volume not in [v["Name"] for v in project.client.volumes()["Volumes"] or []]


def test_rm_without_v_keeps_anonymous_volumes(project):
    project.write("""
        web:
          image: busybox
          command: "true"
          volumes: [/data]
        """)
    project.fig("up", "-d", check=True)
    wait_until(lambda: exited(project, "web"), message="web to exit")
    volume = project.inspect(project.container_name("web"))["Mounts"][0]["Name"]
    try:
        project.fig("rm", "-f", check=True)
        assert project.containers() == []
        assert volume in [v["Name"] for v in project.client.volumes()["Volumes"] or []]
    finally:
        project.client.remove_volume(volume, force=True)


# -- help, version, files and project names ----------------------------------------------------------------------


def test_help_and_version(project):
    top = project.raw("help", check=True)
    assert "Usage:" in top.stdout and "Commands:" in top.stdout
    for command in ("up", "ps", "logs", "rm", "stop"):
        assert re.search(rf"^\s+{command}\s", top.stdout, re.M), command
    up = project.raw("help", "up", check=True)
    assert "Usage: up [options]" in up.stdout and "--no-recreate" in up.stdout
    assert project.raw("up", "--help", check=True).stdout == up.stdout
    from fig import __version__

    assert project.raw("--version", check=True).stdout.strip() == f"fig version {__version__}"
    assert project.raw("version", check=True).stdout.strip() == f"fig version {__version__}"
    unknown = project.raw("frobnicate")
    assert unknown.returncode == 1 and "No such command: frobnicate" in unknown.stderr


def test_f_uses_another_file_relative_to_its_directory(project):
    project.write(f"""
        other:
          image: busybox
          command: {SLEEPER}
        """, "conf/other.yml")
    missing = project.fig("up", "-d")
    assert missing.returncode != 0 and "Can't find a suitable configuration file" in missing.stderr
    project.fig("-f", "conf/other.yml", "up", "-d", check=True)
    assert project.names() == [project.container_name("other")]
    ps = project.fig("-f", "conf/other.yml", "ps", check=True)
    assert project.container_name("other") in ps.stdout


def test_fig_file_variable(project):
    project.write(f"""
        fromenv:
          image: busybox
          command: {SLEEPER}
        """, "env.yml")
    project.fig("up", "-d", env={"FIG_FILE": "env.yml"}, check=True)
    assert project.names() == [project.container_name("fromenv")]


def test_project_name_from_directory_option_and_variable(project):
    workdir = project.dir / project.name  # the default project name is the directory's, normalised
    workdir.mkdir()
    (workdir / "fig.yml").write_text(f"web:\n  image: busybox\n  command: {SLEEPER}\n")
    project.raw("up", "-d", cwd=workdir, check=True)
    assert project.names() == [project.container_name("web")]

    # -p and FIG_PROJECT_NAME both name the project (normalised: lowercase letters and digits only).
    other = project.name + "x"
    try:
        project.raw("-p", other.upper() + "-_", "up", "-d", cwd=workdir, check=True)
        assert project.client.inspect_container(f"{other}_web_1")["State"]["Running"]
        ps = project.raw("ps", "-q", cwd=workdir, env={"FIG_PROJECT_NAME": other}, check=True)
        assert ps.stdout.split() == [project.client.inspect_container(f"{other}_web_1")["Id"]]
    finally:
        from tests.integration.conftest import remove_project

        remove_project(project.client, other)


def test_verbose_shows_more(project):
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
        """)
    quiet = project.fig("up", "-d", check=True)
    project.fig("stop", "-t", "1", check=True)
    loud = project.fig("--verbose", "up", "-d", check=True)
    assert len(loud.stderr.splitlines()) > len(quiet.stderr.splitlines())
    assert "DEBUG" not in quiet.stderr and "containers/json" not in quiet.stderr
    assert re.search(r"DEBUG.*GET /v[\d.]+/containers/json", loud.stderr), loud.stderr


# -- errors ---------------------------------------------------------------------------------------------------


def test_unreachable_engine(project):
    project.write("""
        web:
          image: busybox
        """)
    for args in (("up", "-d"), ("ps",)):
        result = project.fig(*args, env={"DOCKER_HOST": "unix:///tmp/nonexistent.sock"}, timeout=60)
        assert result.returncode == 1
        assert result.stderr.strip().splitlines()[-1] == (
            "ERROR: Couldn't connect to Docker daemon at unix:///tmp/nonexistent.sock - is it running?")
        assert result.stderr.strip().count("\n") == 0, result.stderr


@pytest.mark.parametrize("files, expected", [
    pytest.param({"fig.yml": "web:\n  image: busybox\n  imagee: x\n"},
                 ["fig.yml", "service 'web'", "unknown key 'imagee'"], id="unknown-key"),
    pytest.param({"fig.yml": "web:\n  image: busybox\n  ports: 80\n"},
                 ["fig.yml", "service 'web'", "'ports'", "must be"], id="bad-type"),
    pytest.param({"fig.yml": "web:\n  image: busybox\n  mem_limit: lots\n"},
                 ["fig.yml", "service 'web'", "mem_limit"], id="bad-value"),
    pytest.param({}, ["Can't find a suitable configuration file"], id="missing-file"),
    pytest.param({"fig.yml": "a:\n  image: busybox\n  links: [b]\nb:\n  image: busybox\n  links: [a]\n"},
                 ["fig.yml", "a -> b -> a", "Circular dependency"], id="cycle"),
    pytest.param({"fig.yml": "web:\n  image: busybox\n  links: [nosuchdb]\n"},
                 ["fig.yml", "service 'web'", "'links'", "nosuchdb"], id="link-to-undefined-service"),
    pytest.param({"fig.yml": "web: [\n"}, ["fig.yml", "invalid YAML"], id="bad-yaml"),
    pytest.param({"fig.yml": "web:\n  image: busybox\n  env_file: nothere.env\n"},
                 ["service 'web'", "env_file", "nothere.env"], id="missing-env-file"),
])
def test_invalid_config_is_one_line_and_creates_nothing(project, files, expected):
    for name, text in files.items():
        (project.dir / name).write_text(text)
    for args in (("up", "-d"), ("ps",)):
        result = project.fig(*args)
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("ERROR: "), lines[0]
        for word in expected:
            assert word in lines[0], (word, lines[0])
    assert project.containers() == []


def test_missing_explicit_file(project):
    result = project.fig("-f", "nope.yml", "up", "-d")
    assert result.returncode != 0
    assert result.stderr.strip() == "ERROR: nope.yml: no such file"
    assert project.containers() == []


def test_unknown_service_name(project):
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
        """)
    result = project.fig("up", "-d", "nosuch")
    assert result.returncode != 0
    assert result.stderr.strip() == "ERROR: No such service: nosuch"
    assert project.containers() == []
