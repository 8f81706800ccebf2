"""`fig run`: one-off containers, their options, piped stdin, --rm, and an interactive TTY through a real pty."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import textwrap
import time

import docker
import pytest

from tests.integration.conftest import FIG, SLEEPER


def oneoffs(project, service: str = "web") -> list[dict]:
    return project.client.containers(all=True, filters={"label": [
        f"com.docker.compose.project={project.name}", f"com.docker.compose.service={service}", "com.docker.compose.oneoff=True"]})


def volume_exists(client, name: str) -> bool:
    try:
        client.inspect_volume(name)
        return True
    except docker.errors.NotFound:
        return False


def anonymous_volume(project, container: str, target: str = "/data") -> str:
    mounts = project.inspect(container)["Mounts"]
    names = [m["Name"] for m in mounts if m["Destination"] == target and m["Type"] == "volume"]
    assert len(names) == 1, mounts
    return names[0]


def popen(project, *args: str, stdin=subprocess.DEVNULL) -> subprocess.Popen:
    """fig in its own process group, as a terminal starts it, so Ctrl-C can be sent with killpg."""
    return subprocess.Popen([*FIG, "-p", project.name, *args], cwd=project.dir, stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for_line(proc: subprocess.Popen, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if ready:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            if text in line:
                return
    proc.kill()
    pytest.fail(f"never saw {text!r} on stdout; got {seen!r}; stderr: {proc.stderr.read()}")


# -- dependencies and naming ---------------------------------------------------------------------------

LINKED = f"""
    db:
      image: busybox
      command: {SLEEPER}
    web:
      image: busybox
      links: [db]
      command: echo default-command
    """


@pytest.mark.podman
def test_run_starts_linked_service_and_names_the_one_off(project):
    project.write(LINKED)
    first = project.fig("run", "-T", "web", "echo", "hello", check=True)
    assert first.stdout == "hello\n"
    db = project.inspect(project.container_name("db"))
    assert db["State"]["Running"]
    assert project.containers(service="web") == oneoffs(project), "run must not create web_1"

    second = project.fig("run", "-T", "web", check=True)
    assert second.stdout == "default-command\n"
    names = sorted(c["Names"][0].lstrip("/") for c in oneoffs(project))
    assert names == [f"{project.name}_web_run_1", f"{project.name}_web_run_2"]
    assert all(c["Labels"]["com.docker.compose.oneoff"] == "True" for c in oneoffs(project))
    assert project.inspect(project.container_name("db"))["Id"] == db["Id"], "a running dependency is kept"


def test_run_starts_a_stopped_dependency_without_recreating_it(project):
    project.write(LINKED)
    project.fig("up", "-d", "db", check=True)
    db_id = project.inspect(project.container_name("db"))["Id"]
    project.fig("stop", "-t", "1", "db", check=True)
    assert not project.inspect(project.container_name("db"))["State"]["Running"]

    project.fig("run", "-T", "web", "true", check=True)
    db = project.inspect(project.container_name("db"))
    assert db["Id"] == db_id and db["State"]["Running"]


def test_run_no_deps_starts_nothing_else(project):
    project.write(LINKED)
    result = project.fig("run", "--no-deps", "-T", "web", "echo", "alone", check=True)
    assert result.stdout == "alone\n"
    assert project.containers(service="db") == []


def test_run_uses_the_services_links_and_volumes(project):
    project.write(LINKED.replace("links: [db]", "links: [db]\n      volumes: ['./shared:/shared']"))
    project.write("from the host\n", "shared/file.txt")
    result = project.fig("run", "-T", "web", "sh", "-c", "cat /shared/file.txt && ping -c 1 -W 5 db >/dev/null && "
                         "echo reached-db", check=True)
    assert result.stdout == "from the host\nreached-db\n"


@pytest.mark.parametrize("no_deps", [False, True])
def test_run_in_a_compose_file_joins_the_project_network(project, no_deps):
    project.write(f"""
        services:
          db:
            image: busybox
            command: {SLEEPER}
          web:
            image: busybox
            depends_on: [db]
        """)
    if no_deps:
        project.fig("up", "-d", "db", check=True)
        project.fig("stop", "-t", "1", "db", check=True)
        project.client.remove_container(project.container_name("db"), force=True)
        for network in project.client.networks(names=[f"{project.name}_default"]):
            project.client.remove_network(network["Id"])
        result = project.fig("run", "--no-deps", "-T", "web", "echo", "ran", check=True)
        assert result.stdout == "ran\n"
        assert project.containers(service="db") == []
    else:
        result = project.fig("run", "-T", "web", "sh", "-c", "ping -c 1 -W 5 db >/dev/null && echo reached-db",
                             check=True)
        assert result.stdout == "reached-db\n"
    assert project.client.networks(names=[f"{project.name}_default"])


def test_run_of_unknown_service_is_a_one_line_error(project):
    project.write(LINKED)
    result = project.fig("run", "-T", "nope", "true")
    assert result.returncode == 1
    assert result.stderr.strip() == "ERROR: No such service: nope"


# -- exit code, output streams, stdin ------------------------------------------------------------------

@pytest.mark.podman
def test_run_exit_code_and_streams_pass_through(project):
    project.write("web:\n  image: busybox\n")
    result = project.fig("run", "-T", "web", "sh", "-c", "echo to-out; echo to-err >&2; exit 7")
    assert result.returncode == 7
    assert result.stdout == "to-out\n"
    assert "to-err\n" in result.stderr and "to-out" not in result.stderr


@pytest.mark.podman
def test_run_without_tty_passes_piped_stdin_and_its_end(project):
    project.write("web:\n  image: busybox\n")
    assert project.fig("run", "-T", "web", "cat", input="hi\n", check=True).stdout == "hi\n"
    # Not a terminal and no -T: still plain pipes. A large input arrives whole, and its end reaches the container.
    data = "".join(f"line {i}\n" for i in range(20000))
    result = project.fig("run", "web", "sh", "-c", "wc -c; echo after-eof", input=data, check=True)
    assert result.stdout.split() == [str(len(data)), "after-eof"]


def test_run_with_stdin_closed_does_not_hang(project):
    project.write("web:\n  image: busybox\n")
    result = project.fig("run", "web", "cat", timeout=30)
    assert result.returncode == 0 and result.stdout == ""


# -- options --------------------------------------------------------------------------------------------

def test_run_options_environment_user_workdir_entrypoint_name(project):
    project.write("""
        web:
          image: busybox
          environment:
            FROM_FILE: file
            OVERRIDDEN: file
        """)
    script = 'echo "$FROM_FILE $OVERRIDDEN $EXTRA $(id -u) $(pwd)"'
    result = project.fig("run", "-T", "-e", "OVERRIDDEN=cli", "-e", "EXTRA=x=y", "-u", "1234", "-w", "/tmp",
                         "--entrypoint", "sh -c", "--name", f"{project.name}-custom", "web", script, check=True)
    assert result.stdout == "file cli x=y 1234 /tmp\n"
    config = project.inspect(f"{project.name}-custom")["Config"]
    assert config["Entrypoint"] == ["sh", "-c"]
    assert config["Labels"]["com.docker.compose.oneoff"] == "True"


def test_run_bad_environment_argument_is_a_one_line_error(project):
    project.write("web:\n  image: busybox\n")
    result = project.fig("run", "-T", "-e", "=x", "web", "true")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["ERROR: Invalid -e '=x': use KEY=VALUE"]


def test_run_detached_prints_name_and_publishes_ports_only_with_service_ports(project):
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
          ports: ["80"]
        """)
    plain = project.fig("run", "-d", "web", check=True)
    assert plain.stdout.strip() == f"{project.name}_web_run_1"
    assert project.inspect(plain.stdout.strip())["State"]["Running"]
    assert not project.inspect(plain.stdout.strip())["HostConfig"]["PortBindings"]

    published = project.fig("run", "-d", "--service-ports", "web", check=True).stdout.strip()
    assert published == f"{project.name}_web_run_2"
    bindings = project.inspect(published)["NetworkSettings"]["Ports"]["80/tcp"]
    assert bindings and int(bindings[0]["HostPort"]) > 0


