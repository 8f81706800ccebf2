"""Compose v2's commands on one container, against the real engine: cp, wait, attach, and pause/unpause/create."""

from __future__ import annotations

import io
import os
import re
import signal
import stat
import subprocess
import tarfile
import time


from tests.integration.conftest import FIG, sleepers, wait_until
from tests.integration.test_attached import Reader
from tests.integration.test_run import terminal  # noqa: F401 (a fixture)


def state(project, service="web", number=1) -> dict:
    return project.inspect(project.container_name(service, number))["State"]


# -- cp -----------------------------------------------------------------------------------------------------

def test_cp_into_every_replica_and_back_keeps_content_and_mode(up, tmp_path):
    up.fig("up", "-d", "--scale", "web=2", check=True)
    source = tmp_path / "run.sh"
    source.write_text("echo hi\n")
    source.chmod(0o741)
    assert up.fig("cp", str(source), "web:/", check=True).stdout == ""
    for number in (1, 2):
        assert up.exec(up.container_name("web", number), "stat", "-c", "%a %s", "/run.sh") == (0, "741 8\n")
    back = tmp_path / "back.sh"
    up.fig("cp", "web:/run.sh", str(back), check=True)
    assert back.read_text() == "echo hi\n" and stat.S_IMODE(back.stat().st_mode) == 0o741
    up.fig("cp", "web:/run.sh", str(tmp_path), check=True)  # into an existing directory, by its own name
    assert (tmp_path / "run.sh").read_text() == "echo hi\n"


def test_cp_a_directory_both_ways_and_its_contents_with_dot(up, tmp_path):
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "leaf").write_text("leaf\n")
    (tree / "sub").chmod(0o750)
    up.fig("cp", str(tree), "web:/", check=True)
    assert up.exec(up.container_name("web"), "cat", "/tree/sub/leaf") == (0, "leaf\n")
    up.fig("cp", "web:/tree", str(tmp_path / "copy"), check=True)  # a new name: the directory becomes it
    assert (tmp_path / "copy" / "sub" / "leaf").read_text() == "leaf\n"
    assert stat.S_IMODE((tmp_path / "copy" / "sub").stat().st_mode) == 0o750
    existing = tmp_path / "existing"
    existing.mkdir()
    up.fig("cp", "web:/tree", str(existing), check=True)
    up.fig("cp", "web:/tree/.", str(existing), check=True)
    assert (existing / "tree" / "sub" / "leaf").exists() and (existing / "sub" / "leaf").exists()


