"""`fig up`: options become UpOptions; then explain, run detached, or follow the containers attached."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from fig.cli import options as opts
from fig.cli import watching
from fig.cli.attached import ExitPolicy, Session
from fig.cli.dialect import Dialect
from fig.cli.signals import interrupt_code, shutdown
from fig.cli.status import Status
from fig.container import Container
from fig.convergence import Strategy
from fig.errors import UserError
from fig.explain import Explanation, explain
from fig.logs import logger
from fig.project import Project, UpOptions
from fig.service import Progress

log = logger(__name__)
# After Ctrl-C has stopped the containers: how long their output may take to end, with each one's exit notice (a
# stopped container's stream ends at once; one the stop missed is not waited for longer)
STOPPED_GRACE = 5.0


def exit_policy(options: dict[str, Any], project: Project) -> ExitPolicy:
    exit_from = options["--exit-code-from"]
    if exit_from is not None:
        project.service(exit_from)
    policy = options["--exit-policy"]
    if policy not in (None, "all-succeed"):
        raise UserError(f"--exit-policy takes 'all-succeed', not {policy!r}")
    if options["--abort-on-container-exit"] and options["--abort-on-container-failure"]:
        raise UserError("--abort-on-container-exit and --abort-on-container-failure cannot be combined")
    return ExitPolicy(abort_on_exit=options["--abort-on-container-exit"] or exit_from is not None,
                      exit_code_from=exit_from, all_succeed=policy == "all-succeed",
                      abort_on_failure=options["--abort-on-container-failure"])


def explanation(item: Explanation) -> str:
    who = item.service if item.number <= 1 else f"{item.service}_{item.number}"
    why = f" ({'; '.join(item.reasons)})" if item.reasons else ""
    return f"{who}: {item.action}{why}"


PULL_POLICIES = ("always", "missing", "never", "build", "if_not_present")
# What `create` (up --no-start) has no options for
CREATE_DEFAULTS = {"--no-deps": False, "--no-start": True, "--timeout": None, "--renew-anon-volumes": False,
                   "--always-recreate-deps": False}


def up_options(options: dict[str, Any], project: Project) -> UpOptions:
    for a, b in (("--force-recreate", "--no-recreate"), ("--build", "--no-build"),
                 ("--always-recreate-deps", "--no-recreate")):
        if options[a] and options[b]:
            raise UserError(f"{a} and {b} cannot be combined")
    pull = None if options["--pull"] is None else opts.choice(options, "--pull", PULL_POLICIES)
    remove_orphans, ignore_orphans = opts.remove_orphans(options, project), opts.setting(project, "COMPOSE_IGNORE_ORPHANS")
    if remove_orphans and ignore_orphans:
        raise UserError("COMPOSE_IGNORE_ORPHANS and --remove-orphans cannot be combined")
    strategy = (Strategy.ALWAYS if options["--force-recreate"] else
                Strategy.NEVER if options["--no-recreate"] else Strategy.CHANGED)
    return UpOptions(
        deps=not options["--no-deps"], strategy=strategy, build=not options["--no-build"],
        force_build=options["--build"], start=not options["--no-start"], timeout=opts.timeout(options),
        renew_volumes=options["--renew-anon-volumes"], scale=opts.parse_scale(options["--scale"], project),
        remove_orphans=remove_orphans, ignore_orphans=ignore_orphans,
        pull={"if_not_present": "missing"}.get(pull or "", pull),
        recreate_deps=options["--always-recreate-deps"],
    )


def shown_services(options: dict[str, Any], project: Project, settings: UpOptions) -> set[str]:
    """Whose output attached `up` prints: --attach's services, else the named ones (and with
    --attach-dependencies what they need), else every service without `attach: false`; less --no-attach's."""
    named = options["SERVICE"]
    if options["--attach"]:
        if options["--attach-dependencies"]:
            raise UserError("--attach and --attach-dependencies cannot be combined")
        started = {s.name for s in project.get_services(named, deps=settings.deps)}
        unknown = [name for name in options["--attach"] if name not in started]
        if unknown:
            raise UserError(f"cannot attach to services not included in up: {', '.join(unknown)}")
        shown = set(options["--attach"])
    elif named and options["--attach-dependencies"]:
        shown = {s.name for s in project.get_services(named, deps=True) if s.config.attach or s.name in named}
    else:
        shown = set(named) or {s.name for s in project.services if s.config.attach}
    for name in options["--no-attach"]:
        project.service(name)
    return shown - set(options["--no-attach"])


