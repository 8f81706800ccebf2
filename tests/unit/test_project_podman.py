"""Project on an engine like Podman (FakeBackend(podman=True)): links given another way, healthchecks fig runs while
it waits, and containers that join another's namespaces removed before it. The same project on the Docker-like fake
keeps the engine's links, and asks it for no healthcheck."""

from __future__ import annotations

import pytest

from fig import labels as L
from fig.backend.base import ContainerState
from fig.backend.specs import ContainerSpec
from fig.errors import NotFound, NotReady
from fig.project import Project
from fig.specs import RunOptions
from tests.fakes import FakeBackend

LINKS = """\
db:
  image: busybox
  command: sleep 100
  expose: ["5432"]
web:
  image: busybox
  command: sleep 100
  links: [db, "db:database"]
"""
HEALTHY = """\
services:
  db:
    image: busybox
    healthcheck: {test: [CMD, "true"], interval: 50ms}
  web:
    image: busybox
    depends_on: {db: {condition: service_healthy}}
"""
JOINED = """\
services:
  web:
    image: busybox
    environment: {V: "%s"}
  app:
    image: busybox
    network_mode: service:web
"""


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend(podman=True)


def spec_of(backend: FakeBackend, name: str):
    return [s for s in backend.specs() if s.name == name][-1]


def test_a_fig_file_runs_on_its_own_network_with_hosts_entries_and_link_variables(project, backend):
    p = project(LINKS)
    p.up()
    address = p.service("db").containers()[0].info.ip_addresses[0]
    web = spec_of(backend, "figtest_web_1")
    assert web.links == []
    assert [(e.network, e.aliases) for e in web.networks] == [("figtest_default", ("web",))]
    assert {f"{name}:{address}" for name in ("db", "database", "db_1", "figtest_db_1")} <= set(web.extra_hosts)
    assert web.environment["DB_PORT_5432_TCP_ADDR"] == address
    assert web.environment["DATABASE_PORT"] == f"tcp://{address}:5432"
    assert web.environment["DB_NAME"] == "/figtest_web_1/db"
    assert "figtest_default" in backend.networks
    p.down()
    assert "figtest_default" not in backend.networks and not backend.containers


def test_a_one_off_of_a_fig_file_gets_its_own_service_as_hosts_entries_and_variables(project, backend):
    p = project(LINKS)
    p.up()
    db = p.service("db")
    address = db.containers()[0].info.ip_addresses[0]
    db.create_oneoff(db.ensure_image(), RunOptions())
    spec = backend.specs()[-1]
    assert spec.links == [] and f"db:{address}" in spec.extra_hosts
    assert spec.environment["DB_PORT"] == f"tcp://{address}:5432"
    assert spec.networks[0].network == "figtest_default" and spec.networks[0].aliases == ()


def test_a_compose_link_is_a_hosts_entry_without_variables(project, backend):
    p = project("services:\n" + "".join(f"  {line}\n" for line in LINKS.splitlines()))
    p.up()
    address = p.service("db").containers()[0].info.ip_addresses[0]
    web = spec_of(backend, "figtest_web_1")
    assert f"database:{address}" in web.extra_hosts
    assert all(e.links == () for e in web.networks)
    assert not any(k.startswith("DB") for k in web.environment)


def test_an_external_link_is_a_hosts_entry_and_variables_of_the_container_it_names(project, backend):
    p = project("web:\n  image: busybox\n  external_links: ['outside:ext']\n")
    backend.start(backend.create(ContainerSpec(name="outside", image="busybox", labels={})))
    address = backend.inspect("outside").ip_addresses[0]
    p.up()
    web = spec_of(backend, "figtest_web_1")
    assert f"ext:{address}" in web.extra_hosts and "EXT_NAME" in web.environment


def test_an_external_link_to_nothing_names_the_container(project, backend):
    with pytest.raises(NotFound, match="'external_links' refers to container 'outside', which does not exist"):
        project("web:\n  image: busybox\n  external_links: ['outside:ext']\n").up()


