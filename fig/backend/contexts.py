"""docker contexts: the engine the docker CLI's current context names, as the environment fig's backend reads.

Which context applies, as the docker CLI decides (docker/cli's resolveContextName): DOCKER_HOST set means the
default context (the variables themselves); else DOCKER_CONTEXT; else `currentContext` in `$DOCKER_CONFIG/config.json`
(default `~/.docker/config.json`); else the default context, which is the default socket. A named context is read
from the CLI's store: `contexts/meta/<sha256 of the name>/meta.json` holds its docker endpoint (`Host`,
`SkipTLSVerify`), `contexts/tls/<sha256>/docker/` its ca.pem, cert.pem and key.pem. fig run directly, the library and
the CLI plugin (which turns the docker CLI's --context, -H and --config into these variables first) all read it here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from fig.config.cache import digest
from fig.errors import UserError

DEFAULT = "default"
_ENGINE_VARIABLES = ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH")


def config_dir(environ: Mapping[str, str]) -> Path:
    """The docker CLI's configuration directory: DOCKER_CONFIG, else ~/.docker."""
    return Path(environ.get("DOCKER_CONFIG") or Path.home() / ".docker")


def current(environ: Mapping[str, str]) -> tuple[str, str]:
    """The context that applies, and the file that chose it ("" when the environment did)."""
    if environ.get("DOCKER_HOST"):
        return DEFAULT, "DOCKER_HOST"
    if environ.get("DOCKER_CONTEXT"):
        return environ["DOCKER_CONTEXT"], ""
    path = config_dir(environ) / "config.json"
    try:
        name = json.loads(path.read_text()).get("currentContext")
    except (OSError, ValueError, AttributeError):
        name = None
    return (str(name), f"currentContext in {path}") if name else (DEFAULT, "")


def endpoint(name: str, chosen_by: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables a named context sets (DOCKER_HOST and its TLS material); none for the default context."""
    if name == DEFAULT:
        return {}
    store = config_dir(environ) / "contexts"
    hashed = digest(name.encode())
    try:
        docker = json.loads((store / "meta" / hashed / "meta.json").read_text())["Endpoints"]["docker"]
        host = str(docker.get("Host") or "")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        why = f" ({chosen_by})" if chosen_by else ""
        raise UserError(f"docker context {name!r}{why} does not exist in {store}: `docker context ls` lists them"
                        ) from None
    env = {"DOCKER_HOST": host} if host else {}
    tls = store / "tls" / hashed / "docker"
    if any((tls / f).is_file() for f in ("ca.pem", "cert.pem", "key.pem")):
        env["DOCKER_CERT_PATH"] = str(tls)
        env["DOCKER_TLS" if docker.get("SkipTLSVerify") else "DOCKER_TLS_VERIFY"] = "1"
    return env


def engine_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` with the engine of the context that applies: a named context's endpoint replaces the engine
    variables (which belong to the default context). Reading the result again gives the same result."""
    name, chosen_by = current(environ)
    if name == DEFAULT:
        return dict(environ)
    kept = {k: v for k, v in environ.items() if k not in _ENGINE_VARIABLES}
    return {**kept, **endpoint(name, chosen_by, environ), "DOCKER_CONTEXT": name}
