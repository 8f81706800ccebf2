"""Label keys, container names and project-name normalisation: labels are the source of truth."""

from __future__ import annotations

import re

LABEL_PROJECT = "io.fig.project"
LABEL_SERVICE = "io.fig.service"
LABEL_NUMBER = "io.fig.container-number"
LABEL_ONEOFF = "io.fig.oneoff"
LABEL_CONFIG_HASH = "io.fig.config-hash"
LABEL_VERSION = "io.fig.version"
LABEL_CONFIG = "io.fig.config"  # the service configuration as JSON, to explain what changed
LABEL_CONFIG_FILES = "io.fig.project.config_files"  # the project's files, absolute, joined by ","
# What Compose v2 puts on its containers, for `ls` to list its projects beside fig's
LABEL_COMPOSE_PROJECT = "com.docker.compose.project"
LABEL_COMPOSE_CONFIG_FILES = "com.docker.compose.project.config_files"
LABEL_STACK = "com.docker.stack.namespace"  # a Swarm stack's, as `docker stack` reads it


def normalize_project_name(name: str) -> str:
    """Lowercase and keep only [a-z0-9], as Fig does."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def container_name(project: str, service: str, number: int, *, oneoff: bool = False) -> str:
    middle = "run_" if oneoff else ""
    return f"{project}_{service}_{middle}{number}"


def project_labels(project: str) -> dict[str, str]:
    return {LABEL_PROJECT: project}


def service_labels(project: str, service: str, *, oneoff: bool = False) -> dict[str, str]:
    return {LABEL_PROJECT: project, LABEL_SERVICE: service, LABEL_ONEOFF: "True" if oneoff else "False"}
