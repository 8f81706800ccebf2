"""Project and Service on a FakeBackend: up, recreate, scale, stop/kill/rm order and one-off containers."""

from __future__ import annotations

import pytest

from fig import labels as L
from fig.backend.base import ContainerState
from fig.backend.specs import ContainerSpec
from fig.convergence import Strategy
from fig.errors import BackendError, ImageNotFound, OperationError, UserError
from fig.project import UpOptions
from fig.specs import RunOptions
from tests.fakes import FakeBackend

LINKS = """\
web:
  image: busybox
  command: echo web
  links: [db, 'cache:redis']
  ports: ['8000:80']
db:
  image: busybox
  volumes: [/var/lib/db]
cache:
  image: busybox
"""
SIMPLE = """\
web:
  image: busybox
  volumes: [/data]
"""


def names(containers) -> list[str]:
    return [c.name for c in containers]


def order_of(backend: FakeBackend, method: str) -> list[str]:
    return backend.names(method)


# -- up ---------------------------------------------------------------------------------------------------

def test_up_creates_in_dependency_order_with_labels_and_names(project, backend: FakeBackend):
    p = project(LINKS)
    made = p.up()
    assert sorted(names(made)) == ["figtest_cache_1", "figtest_db_1", "figtest_web_1"]
    created, started = order_of(backend, "create"), order_of(backend, "start")
    assert sorted(created) == sorted(names(made)) and sorted(started) == sorted(names(made))
    assert created.index("figtest_web_1") > created.index("figtest_db_1")
    assert created.index("figtest_web_1") > created.index("figtest_cache_1")
    assert started.index("figtest_web_1") > started.index("figtest_db_1")
    assert started.index("figtest_web_1") > started.index("figtest_cache_1")
    image_id = backend.image_id("busybox")
    for spec in backend.specs():
        service = spec.name.split("_")[1]
        assert spec.labels[L.LABEL_PROJECT] == "figtest"
        assert spec.labels[L.LABEL_SERVICE] == service
        assert spec.labels[L.LABEL_NUMBER] == "1"
        assert spec.labels[L.LABEL_ONEOFF] == "False"
        assert spec.labels[L.LABEL_CONFIG_HASH] == p.service(service).config_hash(image_id)
    assert all(c.state is ContainerState.RUNNING for c in p.containers())


def test_up_wires_legacy_links_by_container_name(project, backend: FakeBackend):
    project(LINKS).up()
    web = next(s for s in backend.specs() if s.name == "figtest_web_1")
    assert ("figtest_db_1", "db") in web.links
    assert ("figtest_cache_1", "redis") in web.links


def test_second_up_with_no_change_writes_nothing(project, backend: FakeBackend):
    project(LINKS).up()
    backend.reset_calls()
    project(LINKS).up()
    assert backend.writes() == []


def test_up_of_a_selected_service_starts_its_dependencies(project, backend: FakeBackend):
    p = project(LINKS)
    p.up(["db"])
    assert names(p.containers()) == ["figtest_db_1"]
    p.up(["web"])
    assert sorted(names(p.containers())) == ["figtest_cache_1", "figtest_db_1", "figtest_web_1"]


def test_up_without_deps_creates_only_the_service(project, backend: FakeBackend):
    p = project(SIMPLE + "other:\n  image: busybox\n")
    p.up(["web"], options=UpOptions(deps=False))
    assert names(p.containers()) == ["figtest_web_1"]


def test_up_starts_a_stopped_container_instead_of_creating(project, backend: FakeBackend):
    p = project(SIMPLE)
    p.up()
    p.stop()
    backend.reset_calls()
    p.up()
    assert [m for m, _ in backend.container_writes()] == ["start"]
    assert p.containers()[0].is_running


def test_up_no_start_creates_without_starting(project, backend: FakeBackend):
    p = project(SIMPLE)
    p.up(options=UpOptions(start=False))
    assert [m for m, _ in backend.container_writes()] == ["create"]
    assert [c.state for c in p.containers(stopped=True)] == [ContainerState.CREATED]


# -- recreate ---------------------------------------------------------------------------------------------

