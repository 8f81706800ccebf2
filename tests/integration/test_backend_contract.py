"""One contract, two backends: what the domain relies on holds for the FakeBackend and for the real engine.

A unit test that passes on the fake is only worth something if the fake behaves like DockerBackend where the
domain looks; this suite runs the same assertions on both."""

from __future__ import annotations

import datetime
import io
import shlex
import tarfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pytest

from fig import labels as L
from fig.backend.answers import ExecInfo, StatsSample
from fig.backend.base import ContainerBackend, ContainerState
from fig.backend.specs import ContainerSpec, ExecSpec
from fig.errors import BackendError, NotFound
from tests.integration.conftest import SLEEPER, remove_project


@dataclass
class Harness:
    """A backend and a way to describe a container's behaviour that both backends understand."""

    backend: ContainerBackend
    project: str
    kind: str

    def spec(self, service: str = "web", number: int = 1, *, output: Sequence[str] = (), exit_code: int = 0,
             long_running: bool = False, project: str | None = None, volumes: Sequence[str] = ()) -> ContainerSpec:
        project = project or self.project
        name = L.container_name(project, service, number)
        if long_running:
            command = shlex.split(SLEEPER)
        else:
            script = "; ".join(f"printf %s {shlex.quote(line)}" if not line.endswith("\n")
                               else f"echo {shlex.quote(line[:-1])}" for line in output)
            command = ["sh", "-c", f"{script + '; ' if script else ''}exit {exit_code}"]
        if self.kind == "fake":
            self.backend.log_lines[name] = list(output)  # type: ignore[attr-defined]
            self.backend.exit_codes[name] = exit_code  # type: ignore[attr-defined]
        labels = {**L.service_labels(project, service), L.LABEL_NUMBER: str(number)}
        return ContainerSpec(name=name, image="busybox", labels=labels, command=command, volumes=list(volumes))


@pytest.fixture(params=["fake", "docker", "docker-sdk"])
def harness(request) -> Iterator[Harness]:
    project = "figcontract" + uuid.uuid4().hex[:10]
    if request.param == "fake":
        from tests.fakes import FakeBackend

        yield Harness(FakeBackend(), project, "fake")
        return
    engine = request.getfixturevalue("engine")
    from fig.backend.docker import DockerBackend

    try:
        # "docker" talks plain HTTP to the unix socket where it can; "docker-sdk" makes every call through the SDK
        yield Harness(DockerBackend.from_env(plain_http=request.param == "docker"), project, "docker")
    finally:
        remove_project(engine, project)
        remove_project(engine, project + "other")


def ids(infos) -> set[str]:
    return {i.id for i in infos}


def test_list_by_project_label(harness):
    b = harness.backend
    web = b.create(harness.spec("web"))
    db = b.create(harness.spec("db", long_running=True))
    other = b.create(harness.spec("web", project=harness.project + "other"))
    project = {L.LABEL_PROJECT: harness.project}
    assert ids(b.list_containers(project, all=True)) == {web, db}
    assert ids(b.list_containers({**project, L.LABEL_SERVICE: "db"}, all=True)) == {db}
    assert ids(b.list_containers({L.LABEL_PROJECT: harness.project + "other"}, all=True)) == {other}
    assert b.list_containers(project) == [], "created but not started: only listed with all=True"
    b.start(db)
    running = b.list_containers(project)
    assert [i.id for i in running] == [db]
    info = running[0]
    assert info.name == L.container_name(harness.project, "db", 1)
    assert info.state is ContainerState.RUNNING
    assert info.labels[L.LABEL_SERVICE] == "db" and info.labels[L.LABEL_NUMBER] == "1"
    assert info.image_id == b.image_id("busybox")


def test_create_start_stop_remove(harness):
    b = harness.backend
    cid = b.create(harness.spec(long_running=True))
    info = b.inspect(cid)
    assert info.id == cid and info.state is ContainerState.CREATED
    assert b.inspect(info.name).id == cid, "found by name too"
    b.start(cid)
    assert b.inspect(cid).state is ContainerState.RUNNING
    b.start(cid)  # starting a running container is harmless
    b.stop(cid, timeout=1)
    stopped = b.inspect(cid)
    assert stopped.state is ContainerState.EXITED
    b.stop(cid, timeout=1)  # so is stopping a stopped one
    b.remove(cid)
    with pytest.raises(NotFound):
        b.inspect(cid)
    assert b.list_containers({L.LABEL_PROJECT: harness.project}, all=True) == []


