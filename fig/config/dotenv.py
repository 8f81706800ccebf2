"""Reads `.env` and `env_file` files with the rules docker compose documents for them.

`KEY=VALUE` lines (an `export ` prefix allowed), `#` comment lines and blank lines. An unquoted value is trimmed and
ends at ` #` (an inline comment; `a#b` keeps its `#`). A single-quoted value is literal (`\\'` is a quote); a
double-quoted one understands `\\n`, `\\r`, `\\t`, `\\\\`, `\\"` and `\\$`; both may span lines, and only a comment may
follow the closing quote. Unquoted and double-quoted values are interpolated (`${VAR}`, `${VAR:-default}`, ...)
from the given variables first and then from the lines above. A bare `KEY` takes the given variables' value (and
is left out when there is none).
"""

from __future__ import annotations

import logging
import os
import re
from collections import ChainMap
from collections.abc import Mapping

from fig.config.interpolate import interpolate_string
from fig.config.loader import read_text
from fig.errors import ConfigError

log = logging.getLogger(__name__)

_ESCAPES = re.compile(r"\\(.)", re.S)
_DOUBLE = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "'": "'", "$": "$$"}
_INLINE_COMMENT = re.compile(r"\s#")


def read_env_file(path: str, *, required: bool = True, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables of one file; `environ` gives the values of `${VAR}` and of bare keys."""
    if not required and not os.path.lexists(path):
        return {}
    return parse_env(read_text(path, path, what="an env file"), path, environ or {})


def _closing_quote(text: str, quote: str) -> int:
    """The index of the quote that closes `text` (which follows an opening one), or -1; `\\` escapes a character."""
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i
        i += 1
    return -1


def parse_env(text: str, path: str, environ: Mapping[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    known = ChainMap(dict(environ), values)
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        number, line = index + 1, lines[index]
        index += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("export "):
            stripped = stripped[7:].lstrip()
        key, eq, rest = stripped.partition("=")
        key = key.strip()
        if not key or any(c.isspace() for c in key):
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE, got {line!r}")
        if not eq:
            if key in environ:
                values[key] = environ[key]
            continue
        rest = rest.strip()
        quote = rest[:1] if rest[:1] in ("'", '"') else ""
        if not quote:
            values[key] = _interpolate(_INLINE_COMMENT.split(rest, 1)[0].rstrip(), known, path, number)
            continue
        value, index = _quoted(rest, lines, index, f"{path}:{number}: the value of {key}")
        if quote == "'":
            values[key] = value.replace("\\'", "'")
        else:
            unescaped = _ESCAPES.sub(lambda m: _DOUBLE.get(m[1], m[0]), value)
            values[key] = _interpolate(unescaped, known, path, number)
    return values


def _quoted(rest: str, lines: list[str], index: int, what: str) -> tuple[str, int]:
    """The text between the quote that opens `rest` and the one that closes it, maybe lines further (`index` is
    the next line's); only a comment may follow. Returns it and the index of the line after it."""
    quote, body = rest[0], rest[1:]
    end = _closing_quote(body, quote)
    while end < 0:  # the value goes on over the next lines
        if index >= len(lines):
            raise ConfigError(f"{what} opens a {quote} quote that is never closed")
        body += "\n" + lines[index]
        index += 1
        end = _closing_quote(body, quote)
    after = body[end + 1:].strip()
    if after and not after.startswith("#"):
        raise ConfigError(f"{what} has {after!r} after its closing quote")
    return body[:end], index


def _interpolate(value: str, known: Mapping[str, str], path: str, number: int) -> str:
    def missing(name: str) -> None:
        log.warning("%s:%d: the %s variable is not set. Defaulting to a blank string.", path, number, name)

    return interpolate_string(value, known, f"{path}:{number}", missing)