def test_the_docker_engine_keeps_its_links_and_no_network_for_a_fig_file(project):
    docker_like = FakeBackend()
    p = Project(project(LINKS).config, docker_like, limit=4)
    p.up()
    web = spec_of(docker_like, "figtest_web_1")
    assert ("figtest_db_1", "database") in web.links and web.networks == [] and not docker_like.networks


def test_fig_runs_the_healthcheck_while_a_dependent_waits(project, backend):
    project(HEALTHY).up()
    assert [c for c in backend.calls if c[0] == "run_healthcheck"]
    assert backend.by_name("figtest_web_1").state is ContainerState.RUNNING


def test_an_unhealthy_dependency_stops_up_naming_it(project, backend):
    backend.health_results["figtest_db_1"] = "unhealthy"
    with pytest.raises(NotReady, match=r"^Service 'web' depends on 'db', which is unhealthy \(figtest_db_1\)$"):
        project(HEALTHY).up()
    with pytest.raises(NotFound):
        backend.by_name("figtest_web_1")


def test_up_wait_runs_the_checks_until_healthy(project, backend):
    p = project(HEALTHY.replace("    depends_on: {db: {condition: service_healthy}}\n", ""))
    p.up()
    assert backend.by_name("figtest_db_1").health == "starting"
    p.wait(timeout=5)
    assert backend.by_name("figtest_db_1").health == "healthy"


def test_an_engine_that_runs_checks_is_not_asked_to(project):
    docker_like = FakeBackend()
    Project(project(HEALTHY).config, docker_like, limit=4).up()
    assert not [c for c in docker_like.calls if c[0] == "run_healthcheck"]


def test_down_removes_a_container_that_joins_another_first(project, backend):
    p = project(JOINED % 1)
    p.up()
    p.down()
    assert not backend.containers
    assert backend.names("remove") == ["figtest_app_1", "figtest_web_1"]


def test_rm_removes_a_container_that_joins_another_first(project, backend):
    p = project(JOINED % 1)
    p.up()
    p.stop()
    p.remove(p.containers(stopped=True))
    assert not backend.containers


def test_recreating_a_joined_service_removes_its_old_container_after_the_joiners(project, backend):
    project(JOINED % 1).up()
    old = {c.name: c.id for c in backend.containers.values()}
    project(JOINED % 2).up()
    assert sorted(c.name for c in backend.containers.values()) == ["figtest_app_1", "figtest_web_1"]
    assert not set(old.values()) & set(backend.containers)
    web = backend.by_name("figtest_web_1")
    assert spec_of(backend, "figtest_app_1").network_mode == f"container:{web.id}"


def webs(backend: FakeBackend) -> list[str]:
    return [c.name for c in backend.containers.values() if c.spec.labels[L.LABEL_SERVICE] == "web"]


def test_a_joined_container_that_cannot_go_yet_is_left_for_the_next_up(project, backend):
    project(JOINED % 1).up()
    app = project(JOINED % 1).service("app")
    oneoff = app.create_oneoff(app.ensure_image(), RunOptions(command=("sleep", "9")))  # joins the old web too
    project(JOINED % 2).up()
    assert len(webs(backend)) == 2  # the old one, set aside, and the new one
    backend.remove(oneoff.id, force=True)
    project(JOINED % 2).up()
    assert webs(backend) == ["figtest_web_1"]


def test_a_one_off_that_shares_the_network_of_another_is_not_linked_to_its_own_service(project, backend):
    for engine in (backend, FakeBackend()):
        p = Project(project(JOINED % 1).config, engine, limit=4)
        p.up()
        app = p.service("app")
        app.create_oneoff(app.ensure_image(), RunOptions(command=("true",)))
        spec = engine.specs()[-1]
        assert (spec.links, spec.extra_hosts, spec.networks) == ([], (), [])

