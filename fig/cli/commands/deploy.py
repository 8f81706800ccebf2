"""The commands that put the project on Docker Swarm: deploy, undeploy; and the stack side of ps, logs, scale."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from fig.cli import options as opts
from fig.errors import BackendError, NotFound, UserError

if TYPE_CHECKING:  # imported when a command needs it: `ps` and `logs` of containers do not
    from fig.cli.status import Status
    from fig.project import Project
    from fig.swarm.stack import Stack



def stack_of(project: Project, options: dict[str, Any]) -> Stack:
    from fig.swarm.stack import Stack

    return Stack(project.config, project.backend, options.get("--stack"), limit=project.limit)  # type: ignore[arg-type]


def _seconds(options: dict[str, Any]) -> float:
    value = options["--timeout"]
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise UserError(f"--timeout must be a number of seconds, not {value!r}") from None
    if seconds < 0:
        raise UserError("--timeout must not be negative")
    return seconds


def _waiting(stack: Stack, fn: Any) -> int:
    """Run a step that waits; Ctrl-C stops the waiting only, and says so."""
    import logging

    try:
        fn()
    except KeyboardInterrupt:
        logging.getLogger(__name__).error("Stopped waiting. The swarm goes on with the deployment of stack %s: "
                                          "`fig ps --stack %s` shows where it is", stack.name, stack.name)
        return 130
    return 0


class Deploy:
    status: Status

    def deploy(self, project: Project, options: dict[str, Any]) -> int:
        """
        Deploy the project to Docker Swarm as a stack: services <stack>_<service>, an overlay network per
        network, secrets and configs named by their content. Only what changed is updated; the command waits
        until the changed services run (healthy, where they have a healthcheck) and fails naming those that do
        not. Deploying the whole file also removes the stack's services the file no longer has.

        Usage: deploy [options] [SERVICE...]

        Options:
            --stack NAME      The stack's name (default: the project name)
            --dry-run         Print what would change, field by field, and change nothing
            --rollback        Roll the stack's services (or those named) back to their previous spec
            --strict          Refuse keys Swarm cannot honour instead of warning about them
            --ignore-host-ip  Publish a port given with a host address (127.0.0.1:8080:80) on every
                              address, with a warning, instead of refusing it
            --build           Build the images of services with `build:` first (with --push)
            --push            Push those images to the registry their names point at and pin the digests
            --timeout SECS    How long to wait for the services to converge [default: 300]
            -d, --detach      Return once the changes are submitted, without waiting
        """
        stack = stack_of(project, options)
        names, timeout, detach = options["SERVICE"], _seconds(options), options["--detach"]
        if options["--rollback"]:
            if options["--dry-run"] or options["--build"] or options["--push"]:
                raise UserError("--rollback cannot be combined with --dry-run, --build or --push")
            return _waiting(stack, lambda: stack.rollback(names, detach=detach, timeout=timeout))
        if options["--build"] != options["--push"]:
            raise UserError("--build and --push go together: Swarm's nodes pull the images from a registry")
        images = None
        if options["--push"]:
            stack.require_manager()
            built = [n for n in project.config.selected(names) if project.config.service(n).build]
            if options["--dry-run"]:  # planned with the tags: what the digests will be is not known yet
                images = {n: project.config.service(n).image or "" for n in built}
            else:
                if built:
                    project.build(built, on_progress=self.status.progress)
                images = stack.push(built)
        plan = stack.plan(names, strict=options["--strict"], images=images,
                          ignore_host_ip=options["--ignore-host-ip"])
        if options["--dry-run"]:
            for change in plan.changes:
                print(change)
            return 0
        return _waiting(stack, lambda: stack.deploy(plan, detach=detach, timeout=timeout))

    def undeploy(self, project: Project, options: dict[str, Any]) -> int:
        """
        Remove the stack from Docker Swarm: its services, then its networks, secrets and configs. Volumes are
        kept unless --volumes is given.

        Usage: undeploy [options]

        Options:
            --stack NAME    The stack's name (default: the project name)
            -v, --volumes   Also remove the stack's volumes (their data is lost)
        """
        stack_of(project, options).undeploy(volumes=options["--volumes"])
        return 0


def stack_ps(stack: Stack, options: dict[str, Any]) -> int:
    from fig.cli.formatter import table

    rows = stack.tasks(options["SERVICE"])
    if options.get("--quiet"):
        for r in rows:
            print(r.task.id)
        return 0
    as_json = options.get("--format") == "json"
    lines = []
    for r in rows:
        t = r.task
        slot = t.slot if t.slot is not None else t.node_id[:12]
        ports = ", ".join(f"{p.host_port}->{p.container_port}/{p.protocol}" for p in t.ports)
        if as_json:
            print(json.dumps({"ID": t.id, "Name": f"{stack.name}_{r.service}.{slot}", "Service": r.service,
                              "Node": r.node, "State": t.state, "DesiredState": t.desired_state, "Error": t.error,
                              "Ports": ports}, separators=(",", ":")))
            continue
        lines.append([f"{stack.name}_{r.service}.{slot}", r.node, f"{t.state} (desired {t.desired_state})",
                      t.error, ports])
    if not as_json:
        sys.stdout.write(table(["Name", "Node", "State", "Error", "Ports"], lines))
    return 0


def stack_logs(stack: Stack, options: dict[str, Any], ansi: str) -> int:
    """Each task's output, interleaved as `logs` interleaves containers' (`-f` follows the tasks running now)."""
    from fig.cli.log_printer import LogPrinter, LogSource

    tail = None if options["--tail"] in (None, "all") else opts.integer(options, "--tail")
    style = opts.log_style(options, ansi, timestamps="engine")
    sources = []
    for r in stack.tasks(options["SERVICE"]):
        slot = r.task.slot if r.task.slot is not None else r.node
        lines = stack.backend.task_logs(r.task.id, follow=bool(options["--follow"]), tail=tail,
                                        timestamps=style.json_lines or bool(style.timestamps))
        sources.append(LogSource(f"{r.service}.{slot}", lines, full_name=f"{stack.name}_{r.service}.{slot}",
                                 service=r.service))
    LogPrinter(sys.stdout, style=style).run(sources)
    return 0


def stack_scale(stack: Stack, options: dict[str, Any], project: Project) -> int:
    counts = opts.parse_scale(options["SERVICE=NUM"], project)
    return _waiting(stack, lambda: stack.scale(counts))


def stack_to_show(project: Project, options: dict[str, Any]) -> Stack | None:
    """The stack a look-or-scale command acts on: --stack's, or the project's when the project has no containers
    but is deployed (a look at the swarm only then)."""
    from fig.labels import LABEL_STACK

    if options.get("--stack"):
        return stack_of(project, options)
    if project.containers(stopped=True, oneoff=True):
        return None
    try:
        deployed = project.backend.list_services({LABEL_STACK: project.name})  # type: ignore[attr-defined]
    except BackendError:  # not a swarm manager
        return None
    return stack_of(project, options) if deployed else None


def stack_top(stack: Stack, options: dict[str, Any]) -> int:
    import logging

    from fig.cli import tables

    found = []
    for r in stack.tasks(options["SERVICE"]):
        t = r.task
        if t.state != "running" or not t.container_id:
            continue
        slot = str(t.slot) if t.slot is not None else r.node
        try:
            titles, processes = stack.backend.top(t.container_id)
        except NotFound:
            logging.getLogger(__name__).warning("%s_%s.%s runs on node %s: fig sees the processes of this engine's tasks only", stack.name,
                        r.service, slot, r.node)
            continue
        found.append((r.service, slot, titles, processes))
    if found:
        headers, rows = tables.process_rows(found)
        sys.stdout.write(tables.aligned(headers, rows, minwidth=4, padding=2))
    return 0
