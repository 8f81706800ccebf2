"""Loading a project's configuration: find the files and variables -> name the project -> per file: read,
interpolate (typing what must be a boolean or a number), resolve `extends`, validate, resolve `include` ->
merge the files -> normalise."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from fig.config.documents import ConfigFile
from fig.config.model import ProjectConfig
from fig.errors import ConfigError
from fig.logs import logger

log = logger(__name__)


def active_profiles(profiles: Sequence[str] | None, variables: Mapping[str, str]) -> tuple[str, ...]:
    """--profile values when given, else COMPOSE_PROFILES (comma-separated)."""
    if profiles:
        return tuple(profiles)
    return tuple(p.strip() for p in variables.get("COMPOSE_PROFILES", "").split(",") if p.strip())


class _Reader:
    """Reads files into compose-shaped documents with one set of variables, warning once per missing one."""

    def __init__(self, variables: Mapping[str, str], missing: set[str] | None = None, *,
                 interpolate: bool = True) -> None:
        self.variables = variables
        self.missing = set() if missing is None else missing
        self.interpolate = interpolate  # False: `${...}` stays as written (`config --no-interpolate`)

    def warn_missing(self, name: str) -> None:
        if name not in self.missing:
            self.missing.add(name)
            log.warning("The %s variable is not set. Defaulting to a blank string.", name)

    def interpolated(self, file: ConfigFile) -> dict[str, Any]:
        """One file's tree, interpolated, as a compose-shaped document (a Fig-format one under `services`)."""
        from fig.config.interpolate import interpolate_document
        from fig.config.documents import YamlMap

        data = file.data
        if data is None:
            raise ConfigError(f"{file.path}: the file is empty")
        if not isinstance(data, dict):
            from fig.config.schema import describe

            raise ConfigError(f"{file.path}: the top level must be a mapping of services, not {describe(data)}")
        if not file.compose:  # a fig.yml may keep `x-*` templates at the top level too
            kept = YamlMap((k, v) for k, v in data.items() if not str(k).startswith("x-"))
            kept.__dict__.update(getattr(data, "__dict__", {}))
            data = kept
        if self.interpolate:
            data = interpolate_document(data, self.variables, file.path, legacy=not file.compose,
                                        on_missing=self.warn_missing)
        if file.compose:
            return data  # type: ignore[no-any-return]
        document = YamlMap({"services": data})
        document.cleared = tuple(("services", *path) for path in data.cleared)
        return document

    def document(self, file: ConfigFile, path: str, base_dir: str, depth: int = 0) -> dict[str, Any]:
        """One file read for the project: interpolated, its `extends` resolved (against the files they name, read
        but not checked), its `include` resolved. It is checked once merged over the files before it."""
        from fig.config.extends import resolve_extends
        from fig.config.include import resolve_includes

        document = resolve_extends(self.interpolated(file), main_file=path, shown=file.path, base_dir=base_dir,
                                   load=self.extended)
        if not file.compose:
            return document
        return resolve_includes(document, shown=file.path, base_dir=base_dir, load=self.included, depth=depth)

    def merged(self, files: Sequence[ConfigFile], documents: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """The documents merged in order, checked after each file as compose-go checks them (so a later file's
        empty value, which changes nothing, is no mistake)."""
        from fig.config.merge import merge_documents
        from fig.config.schema import validate

        legacy = not any(f.compose for f in files)
        merged: dict[str, Any] = {}
        for file, document in zip(files, documents):
            merged = merge_documents(merged, document, legacy=legacy) if merged else document
            validate(merged["services"] if legacy else merged, file.path, legacy=legacy)
        return merged

    def extended(self, name: str, path: str) -> tuple[dict[str, Any], bool]:
        from fig.config.loader import read_file

        file = read_file(path, name)
        return self.interpolated(file), not file.compose

    def included(self, names: list[str], paths: list[str], directory: str, env_files: list[str],
                 depth: int) -> dict[str, Any]:
        from fig.config.loader import read_file
        from fig.config.sources import dotenv

        reader = _Reader(dotenv(directory, self.variables, env_files), self.missing, interpolate=self.interpolate)
        files = [read_file(path, name) for name, path in zip(names, paths)]
        for file in files:
            if not file.compose:
                raise ConfigError(f"{file.path}: an included file must be a compose file (with a 'services' key)")
        return reader.merged(files, [reader.document(f, path, directory, depth) for f, path in zip(files, paths)])


def load_project(
    files: Sequence[str] = (), *, project_name: str | None = None, environ: Mapping[str, str] | None = None,
    cwd: str | None = None, profiles: Sequence[str] | None = None, env_files: Sequence[str] = (),
    project_directory: str | None = None, swarm: bool = False, strict_name: bool = False, interpolate: bool = True,
) -> ProjectConfig:
    """`project_directory` (default: the first file's) is where relative paths and .env are read from, and
    where the files are looked for when none are given; `env_files` replace .env. `swarm`: read for `fig deploy`,
    so the Swarm-only keys are not warned about as ignored. `strict_name`: a project name given by -p or the
    environment must already be one Compose v2 accepts (Compose v2's command line). Without `interpolate`,
    `${...}` stays as written (`config --no-interpolate`)."""
    from fig.config import loader, sources
    from fig.config.interpolate import interpolate_string
    from fig.config.merge import unique

    from fig.config.normalize import normalize

    environ = dict(os.environ if environ is None else environ)
    cwd = cwd or os.getcwd()
    found = sources.locate(files, environ, cwd, project_directory, env_files)
    read = [loader.read_file(path, name if name != "-" else "<stdin>") for path, name in zip(found.paths, found.shown)]
    read[0] = ConfigFile(read[0].path, read[0].data, found.base_dir, read[0].compose)
    legacy = not any(f.compose for f in read)
    reader = _Reader(found.variables, interpolate=interpolate)
    name = sources.project_name(project_name, found.variables, read, strict=strict_name, interpolate=lambda text, file:
                                interpolate_string(text, found.variables, f"{file}: 'name'", reader.warn_missing)
                                if interpolate else text)
    reader.variables = variables = {**found.variables, "COMPOSE_PROJECT_NAME": name}
    documents = [reader.document(file, os.path.abspath(path) if path != "-" else os.path.join(found.base_dir, "<stdin>"),
                                 found.base_dir) for file, path in zip(read, found.paths)]
    merged = reader.merged(read, documents)
    return normalize(merged if legacy else unique(merged), project=name,
                     filename=read[0].path if len(read) == 1 else ", ".join(found.shown), base_dir=found.base_dir,
                     environ=variables, legacy=legacy, files=tuple(found.shown),
                     profiles=active_profiles(profiles, variables), swarm=swarm, paths=tuple(found.paths),
                     env_files=found.env_files)
