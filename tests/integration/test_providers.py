"""provider: services on the real engine, with a provider plugin of the tests' own (a shell script speaking
Compose's protocol): its `compose up/stop/down` calls, its options as flags, its setenv and rawsetenv variables
in the dependent services' containers, its errors in one line, and a missing plugin refused before anything is
made."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.integration.conftest import FigProject

PLUGIN = """#!/bin/sh
# a provider plugin for the tests: it logs how it is called, and answers as Compose's protocol says
echo "$*" >> "$FIGTEST_PROVIDER_LOG"
if [ "$2" = metadata ]; then
  echo '{"description": "test provider", "up": {"parameters": [{"name": "size", "required": true},
        {"name": "zone"}]}, "down": {"parameters": []}, "stop": {"parameters": []}}' | tr -d '\\n'
  exit 0
fi
case "$3" in
  up)
    if [ "$FIGTEST_PROVIDER_FAIL" = 1 ]; then echo '{"type": "error", "message": "no capacity left in zone a"}'; exit 1; fi
    echo '{"type": "info", "message": "making the database"}'
    echo '{"type": "debug", "message": "seen with --verbose"}'
    echo '{"type": "setenv", "message": "URL=db.example:5432"}'
    echo '{"type": "rawsetenv", "message": "SECRET_KEY=s3cret"}' ;;
  down|stop) echo '{"type": "info", "message": "released"}' ;;
esac
"""

COMPOSE = """\
services:
  app:
    image: busybox
    command: sleep 300
    depends_on: [database]
    environment: {SECRET_KEY: mine, OTHER: kept}
  database:
    provider:
      type: figtest
      options: {size: 2, zone: [a, b], unknown: dropped}
"""


@pytest.fixture
def plugin(tmp_path: Path) -> dict[str, str]:
    """The environment that finds the plugin as a docker CLI plugin (DOCKER_CONFIG/cli-plugins/docker-figtest)."""
    plugins = tmp_path / "docker-config" / "cli-plugins"
    plugins.mkdir(parents=True)
    script = plugins / "docker-figtest"
    script.write_text(PLUGIN)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return {"DOCKER_CONFIG": str(plugins.parent), "FIGTEST_PROVIDER_LOG": str(tmp_path / "calls")}


def calls(env: dict[str, str]) -> list[str]:
    return Path(env["FIGTEST_PROVIDER_LOG"]).read_text().splitlines()


def environment(project: FigProject, name: str) -> dict[str, str]:
    return dict(e.split("=", 1) for e in project.inspect(name)["Config"]["Env"])


@pytest.mark.parametrize("dialect", [[], ["compose"]], ids=["fig", "compose"])
def test_the_provider_runs_before_its_dependents_which_get_its_variables(project, plugin, dialect):
    project.write(COMPOSE, "compose.yml")
    result = project.fig(*dialect, "up", "-d", env=plugin, check=True)
    assert "database: making the database" in result.stderr and "seen with --verbose" not in result.stderr
    assert "provider 'database' overrides environment variable 'SECRET_KEY' in service 'app'" in result.stderr
    app = project.names()[0]
    env = environment(project, app)
    assert (env["DATABASE_URL"], env["SECRET_KEY"], env["OTHER"]) == ("db.example:5432", "s3cret", "kept")
    # only the options the plugin's metadata names, a list as one flag per value, the service last
    assert calls(plugin) == ["compose metadata",
                             f"compose --project-name={project.name} up --size=2 --zone=a --zone=b database"]
    project.fig(*dialect, "up", "-d", env=plugin, check=True)  # the same variables again: nothing is recreated
    assert project.names()[0] == app and environment(project, app)["DATABASE_URL"] == "db.example:5432"
    project.fig(*dialect, "stop", env=plugin, check=True)
    project.fig(*dialect, "down", env=plugin, check=True)
    assert calls(plugin)[-4:] == ["compose metadata", f"compose --project-name={project.name} stop database",
                                  "compose metadata", f"compose --project-name={project.name} down database"]
    assert project.containers() == []


def test_a_one_off_of_a_dependent_gets_the_variables_too(project, plugin):
    project.write(COMPOSE, "compose.yml")
    result = project.fig("run", "--rm", "app", "sh", "-c", "echo $DATABASE_URL", env=plugin, check=True)
    assert result.stdout.strip() == "db.example:5432"


def test_an_executable_on_path_is_a_provider_too(project, plugin, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.replace(Path(plugin["DOCKER_CONFIG"]) / "cli-plugins" / "docker-figtest", bin_dir / "figtest")
    env = {**plugin, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    project.write(COMPOSE, "compose.yml")
    project.fig("up", "-d", env=env, check=True)
    assert environment(project, project.names()[0])["DATABASE_URL"] == "db.example:5432"


def test_a_providers_error_fails_up_in_one_line_before_its_dependents_are_made(project, plugin):
    project.write(COMPOSE, "compose.yml")
    result = project.fig("up", "-d", env={**plugin, "FIGTEST_PROVIDER_FAIL": "1"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == "ERROR: Service 'database': no capacity left in zone a"
    assert project.containers() == []


def test_a_missing_plugin_is_refused_before_anything_is_made(project, tmp_path):
    project.write(COMPOSE, "compose.yml")
    result = project.fig("up", "-d", env={"DOCKER_CONFIG": str(tmp_path / "empty")})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "ERROR: Service 'database' is provided by 'figtest', but neither the docker CLI plugin docker-figtest nor "
        "the executable figtest on PATH is installed")
    assert project.containers() == []
    assert project.client.networks(names=[f"{project.name}_default"]) == []


def test_models_are_read_by_config_and_refused_by_up_before_anything_is_made(project):
    project.write("""\
        services:
          app:
            image: busybox
            command: sleep 300
            models:
              llm: {endpoint_var: AI_URL}
          other:
            image: busybox
            command: sleep 300
        models:
          llm: {model: ai/smollm2, context_size: 2048}
        """, "compose.yml")
    config = project.fig("compose", "config", "--format", "json", check=True)
    printed = json.loads(config.stdout)
    assert printed["services"]["app"]["models"] == {"llm": {"endpoint_var": "AI_URL"}}
    assert printed["models"] == {"llm": {"model": "ai/smollm2", "context_size": 2048}}
    for command in (["up", "-d"], ["run", "--rm", "app", "true"], ["create"]):
        result = project.fig(*command)
        assert result.returncode == 1
        assert result.stderr.strip().splitlines()[-1] == (
            "ERROR: Service 'app' uses the model 'llm': models need Docker Model Runner (the docker model plugin), "
            "which fig does not drive; `fig config` reads them, Docker Compose with Docker Model Runner runs them")
    assert project.containers() == [] and project.client.networks(names=[f"{project.name}_default"]) == []
    project.fig("up", "-d", "other", check=True)  # a service that needs no model runs