# -- --rm -----------------------------------------------------------------------------------------------

VOLUME_SERVICE = """
    web:
      image: busybox
      volumes: [/data]
    """


@pytest.mark.podman
def test_run_rm_removes_the_container_and_its_anonymous_volume(project):
    project.write(VOLUME_SERVICE)
    for rm in (False, True):
        proc = popen(project, "run", *(["--rm"] if rm else []), "web", "sh", "-c", "echo ready; read x; exit 3",
                     stdin=subprocess.PIPE)
        wait_for_line(proc, "ready")
        [container] = [c for c in oneoffs(project) if c["State"] == "running"]
        volume = anonymous_volume(project, container["Id"])
        proc.stdin.write("go\n")
        proc.stdin.close()
        assert proc.wait(timeout=30) == 3
        assert "Traceback" not in proc.stderr.read()
        left = [c["Id"] for c in oneoffs(project)]
        if rm:
            assert container["Id"] not in left
            assert not volume_exists(project.client, volume), "--rm must remove the anonymous volume"
        else:  # the control: without --rm both stay
            assert container["Id"] in left and volume_exists(project.client, volume)


def test_run_rm_cleans_up_when_interrupted(project):
    project.write(VOLUME_SERVICE)
    proc = popen(project, "run", "--rm", "-T", "web", "sh", "-c",
                 'trap "exit 0" TERM; echo ready; while :; do sleep 1; done')
    wait_for_line(proc, "ready")
    [container] = oneoffs(project)
    volume = anonymous_volume(project, container["Id"])
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=30) == 130
    assert "Traceback" not in proc.stderr.read()
    assert oneoffs(project) == []
    assert not volume_exists(project.client, volume)


