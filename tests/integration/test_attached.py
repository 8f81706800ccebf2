"""Attached `fig up` (no -d): every line of every container, whole and prefixed, until they exit; Ctrl-C
stops them gracefully, a second Ctrl-C kills them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time

import pytest

from tests.integration.conftest import FIG, SLEEPER, wait_until

pytestmark = pytest.mark.podman  # Podman's attach and stop serve these as dockerd's do

ANSI = re.compile(r"\x1b\[")
LINES = 3000


class Reader:
    """Collects a running process's stdout and stderr as they arrive."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.out: list[str] = []
        self.err: list[str] = []
        self.threads = [threading.Thread(target=self._read, args=(s, b), daemon=True)
                        for s, b in ((proc.stdout, self.out), (proc.stderr, self.err))]
        for t in self.threads:
            t.start()

    @staticmethod
    def _read(stream, into: list[str]) -> None:
        for line in stream:
            into.append(line)

    @property
    def stdout(self) -> str:
        return "".join(self.out)

    @property
    def stderr(self) -> str:
        return "".join(self.err)

    def finish(self, timeout: float) -> int:
        """Wait for the process to exit (a hang fails the test) and for its output to be read."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            pytest.fail(f"fig did not exit within {timeout}s:\n{self.stdout[-2000:]}\n{self.stderr}")
        for t in self.threads:
            t.join(10)
        assert "Traceback" not in self.stderr, self.stderr
        return code


def run_attached(project, *args: str, timeout: float = 120):
    proc = project.popen("up", *args)
    try:
        reader = Reader(proc)
        code = reader.finish(timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return code, reader


@pytest.mark.parametrize("flags", [(), ("--no-color",)], ids=["piped", "no-color"])
def test_every_line_of_every_container_arrives_once_whole_and_prefixed(project, flags):
    project.write(f"""
        web:
          image: busybox
          command: sh -c 'seq 1 {LINES} | sed "s/^/web /"'
        db:
          image: busybox
          command: sh -c 'seq 1 {LINES} | sed "s/^/db /"; exit 3'
        """)
    code, reader = run_attached(project, *flags)
    assert code == 0, reader.stderr
    out = reader.stdout
    assert not ANSI.search(out), "no colour when stdout is not a terminal"
    assert out.endswith("\n")
    # The name, maybe padded to align with the other names, then " | ", then the container's line.
    pattern = re.compile(r"^(web_1|db_1) {1,2}\| (web|db) (\d+)$")
    seen: dict[str, list[int]] = {"web": [], "db": []}
    others = []
    for line in out.splitlines():
        m = pattern.match(line)
        if m:
            assert m[1] == f"{m[2]}_1", line
            seen[m[2]].append(int(m[3]))
        else:
            others.append(line)
    for service in ("web", "db"):
        assert seen[service] == list(range(1, LINES + 1)), (f"{service}: lines lost, duplicated or out of order", others[:5])
    assert sorted(others) == sorted([f"{project.container_name('db')} exited with code 3",
                                     f"{project.container_name('web')} exited with code 0"]), others
    # Both containers ran to the end and were left in place.
    assert {c["State"] for c in project.containers()} == {"exited"}
    assert len(project.containers()) == 2


@pytest.mark.parametrize("flags, coloured", [((), True), (("--no-color",), False)], ids=["tty", "tty-no-color"])
def test_colour_only_on_a_terminal_without_no_color(project, flags, coloured):
    """The other half of the no-colour check: on a terminal the prefixes are coloured, unless --no-color."""
    import pty

    project.write("""
        web:
          image: busybox
          command: sh -c 'echo hello'
        """)
    master, slave = pty.openpty()
    proc = subprocess.Popen([*FIG, "-p", project.name, "up", *flags], cwd=project.dir, stdin=subprocess.DEVNULL,
                            stdout=slave, stderr=subprocess.PIPE, start_new_session=True)
    os.close(slave)
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the other side is closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    reader.join(10)
    os.close(master)
    out = b"".join(chunks).decode()
    assert proc.returncode == 0 and b"Traceback" not in err, err
    assert "hello" in out
    assert bool(ANSI.search(out)) is coloured, repr(out)


def test_a_last_line_without_newline_is_printed(project):
    project.write("""
        web:
          image: busybox
          command: sh -c 'echo first; sleep 1; printf "no newline at the end"'
        """)
    code, reader = run_attached(project, "--no-color")
    assert code == 0
    lines = reader.stdout.splitlines()
    assert lines == ["web_1 | first", "web_1 | no newline at the end",
                     f"{project.container_name('web')} exited with code 0"], reader.stdout


def test_up_only_attaches_to_the_named_service_but_starts_its_dependencies(project):
    project.write(f"""
        db:
          image: busybox
          command: sh -c 'echo db-says-hi; trap "exit 0" TERM; while :; do sleep 1; done'
        web:
          image: busybox
          command: sh -c 'echo web-says-hi'
          links: [db]
        """)
    code, reader = run_attached(project, "--no-color", "web")
    assert code == 0
    assert "web_1 | web-says-hi" in reader.stdout
    assert "db-says-hi" not in reader.stdout
    assert project.inspect(project.container_name("db"))["State"]["Running"]


def _start_and_wait_for_output(project, *args: str, ready: int = 2) -> Reader:
    proc = project.popen("up", "--no-color", *args)
    reader = Reader(proc)
    wait_until(lambda: reader.stdout.count("ready") >= ready or proc.poll() is not None, timeout=60,
               message="every container to print 'ready'")
    assert proc.poll() is None, reader.stderr
    return reader


def test_ctrl_c_stops_gracefully_and_keeps_the_containers(project):
    project.write(f"""
        web:
          image: busybox
          command: sh -c 'echo ready; trap "echo bye; exit 0" TERM INT; while :; do sleep 1; done'
        db:
          image: busybox
          command: sh -c 'echo ready; trap "exit 0" TERM INT; while :; do sleep 1; done'
        """)
    reader = _start_and_wait_for_output(project)
    try:
        began = time.monotonic()
        os.killpg(reader.proc.pid, signal.SIGINT)
        code = reader.finish(30)
    finally:
        if reader.proc.poll() is None:
            os.killpg(reader.proc.pid, signal.SIGKILL)
    assert code == 130
    assert time.monotonic() - began < 20
    assert "Gracefully stopping..." in reader.stderr
    containers = project.containers()
    assert len(containers) == 2, "stopped, not removed"
    for name in (project.container_name("web"), project.container_name("db")):
        state = project.inspect(name)["State"]
        assert state["Status"] == "exited" and state["ExitCode"] == 0, (name, state)


def test_second_ctrl_c_kills_a_stubborn_container(project):
    project.write("""
        web:
          image: busybox
          command: sh -c 'echo ready; trap "" TERM INT; while :; do sleep 1; done'
        db:
          image: busybox
          command: sh -c 'echo ready; trap "" TERM INT; while :; do sleep 1; done'
        """)
    reader = _start_and_wait_for_output(project, "-t", "30")
    try:
        os.killpg(reader.proc.pid, signal.SIGINT)
        wait_until(lambda: "Gracefully stopping" in reader.stderr, timeout=15, message="the graceful stop")
        time.sleep(1)  # the stop requests have reached the engine; the containers ignore SIGTERM
        assert reader.proc.poll() is None, "still waiting for the stubborn containers"
        began = time.monotonic()
        os.killpg(reader.proc.pid, signal.SIGINT)
        code = reader.finish(20)
        took = time.monotonic() - began
    finally:
        if reader.proc.poll() is None:
            os.killpg(reader.proc.pid, signal.SIGKILL)
    assert took < 10, f"the second Ctrl-C took {took:.1f}s"
    assert code == 130
    assert "Killing" in reader.stderr
    for name in (project.container_name("web"), project.container_name("db")):
        wait_until(lambda: project.inspect(name)["State"]["Status"] == "exited", timeout=10,
                   message=f"{name} to be killed")
        assert project.inspect(name)["State"]["ExitCode"] == 137
    assert len(project.containers()) == 2


def test_sigterm_to_fig_also_stops_gracefully(project):
    project.write(f"""
        web:
          image: busybox
          command: sh -c 'echo ready; trap "exit 0" TERM INT; while :; do sleep 1; done'
        """)
    reader = _start_and_wait_for_output(project, ready=1)
    try:
        reader.proc.send_signal(signal.SIGTERM)
        code = reader.finish(30)
    finally:
        if reader.proc.poll() is None:
            os.killpg(reader.proc.pid, signal.SIGKILL)
    assert code == 143  # 128 + SIGTERM, as a program ended by it
    assert project.inspect(project.container_name("web"))["State"]["Status"] == "exited"


def test_up_returns_when_all_containers_exit_even_after_a_restart_of_fig(project):
    """A second attached `up` with nothing changed re-attaches to the running containers and returns when
    they exit."""
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
        """)
    project.fig("up", "-d", check=True)
    proc = project.popen("up", "--no-color")
    reader = Reader(proc)
    try:
        wait_until(lambda: "Attaching to" in reader.stderr or proc.poll() is not None, timeout=30,
                   message="fig to attach")
        time.sleep(1)
        project.client.stop(project.container_name("web"), timeout=5)
        code = reader.finish(30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert code == 0
    assert f"{project.container_name('web')} exited with code 0" in reader.stdout