def test_a_name_is_unique(harness):
    b = harness.backend
    b.create(harness.spec())
    with pytest.raises(BackendError, match="already in use"):
        b.create(harness.spec())


def test_remove_running_needs_force(harness):
    b = harness.backend
    cid = b.create(harness.spec(long_running=True))
    b.start(cid)
    with pytest.raises(BackendError):
        b.remove(cid)
    assert b.inspect(cid).state is ContainerState.RUNNING
    b.remove(cid, force=True)
    with pytest.raises(NotFound):
        b.inspect(cid)


def test_rename(harness):
    b = harness.backend
    cid = b.create(harness.spec())
    b.rename(cid, f"{cid[:12]}_{harness.project}_web_1")
    assert b.inspect(cid).name == f"{cid[:12]}_{harness.project}_web_1"
    assert [i.name for i in b.list_containers({L.LABEL_PROJECT: harness.project}, all=True)] == [
        f"{cid[:12]}_{harness.project}_web_1"]
    other = b.create(harness.spec("db"))
    with pytest.raises(BackendError):
        b.rename(other, f"{cid[:12]}_{harness.project}_web_1")


def test_wait_returns_the_exit_code(harness):
    b = harness.backend
    cid = b.create(harness.spec(output=["bye\n"], exit_code=3))
    b.start(cid)
    assert b.wait(cid) == 3
    info = b.inspect(cid)
    assert info.state is ContainerState.EXITED and info.exit_code == 3
    listed = b.list_containers({L.LABEL_PROJECT: harness.project}, all=True)
    assert [(i.state, i.exit_code) for i in listed] == [(ContainerState.EXITED, 3)]


def test_kill_with_a_signal(harness):
    b = harness.backend
    cid = b.create(harness.spec(long_running=True))
    b.start(cid)
    b.kill(cid, signal="SIGKILL")
    assert b.wait(cid) == 137
    assert b.inspect(cid).exit_code == 137
    with pytest.raises(BackendError):
        b.kill(cid)  # not running any more


def test_logs_are_whole_lines_and_a_last_line_without_newline_counts(harness):
    b = harness.backend
    output = ["one\n", "two words\n", "last without newline"]
    cid = b.create(harness.spec(output=output))
    b.start(cid)
    assert b.wait(cid) == 0
    lines = list(b.logs(cid, follow=False))
    assert [line.text for line in lines] == ["one\n", "two words\n", "last without newline"]
    assert {line.stream for line in lines} == {"stdout"}
    assert [line.text for line in b.logs(cid, follow=False, tail=1)] == ["last without newline"]
    assert [line.text for line in b.logs(cid, follow=True)] == [line.text for line in lines], \
        "following an exited container gives its whole log and ends"


def test_image_id(harness):
    b = harness.backend
    present = b.image_id("busybox")
    assert present and present.startswith("sha256:")
    assert b.image_id("busybox:latest") == present
    assert b.image_id("figtest-no-such-image:nope") is None


def test_missing_container_raises_not_found(harness):
    b = harness.backend
    missing = "figtest-no-such-container-" + uuid.uuid4().hex[:8]
    for call in (lambda: b.remove(missing), lambda: b.remove(missing, force=True), lambda: b.inspect(missing),
                 lambda: b.start(missing), lambda: b.stop(missing, timeout=1), lambda: b.rename(missing, "x")):
        with pytest.raises(NotFound):
            call()


def test_anonymous_volumes_survive_remove_unless_asked(harness):
    b = harness.backend
    kept = b.create(harness.spec("kept", volumes=["/data"]))
    gone = b.create(harness.spec("gone", volumes=["/data"]))
    kept_volume = [m.name for m in b.inspect(kept).mounts if m.target == "/data"][0]
    gone_volume = [m.name for m in b.inspect(gone).mounts if m.target == "/data"][0]
    assert kept_volume and gone_volume and kept_volume != gone_volume
    b.remove(kept)
    b.remove(gone, volumes=True)
    try:
        assert b.volume_exists(kept_volume)
        assert not b.volume_exists(gone_volume)
    finally:
        b.remove_volume(kept_volume)


