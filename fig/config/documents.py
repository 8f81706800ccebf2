"""What reading a configuration file gives: its tree (mappings and lists that remember their lines, and YAML 1.1's
base-60 numbers) in a ConfigFile. Loads no YAML parser: fig.config.yamlparse makes these trees, and a cached tree
(fig.config.loader) is read back without it."""

from __future__ import annotations

import os
from typing import Any

from fig.records import record

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 100
MAX_NODES = 1_000_000


class YamlMap(dict):  # type: ignore[type-arg]
    """A mapping that remembers the line of each key, and the file it was read from. A mapping merged from
    several files also records, in `files`, the file of each key."""

    line: int = 0
    lines: dict[Any, int]
    file: str | None = None
    files: dict[Any, str | None] | None = None
    cleared: tuple[tuple[Any, ...], ...] = ()  # paths marked `!reset` or `!override` (a document's top level)


class YamlList(list):  # type: ignore[type-arg]
    """A sequence that remembers the line of each item, and the file it was read from."""

    line: int = 0
    lines: list[int]
    file: str | None = None
    files: list[str | None] | None = None  # per item, for a list merged from several files


@record(frozen=True)
class ConfigFile:
    path: str  # as shown in messages; "-" for standard input
    data: Any
    base: str | None = None  # the directory its relative paths start from, when not the file's own
    compose: bool = True  # a compose file (else a Fig-format one: services at the top level, YAML 1.1)

    @property
    def directory(self) -> str:
        if self.base:
            return self.base
        return os.getcwd() if self.path in ("-", "<stdin>") else os.path.dirname(os.path.abspath(self.path))


class Sexagesimal(int):
    """An unquoted value such as 22:22 that YAML 1.1 reads as a base-60 number; `text` is what was written."""

    text: str
