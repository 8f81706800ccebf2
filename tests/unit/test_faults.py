"""What fig does when the engine fails part of an operation or another fig acts at the same moment."""

from __future__ import annotations

import pytest

from fig.backend.specs import ContainerSpec
from fig.errors import Conflict, EngineTimeout, OperationError
from fig.parallel import execute
from tests.fakes import FakeBackend

THREE = """\
web:
  image: busybox
  links: [db]
db:
  image: busybox
cache:
  image: busybox
"""


def timeout(operation: str) -> EngineTimeout:
    return EngineTimeout.of(operation, "0123456789ab", 3, "unix:///proxy.sock")


def test_a_stop_that_times_out_is_named_and_the_other_stops_go_on(project, backend: FakeBackend):
    p = project(THREE)
    p.up()
    backend.failures[("stop", "figtest_web_1")] = timeout("stop")
    with pytest.raises(EngineTimeout) as caught:
        p.stop()
    assert str(caught.value).startswith("figtest_web_1: stop timed out: no answer from the Docker daemon")
    # db waited for web (which links to it) and then stopped anyway: only web still runs
    assert [c.name for c in p.containers()] == ["figtest_web_1"]


def test_several_timeouts_are_one_line_naming_each_container(project, backend: FakeBackend):
    p = project(THREE)
    p.up()
    backend.failures[("remove", "figtest_web_1")] = timeout("remove")
    backend.failures[("remove", "figtest_cache_1")] = timeout("remove")
    with pytest.raises(OperationError) as caught:
        p.remove(p.containers(stopped=True))
    message = str(caught.value)
    assert "\n" not in message
    assert "figtest_web_1: remove timed out" in message
    assert "figtest_cache_1: remove timed out" in message
    assert sorted(c.name for c in p.containers(stopped=True)) == ["figtest_cache_1", "figtest_web_1"]


def test_a_failed_create_leaves_the_rest_made_and_the_next_up_converges(project, backend: FakeBackend):
    p = project(THREE)
    backend.failures[("create", "figtest_cache_1")] = timeout("create")
    with pytest.raises(EngineTimeout, match="create timed out"):
        p.up()
    assert [c.name for c in p.containers()] == ["figtest_db_1", "figtest_web_1"]
    del backend.failures[("create", "figtest_cache_1")]
    p.up()
    assert sorted(c.name for c in p.containers()) == ["figtest_cache_1", "figtest_db_1", "figtest_web_1"]


def test_execute_can_go_on_past_a_failure():
    outcome = execute(["a", "b"], lambda k: 1 / (k == "b"), key=str, deps=lambda k: ["a"] if k == "b" else [],
                      skip_dependents=False)
    assert set(outcome.failures) == {"a"} and outcome.results == {"b": 1.0} and not outcome.skipped


def test_a_container_made_at_the_same_moment_by_another_up_is_adopted(project, backend: FakeBackend, monkeypatch):
    p = project(THREE)
    p.up()
    before = {c.name: c.id for c in p.containers()}
    listed = backend.list_containers
    monkeypatch.setattr(backend, "list_containers", lambda labels, all=False: [])  # what the other `up` saw
    made = project(THREE).up()
    monkeypatch.setattr(backend, "list_containers", listed)
    assert {c.name: c.id for c in made} == before
    assert {c.name: c.id for c in p.containers()} == before


def test_a_name_taken_by_something_else_says_which_container_is_in_the_way(project, backend: FakeBackend):
    other = backend.create(ContainerSpec(name="figtest_cache_1", image="busybox", labels={"owner": "me"}))
    with pytest.raises(Conflict, match=rf"^figtest_cache_1: the name is taken by container {other[:12]} "
                                       r"\(not made by fig\); remove or rename it$"):
        project(THREE).up(["cache"])
