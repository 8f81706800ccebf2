"""One watcher per project at a time (as compose): two would rebuild and recreate the same containers at once."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from fig.errors import UserError


@contextmanager
def only_watcher(directory: str, project: str) -> Iterator[None]:
    """Hold `directory`/watch.pid locked (with this process's id in it) while the block runs."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    with open(os.path.join(directory, "watch.pid"), "a+", encoding="utf-8") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            pid = f.read().strip() or "?"
            raise UserError(f"fig watch is already running for project {project} (process {pid}): "
                            "stop it first") from None
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n")
        f.flush()
        yield  # closing the file releases the lock, even if the process is killed
