"""Output under load: long lines whole, bad bytes replaced, CRLF as one newline, every line of many chatty
containers exactly once in order, and bounded memory behind a reader that does not read."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections import defaultdict

import pytest

from tests.integration.conftest import FIG

MIB = 1024 * 1024


def run(project, *args: str, timeout: float = 180) -> tuple[int, bytes, str]:
    """fig's exit code, its stdout as bytes (to see every byte it wrote) and its stderr."""
    proc = subprocess.run([*FIG, "-p", project.name, *args], cwd=project.dir, capture_output=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    return proc.returncode, proc.stdout, err


@pytest.mark.parametrize("command", [("up", "--no-color"), ("logs", "--no-color"), ("logs", "-f", "--no-color")])
def test_long_lines_bad_bytes_and_crlf(project, command):
    project.write(r"""
        web:
          image: busybox
          command: sh -c 'head -c 1048576 /dev/zero | tr "\0" x; echo; printf "bad \377\376 end\n"; printf "one\r\ntwo\r\n"'
        """)
    if command[0] == "logs":
        project.fig("up", "-d", check=True)
        project.client.wait(project.container_name("web"), timeout=60)
    code, out, err = run(project, *command)
    assert code == 0, err
    lines = out.split(b"\n")
    assert lines[0] == b"web_1 | " + b"x" * MIB
    assert lines[1].decode("utf-8") == "web_1 | bad \ufffd\ufffd end"
    assert lines[2:4] == [b"web_1 | one", b"web_1 | two"]
    assert b"\r" not in out


@pytest.mark.parametrize("command", [("up", "--no-color", "--scale", "web=20"), ("logs", "-f", "--no-color")],
                         ids=["attached up", "logs -f"])
def test_twenty_containers_of_twenty_thousand_lines_each_line_once_in_order(project, command):
    project.write("""
        web:
          image: busybox
          command: sh -c 'seq 1 20000 | sed "s/^/n=/"'
        """)
    if command[0] == "logs":
        project.fig("up", "-d", "--scale", "web=20", check=True)
    code, out, err = run(project, *command, timeout=240)
    assert code == 0, err
    seen: dict[str, list[int]] = defaultdict(list)
    for prefix, number in re.findall(rb"^(web_\d+) +\| n=(\d+)$", out, re.M):
        seen[prefix.decode()].append(int(number))
    assert sorted(seen) == sorted(f"web_{n}" for n in range(1, 21))
    for name, numbers in seen.items():
        assert numbers == list(range(1, 20001)), name


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return kib / 1024


def test_a_reader_that_does_not_read_keeps_figs_memory_bounded(project):
    project.write("""
        services:
          web:
            image: busybox
            command: ["yes", "%s"]
            logging: {driver: none}
        """ % ("x" * 1000), "compose.yaml")
    proc = subprocess.Popen([*FIG, "-p", project.name, "up", "--no-color"], cwd=project.dir, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    try:  # stdout is never read: fig's writes block once the pipe is full, and what the container writes waits
        deadline = time.monotonic() + 60
        while not project.containers() or project.containers()[0]["State"] != "running":
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.2)
        time.sleep(8)
        first = rss_mib(proc.pid)
        time.sleep(8)
        second = rss_mib(proc.pid)
        assert proc.poll() is None
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert second < 150, f"{second:.0f} MiB"
    assert second - first < 20, f"grew from {first:.0f} to {second:.0f} MiB"
