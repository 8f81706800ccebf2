"""`fig watch` against the real engine: files edited on the host are seen in the running containers."""

from __future__ import annotations

import json
import os
import signal
import textwrap
import threading
import time

import pytest

from tests.integration.conftest import SLEEPER, FigProject, wait_until

pytestmark = pytest.mark.timeout(90)


class Watching:
    """`fig watch ARGS` running in its own process group; its stdout lines and stderr collected as they come."""

    def __init__(self, project: FigProject, *args: str) -> None:
        self.proc = project.popen(*(args or ("watch",)))
        self.lines: list[str] = []
        self.errors: list[str] = []
        for stream, into in ((self.proc.stdout, self.lines), (self.proc.stderr, self.errors)):
            threading.Thread(target=lambda s=stream, i=into: i.extend(iter(s.readline, "")), daemon=True).start()
        wait_until(lambda: "Watching for changes" in self.stderr or self.proc.poll() is not None, timeout=60,
                   message="fig watch to start watching")
        assert self.proc.poll() is None, self.stderr

    @property
    def stderr(self) -> str:
        return "".join(self.errors)

    def line(self, text: str, *, after: int = 0, timeout: float = 30) -> str:
        found = wait_until(lambda: next((line for line in self.lines[after:] if text in line), None),
                           timeout=timeout, interval=0.05, message=f"a line with {text!r} in {self.lines}")
        return str(found)

    def interrupt(self) -> int:
        os.killpg(self.proc.pid, signal.SIGINT)
        code = self.proc.wait(timeout=20)
        assert "Traceback" not in self.stderr, self.stderr
        return code

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


@pytest.fixture
def watching(project: FigProject):
    started: list[Watching] = []

    def start(*args: str) -> Watching:
        started.append(Watching(project, *args))
        return started[-1]

    yield start
    for w in started:
        w.stop()


def _compose(project: FigProject, rules: str, *, service: str = "") -> None:
    """compose.yml with a busybox `web` whose develop.watch holds `rules` (YAML list items, any indentation)."""
    items = textwrap.indent(textwrap.dedent(rules).strip("\n"), " " * 8)
    extra = f"    {service}\n" if service else ""
    (project.dir / "compose.yml").write_text(
        f"services:\n  web:\n    image: busybox\n    command: {SLEEPER}\n{extra}    develop:\n      watch:\n{items}\n")


def _cat(project: FigProject, path: str) -> str | None:
    code, out = project.exec(project.container_name("web"), "cat", path)
    return out if code == 0 else None


def test_an_edited_file_is_synced_with_its_mode_and_a_deleted_one_removed(project, watching):
    (project.dir / "src").mkdir()
    (project.dir / "src" / "app.sh").write_text("one\n")
    _compose(project, "- {path: ./src, action: sync, target: /app}")
    w = watching()
    web = project.container_name("web")
    script = project.dir / "src" / "app.sh"
    script.write_text("two\n")
    script.chmod(0o751)
    began = time.monotonic()
    wait_until(lambda: _cat(project, "/app/app.sh") == "two\n", timeout=2, interval=0.05,
               message="the edit inside the container")
    assert time.monotonic() - began < 2
    assert project.exec(web, "stat", "-c", "%a %u", "/app/app.sh")[1].split() == ["751", str(os.getuid())]
    assert "web: synced 1 file to /app (" in w.line("synced")
    script.unlink()
    w.line("removed 1 path from /app")
    assert project.exec(web, "test", "-e", "/app/app.sh")[0] == 1


