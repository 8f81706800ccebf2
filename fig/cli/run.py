"""`fig run`: its options become RunOptions; dependencies are started, then the one-off container is run."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable, Mapping
from typing import Any

from fig.cli import options as opts
from fig.cli.attach import attach_and_wait, remove_shielded
from fig.cli.status import Status
from fig.cli.up import PULL_POLICIES, quieted
from fig.config import checks
from fig.config.model import PortSpec, VolumeSpec
from fig.convergence import Strategy
from fig.errors import ConfigError, UserError
from fig.project import Project, UpOptions
from fig.specs import RunOptions


def environment(pairs: list[str], variables: Mapping[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    """-e KEY=VALUE pairs; a bare KEY takes its value from `variables` (default: this environment), if set."""
    return tuple(opts.key_values(pairs, "-e", variables))


def _labels(pairs: list[str]) -> dict[str, str]:
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not key or not sep:
            raise UserError(f"Invalid --label {pair!r}: use KEY=VALUE")
        result[key] = value
    return result


def _volumes(project: Project, texts: list[str]) -> tuple[VolumeSpec, ...]:
    """-v items: relative host paths are the project directory's, declared volumes get the project's name."""
    declared = {v.key: v.name for v in project.config.volumes if v.key}
    result = []
    for text in texts:
        try:
            spec = VolumeSpec.parse(text)
        except ConfigError:
            raise UserError(f"Invalid --volume {text!r}: use [SOURCE:]CONTAINER_PATH[:MODE]") from None
        source = spec.source
        if source and source.startswith((".", "~")):
            source = os.path.normpath(os.path.join(project.config.working_dir, os.path.expanduser(source)))
        result.append(VolumeSpec(spec.target, declared.get(source or "", source), spec.mode))
    return tuple(result)


def _ports(texts: list[str]) -> tuple[PortSpec, ...] | None:
    if not texts:
        return None
    try:
        return tuple(p for text in texts for p in PortSpec.parse_many(text))
    except ConfigError:
        raise UserError(f"Invalid --publish {', '.join(texts)!r}: use [IP:][HOST:]CONTAINER[/PROTOCOL]") from None


def _checked(flag: str, value: str | None, check: Callable[[str], None]) -> str | None:
    if value is not None:
        try:
            check(value)
        except ConfigError as e:
            raise UserError(f"{flag} {e}") from None
    return value


def _entrypoint(text: str | None) -> tuple[str, ...] | None:
    try:
        return None if text is None else tuple(shlex.split(text))
    except ValueError as e:
        raise UserError(f"--entrypoint {text!r} cannot be split into words like a shell would: {e}") from None


def run_options(project: Project, options: dict[str, Any], *, tty: bool) -> RunOptions:
    """The one-off container's options, every one checked before anything is made."""
    if options["--publish"] and options["--service-ports"]:
        raise UserError("--publish and --service-ports cannot be combined")
    detach = options["--detach"]
    command = (options["COMMAND"], *options["ARGS"]) if options["COMMAND"] is not None else None
    return RunOptions(
        command=command, entrypoint=_entrypoint(options["--entrypoint"]), environment=environment(options["--env"]),
        user=_checked("--user", options["--user"], checks.user),
        workdir=_checked("--workdir", options["--workdir"], checks.absolute_path),
        name=_checked("--name", options["--name"], checks.container_name),
        service_ports=options["--service-ports"], tty=tty, stdin_open=not detach or options["--interactive"],
        auto_remove=detach and options["--rm"],  # detached, the engine removes it (and its anonymous volumes)
        labels=_labels(options["--label"]), volumes=_volumes(project, options["--volume"]),
        ports=_ports(options["--publish"]), cap_add=tuple(options["--cap-add"]),
        cap_drop=tuple(options["--cap-drop"]), use_aliases=options["--use-aliases"],
    )


def run_one_off(project: Project, options: dict[str, Any], status: Status, *, prints: str = "name") -> int:
    service = project.service(options["SERVICE"])
    detach = options["--detach"]
    no_tty = options["--no-TTY"] or options["--no-tty"]
    interactive = not detach and not no_tty and sys.stdin is not None and sys.stdin.isatty()
    settings = run_options(project, options, tty=interactive)
    pull = None if options["--pull"] is None else opts.choice(options, "--pull", PULL_POLICIES)
    progress = quieted(status, quiet_pull=options["--quiet-pull"], quiet_build=False)
    project.check(project.get_services([service.name], deps=not options["--no-deps"]))
    if options["--build"] and service.config.build:
        service.build(on_progress=progress)
    image_id = service.ensure_image(rebuild=service.builds_always(pull), policy=pull, on_progress=progress)
    project.ensure_resources()  # the project's networks and volumes, also with --no-deps or no dependencies
    if not options["--no-deps"]:
        deps = [n for n in project.graph.closure([service.name]) if n != service.name]
        if deps:
            project.up(deps, options=UpOptions(strategy=Strategy.NEVER), on_event=status, on_progress=progress)
    container = service.create_oneoff(image_id, settings)
    if detach:
        container.start()
        print(container.id if prints == "id" else container.name)
        return 0
    try:
        return attach_and_wait(container, tty=interactive)
    finally:
        if options["--rm"]:
            remove_shielded(container)