def quieted(status: Status, *, quiet_pull: bool, quiet_build: bool) -> Progress:
    """Status's progress, without pull progress (--quiet-pull) or build output (--quiet-build)."""
    def show(service: str, event: Mapping[str, Any]) -> None:
        from_build = "stream" in event or "aux" in event or "vertexes" in event or "logs" in event
        if not (quiet_build if from_build else quiet_pull):
            status.progress(service, event)
    return show


def run(project: Project, options: dict[str, Any], status: Status, *, ansi: str, dialect: Dialect) -> int:
    policy = exit_policy(options, project)
    detached = options["--detach"] or options["--wait"]
    if detached and (policy != ExitPolicy() or options["--attach"]):
        raise UserError("-d and --wait cannot be combined with --attach, --abort-on-container-exit, "
                        "--abort-on-container-failure, --exit-code-from or --exit-policy")
    settings = up_options(options, project)
    timeout = opts.wait_for({**options, "--wait": True}, dialect)
    if options["--watch"] and (detached or options["--no-build"] or options["--no-start"]):
        raise UserError("--watch cannot be combined with -d, --wait, --no-build or --no-start")
    watch = watching.watcher(project, options["SERVICE"], status, json_lines=False, prune=False,
                             quiet=options["--quiet-build"]) if options["--watch"] else None
    if options["--explain"] or options["--dry-run"]:
        for item in explain(project, options["SERVICE"], options=settings):
            print(explanation(item))
        return 0
    wanted = set(options["SERVICE"]) or {s.name for s in project.services}
    shown = shown_services(options, project, settings)
    attached = not (detached or options["--no-start"])
    session = Session(sys.stdout, style=opts.log_style(options, ansi, timestamps="client"),
                      discover=lambda: project.containers(shown),
                      width=_prefix_width(project, shown, settings) if attached else 0)  # a listing: only to print

    def attach(container: Container) -> None:
        if attached and container.service in shown:
            session.attach(container)

    def show_hook_output(container: Container, text: str) -> None:
        if container.service in shown:
            session.hook_line(container, text)

    if attached:
        project.hooks.show = show_hook_output

    progress = quieted(status, quiet_pull=options["--quiet-pull"], quiet_build=options["--quiet-build"])
    containers = project.up(options["SERVICE"], options=settings, on_event=status, on_progress=progress,
                            before_start=attach)
    if not attached:
        if options["--wait"] and not options["--no-start"]:
            project.wait(options["SERVICE"], timeout=timeout or float("inf"), deps=settings.deps)
        return 0
    followed = [c for c in containers if c.service in shown]
    log.info("Attaching to %s", ", ".join(c.name for c in followed))
    if watch is None:
        return follow(project, session, followed, wanted | shown, policy, settings.timeout, status)
    with watching.only_watcher(project):
        stop = watching.in_background(watch)
        try:
            return follow(project, session, followed, wanted | shown, policy, settings.timeout, status)
        finally:
            stop.set()


def _prefix_width(project: Project, services: set[str], settings: UpOptions) -> int:
    """The widest "<service>_<n>" expected, so prefixes line up however late a container starts."""
    counts = {c.service: c.number for c in project.containers(services, stopped=True)}
    counts.update(settings.scale)
    return max((len(f"{name}_{max(counts.get(name, 1), 1)}") for name in services), default=0)


def follow(project: Project, session: Session, containers: list[Container], services: set[str],
           policy: ExitPolicy, timeout: int | None, status: Status) -> int:
    """Print until the containers exit (or the policy decides); Ctrl-C stops them, a second Ctrl-C kills.
    `services`: whose containers are stopped, the ones `up` was given and the ones whose output is shown."""
    def stop_all() -> None:
        project.stop_containers(project.containers(services), timeout=timeout, on_event=status)

    def kill_all() -> None:
        project.each(project.containers(services), lambda c: c.kill(), "Killing", status)

    try:
        decided, codes = session.run(containers, policy)
    except KeyboardInterrupt as e:
        shutdown(stop_all, kill_all, drain=lambda done: session.printer.run(stop=done, grace=STOPPED_GRACE))
        return interrupt_code(e)
    session.check()
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