def test_changed_config_recreates_and_carries_anonymous_volumes_over(project, backend: FakeBackend):
    p = project(SIMPLE)
    (old,) = p.up()
    (volume,) = [m.name for m in old.info.mounts if m.target == "/data"]
    backend.reset_calls()
    changed = project(SIMPLE + "  command: echo changed\n")
    (new,) = changed.up()
    assert new.name == "figtest_web_1" and new.id != old.id
    assert new.info.labels[L.LABEL_CONFIG_HASH] != old.info.labels[L.LABEL_CONFIG_HASH]
    spec = backend.specs()[-1]
    assert f"{volume}:/data:rw" in spec.binds
    assert "/data" not in spec.volumes
    assert [m.name for m in new.info.mounts if m.target == "/data"] == [volume]
    assert backend.volume_exists(volume)
    methods = [m for m, _ in backend.container_writes()]
    assert methods.index("stop") < methods.index("create") < methods.index("remove")
    assert [c.name for c in changed.containers(stopped=True)] == ["figtest_web_1"]


def test_renew_volumes_makes_fresh_anonymous_volumes(project, backend: FakeBackend):
    (old,) = project(SIMPLE).up()
    (new,) = project(SIMPLE).up(options=UpOptions(strategy=Strategy.ALWAYS, renew_volumes=True))
    old_volume = [m.name for m in old.info.mounts]
    assert [m.name for m in new.info.mounts] != old_volume
    assert not backend.volume_exists(old_volume[0])


def test_force_recreate_recreates_unchanged(project, backend: FakeBackend):
    (old,) = project(SIMPLE).up()
    (new,) = project(SIMPLE).up(options=UpOptions(strategy=Strategy.ALWAYS))
    assert new.id != old.id


def test_no_recreate_leaves_changed_containers(project, backend: FakeBackend):
    project(SIMPLE).up()
    backend.reset_calls()
    project(SIMPLE + "  command: echo changed\n").up(options=UpOptions(strategy=Strategy.NEVER))
    assert backend.container_writes() == []


def test_a_service_linked_to_a_recreated_one_is_recreated_too(project, backend: FakeBackend):
    before = {c.name: c.id for c in project(LINKS).up()}
    changed = LINKS.replace("  volumes: [/var/lib/db]\n", "  volumes: [/var/lib/db]\n  command: echo changed\n")
    backend.reset_calls()
    p = project(changed)
    p.up(["db"])
    after = {c.name: c.id for c in p.containers()}
    assert after["figtest_db_1"] != before["figtest_db_1"]
    assert after["figtest_web_1"] != before["figtest_web_1"]  # bound to db's old container by its link
    assert after["figtest_cache_1"] == before["figtest_cache_1"]  # not bound to db
    web = [s for s in backend.specs() if s.name == "figtest_web_1"][-1]
    assert ("figtest_db_1", "db") in web.links
    created = order_of(backend, "create")
    assert created.index("figtest_db_1") < created.index("figtest_web_1")


def test_volumes_from_a_recreated_service_recreates_the_user(project, backend: FakeBackend, fixture_dir):
    directory = fixture_dir("volumes_from")
    first = {c.name: c.id for c in project(cwd=directory).up()}
    (directory / "fig.yml").write_text((directory / "fig.yml").read_text() + "  command: echo changed\n")
    p = project(cwd=directory)
    p.up()
    after = {c.name: c for c in p.containers()}
    assert after["figtest_data_1"].id != first["figtest_data_1"]
    assert after["figtest_app_1"].id != first["figtest_app_1"]
    app = [s for s in backend.specs() if s.name == "figtest_app_1"][-1]
    assert app.volumes_from == [f"{after['figtest_data_1'].id}:rw"]


def test_an_interrupted_recreate_is_finished_by_the_next_up(project, backend: FakeBackend):
    (old,) = project(SIMPLE).up()
    aside = f"{old.id[:12]}_figtest_web_1"
    backend.failures[("remove", aside)] = BackendError("the engine went away")
    changed = SIMPLE + "  command: echo changed\n"
    with pytest.raises(BackendError, match="went away"):
        project(changed).up()
    both = project(changed).containers(stopped=True)
    assert sorted(names(both)) == sorted([aside, "figtest_web_1"])
    assert {c.number for c in both} == {1}
    del backend.failures[("remove", aside)]
    backend.reset_calls()
    (kept,) = project(changed).up()
    assert kept.name == "figtest_web_1"
    assert backend.acted == [("stop", aside), ("remove", aside)]
    assert names(project(changed).containers(stopped=True)) == ["figtest_web_1"]


# -- images -----------------------------------------------------------------------------------------------

