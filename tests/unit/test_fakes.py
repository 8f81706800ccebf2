"""tests/fakes.py: the FakeBackend behaves like the engine where the domain relies on it."""

from __future__ import annotations

import inspect
import re

import pytest

from fig.backend.base import ContainerBackend, ContainerState, LogLine
from fig.backend.ports import PortBinding
from fig.backend.specs import BuildRequest, ContainerSpec, EndpointSpec
from fig.errors import BackendError, BuildError, ImageNotFound, NotFound
from fig.labels import LABEL_PROJECT, LABEL_SERVICE
from tests.fakes import FakeBackend


def spec(name: str = "p_web_1", *, project: str = "p", service: str = "web", **kwargs) -> ContainerSpec:
    return ContainerSpec(name=name, image="busybox", labels={LABEL_PROJECT: project, LABEL_SERVICE: service},
                         **kwargs)


PROTOCOL = sorted(n for n in vars(ContainerBackend) if not n.startswith("_"))


@pytest.mark.parametrize("method", PROTOCOL)
def test_implements_every_method_of_the_protocol_with_its_signature(method):
    def shape(fn):
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]

    assert shape(getattr(FakeBackend, method)) == shape(getattr(ContainerBackend, method))


def test_create_records_the_spec_and_rejects_a_duplicate_name(backend: FakeBackend):
    s = spec()
    cid = backend.create(s)
    assert backend.specs() == [s]
    assert backend.inspect(cid).state is ContainerState.CREATED
    with pytest.raises(BackendError, match="is already in use"):
        backend.create(spec())


def test_create_needs_the_image_locally(backend: FakeBackend):
    with pytest.raises(ImageNotFound):
        backend.create(ContainerSpec(name="x", image="nope:1", labels={}))


def test_containers_are_found_by_id_prefix_and_name(backend: FakeBackend):
    cid = backend.create(spec())
    assert backend.inspect(cid[:12]).id == cid
    assert backend.inspect("p_web_1").id == cid
    with pytest.raises(NotFound):
        backend.inspect("nothing")


def test_list_filters_by_labels_and_all(backend: FakeBackend):
    a = backend.create(spec("p_web_1"))
    b = backend.create(spec("p_db_1", service="db"))
    backend.create(spec("q_web_1", project="q"))
    backend.start(a)
    assert [c.id for c in backend.list_containers({LABEL_PROJECT: "p"})] == [a]
    assert [c.id for c in backend.list_containers({LABEL_PROJECT: "p"}, all=True)] == [b, a]  # newest first
    assert [c.id for c in backend.list_containers({LABEL_PROJECT: "p", LABEL_SERVICE: "db"}, all=True)] == [b]


def test_lifecycle_states_and_exit_codes(backend: FakeBackend):
    cid = backend.create(spec())
    backend.exit_codes["p_web_1"] = 3
    backend.start(cid)
    backend.start(cid)  # already running: no error
    assert backend.inspect(cid).state is ContainerState.RUNNING
    backend.stop(cid, timeout=1)
    info = backend.inspect(cid)
    assert (info.state, info.exit_code) == (ContainerState.EXITED, 3)
    backend.stop(cid, timeout=1)  # already stopped: no error
    with pytest.raises(BackendError, match="is not running"):
        backend.kill(cid)
    backend.restart(cid, timeout=1)
    assert backend.inspect(cid).state is ContainerState.RUNNING
    backend.kill(cid, signal="SIGKILL")
    assert backend.inspect(cid).exit_code == 137
    backend.start(cid)
    assert backend.wait(cid) == 3  # the process ends with its exit code


def test_remove_running_needs_force(backend: FakeBackend):
    cid = backend.create(spec())
    backend.start(cid)
    with pytest.raises(BackendError, match="cannot remove a running container"):
        backend.remove(cid)
    backend.remove(cid, force=True)
    with pytest.raises(NotFound):
        backend.inspect(cid)


def test_rename_refuses_a_taken_name(backend: FakeBackend):
    a = backend.create(spec("a"))
    backend.create(spec("b"))
    with pytest.raises(BackendError, match="already in use"):
        backend.rename(a, "b")
    backend.rename(a, "c")
    assert backend.inspect(a).name == "c"


