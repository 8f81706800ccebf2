"""`provider:` services, made by a plugin binary as Compose makes them: `<plugin> compose --project-name=P up
[--option=value ...] SERVICE` (then `down`, and `stop` when the plugin's metadata declares it). The plugin
answers on stdout with one JSON message a line: `info` (progress), `error` (it failed), `setenv` KEY=VALUE (given
to the services that depend on it as <SERVICE>_KEY), `rawsetenv` KEY=VALUE (given as KEY), `debug`.

The plugin is the docker CLI plugin `docker-<type>` (in $DOCKER_CONFIG/cli-plugins, ~/.docker/cli-plugins or the
system's plugin directories) or else the executable `<type>` on PATH, as Compose looks it up."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fig.config.model import ServiceConfig
from fig.errors import BackendError, UserError
from fig.logs import logger
from fig.parallel import Event, execute
from fig.records import field, record
from fig.service import Service

if TYPE_CHECKING:  # running a plugin loads these, not every `up` of a project without providers
    import subprocess

log = logger(__name__)

SYSTEM_PLUGIN_DIRS = ("/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins",
                      "/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins")
ACTIONS = {"up": "create", "down": "remove", "stop": "stop"}


@record
class Provided:
    """The variables a provider gave: `prefixed` ones (setenv) and `raw` ones (rawsetenv)."""

    prefixed: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)

    def for_dependents(self, service: str) -> dict[str, str]:
        """What a service that depends on `service` gets, as Compose names it: <SERVICE>_KEY, then KEY."""
        return {**{f"{service.upper()}_{k}": v for k, v in self.prefixed.items()}, **self.raw}


def plugin_path(kind: str, environ: Mapping[str, str]) -> str | None:
    config = environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    for directory in (os.path.join(config, "cli-plugins"), *SYSTEM_PLUGIN_DIRS):
        candidate = os.path.join(directory, f"docker-{kind}")
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    import shutil

    return shutil.which(kind, path=environ.get("PATH", os.defpath))


def check(services: Sequence[ServiceConfig], environ: Mapping[str, str],
          deps: Callable[[str], Sequence[str]] = lambda _: ()) -> None:
    """Before anything is made or removed: no service needs a model, each provider's plugin is there, and what a
    provider depends on is provided too (fig runs the providers before it makes any container)."""
    kinds = {svc.name: svc.provider for svc in services}
    for svc in services:
        if svc.models:
            raise UserError(f"Service '{svc.name}' uses the model '{svc.models[0].key}': models need Docker Model "
                            "Runner (the docker model plugin), which fig does not drive; `fig config` reads them, "
                            "Docker Compose with Docker Model Runner runs them")
        if not svc.provider:
            continue
        if plugin_path(svc.provider.type, environ) is None:
            raise UserError(f"Service '{svc.name}' is provided by '{svc.provider.type}', but neither the docker CLI "
                            f"plugin docker-{svc.provider.type} nor the executable {svc.provider.type} on PATH is "
                            "installed")
        containers = [name for name in deps(svc.name) if not kinds.get(name)]
        if containers:
            raise UserError(f"Service '{svc.name}' has a provider and depends on '{containers[0]}', which has "
                            "containers: fig runs the providers before it makes any container")


def up(chosen: Sequence[Service], everyone: Sequence[Service], *, project: str, environ: Mapping[str, str],
       deps: Callable[[str], Sequence[str]], on_event: Callable[[Event], None]) -> None:
    """Run the providers among `chosen`, in dependency order, each giving its variables to the services of
    `everyone` that depend on it."""
    def make(service: Service) -> None:
        provided = run(service.config, "up", project=project, environ=environ, on_info=_info)
        for dependent in everyone:
            if any(d.service == service.name for d in dependent.config.depends_on):
                dependent.add_environment(provided.for_dependents(service.name), origin=service.name)

    outcome = execute([s for s in chosen if s.config.provider], make, key=lambda s: s.name,
                      deps=lambda s: deps(s.name), on_event=lambda e: on_event(Event(f"Creating {e.key}", e.phase,
                                                                                           e.error)))
    outcome.raise_if_failed()


def down(chosen: Sequence[Service], command: str, *, project: str, environ: Mapping[str, str],
         dependents: Callable[[str], Sequence[str]], on_event: Callable[[Event], None]) -> None:
    """`down` (or `stop`) the providers among `chosen`, those that depend on others first."""
    verb = "Removing" if command == "down" else "Stopping"
    outcome = execute([s for s in chosen if s.config.provider],
                      lambda s: run(s.config, command, project=project, environ=environ, on_info=_info),
                      key=lambda s: s.name, deps=lambda s: dependents(s.name),
                      on_event=lambda e: on_event(Event(f"{verb} {e.key}", e.phase, e.error)))
    outcome.raise_if_failed()


def _info(service: str, text: str) -> None:
    log.info("%s: %s", service, text)


def run(svc: ServiceConfig, command: str, *, project: str, environ: Mapping[str, str],
        on_info: Callable[[str, str], None]) -> Provided:
    """Run the service's provider for `up`, `down` or `stop` (the last only when its metadata declares `stop`)."""
    import subprocess
    import tempfile

    assert svc.provider is not None
    path = plugin_path(svc.provider.type, environ)
    if path is None:
        check([svc], environ)
    assert path is not None
    env = {k: v for k, v in environ.items() if k != "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND"}
    metadata = _metadata(path, env)
    if command == "stop" and not isinstance(metadata.get("stop"), dict):
        return Provided()
    args = [path, "compose", f"--project-name={project}", command, *_options(svc, command, metadata), svc.name]
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL, env=env,
                                   text=True)
        try:
            provided = _read(svc, process, on_info)
        finally:
            if process.poll() is None and process.stdout:
                process.stdout.close()
            code = process.wait()
        stderr.seek(0)
        said = [line for line in stderr.read().decode("utf-8", "replace").splitlines() if line.strip()]
    if code:
        raise BackendError(f"Service '{svc.name}': failed to {ACTIONS[command]} service provider "
                           f"{svc.provider.type}: exit status {code}" + (f": {said[-1].strip()}" if said else ""))
    return provided