def test_missing_image_is_pulled(project, backend: FakeBackend):
    backend.registry.add("redis:latest")
    project("db:\n  image: redis\n").up()
    assert [a for m, a in backend.calls if m == "pull"] == [("redis",)]


def test_an_image_that_cannot_be_pulled_fails_up(project, backend: FakeBackend):
    with pytest.raises(ImageNotFound):
        project("db:\n  image: nope\n").up()
    assert backend.container_writes() == []


def test_a_service_with_build_is_built_once_and_tagged_by_project(project, backend: FakeBackend, tmp_path):
    (tmp_path / "app").mkdir()
    p = project("web:\n  build: app\n")
    (web,) = p.up()
    assert web.info.image == "figtest_web"
    builds = [a[0] for m, a in backend.calls if m == "build"]
    assert [(b.tag, b.context) for b in builds] == [("figtest_web", str(tmp_path / "app"))]
    project("web:\n  build: app\n").up()
    assert len([m for m, _ in backend.calls if m == "build"]) == 1


# -- scale ------------------------------------------------------------------------------------------------

def test_scale_up_and_down(project, backend: FakeBackend):
    p = project(SIMPLE)
    p.up()
    p.scale({"web": 3})
    assert names(p.containers()) == ["figtest_web_1", "figtest_web_2", "figtest_web_3"]
    assert [c.number for c in p.containers()] == [1, 2, 3]
    backend.reset_calls()
    p.scale({"web": 1})
    assert names(p.containers(stopped=True)) == ["figtest_web_1"]
    assert sorted(order_of(backend, "remove")) == ["figtest_web_2", "figtest_web_3"]
    assert "create" not in [m for m, _ in backend.container_writes()]


def test_scale_to_zero_removes_all(project, backend: FakeBackend):
    p = project(SIMPLE)
    p.scale({"web": 2})
    p.scale({"web": 0})
    assert p.containers(stopped=True) == []


def test_scale_above_one_with_a_fixed_host_port_is_a_user_error(project, backend: FakeBackend):
    p = project(LINKS)
    with pytest.raises(UserError, match=r"Cannot scale service 'web' to 2.*8000:80"):
        p.scale({"web": 2})
    with pytest.raises(UserError, match="fixed host port"):
        p.up(options=UpOptions(scale={"web": 3}))
    assert backend.container_writes() == []
    p.scale({"web": 1})
    p.scale({"db": 2})


# -- stop / kill / rm / start order -----------------------------------------------------------------------

@pytest.mark.parametrize("action, method", [
    (lambda p: p.stop(), "stop"),
    (lambda p: p.kill(), "kill"),
    (lambda p: p.remove(p.containers(stopped=True)), "remove"),
])
def test_dependents_go_first(project, backend: FakeBackend, action, method):
    p = project(LINKS)
    p.up()
    backend.reset_calls()
    action(p)
    order = order_of(backend, method)
    assert sorted(order) == ["figtest_cache_1", "figtest_db_1", "figtest_web_1"]
    assert order[0] == "figtest_web_1"


def test_start_and_restart_go_dependencies_first(project, backend: FakeBackend):
    p = project(LINKS)
    p.up()
    p.stop()
    backend.reset_calls()
    p.start()
    assert order_of(backend, "start")[-1] == "figtest_web_1"
    backend.reset_calls()
    p.restart()
    assert order_of(backend, "restart")[-1] == "figtest_web_1"


DEPENDS = """\
services:
  web:
    image: busybox
    depends_on:
      cache: {condition: service_started, restart: true}
      debug: {condition: service_healthy, required: false}
  worker:
    image: busybox
    depends_on: [cache]
  cache:
    image: busybox
  debug:
    image: busybox
    profiles: [debug]
"""


def test_restarting_a_dependency_restarts_who_asks_for_it(project, backend: FakeBackend):
    p = project(DEPENDS)
    p.up()
    backend.reset_calls()
    p.restart(["cache"])
    assert order_of(backend, "restart") == ["figtest_cache_1", "figtest_web_1"]  # not worker: no restart: true


def test_recreating_a_dependency_restarts_who_asks_for_it(project, backend: FakeBackend):
    project(DEPENDS).up()
    backend.reset_calls()
    project(DEPENDS.replace("  cache:\n    image: busybox\n", "  cache:\n    image: busybox\n    init: true\n")).up()
    assert backend.names("restart") == ["figtest_web_1"]  # worker depends on cache without restart: true


