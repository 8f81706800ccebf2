"""The commands on a deployed stack: ps, logs, top, scale, undeploy and deploy --rollback of the stack --stack
names, or the look at the project's own stack when it has no containers but is deployed.

Given --stack NAME they need only the name, as `docker stack ps NAME` does: the composition root hands them a
DeployedStack and reads no project file (`by_name`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fig.cli import options as opts
from fig.errors import BackendError, NotFound, UserError
from fig.logs import logger

if TYPE_CHECKING:  # imported when a command needs it: `ps` and `logs` of containers do not
    from fig.project import Project
    from fig.swarm.deployed import DeployedStack

log = logger(__name__)

ON_STACK = {"ps": "stack_ps", "logs": "stack_logs", "top": "stack_top", "scale": "stack_scale",
            "undeploy": "stack_undeploy", "deploy": "stack_rollback"}


def by_name(command: str, options: dict[str, Any]) -> bool:
    """Whether `command` acts on the stack --stack names and on nothing else, so that no project file is read:
    every command taking --stack but `deploy` (which deploys the file) unless it only rolls back."""
    return bool(options.get("--stack")) and command in ON_STACK and (command != "deploy" or options["--rollback"])


def stack_to_show(project: Project, options: dict[str, Any]) -> DeployedStack | None:
    """The project's stack, for a look-or-scale command when the project has no containers but is deployed."""
    from fig.labels import LABEL_STACK
    from fig.swarm.deployed import DeployedStack

    if project.containers(stopped=True, oneoff=True):
        return None
    try:
        deployed = project.backend.list_services({LABEL_STACK: project.name})  # type: ignore[attr-defined]
    except BackendError:  # not a swarm manager
        return None
    return DeployedStack(project.name, project.backend, limit=project.limit) if deployed else None  # type: ignore[arg-type]


def seconds(options: dict[str, Any]) -> float:
    value = options["--timeout"]
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UserError(f"--timeout must be a number of seconds, not {value!r}") from None
    if number < 0:
        raise UserError("--timeout must not be negative")
    return number


def waiting(stack: DeployedStack, fn: Callable[[], None]) -> int:
    """Run a step that waits; Ctrl-C stops the waiting only, and says so."""
    try:
        fn()
    except KeyboardInterrupt:
        log.error("Stopped waiting. The swarm goes on with the deployment of stack %s: "
                                          "`fig ps --stack %s` shows where it is", stack.name, stack.name)
        return 130
    return 0


class OnStack:
    ansi: str

    def on_stack(self, command: str) -> Callable[[DeployedStack, dict[str, Any]], int]:
        handler: Callable[[DeployedStack, dict[str, Any]], int] = getattr(self, ON_STACK[command])
        return handler

    def stack_ps(self, stack: DeployedStack, options: dict[str, Any]) -> int:
        from fig.cli.formatter import table

        rows = stack.tasks(options["SERVICE"])
        if options.get("--quiet") or options.get("--services"):
            words = [r.task.id for r in rows] if options.get("--quiet") else sorted({r.service for r in rows})
            sys.stdout.write("".join(f"{word}\n" for word in words))
            return 0
        as_json = options.get("--format") == "json"
        lines = []
        for r in rows:
            t = r.task
            name = f"{stack.name}_{r.service}.{t.slot if t.slot is not None else t.node_id[:12]}"
            ports = ", ".join(f"{p.host_port}->{p.container_port}/{p.protocol}" for p in t.ports)
            if as_json:
                print(json.dumps({"ID": t.id, "Name": name, "Service": r.service, "Node": r.node, "State": t.state,
                                  "DesiredState": t.desired_state, "Error": t.error, "Ports": ports},
                                 separators=(",", ":")))
                continue
            lines.append([name, r.node, f"{t.state} (desired {t.desired_state})", t.error, ports])
        if not as_json:
            sys.stdout.write(table(["Name", "Node", "State", "Error", "Ports"], lines))
        return 0

    def stack_logs(self, stack: DeployedStack, options: dict[str, Any]) -> int:
        """Each task's output, interleaved as `logs` interleaves containers' (`-f` follows the tasks running now)."""
        from fig.cli.log_printer import LogPrinter, LogSource

        tail = None if options["--tail"] in (None, "all") else opts.integer(options, "--tail")
        style = opts.log_style(options, self.ansi, timestamps="engine")
        sources = []
        for r in stack.tasks(options["SERVICE"]):
            slot = r.task.slot if r.task.slot is not None else r.node
            lines = stack.backend.task_logs(r.task.id, follow=bool(options["--follow"]), tail=tail,
                                            timestamps=style.json_lines or bool(style.timestamps))
            sources.append(LogSource(f"{r.service}.{slot}", lines, full_name=f"{stack.name}_{r.service}.{slot}",
                                     service=r.service))
        LogPrinter(sys.stdout, style=style).run(sources)
        return 0

    def stack_top(self, stack: DeployedStack, options: dict[str, Any]) -> int:
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
                log.warning("%s_%s.%s runs on node %s: fig sees the processes of this "
                                                    "engine's tasks only", stack.name, r.service, slot, r.node)
                continue
            found.append((r.service, slot, titles, processes))
        if found:
            headers, rows = tables.process_rows(found)
            sys.stdout.write(tables.aligned(headers, rows, minwidth=4, padding=2))
        return 0

    def stack_scale(self, stack: DeployedStack, options: dict[str, Any]) -> int:
        """The services are the stack's (`stack.scale` refuses a name it does not have), not a file's."""
        counts = opts.scale_counts(options["SERVICE=NUM"])
        return waiting(stack, lambda: stack.scale(counts))

    def stack_undeploy(self, stack: DeployedStack, options: dict[str, Any]) -> int:
        stack.undeploy(volumes=options["--volumes"])
        return 0

    def stack_rollback(self, stack: DeployedStack, options: dict[str, Any]) -> int:
        if options["--dry-run"] or options["--build"] or options["--push"]:
            raise UserError("--rollback cannot be combined with --dry-run, --build or --push")
        timeout, detach = seconds(options), options["--detach"]
        return waiting(stack, lambda: stack.rollback(options["SERVICE"], detach=detach, timeout=timeout))
