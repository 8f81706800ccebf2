"""fig.logs: fig's loggers load `logging` at the first message shown, and the CLI's set-up applies before it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(code: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **(env or {})})
    assert result.returncode == 0, result.stderr
    return result


SETUP = """
import sys
from fig.logs import configure, logger
calls = []
def setup():
    import logging
    calls.append(1)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logging.getLogger().handlers[:] = [handler]
    logging.getLogger().setLevel(logging.DEBUG if VERBOSE else logging.INFO)
log = logger("fig.x")
"""


def test_a_debug_message_that_would_not_be_shown_loads_nothing_and_the_first_shown_one_sets_logging_up():
    out = run(SETUP.replace("VERBOSE", "False") + """
configure(setup, debug=False)
log.debug("hidden %s", 1)
print("loaded" if "logging" in sys.modules else "not loaded", len(calls))
log.info("shown %s", 2)
log.warning("also %s", 3)
print(len(calls))
""").stdout
    assert out.splitlines() == ["not loaded 0", "INFO fig.x shown 2", "WARNING fig.x also 3", "1"]


def test_a_verbose_set_up_applies_at_once_and_shows_debug_messages():
    out = run(SETUP.replace("VERBOSE", "True") + """
configure(setup, debug=True)
print(len(calls))
log.debug("seen %s", 1)
""").stdout
    assert out.splitlines() == ["1", "DEBUG fig.x seen 1"]


def test_with_logging_loaded_a_set_up_applies_at_once_and_debug_messages_reach_it():
    """As under pytest, or a program that runs the CLI more than once: its own logging settings decide."""
    out = run("import logging\n" + SETUP.replace("VERBOSE", "True") + """
configure(setup, debug=False)
print(len(calls))
log.debug("seen")
""").stdout
    assert out.splitlines() == ["1", "DEBUG fig.x seen"]


def test_without_a_set_up_the_loggers_are_plain_logging_loggers():
    out = run("""
import logging, sys
logging.basicConfig(stream=sys.stdout, level=logging.DEBUG, format="%(levelname)s %(message)s")
from fig.logs import logger
logger("fig.y").debug("d")
logger("fig.y").error("e %s", "!")
""").stdout
    assert out.splitlines() == ["DEBUG d", "ERROR e !"]


def test_the_cli_shows_a_warning_in_its_own_format_though_logging_loads_late(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web: {image: 'busybox:${NO_SUCH_TAG}'}\n")
    result = run("from fig.cli.main import main\nraise SystemExit(main(['config']))", tmp_path,
                 {"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.stderr.splitlines() == [
        'WARNING: The NO_SUCH_TAG variable is not set. Defaulting to a blank string.']
    assert "image: 'busybox:'" in result.stdout
