"""Getting changed files into a container: one tar through the archive endpoint, deletions and hooks by exec."""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Mapping, Sequence

from fig.backend.specs import ExecSpec
from fig.backend.streams import frames, received
from fig.container import Container, Execution
from fig.errors import BackendError


def archive(entries: Mapping[str, str], roots: frozenset[str] = frozenset()) -> tuple[bytes, int]:
    """One tar of {host path: container path} (entry names without the leading `/`) and how many entries it
    holds. Mode, owner and mtime are kept; symlinks stay symlinks; a path gone since it changed is left out;
    the directories in `roots` (a rule's own path) are not written, so their owner and mode in the container stay."""
    buffer = io.BytesIO()
    count = 0
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for host, target in entries.items():
            try:
                info = tar.gettarinfo(host, arcname=target.lstrip("/"))
                if info.isreg():
                    with open(host, "rb") as f:
                        data = f.read()
                    info.size = len(data)  # a file still being written: what was read, with a header to match
                    tar.addfile(info, io.BytesIO(data))
                elif info.issym() or (info.isdir() and host not in roots):
                    tar.addfile(info)
                else:
                    continue
            except FileNotFoundError:
                continue
            count += 1
    return buffer.getvalue(), count


def expand(paths: Sequence[str]) -> list[str]:
    """The changed paths, with everything under a changed directory (a directory moved in brings its files)."""
    out = dict.fromkeys(paths)
    for path in paths:
        if os.path.isdir(path) and not os.path.islink(path):
            for top, dirs, files in os.walk(path):
                out.update(dict.fromkeys(os.path.join(top, name) for name in dirs + files))
    return list(out)


def run(container: Container, spec: ExecSpec) -> tuple[int, str]:
    """Run a command in a running container: its exit code and its output (stdout and stderr, in order)."""
    execution = Execution.create(container, spec)
    output = b"".join(data for _, data in frames(received(execution.attach()), tty=False))
    return execution.exit_code(), output.decode("utf-8", "replace")


def remove(container: Container, targets: Sequence[str]) -> None:
    """Delete paths inside a running container (what was deleted on the host)."""
    code, output = run(container, ExecSpec(["rm", "-rf", "--", *targets]))
    if code:
        raise BackendError(f"{container.name}: removing {len(targets)} path(s) failed with exit code {code}: "
                           f"{output.strip()}")
