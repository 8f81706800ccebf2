"""Renders executor events ("Creating figtest_web_1 ... done") and build/pull progress on stderr.

Modes: tty (each line written when its operation starts and finished in place), plain (one line
when an operation ends), json (one object per event), quiet (nothing); auto picks tty or plain."""

from __future__ import annotations

import json
import re
import sys
from _thread import allocate_lock as Lock  # threading.Lock, without threading's import
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TextIO

from fig.cli.colors import color, plain
from fig.errors import UserError

if TYPE_CHECKING:  # every command makes a Status: the executor and the build view are loaded by those that use one
    from fig.cli.buildview import BuildView
    from fig.parallel import Event

_BUILDKIT = {"vertexes", "statuses", "logs", "warnings"}
MODES = ("auto", "tty", "plain", "json", "quiet")
_WORDS = {"done": ("done", "green"), "failed": ("error", "red"), "skipped": ("skipped", "yellow")}  # by Phase


class Status:
    """One line per operation; on a terminal the line is written when it starts and finished in place.

    Pull and push progress is one line per layer: on a terminal each layer's line is updated in place (with the
    progress bar); piped, a line is printed only when a layer changes state, never for byte counts."""

    def __init__(self, stream: TextIO | None = None, *, mode: str = "auto", colored: bool = True) -> None:
        if mode not in MODES:
            raise UserError(f"--progress must be one of {', '.join(MODES)}, not {mode!r}")
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if mode == "auto" else mode == "tty"
        self.quiet = mode == "quiet"
        self.json = mode == "json"
        self.colored = colored
        self.lock = Lock()
        self.lines: list[str | None] = []  # on a terminal: the key of each line written, the last at the bottom
        self.layers: dict[str, str] = {}  # piped: the last state printed per layer
        self._builds: BuildView | None = None

    def __call__(self, event: Event) -> None:
        if self.quiet:
            return
        with self.lock:
            if self.json:
                record = {"operation": event.key, "phase": event.phase.value}
                if event.error is not None:
                    record["error"] = str(event.error)
                self._line(None, json.dumps(record))
                return
            if event.phase.value == "started":
                if self.tty:
                    self._line(event.key, f"{event.key} ... ")
                return
            word, hue = _WORDS[event.phase.value]
            paint = color(hue) if self.tty and self.colored else plain
            self._line(event.key, f"{event.key} ... {paint(word)}")

    def progress(self, service: str, event: Mapping[str, Any]) -> None:
        """Build output is streamed as it comes (BuildKit's steps as fig.cli.buildview shows them); pull/push
        progress is shown per layer."""
        if self.quiet:
            return
        with self.lock:
            if self.json:
                self._line(None, json.dumps({"service": service, **event}))
            elif _BUILDKIT.intersection(event):
                self.builds().feed(service, event)
                self.lines = []
            elif "stream" in event:
                self.stream.write(event["stream"])
                self.stream.flush()
                self.lines = []  # the lines above have moved by an unknown amount: write new ones from here
            elif "status" in event:
                self._layer(service, event)

    def builds(self) -> BuildView:
        """BuildKit's steps, shown from the first one on."""
        if self._builds is None:
            from fig.cli.buildview import BuildView

            self._builds = BuildView(self.stream, tty=self.tty)
        return self._builds

    def _layer(self, service: str, event: Mapping[str, Any]) -> None:
        layer = event.get("id") or ""
        text = f"{service}: {layer + ': ' if layer else ''}{event['status']}"
        if self.tty:
            bar = event.get("progress") or ""
            self._line(f"{service}\0{layer}" if layer else None, f"{text} {bar}".rstrip())
            return
        if event.get("progressDetail") or (layer and self.layers.get(f"{service}\0{layer}") == event["status"]):
            return  # a byte count, or the same state again
        if layer:
            self.layers[f"{service}\0{layer}"] = event["status"]
        self._line(None, text)

    def _line(self, key: str | None, text: str) -> None:
        """Write the line for `key`: on a terminal, rewrite it in place when it is still on the screen."""
        if not self.tty:
            self.stream.write(text + "\n")
            self.stream.flush()
            return
        import shutil

        size = shutil.get_terminal_size()
        text = _clip(text, size.columns - 1)
        if key is not None and key in self.lines:
            index = len(self.lines) - 1 - self.lines[::-1].index(key)
            up = len(self.lines) - index
            if up < size.lines:
                self.stream.write(f"\033[{up}A\r\033[2K{text}\033[{up}B\r")
                self.stream.flush()
                return
            self.lines[index] = None  # scrolled off: write it anew below
        self.lines.append(key)
        self.stream.write(text + "\n")
        self.stream.flush()


def _clip(text: str, width: int) -> str:
    """Cut a line to the terminal's width (not counting colour codes), so that it never wraps."""
    visible = re.sub(r"\033\[[0-9;]*m", "", text)
    if len(visible) <= width or width <= 0:
        return text
    return visible[:width]
