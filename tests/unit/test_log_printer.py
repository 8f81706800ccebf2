"""fig/cli/log_printer.py: many line iterators into one TextIO, whole lines only."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import threading
import time

import pytest

from fig.backend.base import LogLine
from fig.cli import log_printer
from fig.cli.log_printer import LogPrinter, LogSource, LogStyle


def _print(sources, **kwargs) -> tuple[str, dict[str, int]]:
    out = io.StringIO()
    codes = LogPrinter(out, **kwargs).run(sources)
    return out.getvalue(), codes


def test_one_source_with_exit_notice():
    text, codes = _print([LogSource("web_1", iter(["hello\n"]), wait=lambda: 0, full_name="figtest_web_1")])
    assert text == "web_1 | hello\nfigtest_web_1 exited with code 0\n"
    assert codes == {"figtest_web_1": 0}


def test_exit_notice_names_the_full_name_and_code():
    text, codes = _print([LogSource("web_1", iter([]), wait=lambda: 3, full_name="figtest_web_1")])
    assert text == "figtest_web_1 exited with code 3\n"
    assert codes == {"figtest_web_1": 3}


def test_no_wait_means_no_exit_notice():
    text, codes = _print([LogSource("web_1", iter(["a\n"]))])
    assert text == "web_1 | a\n"
    assert codes == {}


def test_prefixes_are_padded_to_one_width():
    text, _ = _print([LogSource("web_1", iter(["w\n"])), LogSource("database_1", iter(["d\n"]))])
    assert sorted(text.splitlines()) == ["database_1 | d", "web_1      | w"]


def test_no_colour_when_not_colored():
    text, _ = _print([LogSource("web_1", iter(["w\n"])), LogSource("db_1", iter(["d\n"]))],
                     style=LogStyle(colored=False))
    assert "\033" not in text


def test_colour_when_colored_and_each_source_differs():
    text, _ = _print([LogSource("web_1", iter(["w\n"])), LogSource("db_1", iter(["d\n"]))],
                     style=LogStyle(colored=True))
    prefixes = {line.split("|")[0] for line in text.splitlines()}
    assert all(p.startswith("\033[") for p in prefixes)
    assert len({p.split("m")[0] for p in prefixes}) == 2  # two different colour codes
    assert {line.split("|", 1)[1] for line in text.splitlines()} == {" \033[0mw", " \033[0md"}


def test_a_last_line_without_newline_is_printed_with_one():
    text, _ = _print([LogSource("web_1", iter(["first\n", "no newline"]), wait=lambda: 0, full_name="p_web_1")])
    assert text == "web_1 | first\nweb_1 | no newline\np_web_1 exited with code 0\n"


def test_log_line_objects_are_accepted():
    lines = iter([LogLine("out\n"), LogLine("err\n", "stderr")])
    text, _ = _print([LogSource("web_1", lines)])
    assert text == "web_1 | out\nweb_1 | err\n"


def test_nothing_lost_or_merged_across_two_sources_of_2000_lines():
    count = 2000

    def numbered(name: str):
        return (f"{name} {i}\n" for i in range(1, count + 1))

    sources = [LogSource(name, numbered(name), wait=lambda: 0, full_name=f"p_{name}") for name in ("web_1", "db_1")]
    text, codes = _print(sources)
    lines = text.splitlines()
    assert len(lines) == 2 * count + 2
    seen: dict[str, list[int]] = {"web_1": [], "db_1": []}
    for line in lines:
        if line.endswith("exited with code 0"):
            continue
        m = re.fullmatch(r"(web_1|db_1 ) \| (web_1|db_1) (\d+)", line)
        assert m, line
        assert m[1].strip() == m[2]
        seen[m[2]].append(int(m[3]))
    assert seen == {"web_1": list(range(1, count + 1)), "db_1": list(range(1, count + 1))}
    assert codes == {"p_web_1": 0, "p_db_1": 0}
    # each exit notice comes after that source's last line
    for name in ("web_1", "db_1"):
        assert lines.index(f"p_{name} exited with code 0") > max(
            i for i, line in enumerate(lines) if line.endswith(f"{name} {count}"))


def test_stop_ends_a_run_whose_sources_never_end():
    release = threading.Event()

    def forever():
        yield "started\n"
        release.wait(5)

    stop = threading.Event()
    out = io.StringIO()
    stop.set()
    try:
        LogPrinter(out).run([LogSource("web_1", forever())], stop=stop)
    finally:
        release.set()
    assert out.getvalue() in ("", "web_1 | started\n")


def test_after_stop_a_source_still_running_has_the_grace_to_end_with_its_exit_notice():
    """Ctrl-C on `up`: the stop has returned, and the stopped container's stream ends a moment later."""
    def ending():
        yield "last words\n"
        time.sleep(0.3)

    stop = threading.Event()
    stop.set()
    out = io.StringIO()
    codes = LogPrinter(out).run([LogSource("web_1", ending(), wait=lambda: 0, full_name="figtest_web_1")],
                                stop=stop, grace=10)
    text = out.getvalue()
    assert text == "web_1 | last words\nfigtest_web_1 exited with code 0\n"
    assert codes == {"figtest_web_1": 0}


def test_after_stop_a_source_that_never_ends_is_given_up_after_the_grace():
    release = threading.Event()

    def forever():
        yield "started\n"
        release.wait(30)

    stop = threading.Event()
    stop.set()
    timer = threading.Timer(10, release.set)
    timer.start()
    try:
        out = io.StringIO()
        codes = LogPrinter(out).run([LogSource("web_1", forever(), wait=lambda: 0)], stop=stop, grace=0.3)
        assert not release.is_set(), "waited for the source to end"
    finally:
        release.set()
        timer.cancel()
    assert out.getvalue() == "web_1 | started\n" and codes == {}

