"""How many engine operations run at once (issue 22): every ready one unless --parallel or COMPOSE_PARALLEL_LIMIT
caps them, in dependency order; and the look-ups a command needs asked once, at once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import fig.cli.bootstrap
from fig.cli import main as cli
from fig.errors import UserError
from fig.parallel import DEFAULT_LIMIT, MAKING_LIMIT, both, execute
from fig.project import Project
from tests.fakes import FakeBackend

SERVICES = 12
FLAT = "".join(f"s{i}: {{image: busybox}}\n" for i in range(SERVICES))
TREE = """\
top: {image: busybox, links: [mid]}
mid: {image: busybox, links: [leaf]}
leaf: {image: busybox}
"""


class Gate:
    """Every call waits until `parties` calls are in at once (or fails after 5 s): an operation that is queued
    behind a cap never arrives, and the calls in fail."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=5)
        self.order: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, key: str) -> str:
        with self.lock:
            self.order.append(key)
        self.barrier.wait()
        return key


def test_without_a_limit_every_ready_item_runs_at_once():
    gate = Gate(SERVICES * 3)
    outcome = execute([f"c{i}" for i in range(SERVICES * 3)], gate, key=lambda k: k, limit=DEFAULT_LIMIT)
    assert not outcome.failures and len(outcome.results) == SERVICES * 3


def test_a_limit_caps_them():
    gate = Gate(3)
    outcome = execute(["a", "b", "c"], gate, key=lambda k: k, limit=2)
    assert outcome.failures  # the third never ran beside the first two


def test_without_a_limit_dependency_order_holds():
    done: list[str] = []
    deps = {"web": ["app"], "app": ["db"], "db": [], "cache": []}
    execute(list(deps), done.append, key=lambda k: k, deps=lambda k: deps[k], limit=None)
    assert done.index("db") < done.index("app") < done.index("web")


def test_both_asks_at_once_and_gives_both_answers():
    barrier = threading.Barrier(2, timeout=5)
    assert both(lambda: (barrier.wait(), "one")[1], lambda: (barrier.wait(), "two")[1]) == ("one", "two")


@pytest.mark.parametrize("which", ["first", "second"])
def test_both_raises_a_failure_once_both_ended(which):
    ended = threading.Event()

    def fails() -> str:
        raise UserError(which)

    def slow() -> str:
        ended.wait(0.05)
        ended.set()
        return "ok"

    calls = (fails, slow) if which == "first" else (slow, fails)
    with pytest.raises(UserError, match=which):
        both(*calls)
    assert ended.is_set()


class GatedStops(FakeBackend):
    """Its stop waits until `gate.parties` stops are in at once."""

    def __init__(self, parties: int) -> None:
        super().__init__()
        self.gate = Gate(parties)

    def stop(self, container_id: str, *, timeout: int) -> None:
        self.gate(container_id)
        super().stop(container_id, timeout=timeout)


def test_stop_sends_every_stop_at_once_by_default(load):
    backend = GatedStops(SERVICES)
    project = Project(load(FLAT), backend, limit=DEFAULT_LIMIT)
    project.up()
    project.stop()  # would raise BrokenBarrierError if the stops were queued behind a cap
    assert all(not c.is_running for c in project.containers(stopped=True))


def test_stop_still_stops_dependents_first(load):
    backend = GatedStops(1)
    project = Project(load(TREE), backend, limit=DEFAULT_LIMIT)
    project.up()
    project.stop()
    names = [backend.containers[c].name for c in backend.gate.order]
    assert names == ["figtest_top_1", "figtest_mid_1", "figtest_leaf_1"]


@pytest.mark.parametrize(("options", "environ", "limit"), [
    ({}, {}, None),
    ({"--parallel": "3"}, {"COMPOSE_PARALLEL_LIMIT": "5"}, 3),
    ({}, {"COMPOSE_PARALLEL_LIMIT": "5"}, 5),
    ({}, {"FIG_PARALLEL_LIMIT": "2", "COMPOSE_PARALLEL_LIMIT": "5"}, 2),
])
def test_the_limit_comes_from_the_option_then_the_environment(options, environ, limit):
    assert fig.cli.bootstrap._limit(options, environ) == limit


def test_a_bad_limit_names_where_it_came_from():
    with pytest.raises(UserError, match="COMPOSE_PARALLEL_LIMIT must be 1 or more"):
        fig.cli.bootstrap._limit({}, {"COMPOSE_PARALLEL_LIMIT": "0"})


@pytest.fixture
def engine(tmp_path: Path, monkeypatch) -> FakeBackend:
    """The CLI on a FakeBackend, in a directory with a 12-service fig.yml whose containers run."""
    backend = FakeBackend()
    (tmp_path / "fig.yml").write_text(FLAT)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(fig.cli.bootstrap, "engine", lambda environ=None: backend)
    assert cli.main(["-p", "figtest", "up", "-d"]) == 0
    backend.reset_calls()
    return backend


def listings(backend: FakeBackend) -> int:
    return sum(1 for method, _ in backend.calls if method == "list_containers")


@pytest.mark.parametrize("argv", [["up", "-d"], ["ps"], ["logs", "s1"], ["compose", "up", "-d"]])
def test_a_command_looks_at_the_containers_once(engine, argv):
    """One look: the listing by Compose's labels and the one by fig 1.1.0's (made at once)."""
    assert cli.main(["-p", "figtest", *argv]) == 0
    assert listings(engine) == 2


class GatedListings(FakeBackend):
    """Its listing waits until both of a look's listings are in at once."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = Gate(2)

    def list_containers(self, labels, all=False):  # type: ignore[no-untyped-def]
        self.gate(str(labels))
        return super().list_containers(labels, all=all)


def test_the_two_listings_of_a_look_are_asked_for_at_once(load):
    project = Project(load(FLAT), GatedListings(), limit=DEFAULT_LIMIT)
    assert project.containers() == []  # would raise BrokenBarrierError if the second waited for the first


class CountedCreates(FakeBackend):
    """Records how many creates were in at once, each taking a moment."""

    def __init__(self) -> None:
        super().__init__()
        self.lock, self.now, self.peak = threading.Lock(), 0, 0

    def create(self, spec):  # type: ignore[no-untyped-def]
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        threading.Event().wait(1.0)  # long enough for every create that may run at once to be in
        with self.lock:
            self.now -= 1
        return super().create(spec)


@pytest.mark.parametrize(("limit", "peak"), [(DEFAULT_LIMIT, MAKING_LIMIT), (3, 3)])
def test_containers_are_made_a_few_at_a_time(load, limit, peak):
    """Each create and start costs the engine CPU and its network locks: more at once only slow each answer."""
    backend = CountedCreates()
    Project(load(FLAT), backend, limit=limit).up()
    assert backend.peak == peak


def test_run_looks_at_its_service_once(engine, tmp_path):
    """A one-off needs the service's one-offs (for its number) and running containers (its links and, on a
    compose file's network, its hosts entry): two looks."""
    (tmp_path / "compose.yaml").write_text("services:\n" + "".join(f"  {line}" for line in FLAT.splitlines(True)))
    assert cli.main(["-p", "figtest", "-f", "compose.yaml", "run", "-d", "s1", "true"]) == 0
    assert listings(engine) == 4
