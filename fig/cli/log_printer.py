"""Interleaves the output of many containers, whole lines only, one coloured prefix per container."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TextIO

from fig.cli.colors import plain, rainbow


@dataclass
class LogSource:
    name: str  # shown in the prefix, e.g. "web_1"
    lines: Iterable[str]
    wait: Callable[[], int] | None = None  # returns the exit code once the stream has ended
    full_name: str = ""  # shown in the exit notice


def presenters(names: Sequence[str], *, colored: bool) -> dict[str, Callable[[str], str]]:
    """A prefix function per name: names padded to one width, each in its own colour."""
    width = max((len(n) for n in names), default=0)
    colors = rainbow() if colored else iter(lambda: plain, None)

    def presenter(name: str, paint: Callable[[str], str]) -> Callable[[str], str]:
        prefix = paint(f"{name.ljust(width)} | ")
        return lambda text: prefix + text

    return {name: presenter(name, next(colors)) for name in names}


_DONE = object()


class LogPrinter:
    def __init__(self, out: TextIO, *, colored: bool = False) -> None:
        self.out = out
        self.colored = colored

    def run(self, sources: Sequence[LogSource], *, stop: threading.Event | None = None) -> dict[str, int]:
        """Print every line of every source until all have ended; returns exit codes by full name."""
        prefix = presenters([s.name for s in sources], colored=self.colored)
        lines: queue.Queue[object] = queue.Queue(maxsize=10000)
        exit_codes: dict[str, int] = {}

        def pump(source: LogSource) -> None:
            try:
                for text in source.lines:
                    lines.put(prefix[source.name](text if text.endswith("\n") else text + "\n"))
                if source.wait is not None:
                    code = source.wait()
                    exit_codes[source.full_name or source.name] = code
                    lines.put(f"{source.full_name or source.name} exited with code {code}\n")
            finally:
                lines.put(_DONE)

        for source in sources:
            threading.Thread(target=pump, args=(source,), daemon=True).start()
        remaining = len(sources)
        while remaining:
            try:
                item = lines.get(timeout=0.2)
            except queue.Empty:
                if stop is not None and stop.is_set():
                    break
                continue
            if item is _DONE:
                remaining -= 1
                continue
            self.out.write(item)  # type: ignore[arg-type]
            if lines.empty():
                self.out.flush()
        self.out.flush()
        return exit_codes


def texts(lines: Iterator[object]) -> Iterator[str]:
    """The text of backend LogLine objects."""
    for line in lines:
        yield line.text  # type: ignore[attr-defined]
