"""A one-off container wired to this terminal (a real TTY) or to plain pipes."""

from __future__ import annotations

import _signal  # signal.py's core (fig.cli.signals)
import os
import sys
import threading
from _socket import SHUT_WR
from collections.abc import Callable
from typing import TYPE_CHECKING

from fig.container import Container

if TYPE_CHECKING:
    import socket


def remove_shielded(container: Container) -> None:
    """--rm: remove the container and its anonymous volumes; a further Ctrl-C must not leave them behind."""
    previous = {s: _signal.signal(s, _signal.SIG_IGN) for s in (_signal.SIGINT, _signal.SIGTERM)}
    try:
        container.remove(force=True, volumes=True)
    finally:
        for signum, handler in previous.items():
            _signal.signal(signum, handler)


def attach_and_wait(container: Container, *, tty: bool) -> int:
    raw = container.backend.attach_socket(container.id)
    stdin_raw = raw
    try:
        if not tty and _tls(raw):
            # A TLS connection cannot be half-closed and must not be used by two threads at once: stdin gets a
            # connection of its own, and closing it is the end of input (the container has StdinOnce).
            stdin_raw = container.backend.attach_socket(container.id, output=False)
        container.start()
        if tty:
            interactive(raw, lambda height, width: container.backend.resize(container.id, height, width))
        else:
            piped(raw, stdin_raw)
    except KeyboardInterrupt:
        try:
            container.stop(10)
        except KeyboardInterrupt:  # a second Ctrl-C: do not wait any longer
            container.kill()
        code = container.wait()
        return code if code else 130
    finally:
        raw.close()
        stdin_raw.close()
    return container.wait()


def _tls(raw: socket.socket) -> bool:
    """Whether this is a TLS connection. The ssl module is loaded only for an engine reached over TLS, so a
    command on a local engine need not load it (about 8 ms) to learn that the answer is no."""
    ssl = sys.modules.get("ssl")
    return ssl is not None and isinstance(raw, ssl.SSLSocket)


def _tls_ended(error: OSError) -> bool:
    """Whether the error is a TLS connection's end (the peer closed it, with or without saying so)."""
    ssl = sys.modules.get("ssl")
    return ssl is not None and isinstance(error, (ssl.SSLEOFError, ssl.SSLZeroReturnError))


def _stdin_fd() -> int:
    try:
        return sys.stdin.fileno() if sys.stdin else -1
    except (OSError, ValueError):
        return -1


def _end_input(raw: socket.socket) -> None:
    """The container sees the end of its input, and its output keeps coming."""
    try:
        if _tls(raw):  # stdin's own connection: close it properly, without waiting long
            raw.settimeout(5)
            raw.unwrap()
            raw.close()
        else:
            raw.shutdown(SHUT_WR)
    except (OSError, ValueError):
        raw.close()


def _forward_stdin(raw: socket.socket) -> None:
    """Copy our stdin to the container, then end its input."""
    try:
        fd = _stdin_fd()
        while fd >= 0:
            data = os.read(fd, 65536)
            if not data:
                break
            raw.sendall(data)
    except (OSError, ValueError):
        pass
    _end_input(raw)


class _Demux:
    """Split the engine's multiplexed stream (8-byte frame headers) onto our stdout and stderr."""

    def __init__(self) -> None:
        self.buffer = b""
        self.outputs = {1: sys.stdout.buffer, 2: sys.stderr.buffer}

    def feed(self, chunk: bytes) -> None:
        self.buffer += chunk
        while len(self.buffer) >= 8:
            kind, size = self.buffer[0], int.from_bytes(self.buffer[4:8], "big")
            if len(self.buffer) < 8 + size:
                break
            out = self.outputs.get(kind, sys.stdout.buffer)
            out.write(self.buffer[8:8 + size])
            out.flush()
            self.buffer = self.buffer[8 + size:]


class _Raw:
    """A TTY's output: one stream, as it comes."""

    def feed(self, chunk: bytes) -> None:
        sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()


def piped(raw: socket.socket, stdin_raw: socket.socket | None, *, tty: bool = False) -> None:
    """Our stdin to the container from a thread (unless `stdin_raw` is None), its output to our stdout and stderr
    from here (as it comes from a TTY, or split from the engine's frames)."""
    if stdin_raw is not None:
        threading.Thread(target=_forward_stdin, args=(stdin_raw,), daemon=True).start()
    output: _Raw | _Demux = _Raw() if tty else _Demux()
    while True:
        try:
            chunk = raw.recv(65536)
        except OSError as e:
            if not _tls_ended(e):
                raise
            break
        if not chunk:
            break
        output.feed(chunk)


def interactive(raw: socket.socket, resize_to: Callable[[int, int], None]) -> None:
    """This terminal, raw, wired to a TTY stream (a container's or an exec's) that `resize_to(height, width)`
    keeps the size of the window."""
    import select
    import termios
    import tty

    stdin_fd, stdout_fd = sys.stdin.fileno(), sys.stdout.fileno()
    saved = termios.tcgetattr(stdin_fd)

    def resize(*_: object) -> None:
        size = os.get_terminal_size(stdout_fd if os.isatty(stdout_fd) else stdin_fd)
        try:
            resize_to(size.lines, size.columns)
        except Exception:  # the container may be gone already; resizing is best effort
            pass

    previous = _signal.signal(_signal.SIGWINCH, resize)
    try:
        tty.setraw(stdin_fd)
        resize()
        stdin_open = True
        while True:
            readers = [raw, stdin_fd] if stdin_open else [raw]
            buffered = _tls(raw) and raw.pending()  # type: ignore[attr-defined]  # decrypted already: select cannot tell
            ready = [raw] if buffered else select.select(readers, [], [])[0]
            if raw in ready:
                try:
                    data = raw.recv(65536)
                except OSError as e:
                    if not _tls_ended(e):
                        raise
                    break
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
        _signal.signal(_signal.SIGWINCH, previous)