def test_cp_dash_is_a_tar_on_stdout_and_on_stdin(up, tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("given.txt")
        info.size, info.mode = 6, 0o604
        tar.addfile(info, io.BytesIO(b"given\n"))
    subprocess.run([*up_fig(up), "cp", "-", "web:/"], input=buffer.getvalue(), check=True, timeout=60,
                   cwd=up.dir, capture_output=True)
    assert up.exec(up.container_name("web"), "stat", "-c", "%a", "/given.txt") == (0, "604\n")
    out = subprocess.run([*up_fig(up), "cp", "web:/given.txt", "-"], check=True, timeout=60, cwd=up.dir,
                         capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(out)) as tar:
        member = tar.getmember("given.txt")
        assert member.mode & 0o777 == 0o604 and tar.extractfile(member).read() == b"given\n"


def up_fig(project) -> list[str]:
    return [*FIG, "-p", project.name]


def test_cp_refuses_in_one_line(up, tmp_path):
    cases = [(("cp", "web:/no-such", str(tmp_path / "x")), "no such file or directory: /no-such"),
             (("cp", "web:/a", "web:/b"), "copying between services is not supported"),
             (("cp", "a", "b"), "one of the two paths must be SERVICE:PATH"),
             (("cp", "nope:/a", str(tmp_path)), "No such service: nope"),
             (("cp", str(tmp_path / "missing"), "web:/"), "no such file or directory"),
             (("cp", "--index", "3", str(tmp_path), "web:/"), 'service "web" is not running container #3')]
    for args, message in cases:
        result = up.fig(*args)
        assert result.returncode == 1 and message in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1


# -- wait ---------------------------------------------------------------------------------------------------

def test_wait_exits_with_the_containers_code(up, proxy):
    proc = up.popen("wait", "web", env={"DOCKER_HOST": proxy.url})  # the proxy shows fig's wait reach the engine
    wait_until(lambda: proxy.requests("POST", r"/containers/[0-9a-f]+/wait"), message="fig waiting")
    assert proc.poll() is None, "waits while the container runs"
    up.client.kill(up.container_name("web"), signal="SIGKILL")
    out, err = proc.communicate(timeout=30)
    web = up.inspect(up.container_name("web"))
    assert proc.returncode == 137 and out == f'container "{web["Id"]}" exited with status code 137\n', err
    nothing = up.fig("wait", "web")
    assert nothing.returncode == 1 and nothing.stderr.strip() == f'ERROR: no containers for project "{up.name}"'


def test_wait_down_project_removes_it(up):
    proc = up.popen("wait", "--down-project", "web")
    time.sleep(1)
    up.fig("stop", "-t", "1", check=True)
    proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert up.containers() == []


# -- attach -------------------------------------------------------------------------------------------------

TICKER = """
web:
  image: busybox
  command: sh -c 'trap "echo got-int; exit 7" INT; trap "exit 0" TERM; while :; do echo tick; sleep 1; done'
cat:
  image: busybox
  command: cat
  stdin_open: true
"""


def test_attach_follows_output_and_passes_ctrl_c_on(project):
    project.write(TICKER)
    project.fig("up", "-d", check=True)
    reader = Reader(project.popen("attach", "web"))
    wait_until(lambda: "tick\n" in reader.stdout, message="the container's output")
    os.killpg(reader.proc.pid, signal.SIGINT)
    assert reader.finish(30) == 7
    assert reader.stdout.endswith("got-int\n")


def test_attach_without_sig_proxy_detaches_on_ctrl_c(project):
    project.write(TICKER)
    project.fig("up", "-d", check=True)
    proc = project.popen("attach", "--sig-proxy", "false", "web")
    time.sleep(1.5)
    os.killpg(proc.pid, signal.SIGINT)
    proc.communicate(timeout=30)
    assert proc.returncode == 130 and state(project)["Running"], "the container keeps running"


def test_attach_gives_the_container_our_stdin(project):
    project.write(TICKER)
    project.fig("up", "-d", check=True)
    result = project.fig("attach", "cat", input="to the cat\n", timeout=30)
    assert (result.returncode, result.stdout) == (0, "to the cat\n")
    assert project.fig("attach", "--sig-proxy", "maybe", "web").stderr.strip() == \
        "ERROR: --sig-proxy must be true or false, not 'maybe'"


# -- pause, unpause, create ---------------------------------------------------------------------------------

def test_pause_and_unpause(up):
    up.fig("pause", check=True)
    assert state(up)["Paused"] and up.fig("ps", check=True).stdout.count("Paused") == 1
    up.fig("pause", "web", check=True)  # already paused: nothing to do
    up.fig("unpause", "web", check=True)
    assert not state(up)["Paused"] and state(up)["Running"]
    bad = up.fig("pause", "nope")
    assert bad.returncode == 1 and bad.stderr.strip() == "ERROR: No such service: nope"


def test_create_makes_containers_without_starting_them(project):
    project.write(sleepers("web") + "  volumes: [/data]\ndb:\n  image: busybox\n")
    result = project.fig("create", "--scale", "web=2", check=True)
    assert sorted(project.names()) == [project.container_name("db"), project.container_name("web", 1),
                                       project.container_name("web", 2)]
    assert {c["State"] for c in project.containers()} == {"created"}
    assert "Creating" in result.stderr
    before = {c["Id"] for c in project.containers()}
    project.fig("create", "--scale", "web=2", check=True)
    assert {c["Id"] for c in project.containers()} == before, "unchanged: kept"
    project.fig("create", "--force-recreate", "web", "--scale", "web=2", check=True)
    assert {c["Id"] for c in project.containers(service="web")} & before == set()
    bad = project.fig("create", "--build", "--no-build")
    assert bad.returncode == 1 and "cannot be combined" in bad.stderr


def test_attach_on_a_terminal_is_a_tty_and_the_detach_keys_leave_it_running(project, terminal):
    project.write("sh:\n  image: busybox\n  command: sh\n  tty: true\n  stdin_open: true\n")
    project.fig("up", "-d", check=True)
    term = terminal("attach", "sh")
    time.sleep(1)
    term.send(b"\r")  # a fresh prompt, once the shell has redrawn its line for the terminal's size
    term.read_until(rb"/ # ", timeout=20)
    term.send(b"echo hi-$((2+3)); tty\r")
    assert re.search(rb"hi-5\r\n/dev/pts/\d+", term.read_until(rb"/dev/pts/\d+", timeout=20))
    term.send(b"\x10\x11")  # ctrl-p ctrl-q, the engine's detach keys
    assert term.wait() == 0
    assert state(project, "sh")["Running"] and term.terminal_restored()


def test_cp_follow_link_copies_what_the_link_points_to_under_the_links_name(up, tmp_path):
    up.fig("cp", "-L", "web:/bin/sh", str(tmp_path), check=True)
    copied = tmp_path / "sh"
    assert copied.is_file() and not copied.is_symlink() and os.access(copied, os.X_OK)
    up.fig("cp", "web:/bin/sh", str(tmp_path / "link"), check=True)
    assert os.readlink(tmp_path / "link") == "/bin/busybox"
