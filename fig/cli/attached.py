"""Following containers' output: attached `up` and `logs -f`, with exit policies.

`up` attaches to each container just before starting it, so every line of the run is caught and no
earlier run is replayed; containers already running are attached from now on. `logs -f` starts from
each container's history. Either way a container that restarts is followed into its next run, and
containers of the followed services that appear later (`fig scale`) are added."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import TextIO

from fig.backend.base import LIVE_STATES, ContainerState, LogLine
from fig.cli.log_printer import LogPrinter, LogSource, LogStyle
from fig.container import Container
from fig.errors import BackendError, NotFound
from fig.logs import logger
from fig.records import record

log = logger(__name__)
WATCH_INTERVAL = 1.0
RESTART_POLL = 0.5  # seconds between looks at a container the engine is restarting


@record(frozen=True)
class ExitPolicy:
    abort_on_exit: bool = False  # --abort-on-container-exit
    exit_code_from: str | None = None  # --exit-code-from SERVICE
    all_succeed: bool = False  # --exit-policy all-succeed
    abort_on_failure: bool = False  # --abort-on-container-failure


class _Mark:
    """Where the lines shown of a container end in its log, so a stream that breaks off can go on after them:
    the stamp of the last line shown (and how many shown had it), or, for a stream without stamps (attach),
    how many lines of each stream were shown since `origin` (where the stream began in the log)."""

    def __init__(self, origin: str | None) -> None:
        self.origin = origin
        self.stamp: str | None = None
        self.at_stamp = 0
        self.counts: Counter[str] = Counter()
        self.to_skip: Counter[str] = Counter()  # of the stream being read: lines shown before already

    @property
    def since(self) -> str | None:
        return self.stamp or self.origin

    def rewind(self) -> None:
        """A new stream starts at `since`: skip what of it was shown."""
        self.to_skip = Counter({"": self.at_stamp}) if self.stamp else Counter(self.counts)

    def seen(self, line: LogLine) -> bool:
        if self.stamp and line.timestamp:
            if line.timestamp < self.stamp:
                return True
            if line.timestamp > self.stamp:
                self.to_skip.clear()
                return False
            key = ""
        else:
            key = line.stream
        if self.to_skip[key] > 0:
            self.to_skip[key] -= 1
            return True
        return False

    def shown(self, line: LogLine) -> None:
        self.counts[line.stream] += 1
        if line.timestamp:
            self.at_stamp = self.at_stamp + 1 if line.timestamp == self.stamp else 1
            self.stamp = line.timestamp


def follow(container: Container, first: Iterator[LogLine], *, origin: str | None) -> Iterator[LogLine]:
    """The lines of `first` (which begins at `origin` in the container's log), then of each later run while the
    container restarts. A stream that ends while the container runs was cut (the engine or the connection
    failed): it goes on from the log after the last line shown, so no line is lost or shown twice. An engine
    that cannot be asked ends the lines with its error."""
    mark, lines, last = _Mark(origin), first, False
    while True:
        held = None  # a last line without newline: whole in the next stream, if there is one
        for line in lines:
            if mark.seen(line):
                continue
            if not line.text.endswith("\n"):
                held = line
                continue
            mark.shown(line)
            yield line
        info = None
        if not last:
            try:
                info = container.refresh().info
            except NotFound:
                pass
        if info is None or (not _alive(info.state) and mark.stamp is None):
            if held is not None:  # the stream without stamps ended with the run: nothing was cut
                yield held
            return
        if info.state is ContainerState.RESTARTING:
            time.sleep(RESTART_POLL)
        last = not _alive(info.state)  # then one more look at the log, for lines a cut may have lost
        lines = container.logs(follow=not last, since=mark.since, timestamps=True)
        mark.rewind()


def _alive(state: ContainerState) -> bool:
    return state in LIVE_STATES


class Session:
    """Prints the output of containers until they have all exited, or a policy says stop."""

    def __init__(self, out: TextIO, *, style: LogStyle, history: bool = False, tail: int | None = None,
                 since: str | None = None, discover: Callable[[], list[Container]] | None = None,
                 width: int = 0) -> None:
        self.printer = LogPrinter(out, style=style, width=width)
        self.history, self.tail, self.since, self.discover = history, tail, since, discover
        self.seen: set[str] = set()
        self.lock = threading.Lock()
        self.done = threading.Event()

    def attach(self, container: Container) -> None:
        """Start following a container. Called before a container starts, it catches its whole run."""
        with self.lock:
            if container.id in self.seen:
                return
            self.seen.add(container.id)
        if self.history:
            origin = self.since
            first = container.logs(follow=True, tail=self.tail, since=self.since, timestamps=True)
        elif container.is_running:  # started by someone else (e.g. `fig scale`): its whole current run
            finished = container.refresh().info.finished_at
            origin = None if finished.startswith("0001") else finished
            first = container.logs(follow=True, since=origin, timestamps=True)
        else:
            finished = container.refresh().info.finished_at
            origin = None if finished.startswith("0001") else finished
            first = container.attach_output()
        self.printer.add(LogSource(container.name_without_project, follow(container, first, origin=origin),
                                   wait=container.wait, full_name=container.name, service=container.service))

    def hook_line(self, container: Container, text: str) -> None:
        """A line of a lifecycle hook's output, under the container's name and an arrow, as Compose shows it."""
        self.printer.note(f"{container.name_without_project} ->", text, service=container.service)

    def _watch(self) -> None:
        while not self.done.wait(WATCH_INTERVAL):
            try:
                for c in self.discover():  # type: ignore[misc]
                    if c.is_running and c.id not in self.seen:
                        self.attach(c)
            except Exception as e:  # the engine may be going away while we stop; keep printing what we have
                log.debug("watching for new containers failed: %s", e)

    def run(self, containers: list[Container], policy: ExitPolicy = ExitPolicy()) -> tuple[int | None, dict[str, int]]:
        """Returns (the exit code the policy decided, or None; exit codes by container name)."""
        for c in containers:
            self.attach(c)
        if self.discover is not None:
            threading.Thread(target=self._watch, daemon=True).start()
        decided: list[int] = []

        def on_exit(src: LogSource, code: int | None) -> bool:
            if code is None:
                return False
            if policy.exit_code_from is not None and src.service != policy.exit_code_from:
                return False
            if policy.abort_on_exit or (policy.abort_on_failure and code != 0):
                decided.append(code)
                return True
            return False

        try:
            codes = self.printer.run(on_exit=on_exit)
        finally:
            self.done.set()
        return (decided[0] if decided else None), codes

    def check(self) -> None:
        """Say, as one error, whose output was lost (the engine stopped answering while it was followed)."""
        lost = self.printer.lost
        if lost:
            first = next(iter(lost.values()))
            raise BackendError(f"lost the output of {', '.join(sorted(lost))}: {first}")
