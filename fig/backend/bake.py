"""Builds through `docker buildx bake`: one bake definition (JSON, on stdin) with a target per service, one call for
the whole run, so independent services build in parallel and share BuildKit's cache. BuildKit's progress comes back
as `--progress rawjson` on stderr and is handed on per service.

The plugin is run standalone (`docker-buildx bake ...`), as buildx supports: the docker CLI in front of it would only
start, ask the plugin for its metadata and start it again, about 0.07 s of every build. Either way buildx reads the
same DOCKER_CONFIG, context and engine settings."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

from fig.backend.specs import BuildProgress, BuildRequest
from fig.backend.builders import Buildx
from fig.backend.progress import Splitter, failure
from fig.errors import BuildError
from fig.logs import logger

log = logger(__name__)

# Keys a bake target may lack in older buildx (0.13 has none of them): checked with --print before they are used
OPTIONAL_KEYS = {"network": "network", "extra-hosts": "extra_hosts", "entitlements": "entitlements"}


def target_names(requests: Sequence[BuildRequest]) -> dict[str, str]:
    """A bake target name (letters, digits, '_', '-') per service."""
    names: dict[str, str] = {}
    for request in requests:
        name = re.sub(r"[^A-Za-z0-9_-]", "_", request.service)
        while name in names.values():
            name += "_"
        names[request.service] = name
    return names


def _target(r: BuildRequest) -> dict[str, Any]:
    t: dict[str, Any] = {"context": r.context, "tags": list(r.tags)}
    if r.dockerfile_inline is not None:
        t["dockerfile-inline"] = r.dockerfile_inline
    elif r.dockerfile:
        t["dockerfile"] = r.dockerfile
    entitlements = [*r.entitlements, *(["security.insecure"] if r.privileged else [])]
    optional = {
        "args": dict(r.args), "target": r.target, "labels": dict(r.labels), "cache-from": list(r.cache_from),
        "cache-to": list(r.cache_to), "no-cache": r.no_cache or None, "pull": r.pull or None,
        "platforms": list(r.platforms), "shm-size": None if r.shm_size is None else str(r.shm_size),
        "ulimits": [f"{n}={soft}:{hard}" for n, soft, hard in r.ulimits], "contexts": dict(r.additional_contexts),
        "secret": [f"id={s.id},src={s.file}" if s.file else f"id={s.id},env={s.env}" for s in r.secrets],
        "ssh": list(r.ssh), "network": r.network, "entitlements": list(dict.fromkeys(entitlements)),
        "extra-hosts": dict(h.split(":", 1) for h in r.extra_hosts),
    }
    t.update({k: v for k, v in optional.items() if v not in (None, [], {})})
    return t


def definition(requests: Sequence[BuildRequest]) -> dict[str, Any]:
    names = target_names(requests)
    targets = {names[r.service]: _target(r) for r in requests}
    return {"group": {"default": {"targets": list(targets)}}, "target": targets}


class Bake:
    kind = "buildx bake"

    def __init__(self, buildx: Buildx, engine_env: Mapping[str, str]) -> None:
        self.buildx = buildx
        self.engine_env = engine_env  # DOCKER_HOST and the TLS settings fig talks to the engine with

    def _environ(self, requests: Sequence[BuildRequest]) -> dict[str, str]:
        """fig's environment with its engine settings (not the docker CLI's context) and secrets' variables."""
        engine = ("DOCKER_HOST", "DOCKER_TLS", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_CONTEXT")
        env = {k: v for k, v in os.environ.items() if k not in engine}
        env.update(self.engine_env)
        env.update({s.env: s.value for r in requests for s in r.secrets if s.env and s.value is not None})
        return env

    def missing(self, requests: Sequence[BuildRequest]) -> list[tuple[str, str]]:
        """(service, key) of what this buildx's bake would drop: it keeps quiet about keys it does not know."""
        wanted = definition(requests)
        used = {(name, key) for name, t in wanted["target"].items() for key in OPTIONAL_KEYS if key in t}
        if not used:
            return []
        try:
            run = subprocess.run([self.buildx.plugin, "bake", "--file", "-", "--print"],
                                 input=json.dumps(wanted), capture_output=True, text=True, timeout=60,
                                 env=self._environ(requests))
            printed = json.loads(run.stdout)["target"]
        except (OSError, subprocess.TimeoutExpired, ValueError, KeyError) as e:
            log.debug("buildx bake --print failed: %s", e)
            printed = {}
        services = {v: k for k, v in target_names(requests).items()}
        return [(services[name], OPTIONAL_KEYS[key]) for name, key in sorted(used)
                if key not in printed.get(name, {})]

    def build(self, requests: Sequence[BuildRequest], on_progress: BuildProgress | None) -> None:
        names = target_names(requests)
        command = [self.buildx.plugin, "bake", "--file", "-", "--load", "--progress", "rawjson"]
        log.debug("building %s with %s (%s, the plugin of %s)", ", ".join(names), self.kind, self.buildx.plugin,
                  self.buildx.docker)
        try:
            proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    env=self._environ(requests))
        except OSError as e:
            raise BuildError(f"cannot run {self.buildx.plugin} bake: {e.strerror or e}",
                             service=requests[0].service) from e
        assert proc.stdin is not None and proc.stderr is not None
        with proc:
            proc.stdin.write(json.dumps(definition(requests)).encode())
            proc.stdin.close()
            # buildx names the steps `[target 2/3] RUN ...`, without the target when it builds only one
            splitter = Splitter({v: k for k, v in names.items()}, on_progress) if len(requests) > 1 else \
                Splitter(None, on_progress, service=requests[0].service)
            text = []
            for item in _objects(proc.stderr):
                if isinstance(item, dict):
                    splitter.feed(item)
                elif item.strip():
                    text.append(item.strip())
            code = proc.wait()
        if code != 0:
            raise failure(splitter, text, [r.service for r in requests])


def _objects(stream: IO[bytes]) -> Iterator[dict[str, Any] | str]:
    """The JSON objects of buildx's rawjson progress (printed one after another, indented), and any line of
    plain text between them (its last words, `ERROR: ...`)."""
    decoder = json.JSONDecoder()
    buffer = ""
    for line in iter(stream.readline, b""):
        buffer += line.decode("utf-8", "replace")
        stripped = buffer.lstrip()
        if not stripped.startswith("{"):
            yield stripped
            buffer = ""
            continue
        try:
            value, _ = decoder.raw_decode(stripped)
        except ValueError:
            continue  # the rest of the object is on the lines to come
        buffer = ""
        yield value
    if buffer.strip():
        yield buffer
