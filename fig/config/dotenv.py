"""Reads `.env` and `env_file` files as compose-go's dotenv parser reads them.

A statement is `KEY=VALUE` or `KEY: VALUE` (an `export` prefix allowed, followed by spaces or tabs), or a bare
`KEY`, which takes the given variables' value (and is left out when there is none). A key is letters, digits,
`_`, `.`, `-`, `[` and `]`; anything else in it is an error naming the file and line (`lol$wut`). `#` starts a
comment line. An unquoted value runs to the end of the line, ends at ` #` (an inline comment; `a#b` keeps its
`#`) and is trimmed. A single-quoted value is literal (`\\'` is a quote); a double-quoted one understands `\\a \\b
\\f \\n \\r \\t \\v \\\\ \\" \\$` and `\\0` followed by three octal digits; both may span lines, and another
statement or a comment may follow the closing quote. Unquoted and double-quoted values are interpolated
(`${VAR}`, `${VAR:-default}`, ...) from the given variables first and then from the lines above.

`format: raw` files are read as `docker run --env-file` reads them: `KEY=VALUE` lines taken as they are.
"""

from __future__ import annotations

import os
import re
from collections import ChainMap
from collections.abc import Mapping

from fig.config.interpolate import interpolate_string
from fig.config.loader import read_text
from fig.errors import ConfigError
from fig.logs import logger
from fig.patterns import pattern

log = logger(__name__)

_SPACE = " \t\v\f\r\x85\xa0"  # spaces that do not end a line
_EXPORT = pattern(r"export\s+")
_KEY_PUNCTUATION = set("_.-[]")
_ESCAPE = pattern(r"\\(?:[abcfnrtv$\"\\]|0\d{0,3})")
_ESCAPED = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"',
            "$": "$$"}


def read_env_file(path: str, *, required: bool = True, environ: Mapping[str, str] | None = None,
                  raw: bool = False) -> dict[str, str]:
    """The variables of one file; `environ` gives the values of `${VAR}` and of bare keys."""
    if not required and not os.path.exists(path):  # a dangling symbolic link is no file either, as in v2
        return {}
    text = read_text(path, path, what="an env file")
    return parse_raw(text, path, environ or {}) if raw else parse_env(text, path, environ or {})


class _Parser:
    def __init__(self, text: str, path: str, environ: Mapping[str, str]) -> None:
        self.text, self.path, self.environ = text, path, environ
        self.values: dict[str, str] = {}
        self.known = ChainMap(dict(environ), self.values)
        self.pos = 0

    def line(self, pos: int | None = None) -> int:
        return self.text.count("\n", 0, self.pos if pos is None else pos) + 1

    def fail(self, message: str, pos: int | None = None) -> ConfigError:
        return ConfigError(f"{self.path}:{self.line(pos)}: {message}")

    def statement_start(self) -> bool:
        """Move past blank space and comment lines; False at the end."""
        text = self.text
        while True:
            while self.pos < len(text) and text[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(text):
                return False
            if text[self.pos] != "#":
                return True
            end = text.find("\n", self.pos)
            if end < 0:
                return False
            self.pos = end

    def key(self) -> tuple[str, bool]:
        """The key of the statement at pos, and whether it is bare (the line ends after it)."""
        text = self.text
        export = _EXPORT.match(text, self.pos)
        if export:
            self.pos += len("export")
            while self.pos < len(text) and text[self.pos] in _SPACE:
                self.pos += 1
        start = self.pos
        for i in range(start, len(text)):
            char = text[i]
            if char in _SPACE:
                continue
            if char in "=:\n":
                self.pos = i + 1
                return self._checked(text[start:i].rstrip(), start), char == "\n"
            if not (char in _KEY_PUNCTUATION or char.isalpha() or char.isnumeric()):
                line = text[start:].split("\n", 1)[0]
                raise self.fail(f"unexpected character {char!r} in variable name {line!r}", start)
        self.pos = len(text)
        return self._checked(text[start:].rstrip(), start), True

    def _checked(self, key: str, start: int) -> str:
        if " " in key:
            raise self.fail(f"key {key!r} cannot contain a space", start)
        return key

    def value(self) -> str:
        text = self.text
        while self.pos < len(text) and text[self.pos] in _SPACE:
            self.pos += 1
        quote = text[self.pos:self.pos + 1]
        if quote not in ("'", '"'):
            end = text.find("\n", self.pos)
            end = len(text) if end < 0 else end
            raw = text[self.pos:end].split(" #", 1)[0].rstrip()
            line, self.pos = self.line(), end
            return self.interpolate(raw, line)
        chars: list[str] = []
        escaped = False
        for i in range(self.pos + 1, len(text)):
            char = text[i]
            if char == quote and not escaped:
                line, self.pos = self.line(), i + 1
                value = "".join(chars)
                return value if quote == "'" else self.interpolate(_unescape(value), line)
            if char == "\\" and not escaped:
                escaped = True
                continue
            if escaped and char != quote:
                chars.append("\\")
            escaped = False
            chars.append(char)
        shown = text[self.pos:].split("\n", 1)[0]
        raise self.fail(f"unterminated quoted value {shown}")

    def interpolate(self, value: str, line: int) -> str:
        def missing(name: str) -> None:
            log.warning("%s:%d: the %s variable is not set. Defaulting to a blank string.", self.path, line, name)

        return interpolate_string(value, self.known, f"{self.path}:{line}", missing)

    def parse(self) -> dict[str, str]:
        while self.statement_start():
            key, bare = self.key()
            if bare:
                if key in self.environ:
                    self.values[key] = self.environ[key]
                continue
            self.values[key] = self.value()
        return self.values


def parse_env(text: str, path: str, environ: Mapping[str, str]) -> dict[str, str]:
    return _Parser(text, path, environ).parse()


def _unescape(value: str) -> str:
    """The escapes of a double-quoted value; an unknown one stays (`\\q`), and so does `\\0` followed by other than
    three octal digits, without its 0 (as compose-go leaves it)."""
    def one(match: re.Match[str]) -> str:
        text = match.group()
        if text[1] != "0":
            return _ESCAPED.get(text[1], text)
        digits = text[2:]
        if len(digits) == 3 and all(d in "01234567" for d in digits) and int(digits, 8) < 256:
            return chr(int(digits, 8))
        return "\\" + digits

    return _ESCAPE.sub(one, value)


def parse_raw(text: str, path: str, environ: Mapping[str, str]) -> dict[str, str]:
    """`KEY=VALUE` lines as `docker run --env-file` reads them: nothing unquoted, unescaped or interpolated."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r").lstrip()
        if not line or line.startswith("#"):
            continue
        key, eq, value = line.partition("=")
        if not key or any(c in key for c in " \t\n\v\f\r"):
            raise ConfigError(f"{path}:{number}: {key!r} is not a variable name")
        if eq:
            values[key] = value
        elif key in environ:
            values[key] = environ[key]
    return values
