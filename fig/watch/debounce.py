"""Changes gathered into one batch: a batch is due once nothing has changed for a quiet period.

A lone changed file (the usual save) is acted on after a short quiet period; once a second path joins the
batch, a burst is under way (a `git checkout`, a "save all", a generator) and the batch waits for the full
quiet period, so the whole burst is one update."""

from __future__ import annotations

from collections.abc import Iterable

QUIET_PERIOD = 0.5  # seconds without a new change before a batch of several paths is acted on
LONE_PERIOD = 0.1  # the same for a batch of one path
LONGEST_WAIT = 10.0  # a batch that keeps growing (a log file in the watched tree) is still acted on this often


class Debouncer:
    """Times are passed in (a monotonic clock), so the rule is tested without sleeping."""

    def __init__(self, quiet: float = QUIET_PERIOD, lone: float = LONE_PERIOD, longest: float = LONGEST_WAIT) -> None:
        self.quiet, self.lone, self.longest = quiet, lone, longest
        self.pending: dict[str, None] = {}  # insertion-ordered set of paths
        self.first = self.last = 0.0

    def add(self, paths: Iterable[str], now: float) -> None:
        paths = list(paths)
        if not paths:
            return
        if not self.pending:
            self.first = now
        self.pending.update(dict.fromkeys(paths))
        self.last = now

    def _deadline(self) -> float:
        quiet = self.lone if len(self.pending) == 1 else self.quiet
        return min(self.last + quiet, self.first + self.longest)

    def due(self, now: float) -> bool:
        return bool(self.pending) and now >= self._deadline()

    def wait(self, now: float) -> float | None:
        """Seconds until the pending batch is due (None: nothing pending)."""
        return None if not self.pending else max(0.0, self._deadline() - now)

    def take(self) -> list[str]:
        batch, self.pending = list(self.pending), {}
        return batch
