"""What a project is read from: its files (-f, else FIG_FILE / COMPOSE_FILE, else the default names), its
variables (the environment over `.env`, or over --env-file / COMPOSE_ENV_FILES), and its name.

As Compose v2 does, `.env` is read before the files are chosen, so COMPOSE_FILE, COMPOSE_PATH_SEPARATOR,
COMPOSE_PROFILES and COMPOSE_PROJECT_NAME may be set there; the environment always wins over it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from fig.config.documents import ConfigFile
from fig.errors import ConfigError
from fig.labels import compose_project_name, normalize_project_name
from fig.logs import logger
from fig.records import record

log = logger(__name__)

DEFAULT_FILES = ("fig.yml", "fig.yaml", "compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_FILES = {
    "fig.yml": ("fig.override.yml", "fig.override.yaml"),
    "fig.yaml": ("fig.override.yaml", "fig.override.yml"),
    "compose.yaml": ("compose.override.yaml", "compose.override.yml"),
    "compose.yml": ("compose.override.yml", "compose.override.yaml"),
    "docker-compose.yml": ("docker-compose.override.yml", "docker-compose.override.yaml"),
    "docker-compose.yaml": ("docker-compose.override.yaml", "docker-compose.override.yml"),
}
_ENGINE_VARS = ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_API_VERSION", "DOCKER_CONTEXT")


@record(frozen=True)
class Sources:
    shown: list[str]  # the files as messages name them ("-" for standard input)
    paths: list[str]  # the same, absolute
    base_dir: str  # the project directory: relative paths and .env start there
    variables: dict[str, str]  # for interpolation: the environment over .env (or the env files)
    env_files: tuple[str, ...]  # --env-file or COMPOSE_ENV_FILES, absolute (they replace .env)


def locate(files: Sequence[str], environ: Mapping[str, str], cwd: str, project_directory: str | None,
           env_files: Sequence[str]) -> Sources:
    directory = os.path.abspath(os.path.join(cwd, project_directory)) if project_directory else None
    if directory and not os.path.isdir(directory):
        raise ConfigError(f"--project-directory {project_directory}: no such directory")
    if not env_files:
        env_files = [f for f in environ.get("COMPOSE_ENV_FILES", "").split(",") if f]
    env_paths = tuple(os.path.abspath(os.path.join(cwd, f)) for f in env_files)
    search = directory if directory and not files else cwd
    shown = _find(files, environ, search)
    variables = dotenv(directory or _first_dir(shown, search), environ, env_paths)
    if not files and not _chosen_by(environ) and _chosen_by(variables):  # COMPOSE_FILE set in .env
        shown = _find(files, variables, search)
        if not env_paths:  # the .env beside the files it chose adds what is not set yet
            variables = {**dotenv(directory or _first_dir(shown, search), environ, ()), **variables}
    if shown is None:
        shown = find_files(files, variables, search)  # not found: says so
    if search != cwd:  # found in the project directory: named from there
        shown = [p if p == "-" or os.path.isabs(p) else os.path.join(search, p) for p in shown]
    paths = [p if p == "-" or os.path.isabs(p) else os.path.join(search, p) for p in shown]
    base_dir = directory or (os.path.dirname(os.path.abspath(paths[0])) if paths[0] != "-" else os.path.abspath(cwd))
    return Sources(shown, paths, base_dir, variables, env_paths)


def _chosen_by(variables: Mapping[str, str]) -> bool:
    return bool(variables.get("FIG_FILE") or variables.get("COMPOSE_FILE"))


def _find(files: Sequence[str], environ: Mapping[str, str], search: str) -> list[str] | None:
    try:
        return find_files(files, environ, search)
    except ConfigError:
        return None


def _first_dir(shown: list[str] | None, search: str) -> str:
    if not shown or shown[0] == "-":
        return search
    return os.path.dirname(os.path.abspath(os.path.join(search, shown[0])))


def dotenv(directory: str, environ: Mapping[str, str], env_files: Sequence[str] = ()) -> dict[str, str]:
    """Variables for interpolation: the project's .env (or the env files instead, each later one winning) under
    the caller's environment."""
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


def find_files(explicit: Sequence[str], environ: Mapping[str, str], cwd: str) -> list[str]:
    """The files to merge, in order: -f, else FIG_FILE/COMPOSE_FILE, else the defaults (plus override)."""
    if explicit:
        return list(explicit)
    for var in ("FIG_FILE", "COMPOSE_FILE"):
        if environ.get(var):
            sep = environ.get("COMPOSE_PATH_SEPARATOR") or os.pathsep
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


def project_name(explicit: str | None, variables: Mapping[str, str], files: Sequence[ConfigFile], *,
                 strict: bool, interpolate: Callable[[str, str], str]) -> str:
    """-p, else FIG_PROJECT_NAME / COMPOSE_PROJECT_NAME, else the last `name:` of a compose file (interpolated),
    else the project directory's name.

    A compose file's project (in either dialect) keeps Compose v2's characters, lowercase letters, digits, `_`
    and `-`; a Fig-format file's keeps Fig's, letters and digits. With `strict` (Compose v2's command line) a
    name given by -p or the environment must already be one Compose v2 accepts; else it is lowercased and
    reduced to those characters, as a name from `name:` or the directory always is."""
    normal = compose_project_name if any(f.compose for f in files) else normalize_project_name
    given = explicit or variables.get("FIG_PROJECT_NAME") or variables.get("COMPOSE_PROJECT_NAME")
    if given and strict:
        if compose_project_name(given) != given:
            raise ConfigError(f"invalid project name {given!r}: must consist only of lowercase alphanumeric "
                              "characters, hyphens, and underscores as well as start with a letter or number")
        return given
    raw = given
    for f in files if not raw else ():
        if f.compose and isinstance(f.data, dict) and isinstance(f.data.get("name"), str) and f.data["name"]:
            raw = interpolate(f.data["name"], f.path)
    if not raw:
        raw = os.path.basename(files[0].directory) if files else os.path.basename(os.getcwd())
    name = normal(raw)
    if not name:
        raise ConfigError(f"Project name {raw!r} has no letters or digits: give one with -p NAME")
    return name
