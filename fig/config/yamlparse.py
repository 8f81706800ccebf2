"""Parses configuration YAML with line numbers: a compose file with YAML 1.2's scalars (as compose-go reads them), a
Fig-format file with YAML 1.1's (as Fig 1.0.1 read it). Loaded only when a file's tree is not in the cache
(fig.config.loader): importing PyYAML is a large part of a short command's start."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from fig.config.documents import MAX_DEPTH, MAX_NODES, Sexagesimal, YamlList, YamlMap
from fig.config.scalars import IMPLICIT, TAG, resolve_plain
from fig.errors import ConfigError


# libyaml's parser when PyYAML has it (its wheels do): about 7 times faster than the pure Python one
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    """Reads a Fig-format file: YAML 1.1 scalars, as PyYAML (and so Fig 1.0.1) read them."""

    filename: str | None = None
    string_keys = False  # a compose file's mapping keys must be text, as compose-go wants them

    def construct_yaml_map(self, node: MappingNode):  # type: ignore[no-untyped-def]
        data = YamlMap()
        data.line = node.start_mark.line + 1
        data.lines = {}
        data.file = self.filename
        yield data
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node)
            if key in seen:
                raise ConfigError(f"{key_node.start_mark.line + 1}: duplicate key {key!r}")
            seen.add(key)
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise ConfigError(f"{key_node.start_mark.line + 1}: a mapping key must be a scalar")
            if self.string_keys and not isinstance(key, str):
                raise ConfigError(f"{key_node.start_mark.line + 1}: the key {key_node.value or 'null'} is not text: "
                                  "quote it")
            data[key] = self.construct_object(value_node, deep=True)
            data.lines[key] = key_node.start_mark.line + 1

    def construct_yaml_seq(self, node: SequenceNode):  # type: ignore[no-untyped-def]
        data = YamlList()
        data.line = node.start_mark.line + 1
        data.file = self.filename
        yield data
        data.extend(self.construct_sequence(node, deep=True))
        data.lines = [item.start_mark.line + 1 for item in node.value]


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    value = yaml.SafeLoader.construct_yaml_int(loader, node)
    if ":" in node.value:
        flagged = Sexagesimal(value)
        flagged.text = node.value
        return flagged
    return value


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)  # a Fig-format file's integers
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)


class _Compose(_Loader):
    """Reads a compose file: its plain scalars as compose-go's YAML library (gopkg.in/yaml.v3) reads them, YAML
    1.2 with that library's additions. Only true/false (any case form) are booleans, so `yes`, `no`, `on` and
    `off` stay text; `2222:22` is text, never base 60; integers are decimal, 0x hexadecimal, 0o or a leading 0
    octal, 0b binary, with `_` ignored; timestamps stay text. `!reset` and `!override` mark values of an override
    file (see take_marks)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            return resolve_plain(value)
        return super().resolve(kind, value, implicit)


