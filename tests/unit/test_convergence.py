"""fig/convergence.py: the pure planner from desired hash and existing containers to steps."""

from __future__ import annotations

import pytest

from fig.backend.base import ContainerInfo, ContainerState
from fig.convergence import Action, Strategy, plan
from fig.labels import LABEL_CONFIG_HASH, LABEL_NUMBER, LABEL_ONEOFF, LABEL_PROJECT, LABEL_SERVICE

RUNNING, EXITED, CREATED = ContainerState.RUNNING, ContainerState.EXITED, ContainerState.CREATED


def info(number: int = 1, *, hash: str = "h1", state: ContainerState = RUNNING, name: str | None = None,
         created: str = "0001") -> ContainerInfo:
    return ContainerInfo(
        id=f"{number:02d}{name or ''}{created}".ljust(64, "0"), name=name or f"p_web_{number}", image="busybox",
        image_id="sha256:1", state=state, created=created,
        labels={LABEL_PROJECT: "p", LABEL_SERVICE: "web", LABEL_ONEOFF: "False", LABEL_NUMBER: str(number),
                LABEL_CONFIG_HASH: hash})


NAMES = {n: f"p_web_{n}" for n in range(1, 10)}


def actions(p) -> list[tuple[Action, int]]:
    return [(s.action, s.number) for s in p.steps]


def run(existing, *, desired="h1", strategy=Strategy.CHANGED, **kwargs):
    return plan("web", desired, existing, strategy=strategy, names=NAMES, **kwargs)


@pytest.mark.parametrize("existing, strategy, expected", [
    # nothing there: create number 1
    ([], Strategy.CHANGED, [(Action.CREATE, 1)]),
    ([], Strategy.NEVER, [(Action.CREATE, 1)]),
    ([], Strategy.ALWAYS, [(Action.CREATE, 1)]),
    # up to date and running: nothing to do
    ([info()], Strategy.CHANGED, [(Action.NOOP, 1)]),
    # up to date but stopped: start it
    ([info(state=EXITED)], Strategy.CHANGED, [(Action.START, 1)]),
    ([info(state=CREATED)], Strategy.CHANGED, [(Action.START, 1)]),
    # changed config: recreate, running or not
    ([info(hash="h0")], Strategy.CHANGED, [(Action.RECREATE, 1)]),
    ([info(hash="h0", state=EXITED)], Strategy.CHANGED, [(Action.RECREATE, 1)]),
    # --force-recreate recreates even unchanged containers
    ([info()], Strategy.ALWAYS, [(Action.RECREATE, 1)]),
    # --no-recreate never recreates, but still starts
    ([info(hash="h0")], Strategy.NEVER, [(Action.NOOP, 1)]),
    ([info(hash="h0", state=EXITED)], Strategy.NEVER, [(Action.START, 1)]),
])
def test_single_container(existing, strategy, expected):
    assert actions(run(existing, strategy=strategy)) == expected


def test_changed_config_recreates_with_a_reason():
    p = run([info(hash="h0")])
    assert p.action is Action.RECREATE
    assert p.steps[0].reason == "configuration changed"
    assert p.changes


def test_noop_plan_has_no_changes():
    p = run([info()])
    assert p.action is Action.NOOP
    assert not p.changes


def test_force_reason_recreates_unchanged_containers():
    p = run([info()], force_reason="db was recreated")
    assert actions(p) == [(Action.RECREATE, 1)]
    assert p.steps[0].reason == "db was recreated"
    assert actions(run([info()], force_reason="db was recreated", strategy=Strategy.NEVER)) == [(Action.NOOP, 1)]


def test_no_start_leaves_stopped_containers_alone():
    assert actions(run([info(state=EXITED)], start=False)) == [(Action.NOOP, 1)]


@pytest.mark.parametrize("numbers, scale, expected", [
    ([1], 3, [(Action.NOOP, 1), (Action.CREATE, 2), (Action.CREATE, 3)]),
    ([], 2, [(Action.CREATE, 1), (Action.CREATE, 2)]),
    ([1, 2, 3], 1, [(Action.REMOVE, 2), (Action.REMOVE, 3), (Action.NOOP, 1)]),
    ([1, 2, 3], 0, [(Action.REMOVE, 1), (Action.REMOVE, 2), (Action.REMOVE, 3)]),
    ([3, 1, 2], 2, [(Action.REMOVE, 3), (Action.NOOP, 1), (Action.NOOP, 2)]),
    ([1, 2], None, [(Action.NOOP, 1), (Action.NOOP, 2)]),  # no scale keeps the count
    ([1, 2], 2, [(Action.NOOP, 1), (Action.NOOP, 2)]),
])
def test_scale(numbers, scale, expected):
    assert actions(run([info(n) for n in numbers], scale=scale)) == expected


def test_scale_down_removes_the_highest_numbers():
    existing = [info(n) for n in (1, 2, 3, 4)]
    removed = [s.container.name for s in run(existing, scale=2).steps if s.action is Action.REMOVE]
    assert removed == ["p_web_3", "p_web_4"]


def test_scale_up_continues_after_the_highest_number():
    assert actions(run([info(1), info(3)], scale=3)) == [(Action.NOOP, 1), (Action.NOOP, 3), (Action.CREATE, 4)]


def test_scale_up_with_changed_config_recreates_the_old_and_creates_new():
    assert actions(run([info(1, hash="h0")], scale=2)) == [(Action.RECREATE, 1), (Action.CREATE, 2)]


@pytest.mark.parametrize("canonical_first", [True, False])
def test_duplicates_of_one_number_keep_the_canonically_named_one(canonical_first):
    """An interrupted recreate leaves the old container under a temporary name next to the new one."""
    canonical = info(1, name="p_web_1", created="0001")
    aside = info(1, name="0123456789ab_p_web_1", created="0002", state=EXITED, hash="h0")
    existing = [canonical, aside] if canonical_first else [aside, canonical]
    p = run(existing)
    assert [(s.action, s.container.name) for s in p.steps] == [
        (Action.REMOVE, "0123456789ab_p_web_1"), (Action.NOOP, "p_web_1")]
    assert p.steps[0].reason == "left over from an interrupted recreate"


def test_duplicates_without_a_canonical_name_keep_the_newest():
    older = info(1, name="aaaaaaaaaaaa_p_web_1", created="0001")
    newer = info(1, name="bbbbbbbbbbbb_p_web_1", created="0002")
    p = run([newer, older])
    assert [(s.action, s.container.name) for s in p.steps] == [
        (Action.REMOVE, "aaaaaaaaaaaa_p_web_1"), (Action.NOOP, "bbbbbbbbbbbb_p_web_1")]


def test_only_the_set_aside_container_is_left_and_gets_recreated():
    """Interrupted after the rename, before the create: the old container is the only one, and converges."""
    aside = info(1, name="0123456789ab_p_web_1", hash="h0", state=EXITED)
    assert actions(run([aside])) == [(Action.RECREATE, 1)]


def test_plan_carries_service_start_and_image():
    p = run([], image_id="sha256:abc", start=False)
    assert (p.service, p.start, p.image_id) == ("web", False, "sha256:abc")
