"""Stack on the FakeBackend's in-memory swarm: plan, deploy in order, no-op redeploys, secret rotation, failures
reported, rollback, scale and undeploy."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest

from fig.backend.swarmtypes import ServiceInfo, TaskInfo
from fig.config import load_project
from fig.errors import NotConverged, UserError
from fig.swarm import plan as P
from fig.swarm import wait as W
from fig.swarm.convert import NAMESPACE
from fig.swarm.deployed import DeployedStack
from fig.swarm.stack import Stack
from tests.fakes import FakeBackend

APP = """\
services:
  web:
    image: busybox:1
    depends_on: {db: {condition: service_healthy}}
    secrets: [pw]
    deploy: {replicas: 2}
  worker:
    image: busybox:1
  db:
    image: busybox:1
    healthcheck: {test: "true"}
secrets:
  pw: {file: ./pw.txt}
"""


@pytest.fixture
def swarm() -> FakeBackend:
    backend = FakeBackend()
    backend.init_swarm()
    return backend


@pytest.fixture(autouse=True)
def fast(monkeypatch):
    monkeypatch.setattr(W, "STABLE", 0.0)
    monkeypatch.setattr(W.time, "sleep", lambda _: None)


@pytest.fixture
def stack(tmp_path: Path, swarm: FakeBackend):
    def _stack(text: str = APP, *, pw: str = "one", name: str | None = None) -> Stack:
        (tmp_path / "pw.txt").write_text(pw)
        (tmp_path / "compose.yml").write_text(textwrap.dedent(text))
        config = load_project(project_name="app", environ={}, cwd=str(tmp_path), swarm=True)
        return Stack(config, swarm, name, limit=4)

    return _stack


def deploy(stack: Stack, names=(), **kwargs) -> P.Plan:
    plan = stack.plan(names)
    stack.deploy(plan, timeout=5, **kwargs)
    return plan


def created(swarm: FakeBackend) -> list[str]:
    return [args[0]["Name"] for m, args in swarm.calls if m == "create_service"]


def updated(swarm: FakeBackend) -> list[str]:
    return [args[0] for m, args in swarm.calls if m == "update_service"]


def test_not_a_swarm_says_how_to_make_one(stack, swarm):
    swarm.swarm_state = "inactive"
    with pytest.raises(UserError, match="not part of a swarm: run `docker swarm init`"):
        stack().plan()


def test_deploy_creates_everything_in_dependency_order(stack, swarm):
    plan = deploy(stack())
    assert [str(c) for c in plan.changes] == [
        "create network app_default", f"create secret {plan.stack.objects[0].name}",
        "create service app_db", "create service app_web", "create service app_worker"]
    assert created(swarm).index("app_db") < created(swarm).index("app_web")
    assert swarm.networks["app_default"]["driver"] == "overlay"
    assert swarm.networks["app_default"]["labels"] == {NAMESPACE: "app"}
    web = next(s for s in swarm.services.values() if s["spec"]["Name"] == "app_web")
    ref = web["spec"]["TaskTemplate"]["ContainerSpec"]["Secrets"][0]
    assert ref["SecretID"] in swarm.objects["secrets"]  # the id of the object, filled in once it exists


def test_a_second_deploy_writes_nothing(stack, swarm, caplog):
    deploy(stack())
    swarm.reset_calls()
    with caplog.at_level(logging.INFO):
        plan = deploy(stack())
    assert not plan.writes
    assert swarm.writes() == []
    assert "Stack app is up to date" in caplog.text


def test_dry_run_plans_field_by_field_and_writes_nothing(stack, swarm):
    deploy(stack())
    swarm.reset_calls()
    plan = stack(APP.replace("image: busybox:1\n    depends_on", "image: busybox:2\n    depends_on")).plan()
    assert swarm.writes() == []
    assert [c.action for c in plan.changes if c.kind == "service"] == ["nothing", "update", "nothing"]
    assert plan.of("service", "update")[0].fields == ("Labels.com.docker.stack.image: busybox:1 -> busybox:2",
                                                      "ContainerSpec.Image: busybox:1 -> busybox:2")


def test_an_update_changes_one_service_only(stack, swarm):
    deploy(stack())
    swarm.reset_calls()
    deploy(stack(APP.replace("  worker:\n    image: busybox:1", "  worker:\n    image: busybox:2")))
    assert updated(swarm) == ["app_worker"] and created(swarm) == []


def test_a_changed_secret_rolls_only_its_users_and_keeps_the_previous(stack, swarm):
    first = deploy(stack()).stack.objects[0].name
    swarm.reset_calls()
    second = deploy(stack(pw="two")).stack.objects[0].name
    assert second != first
    assert updated(swarm) == ["app_web"]
    assert {o["name"] for o in swarm.objects["secrets"].values()} == {first, second}  # kept for a rollback
    third = deploy(stack(pw="three")).stack.objects[0].name
    assert {o["name"] for o in swarm.objects["secrets"].values()} == {second, third}  # the oldest went


def test_healthy_dependencies_are_waited_for_before_dependents(stack, swarm, monkeypatch):
    seen = []
    real = W.wait

    def spy(backend, name, names, **kwargs):
        seen.append((list(names), sorted(s["spec"]["Name"] for s in swarm.services.values())))
        return real(backend, name, names, **kwargs)

    monkeypatch.setattr("fig.swarm.stack.wait", spy)
    deploy(stack())
    assert seen[0][0] == ["app_db"] and "app_web" not in seen[0][1]  # web waited for db before it was made


def test_a_failing_update_is_reported_with_the_task_errors_and_rolled_back_on_request(stack, swarm):
    deploy(stack())
    swarm.failing_images.add("busybox:bad")
    broken = stack(APP.replace("  worker:\n    image: busybox:1", "  worker:\n    image: busybox:bad"))
    with pytest.raises(NotConverged, match=r"service app_worker: its update paused \(update paused due to failure"
                                           r".*\); task 1: task: non-zero exit \(1\)"):
        deploy(broken)
    with pytest.raises(NotConverged, match=r"app_worker: its last update is paused \(.*\): change the file"):
        deploy(broken)  # the same file again: the paused update is not called a success
    swarm.reset_calls()
    broken.rollback(timeout=5)
    assert updated(swarm) == ["app_worker"]
    worker = next(s for s in swarm.services.values() if s["spec"]["Name"] == "app_worker")
    assert worker["spec"]["TaskTemplate"]["ContainerSpec"]["Image"] == "busybox:1"


def test_an_update_the_swarm_rolled_back_is_a_failure(stack, swarm):
    deploy(stack())
    swarm.failing_images.add("busybox:bad")
    text = APP.replace("  worker:\n    image: busybox:1",
                       "  worker:\n    image: busybox:bad\n    deploy: {update_config: {failure_action: rollback}}")
    with pytest.raises(NotConverged, match="app_worker: its update failed and was rolled back"):
        deploy(stack(text))


def test_a_new_service_whose_tasks_keep_failing_is_named(stack, swarm):
    swarm.failing_images.add("busybox:bad")
    with pytest.raises(NotConverged, match=r"service app_worker: tasks keep failing \(3 failed\); task 1: task: "
                                           r"non-zero exit \(1\)"):
        deploy(stack("services:\n  worker: {image: 'busybox:bad'}\n"))


def test_timeout_names_what_did_not_converge(stack, swarm):
    swarm.failing_images.add("busybox:slow")
    config = stack("services:\n  worker: {image: 'busybox:slow'}\n")
    plan = config.plan()
    swarm.tasks.clear()
    swarm.failing_images.clear()
    config.deploy(plan, timeout=0)  # tasks appear at create: converged at once
    svc = next(iter(swarm.services.values()))
    swarm.tasks = [TaskInfo("t1", next(iter(swarm.services)), 1, "node1", "running", "preparing")]
    with pytest.raises(NotConverged, match=r"service app_worker: not converged after 0s \(0/1 running\)"):
        W.wait(swarm, "app", [svc["spec"]["Name"]], timeout=0)


def test_detach_returns_without_waiting(stack, swarm, monkeypatch):
    monkeypatch.setattr("fig.swarm.stack.wait", lambda *a, **k: pytest.fail("waited"))
    deploy(stack("services:\n  worker: {image: busybox}\n"), detach=True)
    assert created(swarm) == ["app_worker"]


def test_deploying_one_service_brings_its_dependencies_and_removes_nothing(stack, swarm):
    deploy(stack())
    swarm.reset_calls()
    text = APP.replace("  worker:\n    image: busybox:1\n", "")
    plan = stack(text).plan(["web"])
    assert [c.name for c in plan.changes if c.kind == "service"] == ["app_db", "app_web"]
    assert stack(text).plan().of("service", "remove") == [P.Change("service", "app_worker", "remove")]


def test_scale_changes_the_replicas_and_a_deploy_restores_the_file(stack, swarm):
    deploy(stack())
    s = stack()
    s.scale({"web": 4}, timeout=5)
    web = next(t for t in s.tasks(["web"]))
    assert len(s.tasks(["web"])) == 4 and web.node == "fakehost"
    plan = s.plan()
    assert plan.of("service", "update")[0].fields == ("Mode.Replicated.Replicas: 4 -> 2",)


def test_a_global_service_does_not_scale(stack, swarm):
    deploy(stack("services:\n  agent: {image: busybox, deploy: {mode: global}}\n"))
    with pytest.raises(UserError, match="app_agent is not replicated"):
        stack().scale({"agent": 2})


def test_the_stack_by_its_name_alone_looks_scales_rolls_back_and_undeploys(stack, swarm):
    deploy(stack())
    deploy(stack(APP.replace("busybox:1", "busybox:2")))
    by_name = DeployedStack("app", swarm, limit=4)  # no file: what the engine has is all it knows
    assert {r.service for r in by_name.tasks()} == {"web", "worker", "db"}
    swarm.reset_calls()
    by_name.rollback(["db", "web", "worker"], timeout=5)
    rolled = updated(swarm)
    assert rolled.index("app_web") < rolled.index("app_db")  # dependents first, from the label deploy put on them
    by_name.scale({"worker": 3}, timeout=5)  # after a rollback: the engine forgets it at the next update
    assert len(by_name.tasks(["worker"])) == 3
    by_name.undeploy()
    assert swarm.services == {}


def test_a_stack_that_is_not_deployed_is_one_clear_error(swarm, caplog):
    nothing = DeployedStack("nosuch", swarm)
    for look in (nothing.tasks, lambda: nothing.scale({"web": 2}), nothing.rollback):
        with pytest.raises(UserError, match="^No such stack on this swarm: nosuch$"):
            look()
    with caplog.at_level(logging.INFO):
        nothing.undeploy()  # nothing to do is no failure: a second undeploy converges
    assert "Stack nosuch is not deployed: nothing to remove" in caplog.text


def test_scale_checks_every_name_before_it_changes_anything(stack, swarm):
    deploy(stack())
    swarm.reset_calls()
    with pytest.raises(UserError, match=r"No such service in stack app: nope, nix \(it has db, web, worker\)"):
        stack().scale({"worker": 2, "nope": 1, "nix": 1})
    assert updated(swarm) == []


def test_undeploy_leaves_only_the_volumes(stack, swarm):
    deploy(stack())
    swarm.volumes["app_data"] = {"anonymous": False, "driver": None, "labels": {NAMESPACE: "app"}}
    stack().undeploy()
    assert swarm.services == {} and swarm.objects == {"secrets": {}, "configs": {}}
    assert list(swarm.networks) == [] and list(swarm.volumes) == ["app_data"]
    stack().undeploy(volumes=True)
    assert swarm.volumes == {}


def test_external_things_must_exist_with_swarm_scope(stack, swarm):
    text = "services:\n  web: {image: busybox, networks: [shared]}\nnetworks:\n  shared: {external: true}\n"
    with pytest.raises(UserError, match="network shared is external but does not exist"):
        stack(text).plan()
    swarm.ensure_network("shared", driver="bridge", internal=False, labels={})
    with pytest.raises(UserError, match="network shared exists with scope local"):
        stack(text).plan()


def test_verdicts():
    info = ServiceInfo("id", "s", 1, {"Mode": {"Replicated": {"Replicas": 2}}})
    run = [TaskInfo(f"t{i}", "id", i, "n", "running", "running") for i in (1, 2)]
    assert W.verdict(info, run, ()).done
    assert not W.verdict(info, run[:1], ()).done
    job = ServiceInfo("id", "s", 1, {"Mode": {"ReplicatedJob": {"TotalCompletions": 1}}})
    assert W.verdict(job, [TaskInfo("t", "id", 1, "n", "complete", "complete")], ()).done
    failed = [TaskInfo(f"f{i}", "id", 1, "n", "shutdown", "failed", error="oops") for i in range(3)]
    assert W.verdict(info, failed, ()).failure == "tasks keep failing (3 failed); task 1: oops"
    assert W.verdict(info, failed, {"f0", "f1", "f2"}).failure is None  # failures from before this deploy
    paused = ServiceInfo("id", "s", 1, info.spec, update_state="paused", update_message="why")
    assert W.verdict(paused, run, ()).failure == "its update paused (why); no task errors recorded"
    rolled = ServiceInfo("id", "s", 1, info.spec, update_state="rollback_completed")
    assert W.verdict(rolled, run, (), rollback=True).done


def test_what_the_engine_fills_in_is_no_change():
    desired = {"Name": "s", "UpdateConfig": {"Parallelism": 3, "Monitor": 1}, "TaskTemplate": {
        "ContainerSpec": {"Image": "busybox"}, "Networks": [{"Target": "app_default"}]}}
    stored = {"Name": "s", "UpdateConfig": {"Parallelism": 3, "Monitor": 1, "FailureAction": "pause",
                                            "MaxFailureRatio": 0, "Order": "stop-first"},
              "TaskTemplate": {"ContainerSpec": {"Image": "busybox", "Init": False, "Isolation": "default"},
                               "Networks": [{"Target": "n1d"}], "ForceUpdate": 0, "Runtime": "container"}}
    assert P.changed_fields(desired, stored, {"n1d": "app_default"}) == ()
    stored["UpdateConfig"]["FailureAction"] = "rollback"
    assert P.changed_fields(desired, stored, {"n1d": "app_default"}) == (
        "UpdateConfig.FailureAction: rollback -> (none)",)