def _exec_output(sock) -> str:
    from fig.backend import streams

    return "".join(line.text for line in streams.lines(streams.frames(streams.received(sock), False)))


def test_exec_runs_a_command_and_reports_its_exit_code(harness):
    b = harness.backend
    cid = b.create(harness.spec(long_running=True))
    command = ["sh", "-c", "echo in $PWD as $(id -u) with $GREETING; exit 3"]
    if harness.kind == "fake":
        b.exec_results[(b.inspect(cid).name, " ".join(command))] = (3, "in /etc as 1 with hi\n")
    with pytest.raises(BackendError, match="not running"):
        b.exec_create(cid, ExecSpec(command))
    b.start(cid)
    exec_id = b.exec_create(cid, ExecSpec(command, environment={"GREETING": "hi"}, user="1", working_dir="/etc"))
    assert b.exec_inspect(exec_id).exit_code is None, "not run yet"
    assert _exec_output(b.exec_start(exec_id)) == "in /etc as 1 with hi\n"
    assert b.exec_inspect(exec_id) == ExecInfo(running=False, exit_code=3, pid=b.exec_inspect(exec_id).pid)


def test_a_detached_exec_ends_with_its_exit_code(harness):
    b = harness.backend
    cid = b.create(harness.spec(long_running=True))
    b.start(cid)
    command = ["sh", "-c", "exit 4"]
    if harness.kind == "fake":
        b.exec_results[(b.inspect(cid).name, " ".join(command))] = (4, "")
    exec_id = b.exec_create(cid, ExecSpec(command))
    b.exec_start_detached(exec_id)
    deadline = time.monotonic() + 10
    while (info := b.exec_inspect(exec_id)).running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert info.exit_code == 4


