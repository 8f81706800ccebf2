"""`cp`: files between this machine and a service's containers, over the engine's archive endpoints, with the
rules of `docker cp` for where a file or directory lands (into a directory that exists, else under the name
given; `dir/.` copies a directory's contents)."""

from __future__ import annotations

import os
import posixpath
import tarfile
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

from fig import running
from fig import records
from fig.backend.answers import MODE_SYMLINK, PathStat
from fig.container import Container
from fig.errors import NotFound, UserError
from fig.project import Project

_SPOOL = 16 << 20  # bytes of a tar kept in memory before it spills to a temporary file


def copy(project: Project, first: str, second: str, *, index: int = 0, oneoff: bool = False,
         keep_owners: bool = False, follow_link: bool = False, stdin: IO[bytes], stdout: IO[bytes]) -> None:
    """`cp first second`: one of them SERVICE:PATH, the other a path here, or - for a tar on stdin or stdout."""
    (source_service, source), (dest_service, dest) = split_target(first), split_target(second)
    if source_service and dest_service:
        raise UserError("copying between services is not supported")
    if source_service:
        container = containers(project, source_service, index=index, oneoff=oneoff)[0]
        if dest == "-":
            copy_stream(archive_of(container, source, follow_link=follow_link)[2], stdout)
        else:
            copy_out(container, source, dest, follow_link=follow_link, keep_owners=keep_owners)
    elif dest_service:
        targets = containers(project, dest_service, index=index, oneoff=oneoff)
        if source == "-":
            copy_tar_in(targets, stdin, dest)
        else:
            copy_in(targets, source, dest, follow_link=follow_link, keep_owners=keep_owners)
    else:
        raise UserError("one of the two paths must be SERVICE:PATH, a path in a service's container")


def split_target(argument: str) -> tuple[str | None, str]:
    """`web:/path` -> ("web", "/path"); a local path (absolute, or starting with a dot, or without a colon)
    -> (None, path)."""
    service, sep, path = argument.partition(":")
    if not sep or argument.startswith((".", "/")) or not service:
        return None, argument
    return service, path


def containers(project: Project, service: str, *, index: int = 0, oneoff: bool = False) -> list[Container]:
    """The containers of the service that cp acts on, stopped ones too: the one numbered `index`, or all."""
    if index:
        return [running.pick(project, service, index=index, stopped=True, oneoff=False)]
    project.service(service)
    found = project.containers([service], stopped=True, oneoff=oneoff)
    if not found:
        raise UserError(f'no container found for service "{service}"')
    return found


# -- out of a container -------------------------------------------------------------------------------------

def archive_of(container: Container, source: str, *,
               follow_link: bool = False) -> tuple[PathStat, str, Iterator[bytes]]:
    """The path's stat, the name its archive's top entry has, and the archive (with `follow_link` and a symbolic
    link, of what it points to, named as the link)."""
    stat = _stat(container, source)
    if follow_link and stat.mode & MODE_SYMLINK and stat.link_target:
        target = posixpath.join(posixpath.dirname(source.rstrip("/")) or "/", stat.link_target)
        followed, chunks = container.backend.get_archive(container.id, target)
        return records.replace(followed, name=stat.name), followed.name, chunks
    found, chunks = container.backend.get_archive(container.id, source)
    return found, found.name, chunks


def _stat(container: Container, path: str) -> PathStat:
    try:
        return container.backend.stat_path(container.id, path)
    except NotFound:
        raise NotFound(f"{container.name}: no such file or directory: {path}") from None


def copy_out(container: Container, source: str, dest: str, *, follow_link: bool = False,
             keep_owners: bool = False) -> None:
    """Copy a file or directory out of the container to `dest` on this machine."""
    stat, top, chunks = archive_of(container, source, follow_link=follow_link)
    root = _local_root(stat, source, dest)
    with _spooled(chunks) as spool, tarfile.open(fileobj=spool) as tar:
        members = tar.getmembers()
        for member in members:
            member.name = _renamed(member.name, top, root)
            if member.islnk():
                member.linkname = _renamed(member.linkname, top, root)
            if not keep_owners:
                member.uid, member.gid = os.getuid(), os.getgid()
        # extractall sets a directory's mode after its files are in, so a read-only directory can be copied
        tar.extractall("/", members=members, numeric_owner=True, filter="fully_trusted")