def test_run_rm_second_interrupt_kills_a_stubborn_container_and_still_removes_it(project):
    project.write(VOLUME_SERVICE)
    proc = popen(project, "run", "--rm", "-T", "web", "sh", "-c",
                 'trap "" TERM; echo ready; while :; do sleep 1; done')
    wait_for_line(proc, "ready")
    [container] = oneoffs(project)
    volume = anonymous_volume(project, container["Id"])
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # stop: the container ignores SIGTERM, so this would wait 10 s
    time.sleep(1)
    os.killpg(proc.pid, signal.SIGINT)  # kill now
    proc.wait(timeout=30)
    assert time.monotonic() - started < 8
    assert "Traceback" not in proc.stderr.read()
    assert oneoffs(project) == []
    assert not volume_exists(project.client, volume)


def test_run_detached_rm_is_removed_by_the_engine_when_it_exits(project):
    project.write(VOLUME_SERVICE)
    name = project.fig("run", "-d", "--rm", "web", "sh", "-c", "sleep 2", check=True).stdout.strip()
    assert name == f"{project.name}_web_run_1"
    volume = anonymous_volume(project, name)
    deadline = time.monotonic() + 30
    while oneoffs(project) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert oneoffs(project) == []
    assert not volume_exists(project.client, volume)


# -- interactive: a real terminal -------------------------------------------------------------------------

# Runs fig on the pty (inherited from pty.fork), with a given window size, and records whether the terminal
# attributes are the same after fig exits as before it started.
WRAPPER = textwrap.dedent("""
    import fcntl, json, struct, subprocess, sys, termios
    report, rows, cols, *command = sys.argv[1:]
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", int(rows), int(cols), 0, 0))
    before = termios.tcgetattr(0)
    code = subprocess.call(command)
    after = termios.tcgetattr(0)
    with open(report, "w") as f:
        json.dump({"restored": before == after, "before": before[:4], "after": after[:4]}, f)
    sys.exit(code)
    """)


