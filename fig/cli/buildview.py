"""BuildKit's progress on stderr: on a terminal a block per service redrawn in place (its steps, cache hits and
durations), else plain lines as buildx prints them (`#3 [web 2/3] RUN ...`, `#3 0.120 output`, `#3 DONE 0.4s`).

A step that fails has its output shown once: plain lines showed it as it came; on a terminal it is printed under the
blocks when the step fails."""

from __future__ import annotations

import base64
import datetime
import shutil
import time
from collections.abc import Mapping
from typing import Any, TextIO

from fig.records import field, record

_REDRAW = 0.1  # seconds between two redraws on a terminal


def _time(stamp: Any) -> float | None:
    if not stamp or str(stamp).startswith("0001-"):
        return None
    text = str(stamp).rstrip("Z")
    head, _, fraction = text.partition(".")
    moment = datetime.datetime.fromisoformat(head).replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp() + float(f"0.{fraction or 0}")


@record
class Step:
    number: int
    name: str = ""
    started: float | None = None
    completed: float | None = None
    cached: bool = False
    error: str = ""
    output: list[str] = field(default_factory=list)
    shown: bool = False  # plain: its first line is out
    closed: bool = False  # plain: its last line (CACHED, DONE or ERROR) is out

    def seconds(self, now: float) -> float:
        return ((self.completed or now) - self.started) if self.started else 0.0


class BuildView:
    def __init__(self, stream: TextIO, *, tty: bool) -> None:
        self.stream, self.tty = stream, tty
        self.steps: dict[str, dict[str, Step]] = {}  # service -> digest -> step, in the order they came
        self.numbers = 0
        self.drawn = 0  # lines of the blocks on screen (tty)
        self.last_draw = 0.0

    def feed(self, service: str, event: Mapping[str, Any]) -> None:
        steps = self.steps.setdefault(service, {})
        failed, ended = [], False
        for vertex in event.get("vertexes") or ():
            step = steps.get(vertex.get("digest", ""))
            if step is None:
                self.numbers += 1
                step = steps.setdefault(vertex.get("digest", ""), Step(self.numbers))
            step.name = vertex.get("name") or step.name
            step.started = _time(vertex.get("started")) or step.started
            ended = ended or (step.completed is None and bool(vertex.get("completed")))
            step.completed = _time(vertex.get("completed")) or step.completed
            step.cached = step.cached or bool(vertex.get("cached"))
            if vertex.get("error") and not step.error:
                step.error = str(vertex["error"])
                failed.append(step)
            if not self.tty:
                self._plain_step(step)
        for item in event.get("logs") or ():
            step = steps.get(item.get("vertex", ""))
            if step is not None:
                text = base64.b64decode(item.get("data") or "").decode("utf-8", "replace")
                step.output.append(text)
                if not self.tty:
                    self._plain_log(step, text, _time(item.get("timestamp")))
        if self.tty:
            self._draw(force=ended or bool(failed))
            for step in failed:
                self._show_failure(step)

    # -- plain ----------------------------------------------------------------------------------------------

    def _plain_step(self, step: Step) -> None:
        lines = []
        if not step.shown and (step.started or step.cached):
            lines.append(f"#{step.number} {step.name}")
            step.shown = True
        if step.shown and not step.closed and (step.cached or step.error or step.completed):
            step.closed = True
            lines.append(f"#{step.number} CACHED" if step.cached else f"#{step.number} ERROR: {step.error}"
                         if step.error else f"#{step.number} DONE {step.seconds(time.time()):.1f}s")
        self._write(lines)

    def _plain_log(self, step: Step, text: str, stamp: float | None) -> None:
        offset = (stamp - step.started) if stamp and step.started else 0.0
        self._write([f"#{step.number} {offset:.3f} {line}" for line in text.splitlines()])

    def _write(self, lines: list[str]) -> None:
        if lines:
            self.stream.write("".join(f"{line}\n" for line in lines))
            self.stream.flush()

    # -- terminal -------------------------------------------------------------------------------------------

    def _block(self, service: str, steps: dict[str, Step], now: float, room: int) -> list[str]:
        shown = [s for s in steps.values() if s.started or s.cached]
        done = sum(1 for s in shown if s.completed or s.cached)
        began = min((s.started for s in shown if s.started), default=now)
        ended = all(s.completed or s.cached for s in shown) and shown
        state = "failed" if any(s.error for s in shown) else "built" if ended else "building"
        last = max((s.completed or now for s in shown), default=now) if ended else now
        lines = [f"[+] {service} {state} {last - began:.1f}s ({done}/{len(shown)})"]
        for step in shown[-room:]:
            mark = "CACHED " if step.cached else "ERROR " if step.error else ""
            took = "" if step.cached else f"{step.seconds(now):.1f}s"
            lines.append(f" => {mark}{step.name} {took}".rstrip())
        return lines

    def _draw(self, *, force: bool = False) -> None:
        now = time.time()
        if not force and now - self.last_draw < _REDRAW:
            return
        self.last_draw = now
        size = shutil.get_terminal_size()
        room = max(2, (size.lines - 2) // max(1, len(self.steps)) - 1)
        lines = [line[: size.columns - 1] for service, steps in self.steps.items()
                 for line in self._block(service, steps, now, room)]
        up = f"\033[{self.drawn}A\r" if self.drawn else ""
        self.stream.write(up + "\033[J" + "".join(f"{line}\n" for line in lines))
        self.stream.flush()
        self.drawn = len(lines)

    def _show_failure(self, step: Step) -> None:
        """The failed step's output, under the blocks, which are then drawn anew below it."""
        output = "".join(step.output).splitlines()
        self._write(["------", f" > {step.name}:", *output, "------"])
        self.drawn = 0
