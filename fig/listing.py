"""Every project on the engine, fig's and Compose's alike (`fig ls`): found by their project labels, no file needed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from fig import labels as L
from fig.backend.base import ContainerBackend, ContainerInfo
from fig.records import record

# (project label, config files label): Compose's, which fig writes too, then fig 1.1.0's (it wrote no files label)
_TOOLS = ((L.LABEL_PROJECT, L.LABEL_CONFIG_FILES), (L.LEGACY[L.LABEL_PROJECT], L.LABEL_CONFIG_FILES))


@record(frozen=True)
class ProjectSummary:
    name: str
    states: Mapping[str, int]  # state -> how many containers are in it
    config_files: tuple[str, ...] | None  # None when a container does not say

    @property
    def status(self) -> str:
        """`exited(1), running(2)`: each state that occurs, sorted, with its count."""
        return ", ".join(f"{state}({count})" for state, count in sorted(self.states.items()))


def projects(backend: ContainerBackend, *, stopped: bool = False) -> list[ProjectSummary]:
    """The projects with running containers (with `stopped`, with any), sorted by name. A container with both
    label sets counts once, under Compose's."""
    seen: set[str] = set()
    members: dict[str, list[tuple[ContainerInfo, str]]] = {}
    for project_label, files_label in _TOOLS:
        for info in backend.list_containers({}, all=stopped, having=[project_label]):
            if info.id not in seen:
                seen.add(info.id)
                members.setdefault(info.labels[project_label], []).append((info, files_label))
    return [_summary(name, found) for name, found in sorted(members.items())]


def _summary(name: str, found: list[tuple[ContainerInfo, str]]) -> ProjectSummary:
    states = Counter(info.state.value for info, _ in found)
    files: list[str] = []
    for info, files_label in found:
        value = info.labels.get(files_label)
        if not value:
            return ProjectSummary(name, dict(states), None)
        files += [f for f in value.split(",") if f not in files]
    return ProjectSummary(name, dict(states), tuple(files))