def _construct_int12(loader: _Compose, node: yaml.ScalarNode) -> int:
    text = node.value.replace("_", "")
    sign, body = (-1, text[1:]) if text[0] == "-" else (1, text.lstrip("+"))
    prefix = body[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        return sign * int(body[2:], {"0x": 16, "0o": 8, "0b": 2}[prefix])
    return sign * int(body, 8 if len(body) > 1 and body[0] == "0" else 10)


_Compose.add_constructor(IMPLICIT + "int", _construct_int12)
for _kind in ("bool", "null", "float", "str"):
    _Compose.add_constructor(IMPLICIT + _kind, _Compose.yaml_constructors[TAG + _kind])


class Reset:
    """A value tagged `!reset`: the key is removed here and from the files merged before this one."""


class Override:
    """A value tagged `!override`: it replaces what the files before this one say, instead of merging with it."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _construct_reset(loader: _Compose, node: Node) -> Reset:
    return Reset()


def _construct_override(loader: _Compose, node: Node) -> Override:
    plain = copy.copy(node)
    if isinstance(node, ScalarNode):
        plain.tag = loader.resolve(ScalarNode, node.value, (not node.style, bool(node.style)))
    else:
        plain.tag = TAG + ("seq" if isinstance(node, SequenceNode) else "map")
    return Override(loader.construct_object(plain, deep=True))


_Compose.add_constructor("!reset", _construct_reset)
_Compose.add_constructor("!override", _construct_override)


def take_marks(data: Any) -> None:
    """Drop the `!reset` values of a document and unwrap its `!override` ones; the paths of both are kept in
    the document's `cleared`, for merging it over the files before it (fig.config.merge)."""
    cleared: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        if isinstance(node, dict):
            for key in list(node):
                if isinstance(node[key], Reset):
                    del node[key]
                    cleared.append((*path, key))
                    continue
                if isinstance(node[key], Override):
                    node[key] = node[key].value
                    cleared.append((*path, key))
                walk(node[key], (*path, key))
        elif isinstance(node, list):
            lines = getattr(node, "lines", None)
            kept = [i for i, item in enumerate(node) if not isinstance(item, Reset)]
            node[:] = [item.value if isinstance(item, Override) else item for i, item in enumerate(node) if i in kept]
            if lines is not None:
                node.lines = [lines[i] for i in kept]  # type: ignore[attr-defined]
            for index, item in enumerate(node):
                walk(item, (*path, index))

    walk(data, ())
    if isinstance(data, YamlMap):
        data.cleared = tuple(cleared)


def _check_shape(node: Node) -> None:
    """Refuse documents nested too deep or whose aliases expand too far, before constructing them."""
    sizes: dict[int, int] = {}

    def size(n: Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise ConfigError(f"{n.start_mark.line + 1}: nesting deeper than {MAX_DEPTH} levels")
        if id(n) in sizes:
            return sizes[id(n)]
        sizes[id(n)] = 1  # a recursive alias counts once
        total = 1
        if isinstance(n, SequenceNode):
            total += sum(size(child, depth + 1) for child in n.value)
        elif isinstance(n, MappingNode):
            total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in n.value)
        if total > MAX_NODES:
            raise ConfigError(f"{n.start_mark.line + 1}: aliases expand to more than {MAX_NODES} values")
        sizes[id(n)] = total
        return total

    size(node, 0)


# The top-level keys of the compose format: a file with `services`, or with only these, is a compose file (an
# override file may declare only networks or volumes); any other file is a Fig-format one, services at the top.
COMPOSE_KEYS = frozenset({"version", "name", "include", "services", "networks", "volumes", "secrets", "configs"})


def _is_compose(node: Node) -> bool:
    if not isinstance(node, MappingNode):
        return True
    keys = [str(k.value) for k, _ in node.value if isinstance(k, ScalarNode)]
    if "services" in keys:
        return True
    return bool(keys) and all(k in COMPOSE_KEYS or k.startswith("x-") for k in keys)


def _as_yaml11(node: Node, loader: _Loader) -> None:
    """Give the plain scalars of a Fig-format file the tags YAML 1.1 gives them (they were composed as a compose
    file's); a scalar whose tag was written explicitly keeps it."""
    seen: set[int] = set()
    todo = [node]
    while todo:
        n = todo.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, ScalarNode):
            if n.tag.startswith(IMPLICIT):
                n.tag = _Loader.resolve(loader, ScalarNode, n.value, (True, False))
        elif isinstance(n, SequenceNode):
            todo.extend(n.value)
        elif isinstance(n, MappingNode):
            todo.extend(child for pair in n.value for child in pair)


def parse(text: str, name: str) -> tuple[Any, bool]:
    """Parse one YAML document safely: its data, and whether it is a compose file (else a Fig-format one, read
    with YAML 1.1's scalars). Every error names the file and the line."""
    loader = _Compose(text)
    loader.filename = name
    try:
        node = loader.get_single_node()
        if node is None:
            return None, True
        _check_shape(node)
        compose = loader.string_keys = _is_compose(node)
        if not compose:
            _as_yaml11(node, loader)
        data = loader.construct_document(node)
        if "!reset" in text or "!override" in text:
            take_marks(data)
        return data, compose
    except ConfigError as e:  # raised with the line number first, e.g. "4: duplicate key 'image'"
        raise ConfigError(f"{name}:{e}") from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f":{mark.line + 1}" if mark else ""
        problem = e.problem or str(e)
        if "could not determine a constructor" in (problem or ""):
            problem = f"unsupported YAML tag ({problem.split('tag ')[-1].strip()})"
        elif mark and _char_at(text, mark.line, mark.column) == "\t":
            problem = "a tab character where YAML allows only spaces (indent with spaces)"
        raise ConfigError(f"{name}{where}: invalid YAML: {problem}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{name}: invalid YAML: {e}") from None
    except RecursionError:
        raise ConfigError(f"{name}: nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column:column + 1] if line < len(lines) else ""
