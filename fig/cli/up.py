"""`fig up`: options become UpOptions; then explain, run detached, or follow the containers attached."""

from __future__ import annotations

import logging
import sys
from typing import Any

from fig.cli import options as opts
from fig.cli.attached import ExitPolicy, Session
from fig.cli.signals import shutdown
from fig.cli.status import Status
from fig.container import Container
from fig.convergence import Strategy
from fig.errors import UserError
from fig.project import Explanation, Project, UpOptions

log = logging.getLogger(__name__)


def exit_policy(options: dict[str, Any], project: Project) -> ExitPolicy:
    exit_from = options["--exit-code-from"]
    if exit_from is not None:
        project.service(exit_from)
    policy = options["--exit-policy"]
    if policy not in (None, "all-succeed"):
        raise UserError(f"--exit-policy takes 'all-succeed', not {policy!r}")
    return ExitPolicy(abort_on_exit=options["--abort-on-container-exit"] or exit_from is not None,
                      exit_code_from=exit_from, all_succeed=policy == "all-succeed")


def explanation(item: Explanation) -> str:
    who = item.service if item.number <= 1 else f"{item.service}_{item.number}"
    why = f" ({'; '.join(item.reasons)})" if item.reasons else ""
    return f"{who}: {item.action}{why}"


def up_options(options: dict[str, Any], project: Project) -> UpOptions:
    if options["--force-recreate"] and options["--no-recreate"]:
        raise UserError("--force-recreate and --no-recreate cannot be combined")
    if options["--build"] and options["--no-build"]:
        raise UserError("--build and --no-build cannot be combined")
    strategy = (Strategy.ALWAYS if options["--force-recreate"] else
                Strategy.NEVER if options["--no-recreate"] else Strategy.CHANGED)
    return UpOptions(
        deps=not options["--no-deps"], strategy=strategy, build=not options["--no-build"],
        force_build=options["--build"], start=not options["--no-start"], timeout=opts.timeout(options),
        renew_volumes=options["--renew-anon-volumes"], scale=opts.parse_scale(options["--scale"], project),
        remove_orphans=options["--remove-orphans"],
    )


def run(project: Project, options: dict[str, Any], status: Status) -> int:
    policy = exit_policy(options, project)
    if options["-d"] and policy != ExitPolicy():
        raise UserError("-d cannot be combined with --abort-on-container-exit, --exit-code-from or --exit-policy")
    settings = up_options(options, project)
    if options["--explain"] or options["--dry-run"]:
        for item in project.explain(options["SERVICE"], options=settings):
            print(explanation(item))
        return 0
    wanted = set(options["SERVICE"]) or {s.name for s in project.services}
    # Services with `attach: false` are not followed unless named
    shown = set(options["SERVICE"]) or {s.name for s in project.services if s.config.attach}
    attached = not (options["-d"] or options["--no-start"])
    session = Session(sys.stdout, colored=opts.colored(options), json_lines=opts.json_format(options),
                      discover=lambda: project.containers(shown), width=_prefix_width(project, shown, settings))

    def attach(container: Container) -> None:
        if attached and container.service in shown:
            session.attach(container)

    containers = project.up(options["SERVICE"], options=settings, on_event=status, on_progress=status.progress,
                            before_start=attach)
    if not attached:
        if options["--wait"]:
            project.wait(options["SERVICE"], timeout=opts.integer(options, "--wait-timeout"))
        return 0
    followed = [c for c in containers if c.service in shown]
    log.info("Attaching to %s", ", ".join(c.name for c in followed))
    return follow(project, session, followed, wanted, policy, settings.timeout, status)


def _prefix_width(project: Project, services: set[str], settings: UpOptions) -> int:
    """The widest "<service>_<n>" expected, so prefixes line up however late a container starts."""
    counts = {c.service: c.number for c in project.containers(services, stopped=True)}
    counts.update(settings.scale)
    return max((len(f"{name}_{max(counts.get(name, 1), 1)}") for name in services), default=0)


def follow(project: Project, session: Session, containers: list[Container], services: set[str],
           policy: ExitPolicy, timeout: int | None, status: Status) -> int:
    """Print until the containers exit (or the policy decides); Ctrl-C stops them, a second Ctrl-C kills."""
    def stop_all() -> None:
        project.stop_containers(project.containers(services), timeout=timeout, on_event=status)

    def kill_all() -> None:
        project.each(project.containers(services), lambda c: c.kill(), "Killing", status)

    try:
        decided, codes = session.run(containers, policy)
    except KeyboardInterrupt:
        shutdown(stop_all, kill_all)
        return 130
    if decided is not None:
        log.info("Aborting on container exit...")
        try:
            stop_all()
        except KeyboardInterrupt:
            kill_all()
        return decided
    if policy.all_succeed:
        for name, code in sorted(codes.items()):
            log.info("%s: %s", name, "succeeded" if code == 0 else f"failed with exit code {code}")
        return 1 if any(codes.values()) else 0
    return 0
