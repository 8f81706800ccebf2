"""fig's loggers, which load Python's `logging` only when something is logged.

Importing `logging` takes about 7 ms (it loads `traceback`, `string`, `threading` and `weakref`), and most runs of
the commands a person types most (`ps`, `port`, `exec`, `config`, `images`) log nothing. Each module keeps
`log = logger(__name__)`; the first message of a run loads `logging` and applies the set-up the CLI asked for
with `configure` (at once, when `logging` is loaded already or the run is verbose). Until then a debug message,
which that set-up would not show, is dropped without loading anything (each request to the engine logs one)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

_pending: Callable[[], None] | None = None
_debug = True  # whether debug messages may be shown: unknown until the CLI says


def configure(setup: Callable[[], None], *, debug: bool) -> None:
    """Have `setup` set logging up for this run, where `debug` says whether it shows debug messages: at once when
    it does, or when `logging` is loaded already (the library's callers and tests run the CLI more than once), else
    before the first message it shows."""
    global _pending, _debug
    _debug = debug
    if debug or "logging" in sys.modules:
        _pending = None
        setup()
    else:
        _pending = setup


def _ready() -> None:
    global _pending
    setup, _pending = _pending, None
    if setup is not None:
        setup()


class Logger:
    """A `logging.Logger` of this name, looked up (and `logging` loaded) when it is first used."""
    __slots__ = ("name", "_real")

    def __init__(self, name: str) -> None:
        self.name = name
        self._real: logging.Logger | None = None

    def _logger(self) -> logging.Logger:
        if self._real is None:
            import logging

            _ready()
            self._real = logging.getLogger(self.name)
        return self._real

    def debug(self, msg: str, *args: Any, **kwargs: Any) -> None:
        if _debug or "logging" in sys.modules:
            self._logger().debug(msg, *args, **kwargs)

    def info(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self._logger().info(msg, *args, **kwargs)

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self._logger().warning(msg, *args, **kwargs)

    def error(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self._logger().error(msg, *args, **kwargs)


def logger(name: str) -> Logger:
    return Logger(name)
