"""Interleaves the output of many containers, whole lines only, one coloured prefix per container.

Sources may be added while the printer runs (containers added by `scale`); each source's lines are
read on its own thread and written by the caller's thread, so a line is never split or merged.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from fig.cli.colors import plain, rainbow
from fig.errors import FigError

log = logging.getLogger(__name__)


@dataclass
class LogSource:
    name: str  # shown in the prefix, e.g. "web_1"
    lines: Iterable[Any]  # str, or objects with .text, .stream and .timestamp
    wait: Callable[[], int] | None = None  # returns the exit code once the stream has ended
    full_name: str = ""  # shown in the exit notice
    service: str = ""


def presenters(names: Sequence[str], *, colored: bool) -> dict[str, Callable[[str], str]]:
    """A prefix function per name: names padded to one width, each in its own colour."""
    width = max((len(n) for n in names), default=0)
    colors = rainbow() if colored else iter(lambda: plain, None)

    def presenter(name: str, paint: Callable[[str], str]) -> Callable[[str], str]:
        prefix = paint(f"{name.ljust(width)} | ")
        return lambda text: prefix + text

    return {name: presenter(name, next(colors)) for name in names}


@dataclass(frozen=True)
class _Line:
    source: LogSource
    text: str
    stream: str
    timestamp: str | None


@dataclass(frozen=True)
class _Exit:
    source: LogSource
    code: int | None  # None: the stream ended without a wait function


class LogPrinter:
    def __init__(self, out: TextIO, *, colored: bool = False, json_lines: bool = False, width: int = 0) -> None:
        """`width`: the prefix width to start from, when the names of sources added later are known."""
        self.out = out
        self.colored = colored
        self.json_lines = json_lines
        self._queue: queue.Queue[_Line | _Exit] = queue.Queue(maxsize=10000)
        self._prefix: dict[str, str] = {}
        self._colors = rainbow() if colored else iter(lambda: plain, None)
        self._width = width
        self._running = 0
        self._lock = threading.Lock()

    def add(self, source: LogSource) -> None:
        """Start reading a source; safe to call while `run` is running."""
        with self._lock:
            if source.name not in self._prefix:
                self._width = max(self._width, len(source.name))
                paint = next(self._colors)
                width = self._width
                self._prefix[source.name] = paint(f"{source.name.ljust(width)} | ")
            self._running += 1
        threading.Thread(target=self._pump, args=(source,), daemon=True).start()

    def _pump(self, source: LogSource) -> None:
        code: int | None = None
        try:
            for item in source.lines:
                if isinstance(item, str):
                    self._queue.put(_Line(source, item, "stdout", None))
                else:
                    self._queue.put(_Line(source, item.text, item.stream, item.timestamp))
            if source.wait is not None:
                code = source.wait()
        except FigError as e:  # e.g. the container was removed while we read it
            log.warning("%s: %s", source.full_name or source.name, e)
        finally:
            self._queue.put(_Exit(source, code))

    def run(self, sources: Sequence[LogSource] = (), *, stop: threading.Event | None = None,
            on_exit: Callable[[LogSource, int | None], bool] | None = None) -> dict[str, int]:
        """Print every line until every source has ended (or `on_exit` returns True, or `stop` is set);
        returns exit codes by full name."""
        if sources:
            self._width = max(self._width, *(len(s.name) for s in sources))
        for source in sources:
            self.add(source)
        exit_codes: dict[str, int] = {}
        while True:
            with self._lock:
                if not self._running:
                    break
            try:
                item = self._queue.get(timeout=0.2)
            except queue.Empty:
                if stop is not None and stop.is_set():
                    break
                continue
            if isinstance(item, _Line):
                self._write_line(item)
                continue
            with self._lock:
                self._running -= 1
            if item.code is not None:
                exit_codes[item.source.full_name or item.source.name] = item.code
                self._write_exit(item)
            if on_exit is not None and on_exit(item.source, item.code):
                break
        self.out.flush()
        return exit_codes

    def _write_line(self, line: _Line) -> None:
        text = line.text if line.text.endswith("\n") else line.text + "\n"
        if self.json_lines:
            record = {"service": line.source.service, "container": line.source.full_name or line.source.name,
                      "stream": line.stream, "timestamp": line.timestamp, "line": text[:-1]}
            self.out.write(json.dumps(record) + "\n")
        else:
            self.out.write(self._prefix[line.source.name] + text)
        if self._queue.empty():
            self.out.flush()

    def _write_exit(self, item: _Exit) -> None:
        name = item.source.full_name or item.source.name
        if self.json_lines:
            record = {"service": item.source.service, "container": name, "event": "exit", "exit_code": item.code}
            self.out.write(json.dumps(record) + "\n")
        else:
            self.out.write(f"{name} exited with code {item.code}\n")
        self.out.flush()
