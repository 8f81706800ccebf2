"""A lock shared by every fig on this machine, for check-then-create steps the engine does not make atomic.

The engine allows two networks of one name, and two `fig up` started together would each see none and make
one. Both take this lock (a file in the temporary directory, named after the engine and the object) around
their look and their create; figs on other machines are not held by it."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from fig.config.cache import digest


@contextlib.contextmanager
def held(engine: str, name: str) -> Iterator[None]:
    """Hold the lock for `name` on `engine` (a URL); without a writable temporary directory, hold nothing."""
    import fcntl
    import tempfile  # only commands that make a network or volume take a lock

    key = digest(f"{engine}\0{name}".encode())[:32]
    path = os.path.join(tempfile.gettempdir(), f"fig-{key}.lock")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock; the file stays for the next fig
