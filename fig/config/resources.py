"""Value objects for what a container gets besides its image: limits, logging, and secrets/configs as files."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import time

from fig.config.cache import digest
from fig.errors import ConfigError
from fig.records import record


@record(frozen=True, slots=True)
class Ulimit:
    name: str
    soft: int
    hard: int

    def __str__(self) -> str:
        return f"{self.name}={self.soft}:{self.hard}"


@record(frozen=True, slots=True)
class LogConfig:
    """The log driver of a service's containers and its options (None: the engine's default driver)."""

    driver: str | None = None
    options: tuple[tuple[str, str], ...] = ()


class Sensitive:
    """A secret value kept in the configuration. It prints (and so hashes and labels) as a digest only."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __str__(self) -> str:
        return "sha256:" + digest(self.value.encode())

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sensitive) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __deepcopy__(self, memo: object) -> Sensitive:
        return self


@record(frozen=True, slots=True)
class FileMount:
    """A secret or config given to a container as a read-only bind mount of one host file (compose without
    Swarm). With `content` (an environment or inline source) the file is written before the container is made;
    such a file with an owner or a mode is instead written into the container once it is made, as compose does
    (a bind mount has the host file's owner and mode)."""

    source: str  # the name in the top-level 'secrets' or 'configs' section
    target: str  # absolute path in the container
    file: str  # absolute path on the host
    content: Sensitive | None = None
    missing: str | None = None  # the variable it comes from, when that is not set: an error only when mounted
    external: str | None = None  # the Swarm object it names: only `fig deploy` can give it to a container
    uid: str | None = None
    gid: str | None = None
    mode: int | None = None

    def __str__(self) -> str:
        return f"{self.source}:{self.target}"

    @property
    def copied(self) -> bool:
        """Written into the container (an environment or inline source with an owner or mode), not bound."""
        owned = (self.uid, self.gid, self.mode) != (None, None, None)
        return owned and (self.content is not None or self.missing is not None)

    def check_source(self, service: str, kind: str) -> None:
        """What the container needs is there: the host file of a `file` source, the variable of an `environment`
        one. `kind` is "secret" or "config"."""
        if self.content is None and self.missing is None and self.external is None and not os.path.isfile(self.file):
            raise ConfigError(f"service '{service}': {kind} '{self.source}': its file {self.file} is not a file here")
        try:
            self._check_set()
        except ConfigError as e:
            raise ConfigError(f"service '{service}': {e}") from None

    def _check_set(self) -> None:
        if self.missing:
            raise ConfigError(f"The {self.missing} variable is not set: it is the source of '{self.source}', "
                              f"mounted at {self.target}")

    def archive(self) -> bytes:
        """The file as a tar archive to extract at / in the container: its content, owner and mode (0444 unless
        `mode`)."""
        import tarfile  # only a secret or config copied into the container needs it

        self._check_set()
        data = self.content.value.encode() if self.content is not None else b""
        info = tarfile.TarInfo(self.target.lstrip("/"))
        info.size, info.mode, info.mtime = len(data), 0o444 if self.mode is None else self.mode, int(time.time())
        info.uid, info.gid = int(self.uid or 0), int(self.gid or 0)
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as tar:
            tar.addfile(info, io.BytesIO(data))
        return out.getvalue()

    def host_path(self) -> str:
        """The host file to bind. Content from a variable or inline is written there first: read-only, in a
        directory only the user can enter, replaced atomically so running containers keep what they had."""
        self._check_set()
        if self.content is not None:
            directory = os.path.dirname(self.file)
            _private_dir(directory)
            import tempfile  # only a secret or config written from the environment or inline needs it

            fd, temp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(self.content.value)
                os.chmod(temp, 0o444)
                os.replace(temp, self.file)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
        return self.file


@record(frozen=True, slots=True)
class SecretConfig:
    """An entry of the top-level 'secrets' or 'configs' section: where its content comes from."""

    name: str
    file: str | None = None  # absolute path
    environment: str | None = None  # variable name
    content: str | None = None  # inline (configs only)
    external: str | None = None  # the name of a Swarm object that exists already (`fig deploy` only)
    engine_name: str | None = None  # `name:`, the Swarm object's name instead of <stack>_<name>_<hash>


def _private_dir(path: str) -> None:
    """Make `path` and the fig-<uid> directory above it (which may sit in a shared /tmp) owned by the user and
    closed to everyone else; refuse one that someone else made or that is a symbolic link."""
    parts = path.split(os.sep)
    top = next((i for i, part in enumerate(parts) if part == f"fig-{os.getuid()}"), len(parts) - 1)
    os.makedirs(os.sep.join(parts[:top]) or os.sep, exist_ok=True)
    for depth in range(top, len(parts)):
        current = os.sep.join(parts[: depth + 1]) or os.sep
        with contextlib.suppress(FileExistsError):
            os.mkdir(current, 0o700)
        info = os.lstat(current)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise ConfigError(f"{current} must be a directory of yours that only you can open: "
                              "remove it and try again")

