"""Two-stage Ctrl-C: the first stops gracefully, the second forces. SIGTERM and SIGHUP count as Ctrl-C, and fig
then exits as a program ended by that signal does (128 + its number: 130, 143, 129), so a supervisor or a
shell can tell which one stopped it."""

from __future__ import annotations

import _signal  # the signal module's core: signal.py adds enums, which cost 1.4 ms of every command
from collections.abc import Callable
from typing import TYPE_CHECKING

from fig.logs import logger

if TYPE_CHECKING:
    import threading

log = logger(__name__)
NAMES = {_signal.SIGINT: "SIGINT", _signal.SIGTERM: "SIGTERM", _signal.SIGHUP: "SIGHUP"}


class Interrupted(KeyboardInterrupt):
    """A signal that ends fig as Ctrl-C does."""

    def __init__(self, signum: int) -> None:
        super().__init__(NAMES.get(signum, str(signum)))
        self.signum = signum


def interrupt_code(interrupt: KeyboardInterrupt) -> int:
    """The exit code after an interrupt: 128 + the signal's number."""
    return 128 + (interrupt.signum if isinstance(interrupt, Interrupted) else _signal.SIGINT)


def signals_as_interrupt() -> None:
    """Treat SIGTERM and SIGHUP like Ctrl-C, so a supervisor or a closed terminal gets the same clean shutdown."""
    def handler(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    for signum in (_signal.SIGTERM, _signal.SIGHUP):
        _signal.signal(signum, handler)


class Held:
    """Ctrl-C, SIGTERM and SIGHUP held back while the main thread runs code that an exception raised between any
    two of its steps would break: a `threading.Event`'s lock left unlocked under a waiter (another thread then
    fails on it), or a line taken off a queue but not yet written. The handler of the first signal that came
    runs at `check()`, where such an exception is safe; that of a second, while the first waits, at once.
    Signals whose handler is not Python's (ignored, or the default that ends the process) are left alone, as
    is everything off the main thread."""

    SIGNALS = (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP)

    def __init__(self) -> None:
        self.pending: int | None = None
        self._handlers: dict[int, Callable[[int, object], object]] = {}

    def __enter__(self) -> Held:
        import threading  # loaded by the commands that print output as it comes, which run threads anyway

        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                handler = _signal.getsignal(signum)
                if callable(handler):
                    self._handlers[signum] = handler
                    _signal.signal(signum, self._hold)
        return self

    def _hold(self, signum: int, frame: object) -> None:
        if self.pending is not None:  # pressed again: the check is not coming (output blocked on a full pipe)
            self.pending = None
            self._handlers[signum](signum, frame)
        self.pending = signum

    def check(self) -> None:
        """Run the held signal's handler (which raises), if one came."""
        signum, self.pending = self.pending, None
        if signum is not None:
            self._handlers[signum](signum, None)

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        handlers, self._handlers = self._handlers, {}
        for signum, handler in handlers.items():
            _signal.signal(signum, handler)
        signum, self.pending = self.pending, None
        if kind is None and signum is not None:  # one that came after the last check is not lost
            handlers[signum](signum, None)


def shutdown(graceful: Callable[[], None], force: Callable[[], None],
             drain: Callable[[threading.Event], object] | None = None) -> None:
    """Run `graceful` in the background; a further Ctrl-C while it runs calls `force` instead. `drain` runs
    meanwhile (until the event is set): reading the containers' output, without which a container that
    writes fast blocks, and cannot stop."""
    import threading

    log.info("Gracefully stopping... (press Ctrl+C again to force)")
    errors: list[BaseException] = []
    finished = threading.Event()

    def run() -> None:
        try:
            graceful()
        except BaseException as e:  # reported below, in the main thread
            errors.append(e)
        finally:
            finished.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    try:
        if drain is not None:
            drain(finished)
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        log.info("Killing...")
        force()
        return
    if errors:
        raise errors[0]