def _metadata(path: str, env: Mapping[str, str]) -> dict[str, Any]:
    """`<plugin> compose metadata`: the parameters of up, down (and stop); {} when the plugin has none."""
    import subprocess

    try:
        done = subprocess.run([path, "compose", "metadata"], capture_output=True, env=env, timeout=60,
                              stdin=subprocess.DEVNULL)
        found = json.loads(done.stdout) if done.returncode == 0 else {}
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        log.debug("%s compose metadata: %s", path, e)
        return {}
    return found if isinstance(found, dict) else {}


def _options(svc: ServiceConfig, command: str, metadata: Mapping[str, Any]) -> list[str]:
    """The provider's options as flags: all of them when the plugin describes none, else those its command takes
    (a required one missing is refused)."""
    assert svc.provider is not None
    described = bool(metadata.get("description") or any(isinstance(metadata.get(c), dict) for c in ("up", "down")))
    parameters = [p for p in (metadata.get(command) or {}).get("parameters") or () if isinstance(p, dict)]
    given = dict(svc.provider.options)
    for parameter in parameters:
        if parameter.get("required") and parameter.get("name") not in given:
            raise UserError(f"Service '{svc.name}': required parameter {parameter.get('name')!r} is missing from "
                            f"provider {svc.provider.type!r} definition")
    takes = {p.get("name") for p in parameters}
    return [f"--{name}={value}" for name, values in svc.provider.options if not described or name in takes
            for value in values]


def _read(svc: ServiceConfig, process: subprocess.Popen[str], on_info: Callable[[str, str], None]) -> Provided:
    provided = Provided()
    assert process.stdout is not None
    for line in process.stdout:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
            kind, text = message["type"], str(message["message"])
        except (ValueError, KeyError, TypeError):
            raise BackendError(f"Service '{svc.name}': invalid response from provider: {line.strip()[:200]}") from None
        if kind == "error":
            process.kill()
            raise BackendError(f"Service '{svc.name}': {text.strip()}")
        if kind == "info":
            on_info(svc.name, text.strip().splitlines()[0] if text.strip() else "")
        elif kind == "debug":
            log.debug("%s: %s", svc.name, text)
        elif kind in ("setenv", "rawsetenv"):
            key, sep, value = text.partition("=")
            if not sep or not key:
                raise BackendError(f"Service '{svc.name}': invalid response from provider: {text[:200]}")
            (provided.prefixed if kind == "setenv" else provided.raw)[key] = value
        else:
            raise BackendError(f"Service '{svc.name}': invalid response from provider: {kind}")
    return provided
