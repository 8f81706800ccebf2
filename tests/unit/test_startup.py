"""What a command loads before it does its work (issue 22): start-up is most of what `fig version`, `config` and
`ps` cost, so a module a command does not use must not be imported on its way. Checked in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Never needed to print a version: no logging, no dataclasses (nor the inspect module they load), no project
VERSION_FREE = ("logging", "dataclasses", "inspect", "yaml", "fig.config", "fig.project", "fig.backend")
# Never needed to read a project, or to look at a local engine: what only builds, one-offs, watch, swarm, copies,
# providers, TLS, dry runs or making containers use; the dataclasses module (fig.records replaces it); logging,
# loaded by the first message shown (fig.logs); hashlib, which loads OpenSSL (fig.config.cache.digest); and PyYAML,
# for a file read before (fig.config.loader) and printed by `config` (fig.config.yamlwrite); the Python halves of
# socket, signal and threading (fig uses their C cores), and modules that only some keys or answers need
PROJECT_FREE = ("dataclasses", "inspect", "logging", "hashlib", "yaml", "http.client", "email", "ssl", "decimal",
                "socket", "signal", "threading", "datetime", "base64", "fcntl", "math",
                "subprocess", "tarfile", "tempfile", "concurrent.futures", "queue", "jsonschema", "docker", "requests",
                "fig.swarm", "fig.watch", "fig.cli.up", "fig.cli.interact", "fig.cli.attach", "fig.cli.log_printer",
                "fig.running", "fig.copying", "fig.backend.bake", "fig.backend.enginebuild", "fig.backend.session",
                "fig.backend.builders", "fig.backend.dryrun", "fig.backend.specs", "fig.backend.answers",
                "fig.backend.swarmtypes")


def loaded(code: str, cwd: Path, env: dict[str, str] | None = None) -> list[str]:
    """The modules a fresh interpreter holds after running `code`."""
    script = f"import sys\n{code}\nprint(repr(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **(env or {})})
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def offending(modules: list[str], banned: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == b or m.startswith(b + ".") for b in banned)]


def test_version_loads_nothing_it_does_not_print(tmp_path):
    for argv in (["version"], ["compose", "version"], ["-p", "x", "version", "--short"]):
        modules = loaded(f"from fig.cli.main import main\nassert main({argv!r}) == 0", tmp_path)
        assert offending(modules, VERSION_FREE) == [], argv


def test_config_loads_neither_the_engine_client_nor_other_commands(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web: {image: busybox, ports: ['80']}\n")
    run = "from fig.cli.main import main\nassert main(['config']) == 0"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    loaded(run, tmp_path, env)  # the first run validates the file (and loads jsonschema); the next one need not
    assert offending(loaded(run, tmp_path, env), PROJECT_FREE) == []


def test_the_engine_client_loads_only_what_a_local_engine_needs(tmp_path):
    code = "from fig.cli.bootstrap import engine\nengine({'DOCKER_HOST': 'unix:///nonexistent.sock'})"
    assert offending(loaded(code, tmp_path), PROJECT_FREE) == []


def test_exec_loads_neither_run_nor_up(tmp_path):
    """`exec` shares its attaching with `run`, not run's options or `up`'s printing; nor does it read answers, nor
    load TLS for a local engine. Its connection is a _socket one, and a terminal's `select` is loaded for one."""
    modules = loaded("import fig.cli.interact", tmp_path)
    assert offending(modules, ("fig.cli.run", "fig.cli.up", "fig.cli.attached", "fig.cli.log_printer",
                               "fig.backend.answers", "ssl", "socket", "signal", "select", "struct")) == []


def test_a_file_read_before_is_not_parsed_again(tmp_path):
    """Its tree comes from the cache (fig.config.loader), so PyYAML is not even imported."""
    (tmp_path / "compose.yaml").write_text("services:\n  web: {image: busybox, ports: ['80']}\n")
    run = "from fig.config import load_project\nassert load_project(cwd='.').services[0].name == 'web'"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert "yaml" in loaded(run, tmp_path, env)
    assert offending(loaded(run, tmp_path, env), ("yaml", "fig.config.yamlparse")) == []
    (tmp_path / "compose.yaml").write_text("services:\n  api: {image: busybox}\n")
    assert "yaml" in loaded(run.replace("'web'", "'api'"), tmp_path, env)
