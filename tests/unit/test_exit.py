"""The `fig` program ends without Python's teardown (fig.cli.main.run): its output, its exit status and its
quiet on a closed pipe must be what a normal exit gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fig import __version__

ROOT = Path(__file__).resolve().parents[2]
SERVICES = 400  # `config` prints more than a pipe holds, so the end of it is written at exit


def fig(args: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fig", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}, **kwargs)


def python(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})


def write_project(tmp_path: Path) -> None:
    lines = ["services:"] + [f"  s{i:03d}: {{image: busybox, command: echo {i}}}" for i in range(SERVICES)]
    (tmp_path / "compose.yaml").write_text("\n".join(lines) + "\n")


def test_every_line_of_the_output_is_written_before_the_process_ends(tmp_path):
    write_project(tmp_path)
    result = fig(["config", "--services"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"s{i:03d}" for i in range(SERVICES)]
    assert result.stderr == ""


def test_the_exit_status_and_the_error_line_are_kept(tmp_path):
    result = fig(["-f", "missing.yml", "ps"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("ERROR: ") and "missing.yml" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_reader_that_goes_away_gets_no_complaint(tmp_path):
    write_project(tmp_path)
    reader = subprocess.Popen(["head", "-n", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    writer = subprocess.Popen([sys.executable, "-m", "fig", "config"], cwd=tmp_path, stdout=reader.stdin,
                              stderr=subprocess.PIPE, text=True,
                              env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert reader.stdin is not None and reader.stdout is not None
    reader.stdin.close()  # only fig holds the pipe's writing end now
    first = reader.stdout.read()
    reader.wait(timeout=120)
    _, errors = writer.communicate(timeout=120)
    assert first.startswith("name: ")
    assert errors == ""
    assert writer.returncode == 0


def test_a_thread_a_caller_left_running_is_waited_for(tmp_path):
    script = ("import threading, time, sys\n"
              "from fig.cli.main import run\n"
              "def late():\n    time.sleep(0.5)\n    print('late', flush=True)\n"
              "threading.Thread(target=late).start()\n"
              "sys.argv = ['fig', 'version', '--short']\n"
              "run()\n")
    result = python(script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [__version__, "late"]


def test_the_collector_waits_for_the_engine_and_then_runs_as_usual(tmp_path):
    """Start-up runs without the cyclic garbage collector (fig.cli.main.run); it is on again, with start-up's
    objects frozen, once the command has its engine (fig.cli.bootstrap.engine)."""
    script = ("import gc\n"
              "from fig.cli.bootstrap import engine\n"
              "from fig.cli.main import run\n"
              "def entry():\n"
              "    print(gc.isenabled(), gc.get_freeze_count() > 0)\n"
              "    engine({'DOCKER_HOST': 'unix:///nonexistent.sock'})\n"
              "    print(gc.isenabled(), gc.get_freeze_count() > 0)\n"
              "    return 0\n"
              "run(entry)\n")
    result = python(script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["False False", "True True"]


def test_a_caller_of_main_keeps_its_collector_as_it_was():
    import gc

    from fig.cli.bootstrap import engine

    frozen = gc.get_freeze_count()
    engine({"DOCKER_HOST": "unix:///nonexistent.sock"})
    assert gc.isenabled() and gc.get_freeze_count() == frozen
