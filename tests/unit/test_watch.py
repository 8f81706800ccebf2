"""fig watch without an engine: which paths a rule takes, the debounce rule, and batches on the FakeBackend."""

from __future__ import annotations

import io
import json
import os
import tarfile

import pytest

from fig.cli.watching import UpdatePrinter
from fig.config.develop import WatchRule
from fig.errors import UserError
from fig.watch import Update, Watcher
from fig.watch.debounce import Debouncer
from fig.watch.rules import Trigger, Verdict, docker_patterns
from fig.watch.sync import archive

# -- debounce -----------------------------------------------------------------------------------------------


def test_a_burst_is_one_batch_once_it_has_been_quiet_for_half_a_second():
    d = Debouncer()
    for i in range(50):
        d.add([f"f{i}", "same"], now=i * 0.01)
        assert not d.due(now=i * 0.01 + 0.3)
    assert d.wait(now=0.5) == pytest.approx(0.49)
    assert not d.due(now=0.98) and d.due(now=0.99)
    batch = d.take()
    assert len(batch) == 51 and batch[:2] == ["f0", "same"]
    assert not d.due(now=100) and d.wait(now=100) is None


def test_a_lone_change_is_acted_on_sooner_until_a_second_path_joins_it():
    d = Debouncer(quiet=0.5, lone=0.1)
    d.add(["a", "a"], now=0)
    assert not d.due(now=0.09) and d.due(now=0.1)
    d.add(["b"], now=0.05)
    assert not d.due(now=0.5) and d.due(now=0.55)


def test_a_batch_that_never_goes_quiet_is_still_acted_on():
    d = Debouncer(quiet=0.5, longest=2)
    for step in range(30):
        d.add([f"log{step % 2}"], now=step * 0.1)
        if d.due(now=step * 0.1):
            break
    assert step == 20


def test_nothing_added_is_nothing_due():
    d = Debouncer()
    d.add([], now=0)
    assert not d.due(now=10)


# -- rules ------------------------------------------------------------------------------------------------------

RULE = WatchRule("/src", "sync", "/app", ("node_modules/", "*.tmp", "!keep.tmp", "/build"))


@pytest.mark.parametrize("path, verdict", [
    ("/src/a.py", Verdict.TAKEN),
    ("/src", Verdict.TAKEN),
    ("/srcx/a.py", Verdict.OUTSIDE),
    ("/other", Verdict.OUTSIDE),
    ("/src/node_modules/x/y.js", Verdict.IGNORED),  # a directory's pattern covers what is under it
    ("/src/lib/node_modules/z", Verdict.TAKEN),  # .dockerignore patterns are anchored at their root
    ("/src/a.tmp", Verdict.IGNORED),
    ("/src/lib/a.tmp", Verdict.TAKEN),
    ("/src/keep.tmp", Verdict.TAKEN),  # ! re-includes; the last pattern that matches decides
    ("/src/build/out", Verdict.IGNORED),
    ("/src/.git/HEAD", Verdict.EPHEMERAL),
    ("/src/lib/.app.py.swp", Verdict.EPHEMERAL),
    ("/src/lib/4913", Verdict.EPHEMERAL),
    ("/src/notes.txt~", Verdict.EPHEMERAL),
])
def test_which_paths_a_rule_takes(path, verdict):
    assert Trigger.of("web", RULE, None).verdict(path) is verdict


def test_include_narrows_and_dockerignore_applies_inside_the_build_context(tmp_path):
    (tmp_path / ".dockerignore").write_text("# comment\n\n*.md\n/docs/\n!docs/keep.md\n")
    rule = WatchRule(str(tmp_path), "rebuild", include=("*.py", "*.md", "docs/**"))
    trigger = Trigger.of("web", rule, str(tmp_path))
    assert trigger.verdict(str(tmp_path / "app.py")) is Verdict.TAKEN
    assert trigger.verdict(str(tmp_path / "README.md")) is Verdict.DOCKERIGNORED
    assert trigger.verdict(str(tmp_path / "docs" / "a.txt")) is Verdict.DOCKERIGNORED
    assert trigger.verdict(str(tmp_path / "docs" / "keep.md")) is Verdict.TAKEN
    assert trigger.verdict(str(tmp_path / "setup.cfg")) is Verdict.NOT_INCLUDED
    assert Trigger.of("web", rule, None).verdict(str(tmp_path / "README.md")) is Verdict.TAKEN


def test_docker_patterns_clean_their_lines_as_docker_build_does():
    spec = docker_patterns(["/a/../b/", "  c  ", "#d", "", "!"])
    assert spec.match_file("b/x") and spec.match_file("c") and not spec.match_file("d") and not spec.match_file("a")


