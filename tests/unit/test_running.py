"""fig.running on a FakeBackend: which container a command picks, exec, pause, processes, usage, events, wait."""

from __future__ import annotations

import pytest

from fig import running
from fig.backend.answers import StatsSample
from fig.backend.base import ContainerState
from fig.backend.specs import ExecSpec
from fig.container import Execution
from fig.errors import BackendError, UserError
from fig.project import UpOptions
from fig.service import RunOptions
from tests.fakes import FakeBackend

TWO = """\
web:
  image: busybox
db:
  image: busybox
"""


def test_pick_takes_the_lowest_number_or_the_index(project):
    p = project(TWO)
    p.up(["web"], options=UpOptions(scale={"web": 3}))
    assert running.pick(p, "web").name == "figtest_web_1"
    assert running.pick(p, "web", index=3).name == "figtest_web_3"
    with pytest.raises(UserError, match='^service "web" is not running container #4$'):
        running.pick(p, "web", index=4)
    with pytest.raises(UserError, match='^service "db" is not running$'):
        running.pick(p, "db")
    with pytest.raises(UserError, match="No such service: nope"):
        running.pick(p, "nope")


def test_pick_takes_a_one_off_only_when_there_is_no_other(project):
    p = project(TWO)
    web = p.service("web")
    oneoff = web.create_oneoff(web.ensure_image(), RunOptions(command=("sleep", "9")))
    oneoff.start()
    assert running.pick(p, "web").name == oneoff.name
    p.up(["web"])
    assert running.pick(p, "web").name == "figtest_web_1"
    p.stop(["web"])
    with pytest.raises(UserError):
        running.pick(p, "web", index=1)


def test_execution_runs_and_reports_the_exit_code(project, backend: FakeBackend):
    p = project(TWO)
    p.up(["web"])
    backend.exec_results[("figtest_web_1", "sh -c exit 3")] = (3, "bye\n")
    execution = Execution.create(running.pick(p, "web"), ExecSpec(["sh", "-c", "exit 3"], user="5"))
    sock = execution.attach()
    assert sock.recv(100)[8:] == b"bye\n"
    assert execution.exit_code() == 3
    assert [args[1].user for m, args in backend.calls if m == "exec_create"] == ["5"]


def test_an_execution_in_a_paused_container_names_it(project):
    p = project(TWO)
    p.up(["web"])
    running.pause(p, ["web"], on_event=lambda e: None)
    container = p.containers(["web"])[0]
    with pytest.raises(BackendError, match="^figtest_web_1: Container .* is paused$"):
        Execution.create(container, ExecSpec(["true"]))


def test_pause_and_unpause_leave_one_offs_and_paused_ones_alone(project, backend: FakeBackend):
    p = project(TWO)
    p.up()
    web = p.service("web")
    web.create_oneoff(web.ensure_image(), RunOptions(command=("sleep", "9"))).start()
    running.pause(p, ["web"], on_event=lambda e: None)
    running.pause(p, on_event=lambda e: None)  # web is paused already: only db
    assert backend.names("pause") == ["figtest_web_1", "figtest_db_1"]
    assert backend.by_name("figtest_web_run_1").state is ContainerState.RUNNING
    running.unpause(p, on_event=lambda e: None)
    assert sorted(backend.names("unpause")) == ["figtest_db_1", "figtest_web_1"]
    with pytest.raises(UserError):
        running.pause(p, ["nope"], on_event=lambda e: None)


def test_processes_of_running_containers_by_name(project, backend: FakeBackend):
    p = project(TWO)
    p.up()
    p.stop(["db"])
    found = running.processes(p)
    assert [(c.name, titles[-1], len(rows)) for c, titles, rows in found] == [("figtest_web_1", "CMD", 1)]


def test_usage_is_computed_as_docker_stats_computes_it(project, backend: FakeBackend):
    p = project(TWO)
    p.up()
    p.stop(["db"])
    backend.samples["figtest_web_1"] = StatsSample("2024-01-01T00:00:01Z", 3_000, 1_000, 40_000, 20_000, 2,
                                                   512 << 20, 2 << 30, 1200, 34, 4096, 0, 3)
    [(web, use)] = next(running.usage(p))
    assert web.name == "figtest_web_1"
    assert use == running.Usage(20.0, 512 << 20, 2 << 30, 25.0, 1200, 34, 4096, 0, 3)
    readings = next(running.usage(p, stopped=True))
    assert [(c.name, u is None) for c, u in readings] == [("figtest_db_1", True), ("figtest_web_1", False)]


def test_events_of_the_named_services_without_one_offs(project, backend: FakeBackend):
    p = project(TWO)
    p.up()
    web = p.service("web")
    web.create_oneoff(web.ensure_image(), RunOptions(command=("true",)))
    seen = list(running.events(p, ["web"]))
    assert [(s, e.action, e.attributes["name"]) for s, e in seen] == [
        ("web", "create", "figtest_web_1"), ("web", "start", "figtest_web_1")]
    with pytest.raises(UserError):
        list(running.events(p, ["nope"]))


def test_wait_gives_each_exit_code(project, backend: FakeBackend):
    p = project(TWO)
    p.up()
    backend.exit_codes["figtest_db_1"] = 7
    assert sorted((c.name, code) for c, code in running.wait(p, ["web", "db"])) == [
        ("figtest_db_1", 7), ("figtest_web_1", 0)]
    with pytest.raises(UserError, match='no containers for project "figtest"'):
        list(running.wait(p, ["web"]))