def test_a_fig_yml_service_is_watched_and_an_ignored_file_is_not_copied(project, watching):
    (project.dir / "src").mkdir()
    project.write(f"""\
        web:
          image: busybox
          command: {SLEEPER}
          develop:
            watch:
              - path: ./src
                action: sync
                target: /app
                ignore: ["*.log", "cache/"]
        """)
    w = watching()
    (project.dir / "src" / "debug.log").write_text("noise\n")
    assert "web: ignored src/debug.log (matched by ignore)" in w.line("ignored")
    (project.dir / "src" / "cache").mkdir()
    (project.dir / "src" / "cache" / "x").write_text("noise\n")
    (project.dir / "src" / "kept.txt").write_text("kept\n")
    w.line("synced 1 file to /app")
    assert _cat(project, "/app/kept.txt") == "kept\n"
    assert _cat(project, "/app/debug.log") is None and _cat(project, "/app/cache/x") is None


def test_a_burst_of_fifty_writes_is_one_update(project, watching):
    (project.dir / "src").mkdir()
    _compose(project, "- {path: ./src, action: sync, target: /app}")
    w = watching("watch", "--format", "json")
    for i in range(50):  # five bursts of ten, 0.15 s apart: one quiet period never passes
        (project.dir / "src" / f"f{i}.txt").write_text(f"{i}\n")
        time.sleep(0.15 if i % 10 == 9 else 0.002)
    first = json.loads(w.line('"service": "web"'))
    time.sleep(1.5)  # a second update would have come by now
    assert len(w.lines) == 1, w.lines
    assert (first["action"], first["ok"], first["files"], first["targets"]) == ("sync", True, 50, ["/app"])
    assert _cat(project, "/app/f49.txt") == "49\n"


def test_sync_exec_runs_the_command_after_the_copy_and_a_failure_shows_its_output(project, watching):
    (project.dir / "src").mkdir()
    _compose(project, """
                - path: ./src
                  action: sync+exec
                  target: /app
                  exec:
                    command: sh -c 'cp /app/conf /seen && echo "$$GREETING" && grep -q good /app/conf'
                    environment: {GREETING: hello from the hook}""")
    w = watching()
    (project.dir / "src" / "conf").write_text("good\n")
    assert "and ran" in w.line("web: synced 1 file to /app and ran")
    assert _cat(project, "/seen") == "good\n"
    count = len(w.lines)
    (project.dir / "src" / "conf").write_text("bad\n")
    assert "failed with exit code 1 in " in w.line("failed", after=count)
    w.line("    hello from the hook", after=count)
    assert _cat(project, "/seen") == "bad\n"
    count = len(w.lines)
    (project.dir / "src" / "conf").write_text("good again\n")  # watching went on
    w.line("and ran", after=count)


def test_a_restart_rule_restarts_the_container(project, watching):
    (project.dir / "conf").write_text("a\n")
    _compose(project, "- {path: ./conf, action: restart}")
    w = watching()
    started = project.inspect(project.container_name("web"))["State"]["StartedAt"]
    (project.dir / "conf").write_text("b\n")
    assert "web: restarted (" in w.line("restarted")
    state = project.inspect(project.container_name("web"))["State"]
    assert state["Running"] and state["StartedAt"] != started


def test_a_rebuild_rule_rebuilds_and_recreates_keeping_anonymous_volumes(project, watching):
    project.write("FROM busybox:latest\nCOPY message /message\nVOLUME /data\n", "Dockerfile")
    project.write("first\n", "message")
    project.write("ignored.txt\n", ".dockerignore")
    _compose(project, "- {path: ., action: rebuild}", service="build: .")
    w = watching()
    web = project.container_name("web")
    before = project.inspect(web)["Id"]
    project.exec(web, "sh", "-c", "echo kept > /data/state")
    project.write("noise\n", "ignored.txt")
    assert "(matched by .dockerignore)" in w.line("ignored")
    project.write("second\n", "message")
    assert "web: rebuilt and recreated (" in w.line("rebuilt", timeout=60)
    assert project.inspect(web)["Id"] != before
    assert _cat(project, "/message") == "second\n"
    assert _cat(project, "/data/state") == "kept\n"


