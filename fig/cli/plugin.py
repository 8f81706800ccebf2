"""fig as a Docker CLI plugin: `docker compose ...` (or `docker fig ...`) runs fig in Compose v2's dialect.

The docker CLI finds `docker-<name>` in `$DOCKER_CONFIG/cli-plugins`, asks it `docker-cli-plugin-metadata`, and
otherwise runs it with its own argv: the docker CLI's global flags (`-H`, `--context`, `--tls...`), then the
plugin's name, then the rest. Those flags become the environment fig's backend reads (DOCKER_HOST,
DOCKER_TLS_VERIFY, DOCKER_CERT_PATH).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from fig.backend import contexts
from fig.backend.contexts import config_dir
from fig.errors import UserError

MARK = "# fig-docker-cli-plugin: written by `fig plugin install`, removed by `fig plugin uninstall`"
NAMES = ("fig", "compose")
_VALUED = {"--config", "-c", "--context", "-H", "--host", "-l", "--log-level", "--tlscacert", "--tlscert",
           "--tlskey"}
_BOOLEAN = {"-D", "--debug", "--tls", "--tlsverify"}


def plugin_path(name: str, environ: Mapping[str, str]) -> Path:
    if name not in NAMES:
        raise UserError(f"--as takes fig or compose, not {name!r}")
    return config_dir(environ) / "cli-plugins" / f"docker-{name}"


def _ours(path: Path) -> bool:
    try:
        return MARK in path.read_text(errors="replace").splitlines()[:3]
    except (OSError, IndexError):
        return False


def install(name: str, *, force: bool, environ: Mapping[str, str]) -> Path:
    """Write the plugin; a file there that fig did not write is replaced only with `force`."""
    path = plugin_path(name, environ)
    if (path.exists() or path.is_symlink()) and not _ours(path) and not force:
        raise UserError(f"{path} exists and was not written by fig: not replacing it (use --force to replace it)")
    script = f"#!/bin/sh\n{MARK}\nexec '{sys.executable}' -m fig.cli.plugin_main \"$@\"\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            path.unlink()
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(script)
        temporary.chmod(0o755)
        temporary.replace(path)
    except OSError as e:
        raise UserError(f"Cannot write {path}: {e.strerror}") from None
    return path


def uninstall(name: str, *, environ: Mapping[str, str]) -> Path | None:
    """Remove the plugin if fig wrote it; None when there is none."""
    path = plugin_path(name, environ)
    if not (path.exists() or path.is_symlink()):
        return None
    if not _ours(path):
        raise UserError(f"{path} was not written by fig: not removing it")
    try:
        path.unlink()
    except OSError as e:
        raise UserError(f"Cannot remove {path}: {e.strerror}") from None
    return path


def metadata() -> dict[str, str]:
    from fig import __version__

    return {"SchemaVersion": "0.1.0", "Vendor": "fig", "Version": __version__,
            "ShortDescription": "Docker Compose, by fig: define and run multi-container applications",
            "URL": "https://github.com/docker/fig"}


def split_docker_flags(argv: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """The docker CLI's global flags (before the plugin's name) as {flag: value}, and what follows the name."""
    flags: dict[str, str] = {}
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        flag, eq, value = argv[i].partition("=")
        if flag in _VALUED and not eq:
            if i + 1 >= len(argv):
                raise UserError(f"docker flag {flag} needs a value")
            value = argv[i + 1]
            i += 1
        elif flag in _BOOLEAN:
            value = value if eq else "true"
        elif flag not in _VALUED:
            raise UserError(f"unknown docker flag {flag}")
        flags[{"-H": "--host", "-c": "--context", "-D": "--debug", "-l": "--log-level"}.get(flag, flag)] = value
        i += 1
    return flags, list(argv[i + 1:])  # argv[i] is the plugin's name


@contextmanager
def engine_environment(flags: Mapping[str, str], environ: Mapping[str, str]) -> Iterator[dict[str, str]]:
    """The environment that points fig's backend where the docker CLI's flags (and context) point: --context beats
    -H and DOCKER_HOST, -H beats DOCKER_HOST and any context (fig.backend.contexts reads the rest)."""
    if "--host" in flags and "--context" in flags:
        raise UserError("Conflicting options: either specify --host or --context, not both")
    env = dict(environ)
    if "--config" in flags:
        env["DOCKER_CONFIG"] = flags["--config"]
    if "--context" in flags:
        env.pop("DOCKER_HOST", None)
        env["DOCKER_CONTEXT"] = flags["--context"]
    if "--host" in flags:
        env["DOCKER_HOST"] = flags["--host"]
    env = contexts.engine_environment(env)
    if flags.get("--tlsverify", "false") != "false":
        env["DOCKER_TLS_VERIFY"] = "1"
    elif flags.get("--tls", "false") != "false":
        env["DOCKER_TLS"] = "1"
    files = {n: flags[f] for f, n in (("--tlscacert", "ca.pem"), ("--tlscert", "cert.pem"), ("--tlskey", "key.pem"))
             if f in flags}
    if not files:
        yield env
        return
    with tempfile.TemporaryDirectory(prefix="fig-tls-") as directory:  # DOCKER_CERT_PATH holds fixed names
        default = Path(env.get("DOCKER_CERT_PATH") or config_dir(env))
        for name in ("ca.pem", "cert.pem", "key.pem"):
            source = Path(files.get(name) or default / name).expanduser().absolute()
            if source.exists():
                os.symlink(source, Path(directory) / name)
        yield {**env, "DOCKER_CERT_PATH": directory}
