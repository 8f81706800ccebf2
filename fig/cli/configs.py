"""`fig config` and `fig convert`: the resolved configuration printed as a compose-format file."""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
from typing import Any

from fig.config.render import render
from fig.errors import BackendError, UserError
from fig.labels import normalize_project_name
from fig.project import Project

log = logging.getLogger(__name__)


def _hash_lines(project: Project, names: list[str]) -> list[str]:
    lines = []
    warned = False
    for name in names:
        service = project.service(name)
        try:
            image = service.image_id() or service.image_name
        except BackendError as e:
            if not warned:
                log.warning("Cannot ask the engine for image ids (%s): hashing image names instead", e)
                warned = True
            image = service.image_name
        lines.append(f"{name} {service.config_hash(image)}")
    return lines


def print_config(project: Project, options: dict[str, Any]) -> int:
    config = project.config
    names = [config.service(n).name for n in options["SERVICE"]] or [s.name for s in config.services]
    fmt = options["--format"] or "yaml"
    if fmt not in ("yaml", "json"):
        raise UserError(f"--format must be yaml or json, not {fmt!r}")
    if options["--quiet"]:
        return 0
    if options["--services"]:
        lines = names
    elif options["--volumes"]:
        lines = [v.key or v.name for v in config.volumes]
    elif options["--profiles"]:
        lines = sorted({p for s in config.services for p in s.profiles})
    elif options["--hash"]:
        lines = _hash_lines(project, names)
    else:
        chosen = dataclasses.replace(config, services=tuple(s for s in config.services if s.name in names))
        sys.stdout.write(render(chosen, format=fmt))
        return 0
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return 0


def convert(project: Project, options: dict[str, Any]) -> int:
    config = project.config
    sources = ", ".join(config.files) or "the configuration"
    default_name = normalize_project_name(os.path.basename(config.working_dir))
    body = render(config, relative_to=config.working_dir, name=config.name != default_name)
    text = f"# Converted by fig convert from {sources}\n{body}"
    target = options["--output"]
    if not target:
        sys.stdout.write(text)
        return 0
    inputs = {os.path.realpath(f) for f in config.files if f != "-"}
    if os.path.realpath(target) in inputs:
        raise UserError(f"Not writing {target}: it is one of the files being converted")
    try:
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise UserError(f"Cannot write {target}: {e.strerror}") from None
    log.info("Wrote %s", target)
    return 0
