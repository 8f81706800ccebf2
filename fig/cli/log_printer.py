"""Interleaves the output of many containers, whole lines only, one coloured prefix per container.

Sources may be added while the printer runs (containers added by `scale`); each source's lines are
read on its own thread and written by the caller's thread, so a line is never split or merged.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

from fig.cli.colors import plain, rainbow
from fig.cli.signals import Held
from fig.errors import FigError, NotFound
from fig.logs import logger
from fig.records import record

log = logger(__name__)


@record
class LogSource:
    name: str  # shown in the prefix, e.g. "web_1"
    lines: Iterable[Any]  # str, or objects with .text, .stream and .timestamp
    wait: Callable[[], int] | None = None  # returns the exit code once the stream has ended
    full_name: str = ""  # shown in the exit notice
    service: str = ""


@record(frozen=True)
class LogStyle:
    """How lines are printed: colour, JSON objects, the "name | " prefix, and a time in front of each line."""

    colored: bool = False
    json_lines: bool = False
    prefix: bool = True
    timestamps: str = ""  # "": none; "engine": the daemon's time of the line; "client": when fig read it


@record(frozen=True)
class _Exit:
    source: LogSource
    code: int | None  # None: the stream ended without a wait function


BACKLOG = 10000  # lines read ahead of the writer at most; a reader waits while the backlog is full
QUIET = 0.01  # output is flushed once no line has come for this long ...
LATENCY = 0.1  # ... or has waited this long unflushed, whichever is first


class LogPrinter:
    """Readers append whole formatted lines to one FIFO; the thread in `run` writes what has come in runs
    and flushes when the output goes quiet (a terminal's line buffering shows each run at once anyway)."""

    def __init__(self, out: TextIO, *, style: LogStyle = LogStyle(), width: int = 0) -> None:
        """`width`: the prefix width to start from, when the names of sources added later are known."""
        self.out = out
        self.style = style
        self._items: deque[str | _Exit] = deque()
        self._wake = threading.Event()  # set by a reader when the writer is idle
        self._idle = False
        self._room = threading.Condition()  # notified by the writer when a full backlog has room again
        self._full = False
        self._closed = False  # `run` has returned: readers stop
        self._prefix: dict[str, str] = {}
        self._colors = rainbow() if style.colored else iter(lambda: plain, None)
        self._width = width
        self._running = 0
        self._lock = threading.Lock()
        self.lost: dict[str, FigError] = {}  # sources whose lines broke off with an error, by full name

    def add(self, source: LogSource) -> None:
        """Start reading a source; safe to call while `run` is running."""
        with self._lock:
            self._name(source.name)
            self._running += 1
        threading.Thread(target=self._pump, args=(source,), daemon=True).start()

    def _name(self, name: str) -> str:
        """The prefix of `name`, given a colour the first time (under the lock)."""
        if name not in self._prefix:
            self._width = max(self._width, len(name))
            paint = next(self._colors)
            self._prefix[name] = paint(f"{name.ljust(self._width)} | ") if self.style.prefix else ""
        return self._prefix[name]

    def note(self, name: str, text: str, *, service: str = "") -> None:
        """One line that comes from no source (a hook's output), under its own prefix, in turn with the rest."""
        with self._lock:
            prefix = self._name(name)
        if self.style.json_lines:
            self._put(self._record(LogSource(name, (), full_name=name, service=service), text, "stdout", None))
        else:
            self._put(prefix + self._time(None) + text + "\n")

    def _put(self, item: str | _Exit) -> None:
        if len(self._items) >= BACKLOG:
            with self._room:
                self._full = True
                while len(self._items) >= BACKLOG and not self._closed:
                    self._room.wait(0.1)
        self._items.append(item)
        if self._idle:
            self._wake.set()

    def _pump(self, source: LogSource) -> None:
        code: int | None = None
        prefix = self._prefix[source.name]
        try:
            for item in source.lines:
                if self._closed:
                    return
                if isinstance(item, str):
                    text, stream, stamp = item, "stdout", None
                else:
                    text, stream, stamp = item.text, item.stream, item.timestamp
                if not text.endswith("\n"):
                    text += "\n"
                self._put(self._record(source, text[:-1], stream, stamp) if self.style.json_lines
                          else prefix + self._time(stamp) + text)
            if source.wait is not None:
                code = source.wait()
        except NotFound as e:  # the container was removed while we read it
            log.warning("%s: %s", source.full_name or source.name, e)
        except FigError as e:  # the engine stopped answering: the caller says so, once
            log.debug("%s: %s", source.full_name or source.name, e)
            self.lost[source.full_name or source.name] = e
        finally:
            self._put(_Exit(source, code))

    def _time(self, stamp: str | None) -> str:
        if self.style.timestamps == "engine" and stamp:
            return f"{stamp} "
        if self.style.timestamps == "client":
            import datetime  # --timestamps on attached `up`: the time each line is printed

            return datetime.datetime.now().astimezone().isoformat(timespec="microseconds") + " "
        return ""

    @staticmethod
    def _record(source: LogSource, line: str, stream: str, stamp: str | None) -> str:
        return json.dumps({"service": source.service, "container": source.full_name or source.name,
                           "stream": stream, "timestamp": stamp, "line": line}) + "\n"

    def run(self, sources: Sequence[LogSource] = (), *, stop: threading.Event | None = None, grace: float = 0.0,
            on_exit: Callable[[LogSource, int | None], bool] | None = None) -> dict[str, int]:
        """Print every line until every source has ended (or `on_exit` returns True, or `stop` has been set for
        `grace` seconds: the time sources still running have to end, with their exit notices, once it is);
        returns exit codes by full name."""
        if sources:
            self._width = max(self._width, *(len(s.name) for s in sources))
        for source in sources:
            self.add(source)
        exit_codes: dict[str, int] = {}
        interrupted = False
        try:
            with Held() as signals:  # a Ctrl-C comes between two runs of lines, where nothing is half done
                self._write_all(exit_codes, stop, grace, on_exit, signals.check)
        except KeyboardInterrupt:
            interrupted = True
            raise
        finally:
            self._closed = not interrupted  # after Ctrl-C the readers go on: the caller drains them (runs again)
            self.out.flush()
        return exit_codes

    def _write_all(self, exit_codes: dict[str, int], stop: threading.Event | None, grace: float,
                   on_exit: Callable[[LogSource, int | None], bool] | None, interrupt: Callable[[], None]) -> None:
        deadline = 0.0  # when what was written unflushed must be flushed at the latest; 0: nothing is
        given_up = float("inf")  # when the sources still running stop being waited for, once `stop` is set
        while True:
            interrupt()
            with self._lock:
                if not self._running:
                    return
            if not self._items:
                if not self._quiet(QUIET if deadline else 0.2):
                    if stop is not None and stop.is_set():
                        given_up = min(given_up, time.monotonic() + grace)
                        if time.monotonic() >= given_up:
                            return
                    if deadline:
                        self.out.flush()
                        deadline = 0.0
                continue
            run: list[str] = []
            ended: _Exit | None = None
            for _ in range(len(self._items)):
                item = self._items.popleft()
                if isinstance(item, _Exit):
                    ended = item
                    break
                run.append(item)
            if self._full:
                with self._room:
                    self._full = False
                    self._room.notify_all()
            if run:
                self.out.write("".join(run))
                deadline = deadline or time.monotonic() + LATENCY
                if time.monotonic() >= deadline:
                    self.out.flush()
                    deadline = 0.0
            if ended is not None:
                deadline = 0.0
                if self._ended(ended, exit_codes, on_exit):
                    return

    def _quiet(self, timeout: float) -> bool:
        """Wait up to `timeout` for a line; False when none came."""
        self._wake.clear()
        self._idle = True
        try:
            return bool(self._items) or self._wake.wait(timeout)
        finally:
            self._idle = False

    def _ended(self, item: _Exit, exit_codes: dict[str, int],
               on_exit: Callable[[LogSource, int | None], bool] | None) -> bool:
        """A source has ended: note its exit code (flushed at once); True when `on_exit` says stop."""
        with self._lock:
            self._running -= 1
        if item.code is not None:
            exit_codes[item.source.full_name or item.source.name] = item.code
            self._write_exit(item)
        self.out.flush()
        return on_exit is not None and on_exit(item.source, item.code)

    def _write_exit(self, item: _Exit) -> None:
        name = item.source.full_name or item.source.name
        if self.style.json_lines:
            record = {"service": item.source.service, "container": name, "event": "exit", "exit_code": item.code}
            self.out.write(json.dumps(record) + "\n")
        else:
            self.out.write(f"{name} exited with code {item.code}\n")
