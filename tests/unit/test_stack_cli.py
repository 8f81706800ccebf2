"""The commands that take --stack NAME, dispatched from a directory with no project file: the composition root
hands them the stack by its name and reads no file (on the FakeBackend's in-memory swarm)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import fig.cli.bootstrap
from fig.cli import main as cli
from fig.config import load_project
from fig.swarm import wait as W
from fig.swarm.stack import Stack
from tests.fakes import FakeBackend

APP = """\
services:
  web: {image: 'busybox:1', depends_on: [db]}
  db: {image: 'busybox:1'}
"""


@pytest.fixture
def swarm(tmp_path: Path, monkeypatch) -> FakeBackend:
    """Stack `app` deployed twice (so it can roll back); the command then runs in an empty directory, and
    loading a project there fails the test."""
    monkeypatch.setattr(W, "STABLE", 0.0)
    monkeypatch.setattr(W.time, "sleep", lambda _: None)
    backend = FakeBackend()
    backend.init_swarm()
    (tmp_path / "src").mkdir()
    for image in ("busybox:1", "busybox:2"):
        (tmp_path / "src" / "compose.yml").write_text(textwrap.dedent(APP.replace("busybox:1", image)))
        stack = Stack(load_project(project_name="app", environ={}, cwd=str(tmp_path / "src"), swarm=True), backend)
        stack.deploy(stack.plan(), timeout=5)
    backend.task_output["app_web"] = ["hello from web"]
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path / "empty")
    monkeypatch.setattr(fig.cli.bootstrap, "engine", lambda environ=None: backend)
    monkeypatch.setattr(fig.cli.bootstrap, "project_from_options",
                        lambda *a, **k: pytest.fail("a project file was looked for"))
    backend.reset_calls()
    return backend


def updated(swarm: FakeBackend) -> list[tuple[str, bool]]:
    return [(args[0], args[2]) for m, args in swarm.calls if m == "update_service"]


def test_ps_logs_and_top_of_a_stack_need_only_its_name(swarm, capsys):
    assert cli.main(["ps", "--stack", "app"]) == 0
    rows = capsys.readouterr().out.splitlines()[2:]
    assert [row.split()[0] for row in rows] == ["app_db.1", "app_web.1"] and all("running" in r for r in rows)
    assert cli.main(["ps", "--stack", "app", "--services"]) == 0
    assert capsys.readouterr().out == "db\nweb\n"
    assert cli.main(["logs", "--stack", "app", "--no-color", "web"]) == 0
    assert capsys.readouterr().out == "web.1 | hello from web\n"
    assert cli.main(["compose", "top", "--stack", "app"]) == 0  # the other dialect dispatches the same way
    assert swarm.writes() == []


def test_scale_rollback_and_undeploy_of_a_stack_need_only_its_name(swarm, capsys):
    assert cli.main(["scale", "--stack", "app", "web=3"]) == 0
    assert cli.main(["ps", "--stack", "app", "-q", "web"]) == 0
    assert len(capsys.readouterr().out.split()) == 3
    swarm.reset_calls()
    assert cli.main(["deploy", "--rollback", "--stack", "app"]) == 0
    assert updated(swarm) == [("app_web", True), ("app_db", True)]
    assert cli.main(["--dry-run", "undeploy", "--stack", "app"]) == 0  # the global --dry-run holds here too
    assert "would remove service" in capsys.readouterr().out and len(swarm.services) == 2
    assert cli.main(["undeploy", "--stack", "app"]) == 0
    assert swarm.services == {}


def test_a_stack_that_does_not_exist_is_one_clear_line(swarm, capsys):
    for argv in (["ps"], ["logs"], ["top"], ["scale", "web=2"], ["deploy", "--rollback"]):
        assert cli.main([*argv, "--stack", "nosuch"]) == 1
        assert capsys.readouterr().err == "ERROR: No such stack on this swarm: nosuch\n"
    assert cli.main(["undeploy", "--stack", "nosuch"]) == 0  # nothing left to remove: done, as a re-run is
    assert capsys.readouterr().err == "Stack nosuch is not deployed: nothing to remove\n"


def test_scale_names_the_stacks_services_and_changes_nothing_on_a_wrong_one(swarm, capsys):
    assert cli.main(["scale", "--stack", "app", "web=2", "wbe=2"]) == 1
    assert capsys.readouterr().err == "ERROR: No such service in stack app: wbe (it has db, web)\n"
    assert swarm.writes() == []


def test_deploy_without_rollback_still_reads_the_file(swarm, capsys):
    with pytest.raises(pytest.fail.Exception, match="a project file was looked for"):
        cli.main(["deploy", "--stack", "app"])