def _local_root(stat: PathStat, source: str, dest: str) -> str:
    """Where the archive's top entry lands on this machine, as docker cp decides it."""
    exists, is_dir = os.path.exists(dest), os.path.isdir(dest)
    if stat.is_dir:
        if exists and not is_dir:
            raise UserError(f"cannot copy a directory to a file: {dest}")
        if is_dir and not _contents_only(source):
            dest = os.path.join(dest, posixpath.basename(source.rstrip("/")) or stat.name)
    elif is_dir:
        dest = os.path.join(dest, stat.name)
    elif dest.endswith("/"):
        raise UserError(f"the destination directory must exist: {dest}")
    parent = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(parent):
        raise UserError(f"the destination's directory does not exist: {parent}")
    return os.path.normpath(os.path.abspath(dest))


def _contents_only(source: str) -> bool:
    return source.endswith("/.") or source == "."


def _renamed(name: str, top: str, root: str) -> str:
    """An archive member's path with its top entry replaced by `root`; nothing may leave `root`."""
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if parts and parts[0] == top.strip("/"):
        parts = parts[1:]
    if ".." in parts:
        raise UserError(f"the archive holds a path outside its directory: {name}")
    return os.path.join(root, *parts).lstrip("/")  # relative to "/": root is absolute


def _spooled(chunks: Iterable[bytes]) -> IO[bytes]:
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)
    for chunk in chunks:
        spool.write(chunk)
    spool.seek(0)
    return spool


# -- into containers ----------------------------------------------------------------------------------------

def copy_in(targets: Sequence[Container], source: str, dest: str, *, follow_link: bool = False,
            keep_owners: bool = False) -> None:
    """Copy a file or directory of this machine into `dest` of each container."""
    if not os.path.lexists(source):
        raise UserError(f"no such file or directory: {source}")
    is_dir = os.path.isdir(source) if follow_link or not os.path.islink(source) else False
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL) as spool:
        for container in targets:
            directory, name = _container_root(container, is_dir, source, dest)
            spool.seek(0)
            spool.truncate()
            with tarfile.open(fileobj=spool, mode="w", dereference=follow_link) as tar:
                tar.add(source, arcname=name)
            spool.seek(0)
            container.backend.put_archive(container.id, directory, _chunks(spool), copy_uid_gid=keep_owners)


def copy_tar_in(targets: Sequence[Container], stream: IO[bytes], dest: str) -> None:
    """Unpack a tar (read from `stream`, e.g. stdin) into the directory `dest` of each container."""
    with _spooled(_chunks(stream)) as spool:
        for container in targets:
            if not _stat(container, dest).is_dir:
                raise UserError(f"{container.name}: the destination must be a directory: {dest}")
            spool.seek(0)
            container.backend.put_archive(container.id, dest, _chunks(spool))


def _container_root(container: Container, is_dir: bool, source: str, dest: str) -> tuple[str, str]:
    """(directory to unpack into, name of the archive's top entry) in the container, as docker cp decides."""
    try:
        found: PathStat | None = container.backend.stat_path(container.id, dest)
    except NotFound:
        found = None
    base = os.path.basename(source.rstrip("/")) or os.path.basename(os.path.abspath(source))
    if found is not None and found.is_dir:
        if is_dir and _contents_only(source):
            return dest, "."
        return dest, base
    if found is not None and is_dir:
        raise UserError(f"{container.name}: cannot copy a directory to a file: {dest}")
    if found is None and dest.endswith("/"):
        raise UserError(f"{container.name}: the destination directory must exist: {dest}")
    return posixpath.dirname(dest.rstrip("/")) or "/", posixpath.basename(dest.rstrip("/"))


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(1 << 20):
        yield chunk


def copy_stream(chunks: Iterable[bytes], out: IO[bytes]) -> None:
    for chunk in chunks:
        out.write(chunk)
    out.flush()
