"""Parsing one item of a service's list keys (ports, volumes, devices, tmpfs, expose, links, secrets/configs).

Each parser raises ConfigError with a message that completes `'KEY' item "TEXT" ...`; ServiceReader.each
puts the file, line, service and key in front.
"""

from __future__ import annotations

import os
import posixpath
from typing import TYPE_CHECKING, Any

from fig.config import checks
from fig.config.documents import Sexagesimal
from fig.config.model import FileMount, Link, PortSpec, VolumeSpec
from fig.config.ports import exposed_ports
from fig.config.values import container_path, parse_size
from fig.errors import ConfigError, Unresolved
from fig.logs import logger
from fig.patterns import pattern
from fig.records import replace

if TYPE_CHECKING:
    from fig.config.context import Context

log = logger(__name__)

_DEVICE = pattern(r"^(/[^:]+)(?::(/[^:]+))?(?::([rwm]+))?$")
# A CDI device name, VENDOR/CLASS=NAME (the CDI parser's rules): vendor and class start with a letter, the name
# with a letter or digit, and each ends with one. CDI allows ':' in the name, but compose splits a `devices` item
# at ':', so such a name is not a CDI name there either.
_NAME_PART = r"[A-Za-z](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?"
CDI_DEVICE = pattern(rf"^{_NAME_PART}/{_NAME_PART}=[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$")
_MOUNT_MODES = {"ro", "rw", "z", "Z", "nocopy", "shared", "rshared", "slave", "rslave", "private", "rprivate",
                "cached", "delegated", "consistent"}


