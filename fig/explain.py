"""What `up` would do, touching nothing (`up --explain`): per container, the action and why."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from fig import labels as L
from fig.convergence import Action, changed_fields
from fig.project import UpOptions
from fig.records import record

if TYPE_CHECKING:
    from fig.project import Project


@record(frozen=True)
class Explanation:
    service: str
    number: int
    action: str
    reasons: list[str]


def explain(project: Project, names: Iterable[str] = (), *, options: UpOptions = UpOptions()) -> list[Explanation]:
    """What `up` would do, touching nothing: per container, the action and why."""
    names = list(names)
    services = project.get_services(names, deps=options.deps)
    image_ids = {s.name: s.image_id() or "" for s in services}
    result = []
    for name, planned in project.plans(services, image_ids, options, roots=names).items():
        service = project.service(name)
        if not planned.image_id:
            source = "built" if service.config.build else "pulled"
            result.append(Explanation(name, 0, "image", [f"{service.image_name} would be {source}"]))
        new = json.loads(service.config.config_json())
        for step in planned.steps:
            reasons = [step.reason] if step.reason else []
            if step.action is Action.RECREATE and step.container and step.reason == "configuration changed":
                old = json.loads(step.container.labels.get(L.LABEL_CONFIG) or "null")
                reasons = changed_fields(old, new) if old != new else []
                if step.container.image_id != planned.image_id:
                    reasons.append("image id changed")
            result.append(Explanation(name, step.number, step.action.value, reasons))
    return result
