"""A silent, dependency-aware parallel executor: the graph supplies order, the caller renders events."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

from fig.errors import OperationError
from fig.records import field, record

T = TypeVar("T")
R = TypeVar("R")
A = TypeVar("A")
B = TypeVar("B")

# How many engine operations run at once unless --parallel (or COMPOSE_PARALLEL_LIMIT) caps them, in dependency
# order. Those that wait (stop, kill, remove, pause): every one that is ready, as Compose v2 runs them; they spend
# their time on a container's exit, and a cap only queues them behind each other (30 stops at 8 at a time waited
# four times as long as the containers took to stop).
DEFAULT_LIMIT: int | None = None
# Those that make (create and start containers, pull images): 8. The engine does each on its CPU and behind its
# network locks, so more at once only make each answer slower: 300 creates at once outlasted the 60-second HTTP
# timeout on a loaded 2-core machine, where 8 at once keep the engine as busy.
MAKING_LIMIT = 8


class Phase(enum.Enum):
    STARTED = "started"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


@record(frozen=True, slots=True)
class Event:
    key: str
    phase: Phase
    error: BaseException | None = None


@record
class Outcome(Generic[R]):
    results: dict[str, R] = field(default_factory=dict)
    failures: dict[str, BaseException] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def raise_if_failed(self) -> None:
        if self.failures:
            if len(self.failures) == 1 and not self.skipped:
                raise next(iter(self.failures.values()))
            raise OperationError(self.failures, self.skipped)


def execute(
    items: Iterable[T],
    fn: Callable[[T], R],
    *,
    key: Callable[[T], str],
    deps: Callable[[T], Sequence[str]] = lambda _: (),
    limit: int | None = DEFAULT_LIMIT,
    on_event: Callable[[Event], None] = lambda _: None,
    skip_dependents: bool = True,
) -> Outcome[R]:
    """Run fn over items on at most `limit` threads (None: every item that is ready); an item waits for its deps
    (keys among items) to finish, and is skipped when one of them failed or was skipped (unless not
    `skip_dependents`: stopping a container need not wait for one that would not stop). Exceptions are
    collected, not raised.
    Of the items that are ready, those with the longest chain of items waiting on them start first, so a
    deep dependency tree is not left to the end behind independent items.
    Each item runs on a thread of its own (concurrent.futures' pool would load that package and logging, about
    5 ms of every `up`); should this thread be interrupted, the items running end before the interrupt goes on."""
    import threading
    from _queue import SimpleQueue  # queue.SimpleQueue itself, without queue.py (and heapq)

    by_key = {key(item): item for item in items}
    waiting = {k: {d for d in deps(item) if d in by_key and d != k} for k, item in by_key.items()}
    outcome: Outcome[R] = Outcome()
    rank = _chain_lengths(waiting)
    position = {k: i for i, k in enumerate(by_key)}
    ready: list[str] = []

    ended: SimpleQueue[tuple[str, R | None, BaseException | None]] = SimpleQueue()

    def run(k: str) -> None:
        try:
            on_event(Event(k, Phase.STARTED))
            result = fn(by_key[k])
        except BaseException as e:  # told on the caller's thread
            ended.put((k, None, e))
        else:
            ended.put((k, result, None))

    running: set[str] = set()
    at_once = max(1, limit or len(by_key))
    try:
        while waiting or running or ready:
            for k in [k for k, pending in waiting.items() if not pending]:
                del waiting[k]
                ready.append(k)
            ready.sort(key=lambda k: (-rank[k], position[k]))
            while ready and len(running) < at_once:
                k = ready.pop(0)
                running.add(k)
                threading.Thread(target=run, args=(k,), name=f"fig {k}", daemon=True).start()
            if not running:
                break  # only possible with a cycle among items, which the graph rules out
            k, result, error = ended.get()
            running.discard(k)
            if error is None:
                outcome.results[k] = result  # type: ignore[assignment]
                on_event(Event(k, Phase.DONE))
            else:
                outcome.failures[k] = error
                on_event(Event(k, Phase.FAILED, error))
            for other, pending in list(waiting.items()):
                if k in pending:
                    pending.discard(k)
                    if error is not None and skip_dependents:
                        _skip(other, waiting, outcome, on_event)
    except BaseException:
        while running:  # a second interrupt here goes on at once
            running.discard(ended.get()[0])
        raise
    # failures are told in the items' order, not in the order they happened to end
    outcome.failures = {k: outcome.failures[k] for k in by_key if k in outcome.failures}
    return outcome


def _chain_lengths(waiting: dict[str, set[str]]) -> dict[str, int]:
    """For each key, the length of the longest chain of keys that wait on it, itself included."""
    dependents: dict[str, list[str]] = {k: [] for k in waiting}
    for k, pending in waiting.items():
        for d in pending:
            dependents[d].append(k)
    lengths: dict[str, int] = {}

    def length(k: str) -> int:
        if k not in lengths:
            lengths[k] = 1  # a cycle (which the graph rules out) ends here rather than recursing for ever
            lengths[k] = 1 + max((length(d) for d in dependents[k]), default=0)
        return lengths[k]

    for k in waiting:
        length(k)
    return lengths


def _skip(k: str, waiting: dict[str, set[str]], outcome: Outcome[R], on_event: Callable[[Event], None]) -> None:
    if k not in waiting:
        return
    del waiting[k]
    outcome.skipped.append(k)
    on_event(Event(k, Phase.SKIPPED))
    for other, pending in list(waiting.items()):
        if k in pending:
            _skip(other, waiting, outcome, on_event)


def both(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """The results of two calls made at once (the first on this thread, the second on one of its own), for two
    requests whose answers are both needed; the first exception is raised once both have ended."""
    import threading

    kept: list[B] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            kept.append(second())
        except BaseException as e:  # raised on the caller's thread
            failed.append(e)

    thread = threading.Thread(target=run, daemon=True, name="fig")
    thread.start()
    try:
        result = first()
    finally:
        thread.join()
    if failed:
        raise failed[0]
    return result, kept[0]