def _tar(*members: tuple[str, bytes | None, int]) -> bytes:
    """A tar of (name, content or None for a directory, mode) members."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content, mode in members:
            info = tarfile.TarInfo(name)
            info.mode, info.uid, info.gid = mode, 1234, 4321
            if content is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def test_archive_put_then_get(harness):
    b = harness.backend
    cid = b.create(harness.spec())  # the archive endpoints work on a container that is not running
    b.put_archive(cid, "/", _tar(("figdata", None, 0o750), ("figdata/run.sh", b"echo hi\n", 0o741)))
    stat = b.stat_path(cid, "/figdata/run.sh")
    assert (stat.name, stat.size, stat.mode & 0o777, stat.is_dir) == ("run.sh", 8, 0o741, False)
    assert b.stat_path(cid, "/figdata").is_dir
    stat, chunks = b.get_archive(cid, "/figdata")
    assert stat.name == "figdata" and stat.is_dir
    with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as tar:
        members = {m.name.rstrip("/"): m for m in tar.getmembers()}
        assert set(members) == {"figdata", "figdata/run.sh"}
        assert members["figdata/run.sh"].mode & 0o777 == 0o741
        assert (members["figdata/run.sh"].uid, members["figdata"].mode & 0o777) == (1234, 0o750), "owners kept"
        assert tar.extractfile(members["figdata/run.sh"]).read() == b"echo hi\n"


def test_archive_owned_by_the_container_user_when_asked_and_streamed_in_chunks(harness):
    b = harness.backend
    spec = harness.spec()
    if harness.kind == "fake":
        b.add_image("debian:bookworm-slim")  # type: ignore[attr-defined]
    # The engine looks the user up: dockerd 20.10 in the container's /etc/passwd, dockerd 26 with the container's
    # getent, which busybox has not (as `docker cp -a` there, `fig cp -a` into busybox is refused by dockerd 26).
    cid = b.create(ContainerSpec(name=spec.name, image="debian:bookworm-slim", labels=spec.labels,
                                 command=spec.command, user="root"))
    data = _tar(("owned.txt", b"x" * 70000, 0o600))
    b.put_archive(cid, "/", iter([data[:1000], data[1000:]]), copy_uid_gid=True)
    _, chunks = b.get_archive(cid, "/owned.txt")
    with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as tar:
        member = tar.getmember("owned.txt")
        assert (member.uid, member.gid, member.size, member.mode & 0o777) == (0, 0, 70000, 0o600), "root's"


def test_archive_of_a_missing_path_is_not_found(harness):
    b = harness.backend
    cid = b.create(harness.spec())
    with pytest.raises(NotFound):
        b.stat_path(cid, "/no-such-path")
    with pytest.raises(NotFound):
        b.get_archive(cid, "/no-such-path")
    with pytest.raises(NotFound):
        b.put_archive(cid, "/no-such-dir", _tar(("a", b"a", 0o644)))


def test_pause_and_unpause(harness):
    b = harness.backend
    cid = b.create(harness.spec(long_running=True))
    with pytest.raises(BackendError, match="not running"):
        b.pause(cid)
    b.start(cid)
    b.pause(cid)
    assert b.inspect(cid).state is ContainerState.PAUSED
    assert ids(b.list_containers({L.LABEL_PROJECT: harness.project})) == {cid}, "paused counts as running"
    with pytest.raises(BackendError, match="already paused"):
        b.pause(cid)
    b.unpause(cid)
    assert b.inspect(cid).state is ContainerState.RUNNING
    with pytest.raises(BackendError, match="not paused"):
        b.unpause(cid)


def test_top_lists_the_processes(harness):
    b = harness.backend
    cid = b.create(harness.spec(long_running=True))
    with pytest.raises(BackendError, match="not running"):
        b.top(cid)
    b.start(cid)
    titles, rows = b.top(cid)
    assert titles[-1] == "CMD" and {"UID", "PID"} <= set(titles)
    assert rows and all(len(row) == len(titles) for row in rows)
    assert any("while" in row[-1] or "trap" in row[-1] for row in rows)


def test_stats_of_a_running_container(harness):
    b = harness.backend
    cid = b.create(harness.spec(long_running=True))
    b.start(cid)
    if harness.kind == "fake":
        b.samples[b.inspect(cid).name] = StatsSample("2024-01-01T00:00:01Z", 2_000, 1_000, 20_000, 10_000, 2,
                                                    300_000, 1 << 34, 266, 0, 0, 0, 2)
    [sample] = list(b.stats(cid, stream=False))
    assert sample.pids >= 1 and sample.memory > 0 and sample.memory_limit >= sample.memory
    assert sample.online_cpus >= 1 and sample.system_cpu > sample.presystem_cpu > 0, "one-shot has precpu"
    streamed = b.stats(cid, stream=True)
    assert next(streamed).pids >= 1


def test_events_of_a_project(harness):
    b = harness.backend
    since = time.time() - 1
    cid = b.create(harness.spec(output=["x\n"]))
    b.create(harness.spec(project=harness.project + "other"))
    b.start(cid)
    b.wait(cid)
    stamp = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    seen = list(b.events({L.LABEL_PROJECT: harness.project}, since=stamp(since), until=stamp(time.time() + 1)))
    assert [e.action for e in seen if e.type == "container"][:3] == ["create", "start", "die"]
    assert {e.id for e in seen} == {cid}
    assert seen[0].attributes["name"] == L.container_name(harness.project, "web", 1)
    assert seen[0].attributes[L.LABEL_SERVICE] == "web" and seen[2].attributes["exitCode"] == "0"
    assert since * 1e9 <= seen[0].time_nano <= seen[-1].time_nano


def test_image_inspect(harness):
    b = harness.backend
    info = b.image_inspect("busybox")
    assert info.id == b.image_id("busybox") and "busybox:latest" in info.tags
    assert info.size > 0 and info.platform.startswith("linux/") and info.created
    with pytest.raises(NotFound):
        b.image_inspect("figtest-no-such-image:nope")


def test_list_containers_having_a_label(harness):
    b = harness.backend
    web = b.create(harness.spec())
    spec = harness.spec("db")
    b.create(ContainerSpec(name=spec.name, image=spec.image, labels={L.LABEL_PROJECT: harness.project},
                           command=spec.command))
    found = b.list_containers({L.LABEL_PROJECT: harness.project}, all=True, having=[L.LABEL_SERVICE])
    assert ids(found) == {web}
