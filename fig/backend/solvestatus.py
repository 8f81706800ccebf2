"""BuildKit's progress as the engine sends it (`moby.buildkit.trace`: a base64 protobuf StatusResponse), read into
the JSON shape buildx prints (`--progress rawjson`), so that one renderer shows both.

Only the fields fig shows are read; protobuf's wire format is small enough to read by hand (field numbers from
BuildKit's api/services/control/control.proto)."""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable, Iterator
from typing import Any

_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) of each field of a message: ints for varints, bytes for the rest."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, kind = key >> 3, key & 7
        if kind == _VARINT:
            value, pos = _varint(data, pos)
            yield number, value
        elif kind == _BYTES:
            size, pos = _varint(data, pos)
            yield number, data[pos:pos + size]
            pos += size
        elif kind in (_FIXED64, _FIXED32):
            size = 8 if kind == _FIXED64 else 4
            yield number, data[pos:pos + size]
            pos += size
        else:
            raise ValueError(f"protobuf wire type {kind} is not read here")


def _time(data: bytes) -> str:
    seconds = nanos = 0
    for number, value in fields(data):
        if number == 1:
            seconds = int(value)
        elif number == 2:
            nanos = int(value)
    stamp = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{nanos:09d}Z"


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


# message -> field number -> (JSON name, how to read the value)
_Reader = Callable[[Any], Any]
_VERTEX: dict[int, tuple[str, _Reader]] = {1: ("digest", _text), 3: ("name", _text), 4: ("cached", bool),
                                           5: ("started", _time), 6: ("completed", _time), 7: ("error", _text)}
_STATUS: dict[int, tuple[str, _Reader]] = {1: ("id", _text), 2: ("vertex", _text), 3: ("name", _text),
                                           4: ("current", int), 5: ("total", int), 6: ("timestamp", _time),
                                           7: ("started", _time), 8: ("completed", _time)}
_LOG: dict[int, tuple[str, _Reader]] = {1: ("vertex", _text), 2: ("timestamp", _time), 3: ("stream", int),
                                        4: ("data", lambda b: base64.b64encode(b).decode())}
_WARNING: dict[int, tuple[str, _Reader]] = {1: ("vertex", _text), 2: ("level", int), 3: ("short",
                                                                                         lambda b: base64.b64encode(b).decode())}
_RESPONSE = {1: ("vertexes", _VERTEX), 2: ("statuses", _STATUS), 3: ("logs", _LOG), 4: ("warnings", _WARNING)}


def _message(data: bytes, schema: dict[int, tuple[str, _Reader]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for number, value in fields(data):
        if number in schema:
            name, read = schema[number]
            out[name] = read(value)
    return out


def decode(aux: str) -> dict[str, Any]:
    """A StatusResponse (base64, as the engine's trace message carries it) as buildx's rawjson object."""
    out: dict[str, list[dict[str, Any]]] = {}
    for number, value in fields(base64.b64decode(aux)):
        if number in _RESPONSE and isinstance(value, bytes):
            name, schema = _RESPONSE[number]
            out.setdefault(name, []).append(_message(value, schema))
    return out
