"""Loading a project's configuration: find and read -> interpolate -> validate -> merge -> normalise."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any

from fig.config.model import ProjectConfig
from fig.errors import ConfigError

log = logging.getLogger(__name__)

_ENGINE_VARS = ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_API_VERSION", "DOCKER_CONTEXT")


def _dotenv(directory: str, environ: Mapping[str, str]) -> dict[str, str]:
    """Variables for interpolation: the project's .env under the caller's environment."""
    from fig.config.loader import read_env_file

    values = read_env_file(os.path.join(directory, ".env"), required=False)
    ignored = [k for k in values if k in _ENGINE_VARS]
    if ignored:
        log.warning("Ignoring %s from .env: the engine is chosen by the environment, not by .env", ", ".join(ignored))
    return {**{k: v for k, v in values.items() if k not in _ENGINE_VARS}, **environ}


def load_project(
    files: Sequence[str] = (), *, project_name: str | None = None, environ: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> ProjectConfig:
    from fig.config import loader
    from fig.config.interpolate import interpolate
    from fig.config.merge import merge_documents
    from fig.config.normalize import normalize
    from fig.config.schema import validate

    environ = dict(os.environ if environ is None else environ)
    cwd = cwd or os.getcwd()
    paths = loader.find_files(files, environ, cwd)
    opened = [loader.read_file(p if p == "-" or os.path.isabs(p) else os.path.join(cwd, p)) for p in paths]
    read = [loader.ConfigFile(shown, f.data) for shown, f in zip(paths, opened)]  # paths as the user gave them
    base_dir = opened[0].directory if paths[0] != "-" else cwd  # relative to `cwd`, not the process's
    variables = _dotenv(base_dir, environ)
    missing: set[str] = set()

    def warn_missing(name: str) -> None:
        if name not in missing:
            missing.add(name)
            log.warning("The %s variable is not set. Defaulting to a blank string.", name)

    documents: list[dict[str, Any]] = []
    legacy = True
    for f in read:
        if f.data is None:
            raise ConfigError(f"{f.path}: the file is empty")
        is_legacy = not (isinstance(f.data, dict) and "services" in f.data)
        validate(f.data, f.path, legacy=is_legacy)
        data = interpolate(f.data, variables, f.path, warn_missing)
        validate(data, f.path, legacy=is_legacy)
        documents.append({"services": data} if is_legacy else data)
        legacy = legacy and is_legacy
    merged = documents[0]
    for doc in documents[1:]:
        merged = merge_documents(merged, doc)
    name = loader.project_name(project_name, environ, opened)
    return normalize(merged, project=name, filename=paths[0] if len(paths) == 1 else ", ".join(paths),
                     base_dir=base_dir, environ=environ, legacy=legacy, files=tuple(paths))
