"""What the engine tells about things other than containers: execs, paths, images, resource use and events.
Loaded by the calls that read them, not by every command."""

from __future__ import annotations

from collections.abc import Mapping

from fig.records import record


@record(frozen=True, slots=True)
class ExecInfo:
    running: bool
    exit_code: int | None  # None until the command has ended
    pid: int = 0


MODE_DIR = 1 << 31  # Go's os.FileMode type bits, as the archive endpoints report a path's mode
MODE_SYMLINK = 1 << 27


@record(frozen=True, slots=True)
class PathStat:
    """A path inside a container, as the engine's archive endpoints describe it."""

    name: str
    size: int
    mode: int  # permission bits plus MODE_DIR / MODE_SYMLINK
    mtime: str = ""
    link_target: str = ""

    @property
    def is_dir(self) -> bool:
        return bool(self.mode & MODE_DIR)


@record(frozen=True, slots=True)
class ImageInfo:
    id: str  # sha256:...
    tags: tuple[str, ...]
    size: int  # bytes
    created: str  # RFC 3339
    platform: str  # os/arch[/variant]
    last_tag_time: str = ""  # RFC 3339; "" when the engine never tagged it locally


@record(frozen=True, slots=True)
class StatsSample:
    """One reading of a container's resource use, with the reading before it for the CPU figure."""

    read: str  # RFC 3339; "0001-01-01T00:00:00Z" for a container that is not running
    cpu_total: int  # ns of CPU time
    precpu_total: int
    system_cpu: int  # ns of the host's CPU time
    presystem_cpu: int
    online_cpus: int
    memory: int  # bytes in use, the page cache's inactive files not counted (as docker stats counts them)
    memory_limit: int
    net_rx: int
    net_tx: int
    block_read: int
    block_write: int
    pids: int


@record(frozen=True, slots=True)
class EngineEvent:
    type: str  # container, network, image, ...
    action: str  # create, start, die, exec_create: sh -c ..., health_status: healthy, ...
    id: str
    attributes: Mapping[str, str]  # the actor's labels, name, image, exitCode, ...
    time_nano: int
