"""Engine output streams: whole lines, stamps off every frame, and a followed stream that breaks off going on
after the last line shown."""

from __future__ import annotations

import struct
from collections.abc import Iterator

from fig.backend import streams
from fig.backend.base import ContainerState, LogLine
from fig.cli.attached import follow


def frame(data: bytes, kind: int = 1) -> bytes:
    return struct.pack(">BxxxL", kind, len(data)) + data


def stamp(n: int) -> str:
    return f"2024-01-01T00:00:{n:02d}.000000000Z"


def test_crlf_is_one_newline_and_invalid_utf8_is_replaced():
    pieces = iter([("stdout", b"one\r\ntwo\xff\r\n\r\n")])
    assert [line.text for line in streams.lines(pieces)] == ["one\n", "two\ufffd\n", "\n"]


def test_stamps_come_off_each_message_of_a_long_line():
    long = b"x" * 40000
    chunks = [frame(f"{stamp(1)} ".encode() + long[:16384]), frame(f"{stamp(2)} ".encode() + long[16384:] + b"\n"),
              frame(f"{stamp(3)} err\r\n".encode(), 2)]
    joined = b"".join(chunks)
    lines = list(streams.stamped_lines(iter([joined[:100], joined[100:20000], joined[20000:]])))
    assert lines == [LogLine("x" * 40000 + "\n", "stdout", stamp(2)), LogLine("err\n", "stderr", stamp(3))]


class Stub:
    """A container whose log is a list of stamped lines; streams are handed out as the test planned them."""

    def __init__(self, log: list[LogLine], states: list[ContainerState]) -> None:
        self.log, self.states, self.asked = log, states, []
        self.info = type("Info", (), {"state": states[0]})()

    def refresh(self) -> Stub:
        self.info.state = self.states.pop(0)
        return self

    def logs(self, *, follow: bool, since: str | None, timestamps: bool) -> Iterator[LogLine]:
        self.asked.append(since)
        return iter([line for line in self.log if since is None or (line.timestamp or "") >= since])


LOG = [LogLine(f"{n}\n", "stdout", stamp(n // 2)) for n in range(10)]  # two lines share each stamp


def test_a_cut_stream_with_stamps_goes_on_after_the_last_line_shown():
    stub = Stub(LOG, [ContainerState.RUNNING, ContainerState.EXITED])
    shown = [line.text for line in follow(stub, iter(LOG[:3]), origin=None)]  # cut after "2"
    assert shown == [f"{n}\n" for n in range(10)]
    assert stub.asked == [stamp(1), stamp(4)]  # the second: one more look once it exited


def test_a_cut_stream_without_stamps_skips_what_it_showed_since_its_origin():
    attached = [LogLine(line.text, line.stream) for line in LOG[:5]] + [LogLine("5 half")]
    stub = Stub(LOG, [ContainerState.RUNNING, ContainerState.EXITED, ContainerState.EXITED])
    shown = [line.text for line in follow(stub, iter(attached), origin=None)]
    assert shown == [f"{n}\n" for n in range(10)]  # the half line came whole from the log, once


def test_a_stream_without_stamps_that_ends_with_the_run_is_not_read_again():
    stub = Stub(LOG, [ContainerState.EXITED])
    attached = [LogLine("a\n"), LogLine("last without newline")]
    assert [line.text for line in follow(stub, iter(attached), origin=None)] == ["a\n", "last without newline"]
    assert stub.asked == []
