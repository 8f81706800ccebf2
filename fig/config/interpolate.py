"""Substitutes $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err} and $$ across a tree."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fig.errors import ConfigError

_NAMED = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")


def _tokens(text: str) -> list[tuple[str, str | None]]:
    """Split text into ("text", s), ("escaped", "$"), ("named", NAME), ("braced", INSIDE) and ("invalid", None)
    parts. Braces nest, so a default may itself hold a variable: ${A:-${B}}."""
    out: list[tuple[str, str | None]] = []
    i = 0
    while i < len(text):
        j = text.find("$", i)
        if j < 0:
            out.append(("text", text[i:]))
            break
        out.append(("text", text[i:j]))
        rest = text[j + 1:]
        named = _NAMED.match(rest)
        if rest.startswith("$"):
            out.append(("escaped", "$"))
            i = j + 2
        elif named:
            out.append(("named", named.group()))
            i = j + 1 + named.end()
        elif rest.startswith("{"):
            depth, k = 1, 1
            while k < len(rest) and depth:
                depth += 1 if rest.startswith("${", k) else -1 if rest[k] == "}" else 0
                k += 2 if rest.startswith("${", k) else 1
            out.append(("braced", rest[1:k - 1]) if depth == 0 else ("invalid", None))
            i = j + 1 + k if depth == 0 else len(text)
        else:
            out.append(("invalid", None))
            i = len(text)
    return out
_BRACED = re.compile(r"^(?P<name>[_a-zA-Z][_a-zA-Z0-9]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?$", re.S)


def interpolate_string(
    text: str, environ: Mapping[str, str], where: str, on_missing: Callable[[str], None]
) -> str:
    def substitute(kind: str, part: str | None) -> str:
        if kind == "text" or kind == "escaped":
            return part or ""
        if kind == "named":
            return lookup(part or "")
        if kind == "invalid" or part is None:
            raise ConfigError(f"{where}: invalid interpolation format in {text!r}: use $$ for a literal $")
        braced = _BRACED.match(part)
        if not braced:
            raise ConfigError(f"{where}: invalid interpolation format in {text!r}: ${{{part}}}")
        name, op, arg = braced["name"], braced["op"], braced["arg"]
        if op is None:
            return lookup(name)
        value = environ.get(name)
        is_set = value is not None and (value != "" or not op.startswith(":"))
        if op.endswith("-"):
            return value if is_set else interpolate_string(arg, environ, where, on_missing)  # type: ignore[return-value]
        if op.endswith("+"):
            return interpolate_string(arg, environ, where, on_missing) if is_set else ""
        if not is_set:
            message = interpolate_string(arg, environ, where, on_missing) or f"variable {name} is not set"
            raise ConfigError(f"{where}: required variable {name} is missing a value: {message}")
        return value  # type: ignore[return-value]

    def lookup(name: str) -> str:
        if name not in environ:
            on_missing(name)
            return ""
        return environ[name]

    if "$" not in text:
        return text
    return "".join(substitute(kind, part) for kind, part in _tokens(text))


def interpolate(tree: Any, environ: Mapping[str, str], where: str, on_missing: Callable[[str], None]) -> Any:
    """Return a copy of the tree with every string value interpolated; keys, line numbers and `x-*` sections are
    kept. Errors name `where` followed by the path, e.g. "fig.yml.web.ports[1]"."""
    def describe(path: Sequence[Any]) -> str:
        return where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)

    return _walk(tree, [], environ, describe, on_missing)


def interpolate_document(data: Any, environ: Mapping[str, str], filename: str, *, legacy: bool,
                         on_missing: Callable[[str], None]) -> Any:
    """Like interpolate, but errors read "fig.yml:12: service 'web': 'image': required variable ..."."""
    from fig.config.schema import location

    return _walk(data, [], environ, lambda path: location(filename, data, path, legacy=legacy), on_missing)


def _walk(tree: Any, path: list[Any], environ: Mapping[str, str], describe: Callable[[Sequence[Any]], str],
          on_missing: Callable[[str], None]) -> Any:
    if isinstance(tree, str):  # `describe` only for a string that has something to substitute: it reads lines
        return interpolate_string(tree, environ, describe(path), on_missing) if "$" in tree else tree
    if isinstance(tree, dict):
        out = type(tree)()
        if hasattr(out, "__dict__"):  # the loader's YamlMap carries line numbers; a plain dict has none
            out.__dict__.update(getattr(tree, "__dict__", {}))
        for key, value in tree.items():
            skip = not path and str(key).startswith("x-")  # top-level templates; they are used through anchors
            out[key] = value if skip else _walk(value, [*path, key], environ, describe, on_missing)
        return out
    if isinstance(tree, list):
        items = type(tree)(_walk(v, [*path, i], environ, describe, on_missing) for i, v in enumerate(tree))
        if hasattr(items, "__dict__"):
            items.__dict__.update(getattr(tree, "__dict__", {}))
        return items
    return tree
