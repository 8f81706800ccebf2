"""Resolves the top-level `include`: other compose projects whose services, networks, volumes, secrets and configs
join this one, each read as a project of its own: the files of one item (`path` may be a list) merged into one
model first, their relative paths from its project directory (by default the first file's), their variables
this project's over its own `.env` (or its `env_file`). A name both define differently is an error: an include
adds, it does not override."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from fig.config.extends import absolutize
from fig.config.documents import YamlMap
from fig.errors import ConfigError

# Reads an included project: (paths as written, absolute paths, its project directory, its env files, depth) ->
# its files merged into one compose-shaped document, each with its own includes (one level deeper) and extends
# resolved.
LoadIncluded = Callable[[list[str], list[str], str, list[str], int], dict[str, Any]]
_SECTIONS = ("services", "networks", "volumes", "secrets", "configs")
MAX_DEPTH = 10


def _items(raw: list[Any]) -> list[tuple[list[str], str | None, list[str]]]:
    """(paths, project_directory, env files) of each `include` item (the schema has checked their shape): a path,
    or a mapping with `path` (one or a list) and maybe `project_directory` and `env_file` (one or a list)."""
    out: list[tuple[list[str], str | None, list[str]]] = []
    for item in raw:
        if isinstance(item, str):
            out.append(([item], None, []))
            continue
        path, env_file = item["path"], item.get("env_file") or []
        out.append(([path] if isinstance(path, str) else list(path), item.get("project_directory"),
                    [env_file] if isinstance(env_file, str) else list(env_file)))
    return out


def _absolute(document: dict[str, Any], directory: str) -> dict[str, Any]:
    """The included document with its relative paths made absolute: they are relative to its directory."""
    out = dict(document)
    out["services"] = {name: absolutize(svc, directory) if isinstance(svc, dict) else svc
                       for name, svc in (document.get("services") or {}).items()}
    for section in ("secrets", "configs"):
        out[section] = {name: ({**spec, "file": os.path.normpath(os.path.join(directory, spec["file"]))}
                               if isinstance(spec, dict) and spec.get("file") else spec)
                        for name, spec in (document.get(section) or {}).items()}
    return out


def resolve_includes(document: dict[str, Any], *, shown: str, base_dir: str, load: LoadIncluded,
                     depth: int = 0) -> dict[str, Any]:
    """The document with every included file's resources added; `include` itself is gone."""
    if "include" not in document:
        return document
    if depth >= MAX_DEPTH:
        raise ConfigError(f"{shown}: 'include' nests deeper than {MAX_DEPTH} files (a file including itself?)")
    out = YamlMap({k: v for k, v in document.items() if k != "include"})
    out.__dict__.update(getattr(document, "__dict__", {}))
    for paths, project_directory, env_files in _items(document["include"]):
        absolute = [os.path.normpath(os.path.join(base_dir, os.path.expanduser(p))) for p in paths]
        directory = os.path.normpath(os.path.join(base_dir, project_directory or os.path.dirname(absolute[0])))
        for path, absolute_path in zip(paths, absolute):
            if not os.path.isfile(absolute_path):
                raise ConfigError(f"{shown}: 'include' item {path!r} is not a file ({absolute_path})")
        env_paths = [os.path.normpath(os.path.join(base_dir, f)) for f in env_files]
        for env_file, env_path in zip(env_files, env_paths):
            if not os.path.isfile(env_path):
                raise ConfigError(f"{shown}: 'include' item {paths[0]!r} has an env_file {env_file!r} that is not a "
                                  f"file ({env_path})")
        included = _absolute(load(paths, absolute, directory, env_paths, depth + 1), directory)
        for section in _SECTIONS:
            original = out.get(section)
            mine = YamlMap(original or {})
            mine.__dict__.update(getattr(original, "__dict__", {}))  # keeps the lines of this file's own keys
            for name, value in (included.get(section) or {}).items():
                if name in mine and mine[name] != value:
                    raise ConfigError(f"{shown}: {section[:-1]} '{name}' is defined both here and in the "
                                      f"included {paths[0]}")
                mine[name] = value
            if mine:
                out[section] = mine
    return out
