"""Two-stage Ctrl-C: the first stops gracefully, the second forces."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


def sigterm_as_interrupt() -> None:
    """Treat SIGTERM like Ctrl-C, so a supervisor stopping fig gets the same clean shutdown."""
    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def shutdown(graceful: Callable[[], None], force: Callable[[], None]) -> None:
    """Run `graceful` in the background; a further Ctrl-C while it runs calls `force` instead."""
    log.info("Gracefully stopping... (press Ctrl+C again to force)")
    errors: list[BaseException] = []

    def run() -> None:
        try:
            graceful()
        except BaseException as e:  # reported below, in the main thread
            errors.append(e)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        log.info("Killing...")
        force()
        return
    if errors:
        raise errors[0]
