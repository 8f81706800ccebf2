"""`fig exec` and `fig attach`: this terminal (a real TTY) or plain pipes wired to a command in a container."""

from __future__ import annotations

import sys
from typing import Any

from fig import running
from fig.backend.base import ExecSpec
from fig.cli import attach
from fig.cli import run as one_off
from fig.cli import options as opts
from fig.project import Project


def _terminal() -> bool:
    return all(s is not None and s.isatty() for s in (sys.stdin, sys.stdout))


def exec_command(project: Project, options: dict[str, Any]) -> int:
    """Run the command in the service's container; its exit code (nothing and 0 at once with -d)."""
    container = running.pick(project, options["SERVICE"], index=opts.integer(options, "--index"))
    detach = options["--detach"]
    tty = not detach and not (options["--no-TTY"] or options["--no-tty"]) and _terminal()
    spec = ExecSpec(command=(options["COMMAND"], *options["ARGS"]),
                    environment=dict(one_off.environment(options["--env"])), user=options["--user"], working_dir=options["--workdir"], privileged=options["--privileged"],
                    tty=tty, stdin=not detach and sys.stdin is not None)
    execution = running.Execution.create(container, spec)
    if detach:
        execution.start_detached()
        return 0
    raw = execution.attach()
    try:
        if tty:
            attach.interactive(raw, execution.resize)
        else:
            attach.piped(raw, raw if spec.stdin else None)
    except KeyboardInterrupt:
        return 130
    finally:
        raw.close()
    return execution.exit_code()
