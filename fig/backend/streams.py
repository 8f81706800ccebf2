"""The engine's output streams as fig reads them: frames, whole lines, and progress events."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

from fig import errors
from fig.backend.base import LogLine
from fig.patterns import pattern

_STAMP = pattern(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$")


def frames(chunks: Iterator[bytes], tty: bool) -> Iterator[tuple[str, bytes]]:
    """(stream, data) pieces of an engine output stream: raw for a TTY, else 8-byte-header frames.
    A connection that drops ends the pieces, like a clean end of stream."""
    from struct import unpack_from  # loaded by the commands that read output, not by every one

    buffer = b""
    try:
        for chunk in chunks:
            if tty:
                yield "stdout", chunk
                continue
            buffer += chunk
            offset = 0
            run: list[bytes] = []  # consecutive frames of one stream go out as one piece
            run_kind = 0
            while len(buffer) - offset >= 8:
                kind, size = unpack_from(">BxxxL", buffer, offset)
                if len(buffer) - offset < 8 + size:
                    break
                if run and kind != run_kind:
                    yield ("stderr" if run_kind == 2 else "stdout"), b"".join(run)
                    run = []
                run_kind = kind
                run.append(buffer[offset + 8:offset + 8 + size])
                offset += 8 + size
            if run:
                yield ("stderr" if run_kind == 2 else "stdout"), b"".join(run)
            buffer = buffer[offset:]
    except OSError:  # requests' ConnectionError and ChunkedEncodingError are OSErrors too
        return


def lines(pieces: Iterator[tuple[str, bytes]]) -> Iterator[LogLine]:
    """Whole lines per stream; a last line without a newline still counts."""
    pending = {"stdout": b"", "stderr": b""}
    for stream, data in pieces:
        data = pending[stream] + data
        if b"\n" not in data:
            pending[stream] = data
            continue
        *complete, pending[stream] = data.split(b"\n")
        for line in complete:
            yield LogLine(_text(line), stream)
    for stream, data in pending.items():
        if data:
            yield LogLine(data.decode("utf-8", "replace"), stream)


def _text(line: bytes) -> str:
    """A line (without its newline) as text: invalid UTF-8 replaced, a CRLF ending one newline."""
    return line[:-1].decode("utf-8", "replace") + "\n" if line.endswith(b"\r") else \
        line.decode("utf-8", "replace") + "\n"


def timestamped(lines: Iterator[LogLine]) -> Iterator[LogLine]:
    """Move the engine's leading timestamp of each line into LogLine.timestamp (a TTY's raw stream)."""
    for line in lines:
        stamp, _, text = line.text.partition(" ")
        yield LogLine(text, line.stream, nanostamp(stamp))


def nanostamp(stamp: str) -> str:
    """An engine's RFC 3339 timestamp in UTC with nine digits of fraction, so that stamps sort as text: Docker
    writes nine digits, Podman whole seconds (2026-12-07T01:00:13Z). Anything else is left as it is."""
    m = _STAMP.match(stamp)
    if not m:
        return stamp
    whole = m[1]
    if m[3] != "Z":
        import datetime  # Podman's stamps only

        moment = datetime.datetime.fromisoformat(m[1] + m[3]).astimezone(datetime.timezone.utc)
        whole = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{whole}.{(m[2] or '')[:9].ljust(9, '0')}Z"


def json_lines(chunks: Iterator[bytes]) -> Iterator[dict[str, Any]]:
    """The objects of a stream of JSON documents, one a line (events, stats)."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        *complete, buffer = buffer.split(b"\n")
        for line in complete:
            if line.strip():
                yield json.loads(line)
    if buffer.strip():
        yield json.loads(buffer)


def stamped_lines(chunks: Iterator[bytes]) -> Iterator[LogLine]:
    """Whole lines of a multiplexed log stream asked for with timestamps. The engine stamps every message,
    and splits a long line into several, so the stamps are taken off each frame; a line carries the stamp of
    its last message (where the log is to be read on from after it)."""
    pending = {"stdout": b"", "stderr": b""}
    stamp = {"stdout": "", "stderr": ""}
    for stream, data in _each_frame(chunks):
        head, _, data = data.partition(b" ")  # the stamp's width varies with the engine
        stamp[stream] = nanostamp(head.decode("ascii", "replace"))
        *complete, pending[stream] = (pending[stream] + data).split(b"\n")
        for line in complete:
            yield LogLine(_text(line), stream, stamp[stream])
    for stream, data in pending.items():
        if data:
            yield LogLine(data.decode("utf-8", "replace"), stream, stamp[stream])


def _each_frame(chunks: Iterator[bytes]) -> Iterator[tuple[str, bytes]]:
    """Every frame of a multiplexed stream on its own; a connection that drops ends them."""
    from struct import unpack_from

    buffer = b""
    try:
        for chunk in chunks:
            buffer += chunk
            offset = 0
            while len(buffer) - offset >= 8:
                kind, size = unpack_from(">BxxxL", buffer, offset)
                if len(buffer) - offset < 8 + size:
                    break
                yield ("stderr" if kind == 2 else "stdout"), buffer[offset + 8:offset + 8 + size]
                offset += 8 + size
            buffer = buffer[offset:]
    except OSError:
        return


def received(sock: Any) -> Iterator[bytes]:
    """What a socket receives until it closes (a TLS one may end without a close_notify); then it is closed."""
    try:
        while chunk := sock.recv(65536):
            yield chunk
    except OSError as e:  # only the SDK's TLS connections load ssl: without it, no socket is a TLS one
        ssl = sys.modules.get("ssl")
        if ssl is None or not isinstance(e, (ssl.SSLEOFError, ssl.SSLZeroReturnError)):
            raise
    finally:
        sock.close()


def checked(events: Iterator[dict[str, Any]], error: type[errors.FigError], prefix: str) -> Iterator[dict[str, Any]]:
    """Pass progress events on; an event that carries an error ends the stream with `error`."""
    for event in events:
        detail = event.get("errorDetail") or {}
        message = detail.get("message") or event.get("error")
        if message:
            raise error(f"{prefix}{str(message).strip()}")
        yield event
