"""Signals and pipes: Ctrl-C, SIGTERM and SIGHUP stop an attached `up` gracefully (keeping the containers) and
fig keeps reading their output until they have stopped; a closed pipe ends `logs -f` quietly."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from tests.integration.conftest import FIG
from tests.integration.test_attached import _start_and_wait_for_output

pytestmark = pytest.mark.podman  # Podman's attach and stop serve these as dockerd's do

CHATTY = """sh -c 'echo ready; trap "exit 0" TERM INT; i=0; while :; do i=$$((i+1)); echo "line $$i of a chatty container"; done'"""


@pytest.mark.parametrize("signum,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)],
                         ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_signal_stops_a_fast_printer_gracefully_while_its_output_is_still_read(project, signum, code):
    project.write(f"web:\n  image: busybox\n  command: {CHATTY}\n")
    reader = _start_and_wait_for_output(project, "-t", "20", ready=1)
    try:
        time.sleep(1)  # the container writes as fast as it can: fig's queues are full
        began = time.monotonic()
        os.killpg(reader.proc.pid, signum) if signum == signal.SIGINT else reader.proc.send_signal(signum)
        status = reader.finish(40)
        took = time.monotonic() - began
    finally:
        if reader.proc.poll() is None:
            os.killpg(reader.proc.pid, signal.SIGKILL)
    assert status == code, reader.stderr[-2000:]
    assert took < 12, f"the stop took {took:.1f}s: fig stopped reading, so the container could not stop"
    assert "error" not in reader.stderr, reader.stderr[-2000:]
    state = project.inspect(project.container_name("web"))["State"]
    assert state["Status"] == "exited" and state["ExitCode"] == 0, "stopped by its own trap, not killed"
    assert f"{project.container_name('web')} exited with code 0" in reader.stdout



def test_ctrl_c_also_stops_the_dependencies_whose_output_is_shown(project):
    """`up --attach-dependencies web`: Ctrl-C stops what is on the screen, db too, each with its exit notice."""
    project.write(f"web:\n  image: busybox\n  command: {CHATTY}\n  links: [db]\n"
                  f"db:\n  image: busybox\n  command: {CHATTY}\n")
    reader = _start_and_wait_for_output(project, "-t", "20", "--attach-dependencies", "web", ready=2)
    try:
        os.killpg(reader.proc.pid, signal.SIGINT)
        status = reader.finish(40)
    finally:
        if reader.proc.poll() is None:
            os.killpg(reader.proc.pid, signal.SIGKILL)
    assert status == 130, reader.stderr[-2000:]
    for service in ("web", "db"):
        name = project.container_name(service)
        state = project.inspect(name)["State"]
        assert state["Status"] == "exited" and state["ExitCode"] == 0, f"{service}: {state['Status']}"
        assert f"{name} exited with code 0" in reader.stdout

def test_logs_follow_into_a_pipe_that_closes_ends_quietly_with_0(project):
    project.write(f"web:\n  image: busybox\n  command: {CHATTY}\n")
    project.fig("up", "-d", check=True)
    fig = subprocess.Popen([*FIG, "-p", project.name, "logs", "-f"], cwd=project.dir, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.run(["head", "-n", "5"], stdin=fig.stdout, capture_output=True, timeout=30)
    fig.stdout.close()  # only head holds the pipe's read end: it has gone
    try:
        code = fig.wait(timeout=30)
    finally:
        if fig.poll() is None:
            fig.kill()
    err = fig.stderr.read().decode()
    assert len(head.stdout.splitlines()) == 5
    assert code == 0, err
    assert err == ""
