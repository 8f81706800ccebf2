"""Both dialects on one FakeBackend: labels other tools read, fig 1.1.0's containers adopted, names by dialect."""

from __future__ import annotations

import os

import pytest

from fig import __version__
from fig import labels as L
from fig.backend.specs import ContainerSpec
from fig.cli.dialect import COMPOSE, FIG, compose_dialect
from fig.project import Project
from fig.records import replace
from fig.specs import RunOptions
from tests.fakes import FakeBackend

APP = """\
services:
  db:
    image: busybox
  web:
    image: busybox
    depends_on:
      db: {condition: service_started, restart: true}
    links: [cache]
  cache:
    image: busybox
"""


@pytest.fixture
def make(load, backend: FakeBackend):
    def _make(dialect=FIG, text: str = APP) -> Project:
        return Project(load(text), backend, limit=4, naming=dialect.naming)

    return _make


def spec_of(backend: FakeBackend, service: str) -> ContainerSpec:
    return next(s for s in backend.specs() if s.labels.get(L.LABEL_SERVICE) == service)


def test_containers_carry_composes_labels(make, backend, tmp_path):
    make().up()
    labels = spec_of(backend, "web").labels
    assert labels[L.LABEL_PROJECT] == "figtest" and labels[L.LABEL_SERVICE] == "web"
    assert labels[L.LABEL_NUMBER] == "1" and labels[L.LABEL_ONEOFF] == "False"
    assert labels[L.LABEL_VERSION] == __version__
    assert labels[L.LABEL_WORKING_DIR] == str(tmp_path)
    assert labels[L.LABEL_CONFIG_FILES] == os.path.join(str(tmp_path), "fig.yml")
    assert labels[L.LABEL_DEPENDS_ON] == "db:service_started:true,cache:service_started:false"
    assert spec_of(backend, "db").labels[L.LABEL_DEPENDS_ON] == ""
    assert not any(k.startswith("io.fig.") and k != L.LABEL_CONFIG for k in labels)


def test_default_network_carries_project_and_key(make, backend):
    make().up()
    labels = backend.networks["figtest_default"]["labels"]
    assert labels[L.LABEL_PROJECT] == "figtest" and labels[L.LABEL_NETWORK] == "default"


def legacy_container(backend: FakeBackend, project: Project, service: str, number: int = 1) -> str:
    """A container as fig 1.1.0 made it: only io.fig.* labels, the hash of today's configuration."""
    svc = project.service(service)
    spec = svc.specs.build(number, backend.image_id("busybox") or "", svc.config_hash(backend.image_id("busybox")))
    old = {L.LEGACY.get(k, k): v for k, v in spec.labels.items() if k in L.LEGACY or k == L.LABEL_CONFIG}
    cid = backend.create(replace(spec, labels=old))
    backend.start(cid)
    return cid


def test_fig_1_1_containers_are_adopted_not_duplicated(make, backend):
    project = make(text="web: {image: busybox}\n")
    old = legacy_container(backend, project, "web")
    assert [c.id for c in project.containers()] == [old]
    backend.reset_calls()
    project.up()
    assert backend.container_writes() == []  # same configuration: kept as it is, not recreated
    project.scale({"web": 2})
    assert sorted(c.number for c in project.containers()) == [1, 2]
    assert [c.id for c in project.containers() if c.number == 1] == [old]


def test_fig_1_1_container_with_changed_configuration_is_recreated_once(make, backend):
    legacy_container(backend, make(text="web: {image: busybox}\n"), "web")
    project = make(text="web: {image: busybox, command: sleep 5}\n")
    project.up()
    (web,) = project.containers(stopped=True)
    assert web.info.labels[L.LABEL_PROJECT] == "figtest" and "io.fig.project" not in web.info.labels


def test_names_follow_the_dialect(make, backend):
    make(COMPOSE).up(["db"])
    assert [c.name for c in make(COMPOSE).containers()] == ["figtest-db-1"]
    make(compose_dialect(True, {})).up(["cache"])
    assert "figtest_cache_1" in [c.name for c in make(FIG).containers()]


def test_compatibility_from_the_environment():
    assert compose_dialect(False, {"COMPOSE_COMPATIBILITY": "true"}).naming.separator == "_"
    assert compose_dialect(True, {}).naming == L.Naming("_", slug=True)
    assert compose_dialect(False, {}).naming.separator == "-"


def test_either_dialect_keeps_what_the_other_made(make, backend):
    make(FIG).up()
    backend.reset_calls()
    make(COMPOSE).up()
    assert backend.container_writes() == []
    make(COMPOSE).scale({"db": 2})
    assert sorted(c.name for c in make(FIG).containers(["db"])) == ["figtest-db-2", "figtest_db_1"]


def test_compose_one_offs_are_named_by_slug(make, backend):
    project = make(COMPOSE)
    project.ensure_resources()
    service = project.service("db")
    made = service.create_oneoff(backend.image_id("busybox") or "", RunOptions(command=("true",)))
    slug = made.info.labels[L.LABEL_SLUG]
    assert len(slug) == 64 and made.name == f"figtest-db-run-{slug[:12]}"
    fig_one = make(FIG).service("db").create_oneoff(backend.image_id("busybox") or "", RunOptions())
    assert fig_one.name == "figtest_db_run_2" and L.LABEL_SLUG not in fig_one.info.labels


def test_env_files_are_labelled_when_given(tmp_path, backend):
    from fig.config import load_project

    (tmp_path / "compose.yaml").write_text("services:\n  web: {image: busybox}\n")
    (tmp_path / "vars.env").write_text("A=1\n")
    config = load_project(project_name="figtest", environ={}, cwd=str(tmp_path), env_files=["vars.env"])
    Project(config, backend).up()
    assert spec_of(backend, "web").labels[L.LABEL_ENVIRONMENT_FILE] == str(tmp_path / "vars.env")
