"""Loading a project's configuration: find and read -> interpolate -> validate -> merge -> include -> extends ->
normalise."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fig.config.model import ProjectConfig
from fig.errors import ConfigError

log = logging.getLogger(__name__)

_ENGINE_VARS = ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_API_VERSION", "DOCKER_CONTEXT")


def _dotenv(directory: str, environ: Mapping[str, str], env_files: Sequence[str] = ()) -> dict[str, str]:
    """Variables for interpolation: the project's .env (or the --env-file files instead, later ones winning)
    under the caller's environment."""
    from fig.config.dotenv import read_env_file

    values: dict[str, str] = {}
    for path in env_files:
        values.update(read_env_file(path, required=True, environ={**values, **environ}))
    if not env_files:
        values = read_env_file(os.path.join(directory, ".env"), required=False, environ=environ)
    ignored = [k for k in values if k in _ENGINE_VARS]
    if ignored:
        log.warning("Ignoring %s from .env: the engine is chosen by the environment, not by .env", ", ".join(ignored))
    return {**{k: v for k, v in values.items() if k not in _ENGINE_VARS}, **environ}


def _prepare(data: Any, shown: str, variables: Mapping[str, str],
             on_missing: Callable[[str], None], *, interpolate: bool = True) -> tuple[dict[str, Any], bool]:
    """One file's tree, interpolated (unless not `interpolate`) and validated, as a compose-shaped document; and
    whether it is a fig.yml."""
    from fig.config.interpolate import interpolate_document
    from fig.config.loader import YamlMap
    from fig.config.schema import validate

    if data is None:
        raise ConfigError(f"{shown}: the file is empty")
    legacy = not (isinstance(data, dict) and "services" in data)
    if legacy and isinstance(data, dict):  # a fig.yml may keep `x-*` templates at the top level too
        kept = YamlMap((k, v) for k, v in data.items() if not str(k).startswith("x-"))
        kept.__dict__.update(getattr(data, "__dict__", {}))
        data = kept
    if interpolate:
        data = interpolate_document(data, variables, shown, legacy=legacy, on_missing=on_missing)
    validate(data, shown, legacy=legacy)
    return ({"services": data} if legacy else data), legacy


def active_profiles(profiles: Sequence[str] | None, variables: Mapping[str, str]) -> tuple[str, ...]:
    """--profile values when given, else COMPOSE_PROFILES (comma-separated)."""
    if profiles:
        return tuple(profiles)
    return tuple(p.strip() for p in variables.get("COMPOSE_PROFILES", "").split(",") if p.strip())


def load_project(
    files: Sequence[str] = (), *, project_name: str | None = None, environ: Mapping[str, str] | None = None,
    cwd: str | None = None, profiles: Sequence[str] | None = None, env_files: Sequence[str] = (),
    project_directory: str | None = None, swarm: bool = False, interpolate: bool = True,
) -> ProjectConfig:
    """`project_directory` (default: the first file's) is where relative paths and .env are read from, and
    where the files are looked for when none are given; `env_files` replace .env. `swarm`: read for `fig deploy`,
    so the Swarm-only keys are not warned about as ignored. Without `interpolate`, `${...}` stays as written
    (`config --no-interpolate`)."""
    from functools import partial

    from fig.config import loader
    from fig.config.extends import resolve_extends
    from fig.config.include import resolve_includes
    from fig.config.merge import merge_documents
    from fig.config.normalize import normalize

    environ = dict(os.environ if environ is None else environ)
    cwd = cwd or os.getcwd()
    directory = os.path.abspath(os.path.join(cwd, project_directory)) if project_directory else None
    if directory and not os.path.isdir(directory):
        raise ConfigError(f"--project-directory {project_directory}: no such directory")
    search = directory if directory and not files else cwd
    shown = loader.find_files(files, environ, search)
    if search != cwd:  # found in the project directory: named from there
        shown = [p if p == "-" or os.path.isabs(p) else os.path.join(search, p) for p in shown]
    paths = [p if p == "-" or os.path.isabs(p) else os.path.join(search, p) for p in shown]
    read = [loader.read_file(path, name if name != "-" else "<stdin>") for path, name in zip(paths, shown)]
    base_dir = directory or (os.path.dirname(os.path.abspath(paths[0])) if paths[0] != "-" else os.path.abspath(cwd))
    env_paths = tuple(os.path.abspath(os.path.join(cwd, f)) for f in env_files)
    variables = _dotenv(base_dir, environ, env_paths)
    missing: set[str] = set()
    prepare = partial(_prepare, interpolate=interpolate)

    def warn_missing(name: str) -> None:
        if name not in missing:
            missing.add(name)
            log.warning("The %s variable is not set. Defaulting to a blank string.", name)

    documents = [prepare(f.data, f.path, variables, warn_missing) for f in read]
    legacy = all(is_legacy for _, is_legacy in documents)
    merged = documents[0][0]
    for doc, is_legacy in documents[1:]:
        merged = merge_documents(merged, doc, legacy=legacy)

    def load_extended(name: str, path: str) -> tuple[dict[str, Any], bool]:
        return prepare(loader.read_file(path, name).data, name, variables, warn_missing)

    def load_included(name: str, path: str, directory: str, depth: int) -> dict[str, Any]:
        own = _dotenv(directory, environ)
        document, is_legacy = prepare(loader.read_file(path, name).data, name, own, warn_missing)
        if is_legacy:
            raise ConfigError(f"{name}: an included file must be a compose file (with a 'services' key)")
        document = resolve_includes(document, shown=name, base_dir=directory, load=load_included, depth=depth)
        return resolve_extends(document, main_file=path, shown=name, base_dir=directory,
                               load=lambda n, p: prepare(loader.read_file(p, n).data, n, own, warn_missing))

    merged = resolve_includes(merged, shown=read[0].path, base_dir=base_dir, load=load_included)
    main = os.path.abspath(paths[0]) if paths[0] != "-" else os.path.join(base_dir, "<stdin>")
    merged = resolve_extends(merged, main_file=main, shown=read[0].path, base_dir=base_dir, load=load_extended)
    named = [loader.ConfigFile(f.path, f.data, base_dir if i == 0 else None) for i, f in enumerate(read)]
    name = loader.project_name(project_name, variables, named)
    return normalize(merged, project=name, filename=read[0].path if len(read) == 1 else ", ".join(shown),
                     base_dir=base_dir, environ=variables, legacy=legacy, files=tuple(shown),
                     profiles=active_profiles(profiles, variables), swarm=swarm, paths=tuple(paths),
                     env_files=env_paths)