def test_an_optional_dependency_left_out_by_profiles_is_skipped(project, backend: FakeBackend):
    p = project(DEPENDS)
    assert p.config.selected(["web"]) == ["web", "cache"]
    p.up(["web"])
    assert sorted(names(p.containers())) == ["figtest_cache_1", "figtest_web_1"]


def test_scale_key_is_the_default_count_and_the_command_line_wins(project, backend: FakeBackend):
    p = project("services:\n  web:\n    image: busybox\n    deploy: {replicas: 3}\n")
    assert len(p.up()) == 3
    assert names(p.up(options=UpOptions(scale={"web": 1}))) == ["figtest_web_1"]


def test_a_fixed_host_port_cannot_take_a_scale_key(project):
    p = project("services:\n  web:\n    image: busybox\n    scale: 2\n    ports: ['8000:80']\n")
    with pytest.raises(UserError, match="Cannot scale service 'web' to 2: it publishes the fixed host port"):
        p.up()


def test_pull_policy_always_pulls_and_never_refuses(project, backend: FakeBackend):
    backend.registry.add("busybox:latest")
    p = project("services:\n  web:\n    image: busybox\n    pull_policy: always\n")
    p.up()
    p.up()
    assert [args for method, args in backend.calls if method == "pull"] == [("busybox",), ("busybox",)]
    p = project("services:\n  web:\n    image: not-here\n    pull_policy: never\n")
    with pytest.raises(ImageNotFound, match="image not-here is not here, and its pull_policy is never"):
        p.up()


def test_an_engine_refusal_to_start_names_the_container_once(project, backend: FakeBackend):
    backend.failures[("start", "figtest_web_1")] = BackendError("could not select device driver \"nvidia\"")
    with pytest.raises(BackendError, match='^figtest_web_1: could not select device driver "nvidia"$'):
        project(SIMPLE).up()
    backend.failures[("start", "figtest_db_1")] = BackendError("no caps")
    with pytest.raises(OperationError) as caught:
        project("web:\n  image: busybox\ndb:\n  image: busybox\n").up()
    assert str(caught.value) == 'web: figtest_web_1: could not select device driver "nvidia"; db: figtest_db_1: no caps'
    backend.failures.clear()
    backend.failures[("start", "figtest_web_2")] = BackendError("port is already allocated")
    backend.failures[("start", "figtest_web_3")] = BackendError("port is already allocated")
    with pytest.raises(OperationError) as caught:
        project(SIMPLE).up(options=UpOptions(scale={"web": 3}))
    assert str(caught.value) == ("Creating figtest_web_2: port is already allocated; "
                                 "Creating figtest_web_3: port is already allocated")


def test_stop_kill_and_rm_states(project, backend: FakeBackend):
    p = project(SIMPLE)
    p.up()
    p.stop(["web"])
    assert [c.state for c in p.containers(stopped=True)] == [ContainerState.EXITED]
    assert p.containers() == []
    p.start()
    p.kill(signal="SIGTERM")
    assert [c.info.exit_code for c in p.containers(stopped=True)] == [143]
    p.remove(p.containers(stopped=True))
    assert p.containers(stopped=True) == []


def test_a_failed_dependency_skips_its_dependents(project, backend: FakeBackend):
    backend.failures[("start", "figtest_db_1")] = BackendError("db would not start")
    with pytest.raises(OperationError) as info:
        project(LINKS).up()
    assert set(info.value.failures) == {"db"}
    assert info.value.skipped == ["web"]
    assert "figtest_web_1" not in order_of(backend, "create")


# -- one-off containers -----------------------------------------------------------------------------------

def test_one_off_containers_are_numbered_and_labelled(project, backend: FakeBackend):
    p = project(SIMPLE)
    web = p.service("web")
    image_id = web.ensure_image()
    first = web.create_oneoff(image_id, RunOptions(command=("echo", "hi")))
    second = web.create_oneoff(image_id, RunOptions())
    assert (first.name, second.name) == ("figtest_web_run_1", "figtest_web_run_2")
    assert first.oneoff and first.info.labels[L.LABEL_ONEOFF] == "True"
    assert backend.specs()[0].command == ("echo", "hi")
    assert p.containers(stopped=True) == []  # one-offs are not the service's containers
    assert names(p.containers(stopped=True, oneoff=True)) == ["figtest_web_run_1", "figtest_web_run_2"]


