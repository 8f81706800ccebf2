"""fig/parallel.py: a silent, dependency-aware thread-pool executor."""

from __future__ import annotations

import threading
import time

import pytest

from fig.errors import OperationError
from fig.parallel import Event, Phase, execute
from tests.unit.test_startup import loaded, offending


class Recorder:
    """fn for execute: records start/finish order and the peak number running at once."""

    def __init__(self, *, fail: set[str] = frozenset(), delay: float = 0.01) -> None:
        self.fail = fail
        self.delay = delay
        self.lock = threading.Lock()
        self.log: list[tuple[str, str]] = []
        self.active = 0
        self.peak = 0

    def __call__(self, key: str) -> str:
        with self.lock:
            self.log.append(("start", key))
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(self.delay)
        with self.lock:
            self.active -= 1
            self.log.append(("finish", key))
        if key in self.fail:
            raise RuntimeError(f"{key} broke")
        return key.upper()

    def index(self, what: str, key: str) -> int:
        return self.log.index((what, key))

    def started(self) -> set[str]:
        return {k for w, k in self.log if w == "start"}


#   web -> app -> db ; web -> cache ; worker -> db ; lone
DEPS = {"db": [], "cache": [], "app": ["db"], "web": ["app", "cache"], "worker": ["db"], "lone": []}


def _run(rec: Recorder, *, limit: int = 4, deps=DEPS, events: list[Event] | None = None):
    sink = events.append if events is not None else (lambda _: None)
    return execute(list(deps), rec, key=lambda k: k, deps=lambda k: deps[k], limit=limit, on_event=sink)


@pytest.mark.parametrize("limit", [1, 2, 8])
def test_dependencies_finish_before_dependents_start(limit):
    rec = Recorder()
    outcome = _run(rec, limit=limit)
    assert outcome.results == {k: k.upper() for k in DEPS}
    assert not outcome.failures and not outcome.skipped
    for name, deps in DEPS.items():
        for dep in deps:
            assert rec.index("finish", dep) < rec.index("start", name), (dep, name, rec.log)


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_limit_is_honoured_and_used(limit):
    rec = Recorder(delay=0.05)
    execute([f"s{i}" for i in range(6)], rec, key=lambda k: k, limit=limit)
    assert rec.peak == limit


def test_independent_items_run_concurrently():
    barrier = threading.Barrier(3, timeout=5)
    outcome = execute(["a", "b", "c"], lambda k: barrier.wait(), key=lambda k: k, limit=3)
    assert not outcome.failures  # each waited for the other two, so all three ran at once


def test_failure_skips_dependents_transitively():
    rec = Recorder(fail={"db"})
    events: list[Event] = []
    outcome = _run(rec, events=events)
    assert set(outcome.failures) == {"db"}
    assert isinstance(outcome.failures["db"], RuntimeError)
    assert sorted(outcome.skipped) == ["app", "web", "worker"]
    assert set(outcome.results) == {"cache", "lone"}
    assert rec.started() == {"db", "cache", "lone"}  # skipped ones never ran
    skipped_events = {e.key for e in events if e.phase is Phase.SKIPPED}
    assert skipped_events == {"app", "web", "worker"}


def test_failure_of_a_leaf_skips_only_its_dependents():
    outcome = _run(Recorder(fail={"cache"}))
    assert set(outcome.failures) == {"cache"}
    assert outcome.skipped == ["web"]
    assert set(outcome.results) == {"db", "app", "worker", "lone"}


def test_events_for_each_item():
    events: list[Event] = []
    _run(Recorder(fail={"app"}), events=events)
    by_key: dict[str, list[Phase]] = {}
    for e in events:
        by_key.setdefault(e.key, []).append(e.phase)
    assert by_key["db"] == [Phase.STARTED, Phase.DONE]
    assert by_key["app"] == [Phase.STARTED, Phase.FAILED]
    assert by_key["web"] == [Phase.SKIPPED]
    assert by_key["lone"] == [Phase.STARTED, Phase.DONE]
    failed = next(e for e in events if e.phase is Phase.FAILED)
    assert str(failed.error) == "app broke"


def test_raise_if_failed_with_one_failure_raises_it_unchanged():
    outcome = _run(Recorder(fail={"lone"}))
    with pytest.raises(RuntimeError, match="lone broke"):
        outcome.raise_if_failed()


def test_raise_if_failed_names_failed_and_skipped():
    outcome = _run(Recorder(fail={"db", "cache"}))
    with pytest.raises(OperationError) as info:
        outcome.raise_if_failed()
    error = info.value
    assert set(error.failures) == {"db", "cache"}
    assert sorted(error.skipped) == ["app", "web", "worker"]
    message = str(error)
    assert "db: db broke" in message and "cache: cache broke" in message
    assert "not started because a dependency failed: " in message
    for name in ("app", "web", "worker"):
        assert name in message.split("not started because a dependency failed: ")[1]


def test_raise_if_failed_with_one_failure_and_skips_is_an_operation_error():
    outcome = _run(Recorder(fail={"app"}))
    with pytest.raises(OperationError, match=r"^app: app broke; not started because a dependency failed: web$"):
        outcome.raise_if_failed()


def test_no_failures_raises_nothing():
    _run(Recorder()).raise_if_failed()


def test_deps_outside_the_items_are_ignored():
    outcome = execute(["web"], lambda k: k, key=lambda k: k, deps=lambda k: ["db", "web"])
    assert outcome.results == {"web": "web"}


def test_empty():
    outcome = execute([], lambda k: k, key=lambda k: k)
    assert (outcome.results, outcome.failures, outcome.skipped) == ({}, {}, [])



def test_an_interrupt_waits_for_the_items_running_then_goes_on():
    """Ctrl-C while items run: those running end (a create the engine is doing is not abandoned half-told), no
    other item starts, and the interrupt reaches the caller."""
    ended, started = [], []

    def fn(k):
        started.append(k)
        time.sleep(0.3 if k == "slow" else 0)
        ended.append(k)

    def on_event(e):
        if e.key == "fast" and e.phase is Phase.DONE:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        execute(["fast", "slow", "later"], fn, key=lambda k: k, deps=lambda k: ["fast"] if k == "later" else [],
                on_event=on_event)
    assert sorted(ended) == ["fast", "slow"] and "later" not in started


def test_a_command_that_runs_items_loads_no_thread_pool(tmp_path):
    """concurrent.futures loads logging too: about 5 ms of every `up`."""
    code = ("from fig.parallel import execute\n"
            "assert execute([1, 2], lambda n: n * 2, key=str).results == {'1': 2, '2': 4}")
    assert offending(loaded(code, tmp_path), ("concurrent.futures", "logging")) == []