def test_ctrl_c_exits_130_and_leaves_the_containers_running(project, watching):
    _compose(project, "- {path: ./src, action: sync, target: /app}")
    w = watching()
    assert w.interrupt() == 130
    assert project.inspect(project.container_name("web"))["State"]["Running"]


def test_no_watch_rules_is_one_line_and_exit_1_before_anything_starts(project):
    project.write(f"web:\n  image: busybox\n  command: {SLEEPER}\n")
    result = project.fig("watch", timeout=30)
    assert result.returncode == 1
    assert "none of the selected services is configured for watch" in result.stderr
    assert not project.containers()


def test_initial_sync_and_sync_restart_reach_every_container_of_the_service(project, watching):
    (project.dir / "src").mkdir()
    (project.dir / "src" / "early.txt").write_text("before watching\n")
    _compose(project, "- {path: ./src, action: sync+restart, target: /app, initial_sync: true}", service="scale: 2")
    w = watching()
    assert "web: synced 1 file to /app (" in w.line("synced")
    names = [project.container_name("web", n) for n in (1, 2)]
    started = {n: project.inspect(n)["State"]["StartedAt"] for n in names}
    assert all(project.exec(n, "cat", "/app/early.txt")[1] == "before watching\n" for n in names)
    (project.dir / "src" / "late.txt").write_text("while watching\n")
    assert "synced 1 file to /app and restarted (" in w.line("restarted")
    for name in names:
        assert project.exec(name, "cat", "/app/late.txt")[1] == "while watching\n"
        assert project.inspect(name)["State"]["StartedAt"] != started[name]


def test_up_watch_follows_the_output_and_syncs_until_ctrl_c_stops_everything(project, watching):
    (project.dir / "src").mkdir()
    _compose(project, "- {path: ./src, action: sync, target: /app}")
    w = watching("up", "--watch")
    (project.dir / "src" / "a.txt").write_text("a\n")
    w.line("web: synced 1 file to /app")
    assert _cat(project, "/app/a.txt") == "a\n"
    assert w.interrupt() == 130
    assert not project.inspect(project.container_name("web"))["State"]["Running"]  # as attached `up` stops them


def test_a_failing_build_is_shown_with_its_output_and_watching_goes_on(project, watching):
    project.write("FROM busybox:latest\nRUN echo one > /v\n", "Dockerfile")
    _compose(project, "- {path: ./Dockerfile, action: rebuild}", service="build: .")
    w = watching()
    web = project.container_name("web")
    before = project.inspect(web)["Id"]
    project.write("FROM busybox:latest\nRUN echo the-broken-step && false\n", "Dockerfile")
    failed = w.line("rebuild failed", timeout=60)
    assert failed.startswith("web: rebuild failed: Service 'web' failed to build")
    w.line("    the-broken-step")
    assert project.inspect(web)["Id"] == before and project.inspect(web)["State"]["Running"]
    count = len(w.lines)
    project.write("FROM busybox:latest\nRUN echo two > /v\n", "Dockerfile")
    w.line("web: rebuilt and recreated", after=count, timeout=60)
    assert _cat(project, "/v") == "two\n"


def test_no_up_watches_what_runs_and_says_when_nothing_does(project, watching):
    _compose(project, "- {path: ., action: sync, target: /app}")
    w = watching("watch", "--no-up")
    assert not project.containers()
    project.write("x\n", "new.txt")
    assert w.line("web: ") == "web: 1 change not synced: no running container\n"


def test_a_second_watcher_of_the_project_is_refused(project, watching):
    _compose(project, "- {path: ., action: sync, target: /app}")
    first = watching()
    result = project.fig("watch", "--no-up", timeout=30)
    assert result.returncode == 1
    assert f"fig watch is already running for project {project.name} (process {first.proc.pid})" in result.stderr
    assert first.interrupt() == 130
    again = watching("watch", "--no-up")  # the lock went with the process
    assert again.interrupt() == 130
