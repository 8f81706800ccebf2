"""`fig completion bash` in a real bash: the function is registered, and it offers commands, flags and services."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.integration.conftest import FIG

APP = "services:\n  web: {image: busybox}\n  db: {image: busybox}\n  worker: {image: busybox}\n"


def candidates(cwd, script: str, *words: str) -> list[str]:
    """COMPREPLY for `fig WORDS...` with the cursor on the last word."""
    line = " ".join(f"'{w}'" for w in words)
    program = (f"{script}\ncomplete -p fig\nCOMP_WORDS=(fig {line}); COMP_CWORD={len(words)}\n"
               "_fig_completion\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"}
    result = subprocess.run(["bash", "--norc", "--noprofile"], input=program, capture_output=True, text=True,
                            cwd=cwd, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    registered, *rest = result.stdout.splitlines()
    assert registered == "complete -F _fig_completion fig"
    return sorted(r for r in rest if r)


@pytest.fixture(scope="module")
def script() -> str:
    if shutil.which("bash") is None:
        pytest.fail("bash is missing", pytrace=False)
    result = subprocess.run([*FIG, "completion", "bash"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == ""
    return result.stdout


def test_commands_and_flags(tmp_path, script):
    assert candidates(tmp_path, script, "p") == ["pause", "plugin", "port", "ps", "pull", "push"]
    assert {"exec", "events"} <= set(candidates(tmp_path, script, "e"))
    offered = candidates(tmp_path, script, "up", "--no-")
    assert {"--no-build", "--no-color", "--no-deps", "--no-recreate", "--no-start"} <= set(offered)
    assert all(flag.startswith("--no-") for flag in offered)
    assert {"--profile", "--progress", "--project-name"} <= set(candidates(tmp_path, script, "--pro"))
    assert candidates(tmp_path, script, "completion", "") == ["bash", "fish", "zsh"]
    assert "logs" in candidates(tmp_path, script, "help", "")
    assert candidates(tmp_path, script, "compose", "-p", "x", "do") == ["down"]


def test_service_names_come_from_the_project_file(tmp_path, script):
    (tmp_path / "compose.yaml").write_text(APP)
    assert candidates(tmp_path, script, "logs", "") == ["db", "web", "worker"]
    assert candidates(tmp_path, script, "up", "-d", "w") == ["web", "worker"]
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.yml").write_text("services:\n  api: {image: busybox}\n")
    assert candidates(tmp_path, script, "-f", "other/x.yml", "restart", "") == ["api"]
    empty = tmp_path.parent / f"{tmp_path.name}-empty"
    empty.mkdir()
    assert candidates(empty, script, "stop", "") == []  # no project file here: nothing, no error


def test_zsh_and_fish_scripts_are_made_from_the_same_grammar():
    zsh = subprocess.run([*FIG, "completion", "zsh"], capture_output=True, text=True, timeout=60).stdout
    assert "bashcompinit" in zsh and "_fig_completion" in zsh
    fish = subprocess.run([*FIG, "completion", "fish"], capture_output=True, text=True, timeout=60).stdout
    assert "-a up" in fish and "-l force-recreate" in fish and "fig config --services" in fish
    bad = subprocess.run([*FIG, "completion", "tcsh"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and bad.stderr.strip() == "ERROR: SHELL must be bash, zsh or fish, not 'tcsh'"