def test_targets_keep_the_path_below_the_rule():
    trigger = Trigger.of("web", RULE, None)
    assert trigger.target_of("/src/lib/a.py") == "/app/lib/a.py"
    assert trigger.target_of("/src") == "/app"
    assert Trigger.of("web", WatchRule("/src/app.py", "sync", "/srv/app.py"), None).target_of("/src/app.py") \
        == "/srv/app.py"


# -- the tar --------------------------------------------------------------------------------------------------


def test_the_tar_keeps_mode_owner_and_links_and_leaves_out_what_is_gone(tmp_path):
    (tmp_path / "run.sh").write_text("echo\n")
    (tmp_path / "run.sh").chmod(0o751)
    os.symlink("run.sh", tmp_path / "link")
    data, count = archive({str(tmp_path / "run.sh"): "/app/run.sh", str(tmp_path / "link"): "/app/link",
                           str(tmp_path / "gone"): "/app/gone", str(tmp_path): "/app"}, frozenset({str(tmp_path)}))
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert set(members) == {"app/run.sh", "app/link"} and count == 2
        assert members["app/run.sh"].mode == 0o751 and members["app/run.sh"].uid == os.getuid()
        assert tar.extractfile("app/run.sh").read() == b"echo\n"
        assert members["app/link"].issym() and members["app/link"].linkname == "run.sh"


# -- batches on the FakeBackend ---------------------------------------------------------------------------------


@pytest.fixture
def up(project, backend, tmp_path):
    def _up(rules: str, *, build: bool = False) -> tuple[Watcher, list[Update]]:
        source = "build: ." if build else "image: busybox"
        if build:
            (tmp_path / "Dockerfile").write_text("FROM busybox\n")
        p = project(f"web:\n  {source}\n  develop:\n    watch:\n{rules}")
        p.up()
        updates: list[Update] = []
        return Watcher(p, on_update=updates.append), updates
    return _up


def test_changes_are_copied_as_one_tar_and_deletions_removed(up, backend, tmp_path):
    (tmp_path / "src").mkdir()
    for name in ("a", "b"):
        (tmp_path / "src" / name).write_text(name)
    watcher, updates = up("      - {path: ./src, action: sync, target: /app}\n")
    watcher.apply([str(tmp_path / "src" / "a"), str(tmp_path / "src" / "b"), str(tmp_path / "src" / "c")])
    puts = [c for c in backend.calls if c[0] == "put_archive"]
    execs = [c[1][1].command for c in backend.calls if c[0] == "exec_create"]
    assert len(puts) == 1 and execs == [["rm", "-rf", "--", "/app/c"]]
    container = next(iter(backend.containers.values()))
    assert container.files["/app/a"].data == b"a" and container.files["/app/b"].data == b"b"
    assert updates[0].message.startswith("synced 2 files to /app, removed 1 path (")
    assert (updates[0].files, updates[0].removed, updates[0].ok) == (2, 1, True)


def test_an_ignored_change_says_so_and_copies_nothing(up, backend, tmp_path):
    watcher, updates = up("      - {path: ., action: sync, target: /app, ignore: '*.log'}\n")
    (tmp_path / "x.log").write_text("x")
    watcher.apply([str(tmp_path / "x.log"), str(tmp_path / ".x.swp")])
    assert [u.message for u in updates] == [f"ignored {os.path.relpath(tmp_path / 'x.log')} (matched by ignore)"]
    assert not [c for c in backend.calls if c[0] == "put_archive"]
    assert watcher.apply([str(tmp_path / ".x.swp")]) == []  # an editor's own files are not worth a line


def test_a_change_of_the_rules_own_directory_alone_is_no_update(up, backend, tmp_path):
    (tmp_path / "src").mkdir()
    watcher, updates = up("      - {path: ./src, action: sync, target: /app}\n")
    assert watcher.apply([str(tmp_path / "src")]) == [] and not [c for c in backend.calls if c[0] == "put_archive"]
    (tmp_path / "src" / "new").mkdir()
    watcher.apply([str(tmp_path / "src" / "new")])
    assert updates[0].message.startswith("synced 1 file to /app (")
    assert "/app/new" in next(iter(backend.containers.values())).files


def test_no_running_container_is_said(up, backend, tmp_path):
    watcher, updates = up("      - {path: ., action: sync, target: /app}\n")
    for c in watcher.project.containers():
        c.stop(0)
    (tmp_path / "f").write_text("x")
    watcher.apply([str(tmp_path / "f")])
    assert updates[0].message == "1 change not synced: no running container"


