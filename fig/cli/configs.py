"""`fig config` and `fig convert`: the resolved configuration printed as a compose-format file."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from fig import records
from fig.cli import options as opts
from fig.config import load_project
from fig.config.loader import parse_document
from fig.config.merge import merge_documents
from fig.config.model import ProjectConfig
from fig.config.render import render, used_networks
from fig.errors import BackendError, ConfigError, UserError
from fig.labels import compose_project_name
from fig.logs import logger
from fig.patterns import pattern
from fig.project import Project

log = logger(__name__)


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


_REFERENCE = pattern(r"\$\$|\$\{([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[-?+])([^}]*))?\}|\$([_a-zA-Z][_a-zA-Z0-9]*)")


def _variables(config: ProjectConfig) -> list[list[str]]:
    """The variables the files refer to: NAME, REQUIRED, DEFAULT VALUE, ALTERNATE VALUE."""
    found: dict[str, list[str]] = {}
    for text in _sources(config):
        for m in _REFERENCE.finditer(text):
            name = m[1] or m[4]
            if not name:
                continue
            op, arg = m[2] or "", m[3] or ""
            row = found.setdefault(name, [name, "true", "", ""])
            if op.endswith("-"):
                row[1:3] = ["false", arg]
            elif op.endswith("+"):
                row[1], row[3] = "false", arg
    return [found[name] for name in sorted(found)]


def _sources(config: ProjectConfig) -> list[str]:
    texts = []
    for name in config.files:
        if name in ("-", "<stdin>"):
            raise UserError("--variables and --no-interpolate need files, not standard input")
        with open(name, encoding="utf-8") as f:
            texts.append(f.read())
    return texts


def _uninterpolated(config: ProjectConfig) -> ProjectConfig | None:
    """The project read again with `${...}` left as written (--no-interpolate); None when a variable stands where
    a number or a boolean must be, so that only the files merged as written can be printed."""
    _sources(config)  # refuses standard input
    try:
        return load_project(config.paths, project_name=config.name, profiles=config.profiles or None,
                            env_files=config.env_files, project_directory=config.working_dir, interpolate=False)
    except ConfigError as e:
        log.warning("Printing the files merged as written: without its variables the configuration does not "
                    "read (%s)", e)
        return None


def _raw(config: ProjectConfig) -> dict[str, Any]:
    """The files merged as they are written, variables not substituted (--no-interpolate)."""
    merged: dict[str, Any] = {}
    for text, name in zip(_sources(config), config.files):
        data, compose = parse_document(text, name)
        document = (data or {}) if compose else {"services": data or {}}
        merged = merge_documents(merged, document, legacy=config.legacy) if merged else document
    return json.loads(json.dumps(merged))  # type: ignore[no-any-return]


def _lines(project: Project, options: dict[str, Any], names: list[str]) -> list[str] | None:
    """What one of the listing options prints, one item a line; None when none is given."""
    config = project.config
    if options["--services"]:
        return _dependencies_first(config, names)
    if options["--volumes"]:
        return [v.key or v.name for v in config.volumes]
    if options["--networks"]:
        return [n.key or n.name for n in used_networks(config)]
    if options["--images"]:
        return [project.service(n).image_name for n in names]
    if options["--profiles"]:
        return sorted({p for s in config.services for p in s.profiles})
    if options["--environment"]:
        return [f"{k}={v}" for k, v in config.variables]
    if options["--hash"]:
        return _hash_lines(project, names)
    if options["--variables"]:
        return _columns([["NAME", "REQUIRED", "DEFAULT VALUE", "ALTERNATE VALUE"], *_variables(config)])
    return None


def _dependencies_first(config: ProjectConfig, names: list[str]) -> list[str]:
    """The services in the order Compose v2 lists them: by name, each after what it depends on."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name not in order:
            for dep in sorted(config.service(name).dependencies()):
                if dep in names:
                    visit(dep)
            order.append(name)

    for name in sorted(names):
        visit(name)
    return order


def _columns(rows: list[list[str]]) -> list[str]:
    """Rows laid out as Compose v2's tables (Go's tabwriter: columns at least 20 wide, 3 spaces apart)."""
    widths = [max(20, *(len(row[i]) + 3 for row in rows)) for i in range(len(rows[0]) - 1)]
    return ["".join(cell.ljust(width) for cell, width in zip(row, widths)) + row[-1] for row in rows]


def _selected(config: ProjectConfig, options: dict[str, Any]) -> list[str]:
    """The services to print: those named and what they depend on, else those the active profiles enable. With
    --hash, as Compose v2 takes its value, `*` is every service and `a,b` a list."""
    named = [n for arg in options["SERVICE"] for n in arg.split(",") if n] if options["--hash"] else options["SERVICE"]
    if options["--hash"] and "*" in named:  # as Compose v2: the enabled services, by name
        return sorted(config.selected())
    if options["--hash"]:
        return [config.service(n).name for n in named] or config.selected()
    return config.selected(named)


def print_config(project: Project, options: dict[str, Any]) -> int:
    config = project.config
    names = _selected(config, options)
    fmt = opts.choice(options, "--format", ("yaml", "json"), default="yaml")
    if options["--quiet"]:
        return 0
    lines = _lines(project, options, names)
    if lines is not None:
        text = "".join(f"{line}\n" for line in lines)
    elif options["--no-interpolate"] and (raw := _uninterpolated(config)) is None:
        doc = _raw(config)
        doc["services"] = {k: v for k, v in (doc.get("services") or {}).items() if k in names}
        if fmt == "json":
            text = json.dumps(doc, indent=2) + "\n"
        else:
            import yaml  # only for a file fig cannot read without interpolating: what it says, as it is

            text = yaml.safe_dump(doc, sort_keys=False)
    else:
        source = raw if options["--no-interpolate"] and raw else config
        chosen = records.replace(source, services=tuple(s for s in source.services if s.name in names))
        text = render(chosen, format=fmt, long=not options["--no-normalize"], escape=not options["--no-interpolate"],
                      relative_to=config.working_dir if options["--no-path-resolution"] else None)
    return _write(text, options["--output"], config)


def _write(text: str, target: str | None, config: ProjectConfig, *, doing: str = "read") -> int:
    if not target:
        sys.stdout.write(text)
        return 0
    inputs = {os.path.realpath(f) for f in config.files if f != "-"}
    if os.path.realpath(target) in inputs:
        raise UserError(f"Not writing {target}: it is one of the files being {doing}")
    try:
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise UserError(f"Cannot write {target}: {e.strerror}") from None
    log.info("Wrote %s", target)
    return 0


def convert(project: Project, options: dict[str, Any]) -> int:
    config = project.config
    sources = ", ".join(config.files) or "the configuration"
    default_name = compose_project_name(os.path.basename(config.working_dir))  # what the compose file is named
    config.selected([s.name for s in config.services], deps=False)  # every service is converted: each must resolve
    body = render(config, relative_to=config.working_dir, name=config.name != default_name)
    return _write(f"# Converted by fig convert from {sources}\n{body}", options["--output"], config,
                  doing="converted")
