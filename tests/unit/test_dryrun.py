"""--dry-run's backend on a FakeBackend: reads go through, writes become "would ..." lines, and what it would have
done is what the following reads see."""

from __future__ import annotations

from fig.backend.dryrun import DryRunBackend
from fig.project import Project

APP = """\
services:
  web:
    image: busybox
    depends_on: {db: {condition: service_healthy}}
  db:
    image: busybox
    healthcheck: {test: ["CMD", "true"]}
"""


def test_up_then_down_on_a_dry_run_writes_nothing_and_says_each_step(load, backend):
    said: list[str] = []
    dry = Project(load(APP), DryRunBackend(backend, said.append), limit=4)
    dry.up()
    dry.wait(timeout=5)  # the containers it would start count as running, and healthy where checked
    assert said == ["would create network figtest_default", "would create container figtest_db_1",
                    "would start container figtest_db_1", "would create container figtest_web_1",
                    "would start container figtest_web_1"]
    assert [c.name for c in dry.containers()] == ["figtest_db_1", "figtest_web_1"]
    said.clear()
    dry.down()
    assert said[:2] == ["would stop container figtest_web_1", "would stop container figtest_db_1"]  # dependents first
    assert sorted(said[2:4]) == ["would remove container figtest_db_1", "would remove container figtest_web_1"]
    assert said[4:] == ["would remove network figtest_default"]  # stopped, they are removed in any order
    assert dry.containers(stopped=True) == [] and backend.containers == {} and backend.networks == {}


def test_a_dry_run_over_a_running_project_changes_nothing(load, backend, project):
    app = "services:\n  web:\n    image: busybox\n    depends_on: [db]\n  db:\n    image: busybox\n"
    real = project(app)
    real.up()
    backend.acted.clear()
    said: list[str] = []
    dry = Project(load(app), DryRunBackend(backend, said.append), limit=4)
    dry.stop()
    assert [c.state.value for c in dry.containers(stopped=True)] == ["exited", "exited"]
    assert [c.state.value for c in real.containers(stopped=True)] == ["running", "running"]
    dry.kill(signal="SIGTERM")  # none runs any more, as far as the dry run knows
    dry.remove(dry.containers(stopped=True))
    assert backend.acted == [] and sorted(said) == ["would remove container figtest_db_1",
                                                    "would remove container figtest_web_1",
                                                    "would stop container figtest_db_1", "would stop container figtest_web_1"]
    assert [c.state.value for c in real.containers(stopped=True)] == ["running", "running"]


def test_the_dry_run_backend_has_every_method_of_the_engine_interface():
    """A method added to the interface must be sorted here into a read (passed on) or a write (said)."""
    import inspect

    from fig.backend.base import SwarmBackend

    wanted = {name for name, _ in inspect.getmembers(SwarmBackend, inspect.isfunction) if not name.startswith("_")}
    assert wanted - set(vars(DryRunBackend)) - DryRunBackend._SWARM_READS == set()
