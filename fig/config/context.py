"""What reading one service needs to know about the rest of the document: the names it may refer to, where
a key is in the file, and the names resources get on the engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fig.config.model import FileMount
from fig.config.providers import ModelConfig, read_models


class Context:
    """What reading a service needs to know about the rest of the document."""

    def __init__(self, document: dict[str, Any], *, filename: str, base_dir: str, project: str,
                 environ: Mapping[str, str], legacy: bool, swarm: bool = False) -> None:
        self.document, self.filename, self.base_dir = document, filename, base_dir
        self.swarm = swarm  # read for `fig deploy`: the Swarm-only keys are wanted, not ignored
        self.project, self.environ, self.legacy = project, environ, legacy
        self.service_names = frozenset(document.get("services") or {})
        self.network_names = frozenset(document.get("networks") or {}) | {"default"}
        self.volume_names = frozenset(document.get("volumes") or {})
        self.models: tuple[ModelConfig, ...] = read_models(document)
        # name -> what a service's mount of it starts from (its target still empty)
        self.secrets: dict[str, FileMount] = {}
        self.configs: dict[str, FileMount] = {}

    def where(self, service: str | None, key: str | Sequence[str | int] | None = None, *, line_of_item: int | None = None,
              section: str = "services") -> str:
        """E.g. "fig.yml:12: service 'web': 'ports'"; with line_of_item, the line is that of the list item.
        A key may be a path of keys (("develop", "watch")) for a list nested in a mapping."""
        from fig.config.schema import location

        keys = [key] if isinstance(key, str) else list(key or [])
        path: list[Any] = ([service] if service else []) + keys
        root = self.document["services"] if self.legacy and section == "services" else self.document
        full = path if self.legacy and section == "services" else [section, *path]
        at = [*full, line_of_item] if line_of_item is not None else None
        return location(self.filename, root, full, legacy=self.legacy and section == "services", at=at)

    def volume_name(self, name: str) -> str:
        return resource_name(self.project, name, (self.document.get("volumes") or {}).get(name) or {})

    def network_name(self, name: str) -> str:
        return resource_name(self.project, name, (self.document.get("networks") or {}).get(name) or {})


def resource_name(project: str, name: str, raw: dict[str, Any]) -> str:
    external = raw.get("external")
    if isinstance(external, dict) and external.get("name"):
        return str(external["name"])
    if raw.get("name"):
        return str(raw["name"])
    return name if external else f"{project}_{name}"
