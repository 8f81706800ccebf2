"""Runs Compose v2's and fig's `config --format json` on the corpus, the same way for both: the file by its
absolute path, from its own directory, project name `corpus`, a fixed environment (PATH, an empty HOME and
cache directory: nothing from the machine or from an earlier run). fig runs in this process through its
command-line entry point (`fig.cli.main.main`, exactly what the `fig` script calls), one file at a time, while
Compose v2's processes run beside it."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PROJECT = "corpus"
# Files Compose v2 is not run on, and why: they count as refused by it.
V2_NOT_RUN = {
    "tests/fixtures/config/invalid/alias_bomb.yml": "Compose v2 expands YAML aliases without a limit: this "
                                                    "billion laughs takes it minutes and gigabytes",
}


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    @property
    def ok(self) -> bool:
        return self.code == 0


def corpus_root() -> Path:
    return Path(os.environ.get("FIG_CORPUS") or "/var/cache/fig-corpus") / "trees"


def corpus_files() -> list[Path]:
    """The listed compose files of the public projects, then every compose file of fig's own fixtures."""
    lines = (HERE / "corpus-files.txt").read_text(encoding="utf-8").splitlines()
    listed = [corpus_root() / line for line in lines if line.strip() and not line.startswith("#")]
    fixtures = sorted(p for p in (ROOT / "tests" / "fixtures").rglob("*") if p.suffix in (".yml", ".yaml"))
    return listed + fixtures


def shown(path: Path) -> str:
    """A file as the known-differences list names it: under the corpus, or under the repository."""
    for base, prefix in ((corpus_root(), ""), (ROOT, "")):
        if path.is_relative_to(base):
            return prefix + str(path.relative_to(base))
    return str(path)


def compose_v2() -> str:
    path = subprocess.run([str(ROOT / "script" / "peers"), "--path", "compose"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert os.access(path, os.X_OK), f"Compose v2 is not at {path}: run script/corpus (it runs script/peers)"
    return path


def environment(home: Path) -> dict[str, str]:
    return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache"),
            "DOCKER_CONFIG": str(home / "docker"), "LANG": "C.UTF-8"}


def run_v2(compose: str, path: Path, env: dict[str, str]) -> Outcome:
    if shown(path) in V2_NOT_RUN:
        return Outcome(1, "", V2_NOT_RUN[shown(path)])
    done = subprocess.run([compose, "-f", str(path), "-p", PROJECT, "config", "--format", "json"], cwd=path.parent,
                          env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    return Outcome(done.returncode, done.stdout, done.stderr)


@contextlib.contextmanager
def _as_a_process(cwd: Path, env: dict[str, str]) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """os.environ and the directory of a fresh `fig` process, and its standard streams captured."""
    saved_env, saved_cwd, saved_handlers = dict(os.environ), os.getcwd(), logging.getLogger().handlers[:]
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            yield out, err
    finally:
        logging.getLogger().handlers[:] = saved_handlers  # fig's main() pointed them at the captured stream
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def run_fig(path: Path, env: dict[str, str]) -> Outcome:
    from fig.cli.main import main

    with _as_a_process(path.parent, env) as (out, err):
        try:
            code = main(["compose", "-f", str(path), "-p", PROJECT, "config", "--format", "json"])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
    return Outcome(code, out.getvalue(), err.getvalue())


def run_all(files: list[Path], home: Path) -> dict[Path, tuple[Outcome, Outcome]]:
    """Both tools on every file: Compose v2 in worker threads (its processes run in parallel), fig here."""
    env = environment(home)
    compose = compose_v2()
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        pending = {path: pool.submit(run_v2, compose, path, env) for path in files}
        figs = {path: run_fig(path, env) for path in files}
        return {path: (pending[path].result(), figs[path]) for path in files}