def test_a_failing_hook_is_reported_with_its_output(up, backend, tmp_path):
    watcher, updates = up("      - {path: ., action: sync+exec, target: /app, exec: {command: reload now}}\n")
    backend.exec_results[("figtest_web_1", "reload now")] = (3, "it broke\n")
    (tmp_path / "f").write_text("x")
    watcher.apply([str(tmp_path / "f")])
    assert not updates[0].ok and updates[0].output == "it broke\n"
    assert "`reload now` failed with exit code 3 in figtest_web_1" in updates[0].message
    backend.exec_results.clear()
    watcher.apply([str(tmp_path / "f")])
    assert updates[1].ok and "and ran `reload now`" in updates[1].message


def test_restart_and_rebuild_rules(up, backend, tmp_path):
    watcher, updates = up("      - {path: ./conf, action: restart}\n      - {path: ./Dockerfile, action: rebuild}\n",
                          build=True)
    before = watcher.project.containers()[0].id
    watcher.apply([str(tmp_path / "conf")])
    assert updates[-1].message.startswith("restarted (") and any(c[0] == "restart" for c in backend.calls)
    watcher.apply([str(tmp_path / "Dockerfile"), str(tmp_path / "conf")])
    assert updates[-1].action == "rebuild" and updates[-1].message.startswith("rebuilt and recreated (")
    assert watcher.project.containers()[0].id != before


def test_a_failing_build_is_reported_and_watching_goes_on(up, backend, tmp_path):
    watcher, updates = up("      - {path: ., action: rebuild}\n", build=True)
    backend.build_failures["figtest_web"] = "RUN false returned 1"
    watcher.apply([str(tmp_path / "Dockerfile")])
    assert not updates[0].ok and "rebuild failed" in updates[0].message and "RUN false" in updates[0].message


def test_what_cannot_be_watched_is_refused(project):
    with pytest.raises(UserError, match="none of the selected services is configured for watch"):
        Watcher(project("web: {image: busybox}"), on_update=print)
    with pytest.raises(UserError, match=r"fig.yml:\d+: service 'web': 'develop.watch' item 1: can't watch service "
                                        r"'web' with action rebuild: it has no 'build'"):
        Watcher(project("web: {image: busybox, develop: {watch: [{path: ., action: rebuild}]}}"), on_update=print)


def test_updates_print_as_lines_or_json_lines():
    out = io.StringIO()
    update = Update("web", "sync+exec", False, "synced 1 file to /app; `x` failed", 1, output="boom\nbang\n")
    UpdatePrinter(out)(update)
    UpdatePrinter(out, json_lines=True)(update)
    text, data = out.getvalue().split("\n", 3)[:3], json.loads(out.getvalue().splitlines()[-1])
    assert text == ["web: synced 1 file to /app; `x` failed", "    boom", "    bang"]
    assert data["service"] == "web" and data["ok"] is False and data["output"] == "boom\nbang\n"



def test_an_engine_failure_fails_that_update_only_and_the_next_batch_goes_on(up, backend, tmp_path):
    from fig.errors import BackendError

    watcher, updates = up("      - {path: ., action: sync, target: /app}\n")
    (tmp_path / "f").write_text("x")
    backend.failures[("put_archive", "figtest_web_1")] = BackendError("no space left on device")
    watcher.apply([str(tmp_path / "f")])
    assert not updates[0].ok and updates[0].message == "update failed: no space left on device"
    del backend.failures[("put_archive", "figtest_web_1")]
    watcher.apply([str(tmp_path / "f")])
    assert updates[1].ok


def test_roots_are_the_nearest_existing_directories_none_inside_another(project, tmp_path):
    (tmp_path / "src" / "lib").mkdir(parents=True)
    (tmp_path / "app.py").write_text("")
    watcher = Watcher(project("""
        web:
          image: busybox
          develop:
            watch:
              - {path: ./src/lib, action: sync, target: /lib}
              - {path: ./src, action: sync, target: /src}
              - {path: ./app.py, action: sync, target: /app.py}
        other:
          image: busybox
          develop:
            watch:
              - {path: ./not/made/yet, action: restart}
    """), on_update=print)
    assert watcher.roots() == [str(tmp_path)]  # app.py's directory, and not/made/yet's nearest one


def test_a_sync_target_the_service_bind_mounts_is_not_watched(project, tmp_path, caplog):
    watcher = Watcher(project("""
        web:
          image: busybox
          volumes: ["./src:/app"]
          develop:
            watch:
              - {path: ./src, action: sync, target: /app/src}
              - {path: ./conf, action: sync, target: /etc/conf}
    """), on_update=print)
    assert [t.rule.target for t in watcher.triggers] == ["/etc/conf"]
    assert "'develop.watch' item 1: /app/src is bind-mounted already, so it is not watched" in caplog.text
    with pytest.raises(UserError, match="nothing to watch: every rule syncs to a path the service bind-mounts"):
        Watcher(project("web: {image: busybox, volumes: ['./src:/app'], develop: {watch: "
                        "[{path: ./src, action: sync, target: /app}]}}"), on_update=print)