def test_one_off_skips_a_name_taken_by_a_stranger(project, backend: FakeBackend):
    backend.create(ContainerSpec(name="figtest_web_run_1", image="busybox", labels={}))
    web = project(SIMPLE).service("web")
    assert web.create_oneoff(web.ensure_image(), RunOptions()).name == "figtest_web_run_2"


def test_one_off_with_an_explicit_name_that_is_taken_fails(project, backend: FakeBackend):
    backend.create(ContainerSpec(name="mine", image="busybox", labels={}))
    web = project(SIMPLE).service("web")
    with pytest.raises(BackendError, match="already in use"):
        web.create_oneoff(web.ensure_image(), RunOptions(name="mine"))


def test_one_offs_do_not_count_for_up(project, backend: FakeBackend):
    p = project(SIMPLE)
    web = p.service("web")
    web.create_oneoff(web.ensure_image(), RunOptions())
    assert names(p.up()) == ["figtest_web_1"]


# -- safety of recreate, compose-format resources, orphans ------------------------------------------------

def test_a_failed_create_during_recreate_puts_the_old_container_back(project, backend: FakeBackend):
    (old,) = project(SIMPLE).up()
    changed = SIMPLE + "  command: echo changed\n"
    backend.failures[("create", "figtest_web_1")] = BackendError("no space left on device")
    with pytest.raises(BackendError, match="no space left"):
        project(changed).up()
    (still,) = project(changed).containers(stopped=True)
    assert (still.id, still.name) == (old.id, "figtest_web_1")  # renamed back from its temporary name
    del backend.failures[("create", "figtest_web_1")]
    (new,) = project(changed).up()
    assert new.name == "figtest_web_1" and new.id != old.id
    assert names(project(changed).containers(stopped=True)) == ["figtest_web_1"]


COMPOSE = """\
services:
  web:
    image: busybox
    depends_on: [db]
  db:
    image: busybox
    volumes: [data:/var/lib/db, /anon]
volumes:
  data: {}
"""


def test_declared_networks_no_service_joins_are_not_made(project, backend: FakeBackend):
    p = project("services:\n  web:\n    image: busybox\n    networks: [front]\n"
                "networks:\n  front: {}\n  spare: {}\n  gone: {external: true}\n")
    p.up()  # no default network (web is only on front), and the unused external one need not exist
    assert set(backend.networks) == {"figtest_front"}


def test_compose_format_networks_and_volumes(project, backend: FakeBackend):
    p = project(COMPOSE)
    p.up()
    assert set(backend.networks) == {"figtest_default"}
    assert "figtest_data" in backend.volumes
    web = next(s for s in backend.specs() if s.name == "figtest_web_1")
    assert [(n.network, n.aliases) for n in web.networks] == [("figtest_default", ("web",))]
    assert web.links == []
    backend.reset_calls()
    project(COMPOSE).up()
    assert backend.writes() == []
    p.down()
    assert backend.containers == {} and backend.networks == {}
    assert "figtest_data" in backend.volumes  # named volumes stay without -v
    p.up()
    p.down(volumes=True)
    assert "figtest_data" not in backend.volumes


def test_orphans_are_kept_unless_asked_to_remove(project, backend: FakeBackend, caplog):
    project(SIMPLE + "old:\n  image: busybox\n").up()
    p = project(SIMPLE)
    p.up()
    assert any("figtest_old_1" in r.getMessage() and "orphan" in r.getMessage() for r in caplog.records)
    assert names(p.orphans()) == ["figtest_old_1"]
    p.up(options=UpOptions(remove_orphans=True))
    assert p.orphans() == []
    assert "figtest_old_1" in order_of(backend, "remove")


def test_scale_above_one_with_a_container_name_is_a_user_error(project, backend: FakeBackend):
    p = project("web:\n  image: busybox\n  container_name: the-web\n")
    with pytest.raises(UserError, match="container_name 'the-web'"):
        p.scale({"web": 2})
    (web,) = p.up()
    assert web.name == "the-web"


def test_each_scaled_container_keeps_its_own_anonymous_volume_on_recreate(project, backend: FakeBackend):
    p = project(SIMPLE)
    p.scale({"web": 3})
    before = {c.number: [m.name for m in c.info.mounts] for c in p.containers()}
    project(SIMPLE + "  command: echo changed\n").up()
    after = {c.number: [m.name for m in c.info.mounts] for c in p.containers()}
    assert after == before and len({v[0] for v in after.values()}) == 3


