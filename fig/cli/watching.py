"""Running a Watcher from the CLI: each Update as one line (or a JSON line) on stdout."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, TextIO

from fig import records
from fig.cli.status import Status
from fig.config.normalize import state_dir
from fig.errors import FigError
from fig.logs import logger
from fig.project import Project, UpOptions

if TYPE_CHECKING:  # fig.watch (and pathspec) load only when something is watched
    from fig.watch import Update, Watcher

log = logger(__name__)


class UpdatePrinter:
    def __init__(self, stream: TextIO | None = None, *, json_lines: bool = False) -> None:
        self.stream = stream or sys.stdout
        self.json_lines = json_lines
        self.lock = threading.Lock()

    def __call__(self, update: Update) -> None:
        if self.json_lines:
            text = json.dumps(records.asdict(update)) + "\n"
        else:
            text = f"{update.service}: {update.message}\n"
            text += "".join(f"    {line}\n" for line in update.output.rstrip("\n").splitlines())
        with self.lock:
            self.stream.write(text)
            self.stream.flush()


def watcher(project: Project, names: Sequence[str], status: Status, *, json_lines: bool, prune: bool,
            quiet: bool) -> Watcher:
    from fig.watch import Watcher

    return Watcher(project, names, on_update=UpdatePrinter(json_lines=json_lines), prune=prune,
                   on_progress=None if quiet else status.progress)


def start(project: Project, watch: Watcher, names: Sequence[str], status: Status, *, quiet: bool) -> None:
    """`up` before watching; the watched services that build are built anew first, as compose does."""
    progress = None if quiet else status.progress
    built = [s.name for s in watch.services if s.config.build]
    if built:
        project.build(built, on_progress=progress)
    project.up(names, options=UpOptions(), on_event=status, on_progress=progress)


def only_watcher(project: Project) -> AbstractContextManager[None]:
    """The project's watch lock, in fig's state directory for it."""
    from fig.watch import lock

    return lock.only_watcher(state_dir(project.name, os.environ), project.name)


def announce() -> None:
    log.info("Watching for changes (Ctrl-C to stop watching; the containers keep running)")


def in_background(watch: Watcher) -> threading.Event:
    """Watch on a thread (beside attached `up`); setting the event returned stops it."""
    stop = threading.Event()

    def run() -> None:
        try:
            watch.run(stop, ready=lambda: log.info("Watching for changes"))
        except FigError as e:  # the watch ends, the containers' output goes on
            log.error("Watching stopped: %s", e)

    threading.Thread(target=run, name="watch", daemon=True).start()
    return stop