class ItemReader:
    """The list-item parsers of a service; `ctx` knows the rest of the document."""

    name: str
    ctx: Context

    def path(self, text: str) -> str:
        return os.path.normpath(os.path.join(self.ctx.base_dir, os.path.expanduser(text)))

    def port(self, item: Any) -> list[PortSpec]:
        if isinstance(item, Sexagesimal):
            raise ConfigError(f"was read by YAML as the base-60 number {int(item)}: quote it, \"{item.text}\"")
        if isinstance(item, dict):  # `name` and `app_protocol` only describe the port: the engine has no use for them
            if item.get("mode", "host") not in ("host", "ingress"):
                raise ConfigError("has a 'mode' other than host or ingress")
            text = f"{item['target']}/{item.get('protocol', 'tcp')}"
            if item.get("published") not in (None, ""):
                text = f"{item['published']}:{text}"
                if item.get("host_ip"):
                    text = f"{item['host_ip']}:{text}"
            elif item.get("host_ip"):
                text = f"{item['host_ip']}::{text}"
            item = text
        try:
            return PortSpec.parse_many(item)
        except ConfigError as e:
            problem = str(e).split("' ", 1)[-1]  # "port '80' PROBLEM"
            raise ConfigError(problem if "IP address" in problem else "is not a valid port") from None

    def volume(self, item: Any) -> VolumeSpec | str:
        """A mount; a long-syntax tmpfs mount comes back as a 'tmpfs' entry (a string)."""
        if isinstance(item, dict):
            return self._long_volume(item)
        try:
            spec = VolumeSpec.parse(str(item))
        except ConfigError:
            raise ConfigError("is not a valid volume: use CONTAINER_PATH or SOURCE:CONTAINER_PATH[:MODE], "
                              "with an absolute CONTAINER_PATH") from None
        bad = [m for m in spec.mode.split(",") if m not in _MOUNT_MODES]
        if bad:
            raise ConfigError(f"has an unknown mode {bad[0]!r}")
        return self._resolve(spec, str(item))

    def _long_volume(self, item: dict[str, Any]) -> VolumeSpec | str:
        kind, source, target = item.get("type", "volume"), item.get("source"), item["target"]
        if not target.startswith("/"):
            raise ConfigError("is not valid: the container path ('target') must be absolute")
        if kind == "tmpfs":
            if source:
                raise ConfigError("is a tmpfs mount, which has no source")
            size = (item.get("tmpfs") or {}).get("size")
            extra = set(item.get("tmpfs") or {}) - {"size"}
            if extra:
                raise ConfigError(f"uses tmpfs option '{sorted(extra)[0]}', which this version of fig does not support")
            target = container_path(target)
            return f"{target}:size={parse_size(size, 'size')}" if size is not None else target
        modes, subpath = self._mount_options(kind, item)
        if kind == "image":
            if not source:
                raise ConfigError("is an image mount without a 'source' (the image)")
            return VolumeSpec(container_path(target), source, ",".join(modes), subpath, image=True)
        if kind == "bind":
            if not source:
                raise ConfigError("is a bind mount without a 'source'")
            if not source.startswith((".", "/", "~")):
                source = "./" + source
        elif subpath is not None and not source:
            raise ConfigError("has a 'subpath' but no 'source': a subpath is a directory of a named volume")
        return self._resolve(VolumeSpec(target, source, ",".join(modes), subpath), item.get("source") or target)

    @staticmethod
    def _mount_options(kind: str, item: dict[str, Any]) -> tuple[list[str], str | None]:
        """The modes (ro/rw, propagation, nocopy, consistency) and subpath of a long-syntax bind, volume or image
        mount; options of another type, or ones fig does not know, are errors."""
        modes, subpath = ["ro" if item.get("read_only") else "rw"], None
        if any(item.get(other) for other in ("bind", "volume", "image", "tmpfs") if other != kind):
            raise ConfigError(f"has options of another mount type than '{kind}'")
        for key, value in (item.get(kind) or {}).items():
            if kind == "bind" and key == "propagation" and value in _MOUNT_MODES:
                modes.append(value)
            elif kind == "bind" and key == "create_host_path" and value is True:
                pass  # the engine creates a missing bind source; that is the only behaviour it has
            elif kind == "volume" and key == "nocopy" and isinstance(value, bool):
                modes += ["nocopy"] if value else []
            elif kind in ("volume", "image") and key == "subpath" and isinstance(value, str):
                subpath = _subpath(value)
            else:
                raise ConfigError(f"uses {kind} option '{key}: {value}', which this version of fig does not support")
        if item.get("consistency"):
            modes.append(item["consistency"])
        return modes, subpath

    def _resolve(self, spec: VolumeSpec, text: str) -> VolumeSpec:
        if not spec.target.startswith("/"):
            raise ConfigError("is not valid: the container path must be absolute")
        spec = replace(spec, target=container_path(spec.target))
        source = spec.source
        if source is None:
            return spec
        if source.startswith((".", "/", "~")):
            return replace(spec, source=self.path(source))
        if not self.ctx.legacy and source not in self.ctx.volume_names:
            raise Unresolved(f"refers to volume '{source}', which is not declared in the top-level 'volumes' section")
        return replace(spec, source=self.ctx.volume_name(source))

    def link(self, item: str) -> Link:
        link = Link.parse(item)
        if link.target not in self.ctx.service_names:
            raise Unresolved(f"refers to undefined service '{link.target}'")
        return link

    def device(self, item: str | dict[str, Any]) -> str:
        """A host device as HOST:CONTAINER:PERMISSIONS (from that short syntax or the long one, {source, target,
        permissions}), or a CDI device name as it is."""
        if isinstance(item, dict):
            source = str(item["source"])
            item = f"{source}:{item.get('target') or source}:{item.get('permissions') or 'rwm'}"
        if CDI_DEVICE.match(item):
            return item
        m = _DEVICE.match(item)
        if not m:
            raise ConfigError("is not a device: use HOST_PATH[:CONTAINER_PATH[:PERMISSIONS]] with rwm permissions, "
                              "or a CDI device name such as vendor.com/class=name")
        return f"{m[1]}:{container_path(m[2] or m[1])}:{m[3] or 'rwm'}"

    def tmpfs(self, item: str) -> str:
        if not item.startswith("/"):
            raise ConfigError("is not valid: the container path must be absolute")
        checks.tmpfs_options(item)
        path, colon, options = item.partition(":")
        return f"{container_path(path)}{colon}{options}"

    def expose(self, item: str | int) -> str:
        """An exposed port or range, kept as written (as Compose v2 prints it); the spec exposes each port."""
        exposed_ports(str(item))
        return str(item)

    def file_mount(self, kind: str, item: Any) -> FileMount:
        spec = {"source": item} if isinstance(item, str) else dict(item)
        source = spec["source"]
        declared = self.ctx.secrets if kind == "secrets" else self.ctx.configs
        if source not in declared:
            raise Unresolved(f"refers to {kind[:-1]} '{source}', which is not declared in the top-level '{kind}' "
                              "section")
        default_dir = "/run/secrets" if kind == "secrets" else "/"
        target = os.path.join(default_dir, spec.get("target") or source)
        uid, gid = (None if spec.get(key) is None else str(spec[key]) for key in ("uid", "gid"))
        mode = spec.get("mode")
        mount = replace(declared[source], target=container_path(target), uid=uid, gid=gid,
                        mode=None if mode is None else int(mode))
        if mount.copied:
            for key, value in (("uid", uid), ("gid", gid)):
                if value is not None and not value.isdigit():
                    raise ConfigError(f"has a '{key}' {value!r} that is not a number")
        elif (mount.uid, mount.gid, mount.mode) != (None, None, None) and not self.ctx.swarm:
            log.warning("%s item %r: the file is mounted as it is, so its 'uid', 'gid' and 'mode' are ignored (only "
                        "Swarm honours them)", self.ctx.where(self.name, kind), source)
        return mount


def _subpath(text: str) -> str:
    """A directory inside a volume or an image, as the engine takes it: relative, and not leaving it."""
    clean = posixpath.normpath(text)
    if not text or text.startswith("/") or clean == ".." or clean.startswith("../"):
        raise ConfigError(f"has subpath {text!r}, which must be a relative path inside the volume or image")
    return clean
