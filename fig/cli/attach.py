"""`fig run`: a one-off container wired to this terminal (a real TTY) or to plain pipes."""

from __future__ import annotations

import os
import select
import shlex
import signal
import socket
import struct
import sys
import threading
from typing import Any

from fig.cli.status import Status
from fig.container import Container
from fig.convergence import Strategy
from fig.errors import UserError
from fig.project import Project, UpOptions
from fig.service import RunOptions


def _environment(pairs: list[str]) -> tuple[tuple[str, str], ...]:
    result = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not key:
            raise UserError(f"Invalid -e {pair!r}: use KEY=VALUE")
        if sep:
            result.append((key, value))
        elif key in os.environ:
            result.append((key, os.environ[key]))
    return tuple(result)


def run_one_off(project: Project, options: dict[str, Any], status: Status) -> int:
    service = project.service(options["SERVICE"])
    detach = options["-d"]
    project.ensure_resources()  # the project's networks and volumes, also with --no-deps or no dependencies
    if not options["--no-deps"]:
        deps = [n for n in project.graph.closure([service.name]) if n != service.name]
        if deps:
            project.up(deps, options=UpOptions(strategy=Strategy.NEVER), on_event=status, on_progress=status.progress)
    image_id = service.ensure_image(on_progress=status.progress)
    interactive = not detach and not options["-T"] and sys.stdin is not None and sys.stdin.isatty()
    command = (options["COMMAND"], *options["ARGS"]) if options["COMMAND"] is not None else None
    entrypoint = tuple(shlex.split(options["--entrypoint"])) if options["--entrypoint"] is not None else None
    run_options = RunOptions(
        command=command, entrypoint=entrypoint, environment=_environment(options["-e"]),
        user=options["--user"], workdir=options["--workdir"], name=options["--name"],
        service_ports=options["--service-ports"], tty=interactive, stdin_open=not detach,
        auto_remove=detach and options["--rm"],  # detached, the engine removes it (and its anonymous volumes)
    )
    container = service.create_oneoff(image_id, run_options)
    if detach:
        container.start()
        print(container.name)
        return 0
    try:
        return attach_and_wait(container, tty=interactive)
    finally:
        if options["--rm"]:
            _remove_shielded(container)


def _remove_shielded(container: Container) -> None:
    """--rm: remove the container and its anonymous volumes; a further Ctrl-C must not leave them behind."""
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        container.remove(force=True, volumes=True)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def attach_and_wait(container: Container, *, tty: bool) -> int:
    sock = container.backend.attach_socket(container.id)
    raw = getattr(sock, "_sock", sock)
    try:
        container.start()
        if tty:
            _interactive(container, raw)
        else:
            _piped(raw)
    except KeyboardInterrupt:
        try:
            container.stop(10)
        except KeyboardInterrupt:  # a second Ctrl-C: do not wait any longer
            container.kill()
        code = container.wait()
        return code if code else 130
    finally:
        raw.close()
    return container.wait()


def _forward_stdin(raw: socket.socket) -> None:
    """Copy our stdin to the container; at end of input, half-close so the container sees EOF."""
    try:
        fd = sys.stdin.fileno() if sys.stdin else -1
        while fd >= 0:
            data = os.read(fd, 65536)
            if not data:
                break
            raw.sendall(data)
    except (OSError, ValueError):
        pass
    try:
        raw.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def _piped(raw: socket.socket) -> None:
    threading.Thread(target=_forward_stdin, args=(raw,), daemon=True).start()
    outputs = {1: sys.stdout.buffer, 2: sys.stderr.buffer}
    buffer = b""
    while True:
        chunk = raw.recv(65536)
        if not chunk:
            break
        buffer += chunk
        while len(buffer) >= 8:
            kind, size = struct.unpack(">BxxxL", buffer[:8])
            if len(buffer) < 8 + size:
                break
            out = outputs.get(kind, sys.stdout.buffer)
            out.write(buffer[8:8 + size])
            out.flush()
            buffer = buffer[8 + size:]


def _interactive(container: Container, raw: socket.socket) -> None:
    import termios
    import tty

    stdin_fd, stdout_fd = sys.stdin.fileno(), sys.stdout.fileno()
    saved = termios.tcgetattr(stdin_fd)

    def resize(*_: object) -> None:
        size = os.get_terminal_size(stdout_fd if os.isatty(stdout_fd) else stdin_fd)
        try:
            container.backend.resize(container.id, size.lines, size.columns)
        except Exception:  # the container may be gone already; resizing is best effort
            pass

    previous = signal.signal(signal.SIGWINCH, resize)
    try:
        tty.setraw(stdin_fd)
        resize()
        stdin_open = True
        while True:
            readers = [raw, stdin_fd] if stdin_open else [raw]
            ready, _, _ = select.select(readers, [], [])
            if raw in ready:
                data = raw.recv(65536)
                if not data:
                    break
                os.write(stdout_fd, data)
            if stdin_fd in ready:
                data = os.read(stdin_fd, 65536)
                if data:
                    raw.sendall(data)
                else:
                    stdin_open = False
    finally:
        termios.tcsetattr(stdin_fd, termios.TCSADRAIN, saved)
        signal.signal(signal.SIGWINCH, previous)
