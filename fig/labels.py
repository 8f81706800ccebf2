"""Label keys, container names and project-name normalisation: labels are the source of truth.

fig's identity is Compose's label set (`com.docker.compose.*`): the one Docker Desktop, Portainer, Dozzle,
VS Code, lazydocker and `docker compose` itself group and find containers by. Containers made by fig 1.1.0
carry only `io.fig.*`; `read()` falls back to those keys and `LEGACY` maps a query onto them, so such
containers are still found and converged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

_COMPOSE = "com.docker.compose."
LABEL_PROJECT = _COMPOSE + "project"
LABEL_SERVICE = _COMPOSE + "service"
LABEL_NUMBER = _COMPOSE + "container-number"
LABEL_ONEOFF = _COMPOSE + "oneoff"
LABEL_SLUG = _COMPOSE + "slug"  # a one-off's random id; its name carries the first 12 characters
LABEL_CONFIG_HASH = _COMPOSE + "config-hash"
LABEL_VERSION = _COMPOSE + "version"
LABEL_WORKING_DIR = _COMPOSE + "project.working_dir"
LABEL_CONFIG_FILES = _COMPOSE + "project.config_files"  # the project's files, absolute, joined by ","
LABEL_ENVIRONMENT_FILE = _COMPOSE + "project.environment_file"
LABEL_DEPENDS_ON = _COMPOSE + "depends_on"
LABEL_NETWORK = _COMPOSE + "network"
LABEL_VOLUME = _COMPOSE + "volume"
LABEL_STACK = "com.docker.stack.namespace"  # a Swarm stack's, as `docker stack` reads it
LABEL_CONFIG = "io.fig.config"  # the service configuration as JSON, to explain what changed (fig's own)

LEGACY = {  # the keys fig 1.1.0 wrote, by the key that replaced them
    LABEL_PROJECT: "io.fig.project",
    LABEL_SERVICE: "io.fig.service",
    LABEL_NUMBER: "io.fig.container-number",
    LABEL_ONEOFF: "io.fig.oneoff",
    LABEL_CONFIG_HASH: "io.fig.config-hash",
    LABEL_VERSION: "io.fig.version",
}


def read(labels: Mapping[str, str], key: str, default: str = "") -> str:
    """A label's value, from fig 1.1.0's key when the container predates Compose's."""
    if key in labels:
        return labels[key]
    legacy = LEGACY.get(key)
    return labels.get(legacy, default) if legacy else default


def legacy_query(labels: Mapping[str, str]) -> dict[str, str]:
    """The same label filter in fig 1.1.0's keys, to find the containers it made."""
    return {LEGACY.get(k, k): v for k, v in labels.items()}


class Naming(NamedTuple):  # a NamedTuple, not a dataclass: every command's start-up makes this class
    """How container names are made: Fig's `proj_web_1` / `proj_web_run_3`, or Compose v2's `proj-web-1` /
    `proj-web-run-<12 hex of a random slug>`. Names are only for people: containers are found by label."""

    separator: str = "_"
    slug: bool = False


FIG_NAMES = Naming()
COMPOSE_NAMES = Naming("-", slug=True)


def normalize_project_name(name: str) -> str:
    """Lowercase and keep only [a-z0-9], as Fig does (a Fig-format file's project)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def compose_project_name(name: str) -> str:
    """Lowercase and keep only [a-z0-9_-], not `_` or `-` first, as Compose v2 does (a compose file's project)."""
    return re.sub(r"[^a-z0-9_-]", "", name.lower()).lstrip("_-")


def container_name(project: str, service: str, number: int | str, *, oneoff: bool = False,
                   separator: str = "_") -> str:
    """`<project>_<service>_<n>` (`_run_<n>` for one-offs); Compose v2 joins the parts with "-"."""
    parts = [project, service, *(["run"] if oneoff else []), str(number)]
    return separator.join(parts)


def default_network(project: str) -> str:
    """The project's own network: compose's default one, and a Fig-format project's on an engine without links."""
    return f"{project}_default"


def strip_project(name: str, project: str) -> str:
    """`web_1` of `proj_web_1` (or `web-1` of `proj-web-1`): the name without its project prefix."""
    for separator in ("_", "-"):
        if name.startswith(project + separator):
            return name[len(project) + 1:]
    return name


def project_labels(project: str, version: str = "") -> dict[str, str]:
    return {LABEL_PROJECT: project, **({LABEL_VERSION: version} if version else {})}


def project_files(working_dir: str, files: Iterable[str], env_files: Iterable[str] = ()) -> dict[str, str]:
    """The labels every container of a project carries for the tools that act on it (VS Code, `docker compose
    ls`): where it lives and its files, absolute and comma-joined (`--env-file` ones only when given)."""
    labels = {LABEL_WORKING_DIR: working_dir, LABEL_CONFIG_FILES: ",".join(f for f in files if f != "-")}
    env = ",".join(env_files)
    return {**labels, LABEL_ENVIRONMENT_FILE: env} if env else labels


def service_labels(project: str, service: str, *, oneoff: bool = False) -> dict[str, str]:
    return {LABEL_PROJECT: project, LABEL_SERVICE: service, LABEL_ONEOFF: "True" if oneoff else "False"}


def depends_on(entries: Iterable[tuple[str, str, bool]]) -> str:
    """Compose's `svc:condition:restart` list, joined by commas (empty when nothing is needed first)."""
    return ",".join(f"{name}:{condition}:{str(restart).lower()}" for name, condition, restart in entries)
