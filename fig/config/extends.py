"""Resolves `extends`, file by file before files are merged, as compose-go does: a service starts from another
one of the same file (or of `file:`, `service:`), merged the way files are merged, after the extending file's
`!reset` and `!override` marks are applied to it. An extended file is read but not checked: only the service
taken from it is, as part of the service that extends it. Relative paths of an extended file are resolved
against that file's directory (a build context it leaves out is the project directory), and cycles are reported
with the chain that makes them."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from fig.config.documents import YamlMap
from fig.config.merge import clear, merge_service
from fig.config.model import is_remote
from fig.config.schema import location
from fig.errors import ConfigError

# Reads another file: (path as written, absolute path) -> its compose-shaped document and its format.
LoadFile = Callable[[str, str], tuple[dict[str, Any], bool]]


def absolutize(service: dict[str, Any], directory: str, *, default_context: bool = True) -> dict[str, Any]:
    """The service with relative paths (build context, env_file, bind mounts) made absolute from `directory`;
    a build without a context gets `directory` as its context only with `default_context`."""
    def path(text: str) -> str:
        return os.path.normpath(os.path.join(directory, os.path.expanduser(text)))

    out = YamlMap(service)
    out.__dict__.update(getattr(service, "__dict__", {}))
    build = service.get("build")
    if isinstance(build, str) and not is_remote(build):
        out["build"] = path(build)
    elif isinstance(build, dict):
        out["build"] = _build(build, path, default_context)
    env_file = service.get("env_file")
    if env_file is not None:
        out["env_file"] = [{**p, "path": path(p["path"])} if isinstance(p, dict) else path(p)
                           for p in ([env_file] if isinstance(env_file, str) else env_file)]
    if service.get("volumes"):
        out["volumes"] = [_volume(v, path) for v in service["volumes"]]
    return out


def _build(build: dict[str, Any], path: Callable[[str], str], default_context: bool) -> dict[str, Any]:
    """A build mapping with its context (when it has one, or with `default_context`) and directory additional
    contexts made absolute."""
    out = dict(build)
    if (default_context or "context" in build) and not is_remote(str(build.get("context", "."))):
        out["context"] = path(str(build.get("context", ".")))
    contexts = build.get("additional_contexts")
    if isinstance(contexts, dict):
        out["additional_contexts"] = {k: v if v is None or is_remote(str(v)) else path(str(v))
                                      for k, v in contexts.items()}
    elif isinstance(contexts, list):
        out["additional_contexts"] = [f"{k}={v if is_remote(v) else path(v)}" if sep else item
                                      for item in contexts for k, sep, v in [str(item).partition("=")]]
    return out


def _volume(item: Any, path: Callable[[str], str]) -> Any:
    if isinstance(item, dict):
        source = item.get("source")
        if item.get("type") == "bind" and source and not source.startswith("/"):
            return {**item, "source": path(source)}
        return item
    source, sep, rest = str(item).partition(":")
    if sep and rest.startswith("/") and source.startswith((".", "~")):
        return f"{path(source)}:{rest}"
    return item


class _Resolver:
    def __init__(self, main_file: str, shown: str, document: dict[str, Any], base_dir: str, load: LoadFile) -> None:
        self.main = (main_file, shown, document, base_dir)
        self.load = load
        self.files: dict[str, tuple[str, dict[str, Any], str]] = {main_file: (shown, document, base_dir)}
        self.done: dict[tuple[str, str], dict[str, Any]] = {}

    def _file(self, written: str, directory: str) -> tuple[str, str, dict[str, Any], str]:
        absolute = os.path.normpath(os.path.join(directory, os.path.expanduser(written)))
        if absolute not in self.files:
            shown = os.path.relpath(absolute, self.main[3]) if not os.path.isabs(written) else absolute
            document, _ = self.load(shown, absolute)
            self.files[absolute] = (shown, document, os.path.dirname(absolute))
        return (absolute, *self.files[absolute])

    def resolve(self, file: str, name: str, chain: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
        key = (file, name)
        if key in self.done:
            return self.done[key]
        shown, document, directory = self.files[file]
        service = document["services"][name]
        if not isinstance(service, dict) or "extends" not in service:
            plain: dict[str, Any] = service
            return plain
        where = location(shown, document, ["services", name, "extends"], legacy=False)
        if key in chain:
            cycle = [*chain[chain.index(key):], key]
            raise ConfigError(f"{where}: services extend each other in a cycle: " + " -> ".join(
                n if f == self.main[0] else f"{n} ({self.files[f][0]})" for f, n in cycle))
        spec = _spec(service["extends"], where)
        other_file, (other_shown, other_doc, other_dir) = file, self.files[file]
        if spec.get("file"):
            try:
                other_file, other_shown, other_doc, other_dir = self._file(spec["file"], directory)
            except ConfigError as e:
                if ":" in str(e).split(" ", 1)[0].rstrip(":"):  # it has a line of that file: as is
                    raise
                raise ConfigError(f"{where}: {e}") from None
        if not isinstance(other_doc.get("services"), dict) or spec["service"] not in other_doc["services"]:
            raise ConfigError(f"{where}: there is no service '{spec['service']}' in {other_shown}")
        base = self.resolve(other_file, spec["service"], (*chain, key))
        if not isinstance(base, dict):
            if base is not None:
                raise ConfigError(f"{where}: service '{spec['service']}' of {other_shown} is not a mapping")
            base = YamlMap()
        if other_dir != self.main[3]:
            base = absolutize(base, other_dir, default_context=False)
        marks = [path[2:] for path in getattr(document, "cleared", ()) if path[:2] == ("services", name)]
        own = YamlMap({k: v for k, v in service.items() if k != "extends"})
        own.__dict__.update(getattr(service, "__dict__", {}))
        merged = merge_service(clear(base, marks), own)
        merged.pop("extends", None)
        self.done[key] = merged
        return merged


def _spec(value: Any, where: str) -> dict[str, Any]:
    """`extends` as {service, file}: a service's name, or a mapping with `service` (and `file`)."""
    spec = {"service": value} if isinstance(value, str) else value
    if not isinstance(spec, dict) or not isinstance(spec.get("service"), str) or not isinstance(
            spec.get("file", ""), str):
        raise ConfigError(f"{where} must be a service name or a mapping with 'service' (and 'file')")
    return spec


def resolve_extends(document: dict[str, Any], *, main_file: str, shown: str, base_dir: str,
                    load: LoadFile) -> dict[str, Any]:
    """The compose-shaped document with every `extends` resolved. `main_file` is the absolute path of the first
    file; `load` reads and checks another file that is extended."""
    services = document.get("services")
    if not isinstance(services, dict) or not any(isinstance(s, dict) and "extends" in s for s in services.values()):
        return document
    resolver = _Resolver(main_file, shown, document, base_dir, load)
    resolved = YamlMap({name: resolver.resolve(main_file, name) for name in services})
    resolved.__dict__.update(getattr(services, "__dict__", {}))
    out = YamlMap({**document, "services": resolved})
    out.__dict__.update(getattr(document, "__dict__", {}))
    return out