class Terminal:
    """The user's side of a pseudo-terminal running `fig ARGS`."""

    def __init__(self, project, *args: str, rows: int = 33, cols: int = 101) -> None:
        self.report = project.dir / "tty-report.json"
        command = [*FIG, "-p", project.name, *args]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: its stdin/stdout/stderr are the pty, and it is a session leader
            try:
                os.chdir(project.dir)
                os.execv(sys.executable, [sys.executable, "-c", WRAPPER, str(self.report), str(rows), str(cols),
                                          *command])
            finally:
                os._exit(127)
        self.output = b""
        self.code: int | None = None

    def read_until(self, pattern: bytes, timeout: float = 20) -> bytes:
        """Read until `pattern` (a regex) matches output not read before; returns that output."""
        start = len(self.output)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, self.output[start:]):
                return self.output[start:]
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:  # EIO: the child side has closed
                    break
                if not data:
                    break
                self.output += data
        if re.search(pattern, self.output[start:]):
            return self.output[start:]
        raise AssertionError(f"no {pattern!r} in the terminal output; got {self.output[start:]!r}")

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def resize(self, rows: int, cols: int) -> None:
        """As a terminal emulator does: the kernel then sends SIGWINCH to the foreground process group."""
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def wait(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:  # keep draining so the child never blocks on a full pty
                if select.select([self.fd], [], [], 0.1)[0]:
                    self.output += os.read(self.fd, 65536)
            except OSError:
                pass
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.code = os.waitstatus_to_exitcode(status)
                return self.code
        self.kill()
        raise AssertionError(f"fig did not exit within {timeout}s; output: {self.output!r}")

    def kill(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass

    def terminal_restored(self) -> bool:
        report = json.loads(self.report.read_text())
        return report["restored"]

    def close(self) -> None:
        if self.code is None:
            self.kill()
        os.close(self.fd)


PROMPT = rb"/ # "


@pytest.fixture
def terminal(project):
    opened = []

    def open_terminal(*args: str, **kwargs) -> Terminal:
        t = Terminal(project, *args, **kwargs)
        opened.append(t)
        return t

    yield open_terminal
    for t in opened:
        t.close()


@pytest.mark.podman
def test_interactive_shell_through_a_pseudo_terminal(project, terminal):
    project.write("web:\n  image: busybox\n")
    term = terminal("run", "web", "sh", rows=33, cols=101)
    term.read_until(PROMPT, timeout=60)

    term.send(b"echo $((6*7))\r")
    assert b"42\r\n" in term.read_until(rb"42\r\n.*" + PROMPT)

    term.send(b"tty\r")
    assert re.search(rb"/dev/pts/\d+\r\n", term.read_until(rb"/dev/pts/\d+\r\n.*" + PROMPT))

    term.send(b"stty size\r")
    assert b"33 101\r\n" in term.read_until(rb"\d+ \d+\r\n.*" + PROMPT), "the terminal size reaches the container"

    term.resize(40, 120)
    time.sleep(0.5)
    term.send(b"stty size\r")
    assert b"40 120\r\n" in term.read_until(rb"\d+ \d+\r\n.*" + PROMPT), "a resize reaches the container"

    term.send(b"sleep 30; echo not-interrupted\r")
    time.sleep(1)
    started = time.monotonic()
    term.send(b"\x03")  # Ctrl-C: interrupts the sleep in the container, not fig
    after_interrupt = term.read_until(PROMPT, timeout=10)
    assert time.monotonic() - started < 5
    assert b"\nnot-interrupted" not in after_interrupt

    term.send(b"echo still-$((1+1))\r")
    term.read_until(rb"still-2\r\n")

    term.send(b"exit 5\r")
    assert term.wait() == 5
    assert term.terminal_restored(), "fig must restore the terminal's attributes"


def test_interactive_ctrl_d_ends_the_shell_and_restores_the_terminal(project, terminal):
    project.write("web:\n  image: busybox\n")
    term = terminal("run", "--rm", "web", "sh")
    term.read_until(PROMPT, timeout=60)
    term.send(b"\x04")  # Ctrl-D at an empty prompt: end of input for the shell
    assert term.wait() == 0
    assert term.terminal_restored()
    assert oneoffs(project) == []


def test_minus_t_disables_the_tty_even_on_a_terminal(project, terminal):
    project.write("web:\n  image: busybox\n")
    term = terminal("run", "-T", "web", "tty")
    term.read_until(rb"not a tty")
    assert term.wait() == 1
    assert term.terminal_restored()
