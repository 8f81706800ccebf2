"""`fig exec` and `fig attach`: this terminal (a real TTY) or plain pipes wired to a command in a container, or to
a container's own process."""

from __future__ import annotations

import _signal  # signal.py's core (fig.cli.signals)
import contextlib
import sys
from collections.abc import Iterator
from typing import Any

from fig import running
from fig.backend.specs import ExecSpec
from fig.cli import attach
from fig.cli import options as opts
from fig.cli.signals import NAMES
from fig.container import Container, Execution
from fig.project import Project


def _terminal() -> bool:
    return all(s is not None and s.isatty() for s in (sys.stdin, sys.stdout))


def exec_command(project: Project, options: dict[str, Any]) -> int:
    """Run the command in the service's container; its exit code (nothing and 0 at once with -d)."""
    container = running.pick(project, options["SERVICE"], index=opts.integer(options, "--index"))
    detach = options["--detach"]
    tty = not detach and not (options["--no-TTY"] or options["--no-tty"]) and _terminal()
    environment = opts.key_values(options["--env"], "-e", dict(project.config.variables))
    spec = ExecSpec(command=(options["COMMAND"], *options["ARGS"]), environment=dict(environment),
                    user=options["--user"], working_dir=options["--workdir"], privileged=options["--privileged"],
                    tty=tty, stdin=not detach and sys.stdin is not None)
    execution = Execution.create(container, spec)
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


def attach_command(project: Project, options: dict[str, Any]) -> int:
    """Wire this terminal to the service's container until it exits (its exit code) or the user detaches (0)."""
    container = running.pick(project, options["SERVICE"], index=opts.integer(options, "--index")).refresh()
    proxy = opts.boolean(options, "--sig-proxy", True)
    stdin = not options["--no-stdin"] and sys.stdin is not None
    raw = container.backend.attach_socket(container.id, stdin=stdin, detach_keys=options["--detach-keys"])
    try:
        if container.info.tty and stdin and _terminal():
            attach.interactive(raw, lambda height, width: container.backend.resize(container.id, height, width))
        else:
            with _signals_to(container, proxy):
                attach.piped(raw, raw if stdin else None, tty=container.info.tty)
    except KeyboardInterrupt:
        return 130
    finally:
        raw.close()
    container.refresh()
    return 0 if container.is_running else container.info.exit_code


@contextlib.contextmanager
def _signals_to(container: Container, proxy: bool) -> Iterator[None]:
    """With `proxy`, Ctrl-C and SIGTERM go to the container's process instead of ending fig."""
    if not proxy:
        yield
        return

    def forward(signum: int, _: object) -> None:
        container.kill(NAMES[signum])

    previous = {s: _signal.signal(s, forward) for s in (_signal.SIGINT, _signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            _signal.signal(signum, handler)