def test_anonymous_volumes_survive_remove_without_volumes(backend: FakeBackend):
    cid = backend.create(spec(volumes=["/data"], binds=["/host:/code:ro", "named:/named:rw"]))
    mounts = {m.target: m for m in backend.inspect(cid).mounts}
    anonymous = mounts["/data"]
    assert anonymous.type == "volume" and re.fullmatch(r"[0-9a-f]{64}", anonymous.name or "")
    assert (mounts["/code"].type, mounts["/code"].source, mounts["/code"].read_only) == ("bind", "/host", True)
    assert (mounts["/named"].type, mounts["/named"].name) == ("volume", "named")
    backend.remove(cid)
    assert backend.volume_exists(anonymous.name)
    cid = backend.create(spec(binds=[f"{anonymous.name}:/data:rw"]))
    assert [m.name for m in backend.inspect(cid).mounts] == [anonymous.name]
    backend.remove(cid, volumes=True)
    assert not backend.volume_exists(anonymous.name)
    assert backend.volume_exists("named")  # named volumes stay


def test_volumes_from_copies_mounts(backend: FakeBackend):
    data = backend.create(spec("data", volumes=["/data"]))
    app = backend.create(spec("app", volumes_from=[f"{data}:ro"]))
    (mount,) = backend.inspect(app).mounts
    assert mount.name == backend.inspect(data).mounts[0].name and mount.read_only


def test_ports_show_while_running_and_fixed_ports_conflict(backend: FakeBackend):
    a = backend.create(spec("a", ports=[PortBinding(80, host_port=8000), PortBinding(81)]))
    assert backend.inspect(a).ports == ()
    backend.start(a)
    ports = {p.container_port: p.host_port for p in backend.inspect(a).ports}
    assert ports[80] == 8000 and ports[81] is not None
    b = backend.create(spec("b", ports=[PortBinding(80, host_port=8000)]))
    with pytest.raises(BackendError, match="port is already allocated"):
        backend.start(b)


def test_links_need_a_running_target(backend: FakeBackend):
    with pytest.raises(BackendError, match="Could not get container for db"):
        backend.create(spec("early", links=[("db", "db")]))
    db = backend.create(spec("db"))
    web = backend.create(spec("web", links=[("db", "db")]))
    with pytest.raises(BackendError, match="non running container"):
        backend.start(web)
    backend.start(db)
    backend.start(web)


def test_networks_must_exist(backend: FakeBackend):
    with pytest.raises(NotFound, match="network p_default not found"):
        backend.create(spec(networks=[EndpointSpec("p_default")]))
    backend.ensure_network("p_default", driver=None, internal=False, labels={})
    backend.create(spec(networks=[EndpointSpec("p_default")]))
    assert backend.network_exists("p_default")


def test_logs_yield_canned_lines(backend: FakeBackend):
    cid = backend.create(spec())
    backend.log_lines["p_web_1"] = ["one\n", LogLine("two\n", "stderr"), "three"]
    assert [line.text for line in backend.logs(cid, follow=False)] == ["one\n", "two\n", "three"]
    assert [line.text for line in backend.logs(cid, follow=True, tail=1)] == ["three"]
    stamped = list(backend.logs(cid, follow=False, timestamps=True))
    assert [line.timestamp for line in stamped] == sorted(line.timestamp for line in stamped)
    assert [line.text for line in backend.logs(cid, follow=False, since=stamped[1].timestamp)] == ["two\n", "three"]
    assert [line.text for line in backend.attach_output(cid)] == ["one\n", "two\n", "three"]


def test_images_build_pull_push(backend: FakeBackend):
    assert backend.image_id("busybox") == backend.image_id("busybox:latest") is not None
    assert backend.image_id("p_web") is None
    seen = []
    ids = backend.build([BuildRequest("web", "/src", ("p_web", "p/web:1"))], on_progress=lambda *a: seen.append(a))
    assert backend.image_id("p_web") == backend.image_id("p/web:1") == ids["web"]
    assert seen and seen[0][0] == "web"
    with pytest.raises(ImageNotFound):
        list(backend.pull("nope:1"))
    list(backend.push("p_web"))
    backend.remove_image("p_web")
    list(backend.pull("p_web"))  # pushed, so pullable
    assert backend.image_id("p_web:latest")
    backend.build_failures["bad"] = "RUN false returned 1"
    with pytest.raises(BuildError, match="returned 1") as failed:
        backend.build([BuildRequest("bad", "/src", ("bad",))])
    assert failed.value.service == "bad"


def test_calls_record_writes(backend: FakeBackend):
    cid = backend.create(spec())
    backend.inspect(cid)
    backend.list_containers({})
    backend.start(cid)
    assert [m for m, _ in backend.writes()] == ["create", "start"]
    assert backend.names("start") == ["p_web_1"]


def test_attach_and_resize_are_not_implemented(backend: FakeBackend):
    with pytest.raises(NotImplementedError):
        backend.attach_socket("x")
    with pytest.raises(NotImplementedError):
        backend.resize("x", 24, 80)
