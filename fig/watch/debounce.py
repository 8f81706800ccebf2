"""Changes gathered into one batch: a batch is due once nothing has changed for a quiet period."""

from __future__ import annotations

from collections.abc import Iterable

QUIET_PERIOD = 0.5  # seconds without a new change before a batch is acted on
LONGEST_WAIT = 10.0  # a batch that keeps growing (a log file in the watched tree) is still acted on this often


class Debouncer:
    """Times are passed in (a monotonic clock), so the rule is tested without sleeping."""

    def __init__(self, quiet: float = QUIET_PERIOD, longest: float = LONGEST_WAIT) -> None:
        self.quiet, self.longest = quiet, longest
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

    def due(self, now: float) -> bool:
        return bool(self.pending) and (now - self.last >= self.quiet or now - self.first >= self.longest)

    def wait(self, now: float) -> float | None:
        """Seconds until the pending batch is due (None: nothing pending)."""
        if not self.pending:
            return None
        return max(0.0, min(self.last + self.quiet, self.first + self.longest) - now)

    def take(self) -> list[str]:
        batch, self.pending = list(self.pending), {}
        return batch
