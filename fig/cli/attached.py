"""Following containers' output: attached `up` and `logs -f`, with exit policies.

`up` attaches to each container just before starting it, so every line of the run is caught and no
earlier run is replayed; containers already running are attached from now on. `logs -f` starts from
each container's history. Either way a container that restarts is followed into its next run, and
containers of the followed services that appear later (`fig scale`) are added."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TextIO

from fig.backend.base import ContainerState, LogLine
from fig.cli.log_printer import LogPrinter, LogSource, LogStyle
from fig.container import Container
from fig.errors import NotFound

log = logging.getLogger(__name__)
WATCH_INTERVAL = 1.0


@dataclass(frozen=True)
class ExitPolicy:
    abort_on_exit: bool = False  # --abort-on-container-exit
    exit_code_from: str | None = None  # --exit-code-from SERVICE
    all_succeed: bool = False  # --exit-policy all-succeed
    abort_on_failure: bool = False  # --abort-on-container-failure


def follow(container: Container, first: Iterator[LogLine], *, timestamps: bool = False) -> Iterator[LogLine]:
    """The lines of `first`, then of each later run while the container restarts."""
    lines = first
    while True:
        yield from lines
        try:
            info = container.refresh().info
        except NotFound:
            return
        if info.state not in (ContainerState.RESTARTING, ContainerState.RUNNING):
            return
        lines = container.logs(follow=True, since=info.finished_at, timestamps=timestamps)


class Session:
    """Prints the output of containers until they have all exited, or a policy says stop."""

    def __init__(self, out: TextIO, *, style: LogStyle, history: bool = False, tail: int | None = None,
                 since: str | None = None, discover: Callable[[], list[Container]] | None = None,
                 width: int = 0) -> None:
        self.printer = LogPrinter(out, style=style, width=width)
        self.history, self.tail, self.since, self.discover = history, tail, since, discover
        self.timestamps = style.json_lines or style.timestamps == "engine"
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
            first = container.logs(follow=True, tail=self.tail, since=self.since, timestamps=self.timestamps)
        elif container.is_running:  # started by someone else (e.g. `fig scale`): its whole current run
            finished = container.refresh().info.finished_at
            first = container.logs(follow=True, since=None if finished.startswith("0001") else finished)
        else:
            first = container.attach_output()
        lines = follow(container, first, timestamps=self.timestamps)
        self.printer.add(LogSource(container.name_without_project, lines, wait=container.wait,
                                   full_name=container.name, service=container.service))

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
