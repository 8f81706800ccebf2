"""The library API (fig.Project) on a FakeBackend: the CLI's options, results returned, nothing printed."""

from __future__ import annotations

import pytest

import fig
from fig.backend.base import ContainerState
from tests.fakes import FakeBackend

APP = """\
services:
  db:
    image: busybox
  web:
    image: busybox
    depends_on: [db]
"""


@pytest.fixture
def project(tmp_path, backend: FakeBackend):
    (tmp_path / "compose.yaml").write_text(APP)
    return fig.Project.from_files([tmp_path / "compose.yaml"], project_name="lib", environ={}, backend=backend)


def test_up_ps_down(project, backend, capsys):
    made = project.up()
    assert sorted(c.name for c in made) == ["lib_db_1", "lib_web_1"]
    assert [c.service for c in project.ps()] == ["db", "web"]
    project.stop(["web"])
    assert [c.service for c in project.ps()] == ["db"]
    assert [c.state for c in project.ps(["web"], all=True)] == [ContainerState.EXITED]
    project.down()
    assert project.ps(all=True) == [] and backend.containers == {}
    assert capsys.readouterr() == ("", "")


def test_options_are_the_clis(project, backend):
    project.up(["web"], no_deps=True)
    assert [c.service for c in project.ps()] == ["web"]
    first = project.ps(["web"])[0].id
    project.up(["web"], no_deps=True, force_recreate=True)
    assert project.ps(["web"])[0].id != first
    project.up(["web"], no_deps=True, scale={"web": 2})
    assert sorted(c.number for c in project.ps(["web"])) == [1, 2]
    with pytest.raises(fig.UserError, match="cannot be combined"):
        project.up(force_recreate=True, no_recreate=True)
    with pytest.raises(fig.UserError, match="No such service: nope"):
        project.up(["nope"])


def test_logs_are_container_and_line_pairs(project, backend):
    project.up()
    backend.log_lines["lib_web_1"] = ["one\n", "two\n"]
    backend.log_lines["lib_db_1"] = ["ready\n"]
    got = [(c.name, line) for c, line in project.logs()]
    assert got == [("lib_db_1", "ready"), ("lib_web_1", "one"), ("lib_web_1", "two")]
    assert [line for _, line in project.logs(["web"], tail=1)] == ["two"]


def test_run_returns_the_exit_code_and_output(project, backend):
    backend.exit_codes["lib_web_run_1"] = 3
    result = project.run("web", ["sh", "-c", "exit 3"], rm=True)
    assert result.exit_code == 3 and result.container.name == "lib_web_run_1"
    assert [c.service for c in project.ps(["db"])] == ["db"]  # its dependency was started
    assert not any(c.oneoff for c in project.ps(all=True))  # rm: removed
    detached = project.run("web", ["sleep", "9"], detach=True, no_deps=True)
    assert detached.exit_code is None and detached.container.is_running


def test_errors_are_fig_errors(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web: {image: busybox, ports: [70000]}\n")
    with pytest.raises(fig.ConfigError):
        fig.Project.from_files([tmp_path / "compose.yaml"], environ={}, backend=FakeBackend())
    with pytest.raises(fig.UserError, match="dialect must be fig or compose"):
        fig.Project.from_files([tmp_path / "compose.yaml"], dialect="v3", backend=FakeBackend())


def test_compose_dialect_names(tmp_path, backend):
    (tmp_path / "compose.yaml").write_text(APP)
    project = fig.Project.from_files([tmp_path / "compose.yaml"], project_name="lib", environ={}, backend=backend,
                                     dialect="compose")
    assert sorted(c.name for c in project.up()) == ["lib-db-1", "lib-web-1"]