def test_json_lines():
    out = io.StringIO()
    LogPrinter(out, style=LogStyle(json_lines=True)).run(
        [LogSource("web_1", iter([LogLine("hi\n", "stderr", "2024-01-01T00:00:00Z")]), wait=lambda: 2,
                   full_name="p_web_1", service="web")])
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records[0] == {"service": "web", "container": "p_web_1", "stream": "stderr",
                          "timestamp": "2024-01-01T00:00:00Z", "line": "hi"}
    assert records[1] == {"service": "web", "container": "p_web_1", "event": "exit", "exit_code": 2}


class _Terminal:
    """A TextIO that keeps what was written apart from what was flushed, with the time of each flush."""

    def __init__(self) -> None:
        self.pending: list[str] = []
        self.flushed = ""
        self.flushes: list[float] = []
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            self.pending.append(text)
        return len(text)

    def flush(self) -> None:
        with self.lock:
            self.flushed += "".join(self.pending)
            self.pending.clear()
            self.flushes.append(time.monotonic())


def test_batched_writes_keep_every_line_once_whole_and_in_order_past_a_full_backlog(monkeypatch):
    monkeypatch.setattr(log_printer, "BACKLOG", 7)  # readers wait for room again and again
    count, names = 3000, [f"svc{i}_1" for i in range(6)]

    def numbered(name: str):
        return (f"{name} line {i} {'x' * (i % 50)}\n" for i in range(count))

    sources = [LogSource(n, numbered(n), wait=lambda: 0, full_name=f"p_{n}") for n in names]
    out = _Terminal()
    codes = LogPrinter(out).run(sources)
    assert not out.pending
    lines = out.flushed.splitlines()
    seen: dict[str, list[int]] = {n: [] for n in names}
    for line in lines:
        if line.endswith("exited with code 0"):
            continue
        m = re.fullmatch(r"(svc\d_1) \| (svc\d_1) line (\d+) (x*)", line)
        assert m and m[1] == m[2] and len(m[4]) == int(m[3]) % 50, line
        seen[m[1]].append(int(m[3]))
    assert seen == {n: list(range(count)) for n in names}
    assert codes == {f"p_{n}": 0 for n in names}
    for n in names:
        assert lines.index(f"p_{n} exited with code 0") > lines.index(f"{n} | {n} line {count - 1} {'x' * 49}")


def test_a_busy_stream_is_flushed_in_runs_not_per_line():
    count = 400

    def trickle():  # one line at a time, each a moment after the last: the writer often finds none waiting
        for i in range(count):
            time.sleep(0.0005)
            yield f"line {i}\n"

    out = _Terminal()
    LogPrinter(out).run([LogSource("web_1", trickle())])
    assert out.flushed == "".join(f"web_1 | line {i}\n" for i in range(count))
    assert len(out.flushes) < count / 4


def test_a_line_is_flushed_when_the_stream_goes_quiet():
    release = threading.Event()
    out = _Terminal()

    def sparse():
        yield "first\n"
        release.wait(10)  # the stream is quiet: the line must reach the terminal meanwhile
        yield "second\n"

    printer = threading.Thread(target=LogPrinter(out).run, args=([LogSource("web_1", sparse())],))
    printer.start()
    try:
        deadline = time.monotonic() + 5
        while "first" not in out.flushed and time.monotonic() < deadline:
            time.sleep(0.01)
        assert out.flushed == "web_1 | first\n"
    finally:
        release.set()
        printer.join(10)
    assert out.flushed == "web_1 | first\nweb_1 | second\n"


def test_a_steady_stream_that_is_never_quiet_is_still_flushed_while_it_runs():
    out = _Terminal()
    shown_while_running: list[str] = []

    def steady():
        for i in range(300):
            if i == 250:  # 0.25 s or more into the stream
                with out.lock:
                    shown_while_running.append(out.flushed)
            yield f"line {i}\n"
            time.sleep(0.001)

    LogPrinter(out).run([LogSource("web_1", steady())])
    assert shown_while_running[0].startswith("web_1 | line 0\n")
    assert len(out.flushed.splitlines()) == 300



class _PressedDuringWrite(io.StringIO):
    """Output during whose first write Ctrl-C is pressed."""

    pressed = False

    def write(self, text: str) -> int:
        if not self.pressed:
            self.pressed = True
            os.kill(os.getpid(), signal.SIGINT)
        return super().write(text)


def test_ctrl_c_comes_between_runs_of_lines_so_the_drain_after_it_loses_none():
    """An interrupt raised wherever the writer happened to be could drop the lines it had taken to write, or
    leave a lock the readers wake it by broken (it did, in `up`'s graceful stop); it is held to the next run."""
    lines = [f"line {i}\n" for i in range(500)]
    out = _PressedDuringWrite()
    printer = LogPrinter(out)
    printer.add(LogSource("web_1", iter(lines), wait=lambda: 0, full_name="web_1"))
    with pytest.raises(KeyboardInterrupt):
        printer.run()
    assert out.pressed
    given_up = threading.Event()  # a lost exit notice would leave the drain waiting for ever
    timer = threading.Timer(10, given_up.set)
    timer.start()
    try:
        printer.run(stop=given_up)  # the drain, as `up` runs it while its containers stop
    finally:
        timer.cancel()
    assert not given_up.is_set()
    assert out.getvalue() == "".join(f"web_1 | {line}" for line in lines) + "web_1 exited with code 0\n"
