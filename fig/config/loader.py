"""Finds the configuration files, reads them as safe YAML with line numbers, and names the project."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from fig.errors import ConfigError
from fig.labels import normalize_project_name

DEFAULT_FILES = ("fig.yml", "fig.yaml", "compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_FILES = {
    "fig.yml": ("fig.override.yml", "fig.override.yaml"),
    "fig.yaml": ("fig.override.yaml", "fig.override.yml"),
    "compose.yaml": ("compose.override.yaml", "compose.override.yml"),
    "compose.yml": ("compose.override.yml", "compose.override.yaml"),
    "docker-compose.yml": ("docker-compose.override.yml", "docker-compose.override.yaml"),
    "docker-compose.yaml": ("docker-compose.override.yaml", "docker-compose.override.yml"),
}
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


class YamlList(list):  # type: ignore[type-arg]
    """A sequence that remembers the line of each item, and the file it was read from."""

    line: int = 0
    lines: list[int]
    file: str | None = None
    files: list[str | None] | None = None  # per item, for a list merged from several files


@dataclass(frozen=True)
class ConfigFile:
    path: str  # as shown in messages; "-" for standard input
    data: Any
    base: str | None = None  # the directory its relative paths start from, when not the file's own

    @property
    def directory(self) -> str:
        if self.base:
            return self.base
        return os.getcwd() if self.path in ("-", "<stdin>") else os.path.dirname(os.path.abspath(self.path))


# libyaml's parser when PyYAML has it (its wheels do): about 7 times faster than the pure Python one
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    filename: str | None = None

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
            data[key] = self.construct_object(value_node, deep=True)
            data.lines[key] = key_node.start_mark.line + 1

    def construct_yaml_seq(self, node: SequenceNode):  # type: ignore[no-untyped-def]
        data = YamlList()
        data.line = node.start_mark.line + 1
        data.file = self.filename
        yield data
        data.extend(self.construct_sequence(node, deep=True))
        data.lines = [item.start_mark.line + 1 for item in node.value]


class Sexagesimal(int):
    """An unquoted value such as 22:22 that YAML 1.1 reads as a base-60 number; `text` is what was written."""

    text: str


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    value = yaml.SafeLoader.construct_yaml_int(loader, node)
    if ":" in node.value:
        flagged = Sexagesimal(value)
        flagged.text = node.value
        return flagged
    return value


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)


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


def parse_yaml(text: str, name: str) -> Any:
    """Parse one YAML document safely; every error names the file and the line."""
    loader = _Loader(text)
    loader.filename = name
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_shape(node)
        return loader.construct_document(node)
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


def read_file(path: str, name: str | None = None) -> ConfigFile:
    """Read and parse one file ("-": standard input); `name` is how messages show it (default: `path`)."""
    shown = name or path
    text = sys.stdin.read(MAX_BYTES + 1) if path == "-" else read_text(path, shown)
    if len(text) > MAX_BYTES:
        raise ConfigError(f"{shown}: the file is larger than 10 MB")
    return ConfigFile(shown, parse_yaml(text, shown))


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


def find_files(explicit: Sequence[str], environ: Mapping[str, str], cwd: str) -> list[str]:
    """The files to merge, in order: -f, else FIG_FILE/COMPOSE_FILE, else the defaults (plus override)."""
    if explicit:
        return list(explicit)
    for var in ("FIG_FILE", "COMPOSE_FILE"):
        if environ.get(var):
            sep = environ.get("COMPOSE_PATH_SEPARATOR", os.pathsep)
            return [p for p in environ[var].split(sep) if p]
    directory = Path(cwd)
    while True:
        for name in DEFAULT_FILES:
            candidate = directory / name
            if candidate.is_file():
                files = [str(candidate) if directory != Path(cwd) else name]
                for override in OVERRIDE_FILES[name]:
                    if (directory / override).is_file():
                        files.append(str(directory / override) if directory != Path(cwd) else override)
                        break
                return files
        if directory.parent == directory:
            break
        directory = directory.parent
    raise ConfigError(
        "Can't find a suitable configuration file in this directory or any parent. "
        "Are you in the right directory? Supported filenames: " + ", ".join(DEFAULT_FILES)
    )


def project_name(explicit: str | None, environ: Mapping[str, str], files: Sequence[ConfigFile]) -> str:
    raw: str | None = explicit or environ.get("FIG_PROJECT_NAME") or environ.get("COMPOSE_PROJECT_NAME")
    if not raw:
        for f in reversed(files):
            if isinstance(f.data, dict) and isinstance(f.data.get("name"), str) and "services" in f.data:
                raw = f.data["name"]
                break
    if not raw:
        raw = os.path.basename(files[0].directory) if files else os.path.basename(os.getcwd())
    name = normalize_project_name(raw)
    if not name:
        raise ConfigError(f"Project name {raw!r} has no letters or digits: give one with -p NAME")
    return name

