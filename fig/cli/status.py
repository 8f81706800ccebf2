"""Renders executor events ("Creating figtest_web_1 ... done") and build/pull progress on stderr."""

from __future__ import annotations

import sys
import threading
from typing import Any, TextIO

from fig.cli.colors import color, plain
from fig.parallel import Event, Phase

_WORDS = {Phase.DONE: ("done", "green"), Phase.FAILED: ("error", "red"), Phase.SKIPPED: ("skipped", "yellow")}


class Status:
    """One line per operation; on a terminal the line is written when it starts and finished in place."""

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.quiet = quiet
        self.lock = threading.Lock()
        self.lines: list[str] = []

    def __call__(self, event: Event) -> None:
        if self.quiet:
            return
        with self.lock:
            if event.phase is Phase.STARTED:
                if self.tty:
                    self.lines.append(event.key)
                    self.stream.write(f"{event.key} ... \n")
                    self.stream.flush()
                return
            word, hue = _WORDS[event.phase]
            paint = color(hue) if self.tty else plain
            if self.tty and event.key in self.lines:
                up = len(self.lines) - self.lines.index(event.key)
                self.stream.write(f"\033[{up}A\r\033[2K{event.key} ... {paint(word)}\033[{up}B\r")
            else:
                self.stream.write(f"{event.key} ... {paint(word)}\n")
            self.stream.flush()

    def progress(self, service: str, event: dict[str, Any]) -> None:
        """Build output is streamed as it comes; pull/push progress is shown per layer when it changes state."""
        if self.quiet:
            return
        with self.lock:
            if "stream" in event:
                self.stream.write(event["stream"])
            elif "status" in event:
                layer = f"{event['id']}: " if event.get("id") else ""
                if event.get("progressDetail") and not self.tty:
                    return
                self.stream.write(f"{service}: {layer}{event['status']}{' ' + event['progress'] if self.tty and event.get('progress') else ''}\n")
            self.stream.flush()
