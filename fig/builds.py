"""The builds of a run: each service's `build:` as a BuildRequest, all of them handed to the engine's builder at
once, and a failure told as the service that failed and the step it failed at."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fig.backend.base import ContainerBackend
from fig.config.model import BuildSpec, ServiceConfig, is_remote
from fig.errors import BuildError, UserError
from fig.logs import logger

if TYPE_CHECKING:  # loaded by the commands that make or run something
    from fig.backend.specs import BuildProgress, BuildRequest, BuildSecretSource

log = logger(__name__)


def request(config: ServiceConfig, image: str, *, no_cache: bool = False, pull: bool = False,
            args: Mapping[str, str] | None = None) -> BuildRequest:
    """What building a service asks for: its `build:`, with the command line's `--no-cache`, `--pull` and
    `--build-arg`s (added to, or overriding, the file's)."""
    from fig.backend.specs import BuildRequest, BuildSecretSource

    spec = config.build
    if spec is None:
        raise UserError(f"Service '{config.name}' has no build configuration")
    _check_paths(config.name, spec)
    secrets = []
    for secret in spec.secrets:
        if secret.environment and secret.value is None:
            raise UserError(f"Service '{config.name}': the {secret.environment} variable is not set: it is the "
                            f"source of build secret '{secret.source}'")
        if secret.uid or secret.gid or secret.mode is not None:
            log.warning("Service '%s': build secret '%s' sets uid, gid or mode, which BuildKit does not honour "
                        "(a secret is mounted for RUN as root, mode 0400)", config.name, secret.source)
        secrets.append(BuildSecretSource(secret.id, secret.file, secret.environment,
                                         None if secret.value is None else secret.value.value))
    return BuildRequest(
        config.name, spec.context, (image, *(t for t in spec.tags if t != image)), spec.dockerfile,
        spec.dockerfile_inline, {**dict(spec.args), **(args or {})}, spec.target, no_cache or spec.no_cache,
        pull or spec.pull, spec.cache_from, spec.cache_to, spec.network, dict(spec.labels), spec.shm_size,
        spec.extra_hosts, spec.platforms or ((config.platform,) if config.platform else ()),
        dict(spec.additional_contexts), tuple(secrets), spec.ssh, spec.entitlements, spec.privileged,
        spec.isolation, tuple((u.name, u.soft, u.hard) for u in spec.ulimits))


def _check_paths(service: str, spec: BuildSpec) -> None:
    """The directories and files a build reads here must exist: one line naming the service and the key."""
    missing = [("build.context", spec.context)] if not spec.remote and not os.path.isdir(spec.context) else []
    missing += [(f"build.additional_contexts {name}", path) for name, path in spec.additional_contexts
                if not is_remote(path) and not os.path.isdir(path)]
    missing += [(f"build.ssh {key}", path) for key, _, path in (s.partition("=") for s in spec.ssh)
                if path and not os.path.exists(path)]
    missing += [(f"build.secrets {s.source}", s.file) for s in spec.secrets if s.file and not os.path.isfile(s.file)]
    if missing:
        key, path = missing[0]
        kind = {"build.ssh": "file or socket", "build.secrets": "file"}.get(key.split()[0], "directory")
        raise UserError(f"Service '{service}': '{key}' {path} is not a {kind} here")


def output_of(event: Mapping[str, Any]) -> str:
    """What a build's progress event says its steps printed: the classic builder's text, BuildKit's logs."""
    if "stream" in event:
        return str(event["stream"])
    import base64

    data = b"".join(base64.b64decode(item.get("data") or "") for item in event.get("logs") or ())
    return data.decode("utf-8", "replace")


def build(backend: ContainerBackend, requests: Sequence[BuildRequest], *,
          on_progress: BuildProgress | None = None) -> dict[str, str]:
    """Build every request in one go; the image id of each by service. Without `on_progress` (`build --quiet`)
    nothing is said but errors."""
    if not requests:
        return {}
    unique: dict[str, BuildRequest] = {}  # services of one image build it once
    for r in requests:
        if unique.setdefault(r.tag, r) is r and on_progress:
            log.info("Building %s", r.service)
    try:
        ids = backend.build(list(unique.values()), on_progress=on_progress)
    except BuildError as e:
        where = f" at {e.step}" if e.step else ""
        service = e.service or ", ".join(r.service for r in requests)
        raise BuildError(f"Service '{service}' failed to build{where}: {e}", service=service, step=e.step) from e
    return {r.service: ids[unique[r.tag].service] for r in requests}
