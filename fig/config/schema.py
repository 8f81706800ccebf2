"""Validates a configuration file with jsonschema and rewrites the first error as one line."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from fig.config.cache import cache_file, digest
from fig.errors import ConfigError

_TYPE_NAMES = {
    "string": "a string", "integer": "an integer", "number": "a number", "boolean": "a boolean (true or false)",
    "array": "a list", "object": "a mapping", "null": "empty",
}


@cache
def _validator() -> Any:
    from importlib import resources

    import jsonschema

    schema = json.loads(resources.files("fig.config").joinpath("fig.schema.json").read_text())
    return jsonschema.Draft7Validator(schema)


def _marker(document: Any) -> str | None:
    """A file under $XDG_CACHE_HOME/fig (or ~/.cache/fig) that exists once this exact document, with this schema
    and this fig, has been found valid: importing and running jsonschema costs more than the rest of `fig ps`.
    A changed file, interpolated value, schema or fig version makes a new key; an invalid document has none."""
    from fig import __version__

    try:
        schema = Path(__file__).with_name("fig.schema.json").read_bytes()
        key = digest(b"\0".join([__version__.encode(), schema, repr(document).encode()]))
    except (OSError, ValueError):
        return None
    return cache_file("valid", key)


def _remember(marker: str | None) -> None:
    if marker is None:
        return
    try:
        os.makedirs(os.path.dirname(marker), exist_ok=True)
        with open(marker, "a"):
            pass
    except OSError:  # a read-only or missing home only costs the next run a validation
        pass


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) < 40 else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty" if value is None else type(value).__name__


def source_of(data: Any, path: Sequence[Any]) -> tuple[str | None, int | None]:
    """The file and line of the deepest element of `path` in a tree made by the loader (or merged from files)."""
    line = getattr(data, "line", None)
    file = getattr(data, "file", None)
    node = data
    for key in path:
        lines = getattr(node, "lines", None)
        files = getattr(node, "files", None)
        try:
            if lines is not None:
                line = lines[key] or line
                if files is not None:
                    file = files[key] if isinstance(files, list) else files.get(key, file)
                else:
                    file = getattr(node, "file", file)
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    return file, line


def line_of(data: Any, path: Sequence[Any]) -> int | None:
    """The line of the deepest element of `path` in a tree made by the loader."""
    return source_of(data, path)[1]


def location(filename: str, data: Any, path: Sequence[Any], *, legacy: bool, line: int | None = None,
             at: Sequence[Any] | None = None) -> str:
    """E.g. "fig.yml:12: service 'web': 'ports' item 2", from a path into the file's tree. The file and line are
    those of `at` (default: `path`) when the tree knows them; `line` overrides the line."""
    file, found = source_of(data, path if at is None else at)
    line = line or found
    head = f"{file or filename}:{line}" if line else (file or filename)
    parts = list(path)
    words: list[str] = []
    if parts and not legacy and parts[0] == "services":
        parts = parts[1:]
    if parts and (legacy or path[0] == "services"):
        words.append(f"service '{parts[0]}'")
        parts = parts[1:]
    elif parts:
        section = parts.pop(0)
        if parts and section in ("networks", "volumes", "secrets", "configs", "models"):
            words.append(f"{section[:-1]} '{parts.pop(0)}'")
        else:
            words.append(f"'{section}'")
    # 'develop.watch' item 2 'action': a list item inside the key is named where it sits
    pieces: list[str] = []
    keys: list[str] = []
    for part in parts:
        if not isinstance(part, int):
            keys.append(str(part))
            continue
        pieces += [f"'{'.'.join(keys)}'"] if keys else []
        pieces.append(f"item {part + 1}")
        keys = []
    pieces += [f"'{'.'.join(keys)}'"] if keys else []
    if pieces:
        words.append(" ".join(pieces))
    return ": ".join([head] + words)


def _message(error: Any) -> tuple[list[Any], str]:
    path = list(error.absolute_path)
    validator = error.validator
    if validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed and not str(k).startswith("x-")]
        key = extra[0] if extra else "?"
        import difflib  # only for a message

        hint = difflib.get_close_matches(str(key), allowed, n=1)
        did_you_mean = f" (did you mean '{hint[0]}'?)" if hint else ""
        return path, f"unknown key '{key}'{did_you_mean}"
    if validator == "propertyNames" or "propertyNames" in error.schema_path:  # jsonschema reports the inner check
        return path, f"invalid name {error.instance!r}: use only letters, digits, '.', '_' and '-'"
    if validator == "required":
        return path, f"missing required key '{error.message.split(chr(39))[1]}'"
    if validator == "enum":
        choices = ", ".join(repr(c) for c in error.validator_value)
        return path, f"is {describe(error.instance)}, expected one of {choices}"
    expect = error.schema.get("x-expect")
    if not expect and validator == "type":
        types: list[Any] = (error.validator_value if isinstance(error.validator_value, list)
                            else [error.validator_value])
        expect = " or ".join(_TYPE_NAMES.get(str(t), str(t)) for t in types)
    if expect:
        note = ""
        if isinstance(error.instance, bool) and "string" in expect and "boolean" not in expect:
            note = " (YAML reads an unquoted yes, no, on, off, true or false as a boolean: put it in quotes)"
        return path, f"must be {expect}, not {describe(error.instance)}{note}"
    return path, error.message


def validate(data: Any, filename: str, *, legacy: bool) -> None:
    """Raise ConfigError naming the file, line, service and key of the first problem."""
    if not isinstance(data, dict):
        raise ConfigError(f"{filename}: the top level must be a mapping of services, not {describe(data)}")
    document = {"services": data} if legacy else data
    marker = _marker(document)
    if marker and os.path.exists(marker):
        return
    # At one place, a misspelt key explains a missing one: "unknown key 'actoin' (did you mean 'action'?)"
    errors = sorted(_validator().iter_errors(document), key=lambda e: (
        len(e.absolute_path), list(map(str, e.absolute_path)), e.validator != "additionalProperties"))
    if not errors:
        _remember(marker)
        return
    error = errors[0]
    while error.validator in ("oneOf", "anyOf") and error.context:
        # The branch that got furthest explains best: deepest first, and a branch whose type matched (its error
        # is not a type error) before one that did not. If no branch matched the type, keep the summary.
        best = min(error.context, key=lambda e: (-len(e.absolute_path), e.validator == "type"))
        if error.schema.get("x-expect") and best.validator == "type" and best.absolute_path == error.absolute_path:
            break
        error = best
    path, text = _message(error)
    if legacy and path and path[0] == "services":
        path = path[1:]
    at = path + [text.split("'")[1]] if error.validator == "additionalProperties" else None
    if "propertyNames" in error.schema_path:
        at = path + [error.instance]  # the line of the badly named key itself
    where = location(filename, data, path, legacy=legacy, at=at)
    sep = ": " if text.startswith(("unknown", "missing", "invalid")) or "'" not in where else " "
    raise ConfigError(f"{where}{sep}{text}")
