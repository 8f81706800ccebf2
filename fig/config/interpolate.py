"""Substitutes $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}, ${VAR:+alt}, ${VAR+alt} and
$$ across a tree, as compose-go does."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fig.config.typed import cast, caster
from fig.errors import ConfigError
from fig.patterns import pattern

# What follows a `$`, as compose-go's template package matches it: `$$`, a name, `{NAME}` or `{NAME<op>...}`
# (the rest of the line, cut later at the brace that closes the first), or else an invalid `${...`. A `$` before
# anything else (`$(date)`, `$!`, `$1`, a `$` at the end) is no reference: it stays as written.
_REFERENCE = pattern(r"\$(?:(?P<escaped>\$)|(?P<named>[_a-z][_a-z0-9]*)|\{(?:(?P<braced>[_a-z][_a-z0-9]*"
                        r"(?::?[-+?].*)?)\}|(?P<invalid>)))", re.I)
_OPERATORS = (":?", "?", ":-", "-", ":+", "+")


def _closing_brace(text: str) -> int:
    """The index of the brace that closes the first `{` of `text` (compose-go's count: a `{` skips the character
    after it), or -1."""
    depth, i = 0, 0
    while i < len(text):
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        if text[i] == "{":
            depth += 1
            i += 1
        i += 1
    return -1


def interpolate_string(
    text: str, environ: Mapping[str, str], where: str, on_missing: Callable[[str], None]
) -> str:
    def lookup(name: str) -> str:
        if name not in environ:
            on_missing(name)
            return ""
        return environ[name]

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["named"]:
            return lookup(match["named"])
        if match["braced"] is None:
            raise ConfigError(f"{where}: invalid interpolation format in {text!r}: use $$ for a literal $")
        whole, rest = match.group(), ""
        end = _closing_brace(whole)
        if end >= 0:
            whole, rest = whole[:end + 1], whole[end + 1:]
        inner = whole[2:-1]
        ops = [(inner.find(op), op) for op in _OPERATORS if op in inner]
        if not ops:
            return lookup(inner) + again(rest)
        op = min(ops)[1]
        name, _, arg = inner.partition(op)
        return substitute(name, op, arg) + again(rest)

    def again(rest: str) -> str:
        return interpolate_string(rest, environ, where, on_missing) if rest else ""

    def substitute(name: str, op: str, arg: str) -> str:
        value = environ.get(name)
        is_set = value is not None and (value != "" or not op.startswith(":"))
        if op.endswith("-"):
            return value if is_set else again(arg)  # type: ignore[return-value]
        if op.endswith("+"):
            return again(arg) if is_set else (value or "")
        if not is_set:
            message = again(arg) or f"variable {name} is not set"
            raise ConfigError(f"{where}: required variable {name} is missing a value: {message}")
        return value  # type: ignore[return-value]

    if "$" not in text:
        return text
    return _REFERENCE.sub(replace, text)


def interpolate(tree: Any, environ: Mapping[str, str], where: str, on_missing: Callable[[str], None]) -> Any:
    """Return a copy of the tree with every string value interpolated; keys, line numbers and `x-*` sections are
    kept. Errors name `where` followed by the path, e.g. "fig.yml.web.ports[1]"."""
    def describe(path: Sequence[Any]) -> str:
        return where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)

    return _Walk(environ, describe, on_missing).walk(tree, [])


def interpolate_document(data: Any, environ: Mapping[str, str], filename: str, *, legacy: bool,
                         on_missing: Callable[[str], None]) -> Any:
    """Like interpolate, but errors read "fig.yml:12: service 'web': 'image': required variable ...", and a
    string where the key wants a boolean or a number becomes one (fig.config.typed)."""
    from fig.config.schema import location

    walk = _Walk(environ, lambda path: location(filename, data, path, legacy=legacy), on_missing, legacy=legacy)
    return walk.walk(data, [])


class _Walk:
    def __init__(self, environ: Mapping[str, str], describe: Callable[[Sequence[Any]], str],
                 on_missing: Callable[[str], None], legacy: bool | None = None) -> None:
        self.environ, self.describe, self.on_missing, self.legacy = environ, describe, on_missing, legacy

    def walk(self, tree: Any, path: list[Any]) -> Any:
        if isinstance(tree, str):  # `describe` only for a string that has something to substitute: it reads lines
            value = tree if "$" not in tree else interpolate_string(tree, self.environ, self.describe(path),
                                                                    self.on_missing)
            convert = None if self.legacy is None else caster(path, legacy=self.legacy)
            return value if convert is None else cast(value, convert, self.describe(path))
        if isinstance(tree, dict):
            out = type(tree)()
            if hasattr(out, "__dict__"):  # the loader's YamlMap carries line numbers; a plain dict has none
                out.__dict__.update(getattr(tree, "__dict__", {}))
            for key, value in tree.items():
                skip = not path and str(key).startswith("x-")  # top-level templates; they are used through anchors
                out[key] = value if skip else self.walk(value, [*path, key])
            return out
        if isinstance(tree, list):
            items = type(tree)(self.walk(v, [*path, i]) for i, v in enumerate(tree))
            if hasattr(items, "__dict__"):
                items.__dict__.update(getattr(tree, "__dict__", {}))
            return items
        return tree
