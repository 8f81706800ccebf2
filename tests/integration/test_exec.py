"""`fig exec`: a command in a running container, with a real TTY on a terminal and plain pipes otherwise."""

from __future__ import annotations

import re
import time

import pytest

from tests.integration.conftest import wait_until
from tests.integration.test_run import PROMPT, terminal  # noqa: F401 (a fixture)

pytestmark = pytest.mark.podman


def test_exec_on_a_terminal_gets_a_tty_that_follows_the_window(up, terminal):
    term = terminal("exec", "web", "sh", rows=33, cols=101)
    term.read_until(PROMPT, timeout=30)
    term.send(b"tty; stty size\r")
    out = term.read_until(rb"\d+ \d+\r\n.*" + PROMPT)
    assert re.search(rb"/dev/pts/\d+\r\n33 101\r\n", out), out
    term.resize(40, 120)
    time.sleep(0.5)
    term.send(b"stty size\r")
    assert b"40 120\r\n" in term.read_until(rb"\d+ \d+\r\n.*" + PROMPT), "a resize reaches the command"
    term.send(b"exit 4\r")
    assert term.wait() == 4
    assert term.terminal_restored()


def test_exec_no_tty_on_a_terminal(up, terminal):
    term = terminal("exec", "-T", "web", "tty")
    term.read_until(rb"not a tty")
    assert term.wait() == 1


def test_exec_exits_with_the_commands_code_and_keeps_stdout_and_stderr_apart(up):
    result = up.fig("exec", "web", "sh", "-c", "echo out; echo err >&2; exit 3")
    assert (result.returncode, result.stdout, result.stderr) == (3, "out\n", "err\n")
    assert up.fig("exec", "web", "true").returncode == 0


def test_exec_reads_piped_stdin_to_its_end(up):
    text = "".join(f"line {i}\n" for i in range(2000))
    result = up.fig("exec", "web", "sh", "-c", "wc -l; tty", input=text)
    assert result.stdout == "2000\nnot a tty\n" and result.returncode == 1


def test_exec_options_reach_the_command(up):
    (up.dir / ".env").write_text("FROM_DOTENV=dotted\n")
    result = up.fig("exec", "-e", "GREETING=hi", "-e", "FROM_HERE", "-e", "FROM_DOTENV", "-e", "UNSET", "--user",
                    "5:6", "-w", "/etc", "web", "sh", "-c",
                    "echo $GREETING $FROM_HERE $FROM_DOTENV ${UNSET-unset} $(id -u):$(id -g) $PWD",
                    env={"FROM_HERE": "there"})
    assert (result.returncode, result.stdout) == (0, "hi there dotted unset 5:6 /etc\n")


def test_exec_detached_prints_nothing_and_returns_at_once(up):
    result = up.fig("exec", "-d", "web", "sh", "-c", "sleep 6; echo done > /figmark")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    container = up.container_name("web")
    assert up.exec(container, "cat", "/figmark")[0] != 0, "fig returned before the command ended"
    wait_until(lambda: up.exec(container, "cat", "/figmark") == (0, "done\n"), timeout=30, message="the command ran")


def test_exec_index_picks_the_replica(up):
    up.fig("up", "-d", "--scale", "web=2", check=True)
    result = up.fig("exec", "--index", "2", "web", "hostname")
    assert result.stdout.strip() == up.inspect(up.container_name("web", 2))["Config"]["Hostname"]
    missing = up.fig("exec", "--index", "3", "web", "true")
    assert missing.returncode == 1 and missing.stderr.strip() == 'ERROR: service "web" is not running container #3'


def test_exec_refuses_in_one_line(up):
    up.fig("stop", "-t", "1", check=True)
    stopped = up.fig("exec", "web", "true")
    assert stopped.returncode == 1 and stopped.stderr.strip() == 'ERROR: service "web" is not running'
    unknown = up.fig("exec", "nope", "true")
    assert unknown.returncode == 1 and unknown.stderr.strip() == "ERROR: No such service: nope"
    bad = up.fig("exec", "--index", "two", "web", "true")
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1