def test_a_newer_image_recreates(project, backend: FakeBackend):
    (old,) = project(SIMPLE).up()
    backend.add_image("busybox:latest")  # as if `fig pull` fetched a newer one
    (new,) = project(SIMPLE).up()
    assert new.id != old.id and new.info.image_id == backend.image_id("busybox")


def test_force_build_rebuilds_and_recreates(project, backend: FakeBackend, tmp_path):
    (tmp_path / "app").mkdir()
    (old,) = project("web:\n  build: app\n").up()
    backend.reset_calls()
    (same,) = project("web:\n  build: app\n").up()
    assert same.id == old.id and backend.writes() == []
    (new,) = project("web:\n  build: app\n").up(options=UpOptions(force_build=True))
    assert [m for m, _ in backend.calls if m == "build"] == ["build"]
    assert new.id != old.id


def test_net_container_service_joins_the_running_container(project, backend: FakeBackend):
    p = project("web:\n  image: busybox\n  net: 'container:db'\ndb:\n  image: busybox\n")
    p.up()
    db = p.service("db").containers()[0]
    web = next(s for s in backend.specs() if s.name == "figtest_web_1")
    assert web.network_mode == f"container:{db.id}"
    assert order_of(backend, "start") == ["figtest_db_1", "figtest_web_1"]


# -- one-off containers are linked to their own service's running containers, as Fig links them -----------

LINKED_TO_SELF = """\
db:
  image: busybox
  command: sleep 100
  expose: ["5432"]
  links: [cache]
cache:
  image: busybox
  command: sleep 100
"""


def test_a_one_off_container_of_a_fig_file_is_linked_to_its_own_service(project, backend: FakeBackend):
    p = project(LINKED_TO_SELF)
    p.up()
    db = p.service("db")
    db.create_oneoff(db.ensure_image(), RunOptions())
    links = set(backend.specs()[-1].links)
    assert {("figtest_db_1", "db"), ("figtest_db_1", "db_1"), ("figtest_db_1", "figtest_db_1")} <= links
    assert ("figtest_cache_1", "cache") in links  # and the service's own links, as before


def test_a_one_off_container_of_a_fig_file_with_its_service_stopped_has_no_link_to_it(project, backend):
    p = project(LINKED_TO_SELF)
    p.up()
    p.stop(["db"])
    db = p.service("db")
    db.create_oneoff(db.ensure_image(), RunOptions())
    assert not any(target == "figtest_db_1" for target, _ in backend.specs()[-1].links)


def test_a_one_off_container_of_a_compose_file_gets_the_hosts_entry_and_link_variables(project, backend):
    p = project("services:\n" + "".join(f"  {line}\n" for line in LINKED_TO_SELF.splitlines()))
    p.up()
    db = p.service("db")
    running = db.containers()[0]
    address = running.info.ip_addresses[0]
    db.create_oneoff(db.ensure_image(), RunOptions())
    spec = backend.specs()[-1]
    assert f"db:{address}" in spec.extra_hosts
    assert {k: v for k, v in spec.environment.items() if k.startswith("DB_")} == {
        "DB_NAME": "/figtest_db_run_1/db", "DB_PORT": f"tcp://{address}:5432",
        "DB_PORT_5432_TCP": f"tcp://{address}:5432", "DB_PORT_5432_TCP_ADDR": address,
        "DB_PORT_5432_TCP_PORT": "5432", "DB_PORT_5432_TCP_PROTO": "tcp",
    }
    assert spec.networks and spec.networks[0].aliases == ()  # the one-off is not reachable as `db` itself


def test_up_builds_every_missing_image_in_one_call_and_a_shared_image_once(project, backend: FakeBackend,
                                                                            tmp_path):
    (tmp_path / "app").mkdir()
    p = project("services:\n  web:\n    build: app\n  worker:\n    build: app\n"
                "  a:\n    build: app\n    image: shared:1\n  b:\n    build: app\n    image: shared:1\n")
    p.up()
    calls = [a for m, a in backend.calls if m == "build"]
    assert len(calls) == 1
    assert [r.tag for r in calls[0]] == ["figtest-web", "figtest-worker", "shared:1"]  # as Compose v2 tags them
