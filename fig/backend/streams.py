"""The engine's output streams as fig reads them: frames, whole lines, and progress events."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from typing import Any

from fig import errors
from fig.backend.base import LogLine


def frames(chunks: Iterator[bytes], tty: bool) -> Iterator[tuple[str, bytes]]:
    """(stream, data) pieces of an engine output stream: raw for a TTY, else 8-byte-header frames.
    A connection that drops ends the pieces, like a clean end of stream."""
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
                kind, size = struct.unpack_from(">BxxxL", buffer, offset)
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
            yield LogLine(line.decode("utf-8", "replace") + "\n", stream)
    for stream, data in pending.items():
        if data:
            yield LogLine(data.decode("utf-8", "replace"), stream)


def timestamped(lines: Iterator[LogLine]) -> Iterator[LogLine]:
    """Move the engine's leading timestamp of each line into LogLine.timestamp."""
    for line in lines:
        stamp, _, text = line.text.partition(" ")
        yield LogLine(text, line.stream, stamp)


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


def received(sock: Any) -> Iterator[bytes]:
    """What a socket receives until it closes; then it is closed."""
    try:
        while chunk := sock.recv(65536):
            yield chunk
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
