"""Reads a configuration file into its tree (fig.config.documents). A file's tree is kept in a cache under
$XDG_CACHE_HOME/fig (or ~/.cache/fig), keyed by its text, its name and fig's parser, so a file read before is not
parsed again and PyYAML is not even loaded: together about 30 ms of every short command for 30 services
(issue 22). The cache holds JSON, read back by fig's own code; a tree it cannot write exactly (a YAML timestamp,
binary or set) is parsed every time, and an unreadable or unwritable cache only costs the parse."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from fig.config.cache import cache_file, digest
from fig.config.documents import MAX_BYTES, ConfigFile, Sexagesimal, YamlList, YamlMap
from fig.errors import ConfigError

_FORMAT = "1"  # of the cached trees; the key also holds fig's version and its parser modules' files


def parse_yaml(text: str, name: str) -> Any:
    """Parse one YAML document safely; every error names the file and the line."""
    return parse_document(text, name)[0]


def parse_document(text: str, name: str) -> tuple[Any, bool]:
    """Parse one YAML document safely: its data, and whether it is a compose file (else a Fig-format one, read
    with YAML 1.1's scalars). Every error names the file and the line."""
    path = _cached_path(text, name)
    if path is not None:
        try:
            with open(path, encoding="utf-8") as f:
                if not _ours(os.fstat(f.fileno())):
                    raise ValueError("an entry someone else could have written")
                encoded = json.load(f)
            return _decode(encoded["data"], []), bool(encoded["compose"])
        except (OSError, ValueError, KeyError, IndexError, TypeError):
            pass  # not there yet, not what this code wrote, or not to be trusted: parse
    from fig.config import yamlparse

    data, compose = yamlparse.parse(text, name)
    if path is not None:
        _store(path, data, compose)
    return data, compose


def _cached_path(text: str, name: str) -> str | None:
    from fig import __version__

    here = os.path.dirname(__file__)
    try:
        parsers = [os.stat(os.path.join(here, f))
                   for f in ("yamlparse.py", "scalars.py", "documents.py", "loader.py")]
    except OSError:
        return None
    identity = [_FORMAT, __version__, *(f"{s.st_mtime_ns}:{s.st_size}" for s in parsers), name]
    key = digest("\0".join([*identity, text]).encode("utf-8", "surrogatepass"))
    return cache_file("parsed", key)


def _store(path: str, data: Any, compose: bool) -> None:
    try:
        encoded = json.dumps({"compose": compose, "data": _encode(data, {})}, separators=(",", ":"))
    except _NotCached:
        return
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = f"{path}.{os.getpid()}"
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as f:
            f.write(encoded)
        os.replace(temporary, path)  # a reader sees the whole tree or none
    except OSError:
        pass


def _ours(status: os.stat_result) -> bool:
    """A tree decides what fig will run, so only an entry this user wrote, and no one else can change, is read."""
    uid = getattr(os, "getuid", None)  # not on Windows: no entry is read there
    return uid is not None and status.st_uid == uid() and not status.st_mode & 0o022


class _NotCached(Exception):
    """The tree holds something the cache's JSON cannot say exactly."""


# A tree as JSON: text, numbers, booleans and null as themselves; a YamlMap as ["m", line, file, [key, value, ...],
# [key, line, ...], cleared]; a YamlList as ["l", line, file, [item, ...], [line, ...]]; a base-60 number as
# ["s", value, text]; a mapping or list met again (a YAML alias) as ["r", n], the n-th mapping or list met.
_SCALARS = (str, int, float, bool, type(None))


def _encode(value: Any, seen: dict[int, int]) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is YamlMap or kind is YamlList:
        if id(value) in seen:
            return ["r", seen[id(value)]]
        seen[id(value)] = len(seen)
        if value.files is not None:
            raise _NotCached
        if kind is YamlMap:
            if any(type(k) not in _SCALARS for k in value):
                raise _NotCached
            items = [part for k, v in value.items() for part in (k, _encode(v, seen))]
            lines = [part for pair in value.lines.items() for part in pair]
            return ["m", value.line, value.file, items, lines, [list(p) for p in value.cleared]]
        return ["l", value.line, value.file, [_encode(v, seen) for v in value], list(value.lines)]
    if kind is Sexagesimal:
        return ["s", int(value), value.text]
    raise _NotCached


def _decode(value: Any, made: list[Any]) -> Any:
    if type(value) is not list:
        return value
    tag = value[0]
    if tag == "r":
        return made[value[1]]
    if tag == "s":
        number = Sexagesimal(value[1])
        number.text = value[2]
        return number
    node: Any = YamlMap() if tag == "m" else YamlList()
    made.append(node)
    node.line, node.file = value[1], value[2]
    if tag == "m":
        items = value[3]
        for i in range(0, len(items), 2):
            node[items[i]] = _decode(items[i + 1], made)
        lines = value[4]
        node.lines = {lines[i]: lines[i + 1] for i in range(0, len(lines), 2)}
        if value[5]:
            node.cleared = tuple(tuple(p) for p in value[5])
    elif tag == "l":
        node.extend(_decode(v, made) for v in value[3])
        node.lines = value[4]
    else:
        raise ValueError(f"unknown node {tag!r}")
    return node


def read_file(path: str, name: str | None = None) -> ConfigFile:
    """Read and parse one file ("-": standard input); `name` is how messages show it (default: `path`)."""
    shown = name or path
    text = sys.stdin.read(MAX_BYTES + 1) if path == "-" else read_text(path, shown)
    if len(text) > MAX_BYTES:
        raise ConfigError(f"{shown}: the file is larger than 10 MB")
    data, compose = parse_document(text, shown)
    return ConfigFile(shown, data, compose=compose)


def read_text(path: str, shown: str, *, what: str = "a file") -> str:
    """The UTF-8 text of a file, a byte-order mark dropped (as docker compose drops it); every error is one line
    naming the file (`what` it should have been, when it is a directory)."""
    try:
        if os.path.getsize(path) > MAX_BYTES:
            raise ConfigError(f"{shown}: the file is larger than 10 MB")
        with open(path, encoding="utf-8-sig") as f:
            return f.read()
    except FileNotFoundError:
        raise ConfigError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{shown}: is a directory, not {what}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: the file is not UTF-8 text") from None
    except OSError as e:
        raise ConfigError(f"{shown}: cannot read the file: {e.strerror}") from None


