"""fig.copying on a FakeBackend: where docker cp's rules put a file or a directory, both ways."""

from __future__ import annotations

import io
import stat
import tarfile

import pytest

from fig import copying
from fig.backend.answers import MODE_DIR
from fig.errors import NotFound, UserError
from fig.project import UpOptions
from tests.fakes import FakeBackend

WEB = "web:\n  image: busybox\n"


@pytest.fixture
def web(project):
    p = project(WEB)
    p.up(options=UpOptions(scale={"web": 2}))
    return p


@pytest.mark.parametrize("argument, expected", [
    ("web:/etc", ("web", "/etc")), ("/abs:olute", (None, "/abs:olute")), ("./web:x", (None, "./web:x")),
    ("plain", (None, "plain")), ("-", (None, "-")), (":x", (None, ":x"))])
def test_split_target(argument, expected):
    assert copying.split_target(argument) == expected


def test_a_file_into_every_replica_and_out_again(web, backend: FakeBackend, tmp_path):
    source = tmp_path / "app.conf"
    source.write_text("port=1\n")
    source.chmod(0o640)
    targets = copying.containers(web, "web")
    copying.copy_in(targets, str(source), "/")
    for name in ("figtest_web_1", "figtest_web_2"):
        f = backend.by_name(name).files["/app.conf"]
        assert (f.data, f.mode & 0o777) == (b"port=1\n", 0o640)
    copying.copy_in(targets[:1], str(source), "/renamed.conf")  # a new name in an existing directory
    assert "/renamed.conf" in backend.by_name("figtest_web_1").files
    out = tmp_path / "out.conf"
    copying.copy_out(targets[0], "/renamed.conf", str(out))
    assert out.read_text() == "port=1\n" and stat.S_IMODE(out.stat().st_mode) == 0o640
    (tmp_path / "into").mkdir()
    copying.copy_out(targets[0], "/app.conf", str(tmp_path / "into"))
    assert (tmp_path / "into" / "app.conf").read_text() == "port=1\n"


def test_a_directory_or_its_contents(web, backend: FakeBackend, tmp_path):
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "leaf").write_text("leaf")
    [first, _] = copying.containers(web, "web")
    copying.copy_in([first], str(tree), "/")
    copying.copy_in([first], str(tree) + "/.", "/tree")  # contents into the directory that now exists
    files = backend.by_name("figtest_web_1").files
    assert {"/tree", "/tree/sub", "/tree/sub/leaf"} <= set(files) and files["/tree"].mode & MODE_DIR
    copying.copy_out(first, "/tree", str(tmp_path / "new"))
    assert (tmp_path / "new" / "sub" / "leaf").read_text() == "leaf"
    copying.copy_out(first, "/tree", str(tmp_path / "new"))  # the directory exists now: into it
    assert (tmp_path / "new" / "tree" / "sub" / "leaf").exists()
    copying.copy_out(first, "/tree/.", str(tmp_path / "new"))
    assert (tmp_path / "new" / "sub" / "leaf").exists()


def test_a_tar_in_needs_a_directory(web, backend: FakeBackend, tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("x.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    targets = copying.containers(web, "web")
    buffer.seek(0)
    copying.copy_tar_in(targets, buffer, "/")
    assert all("/x.txt" in backend.by_name(n).files for n in ("figtest_web_1", "figtest_web_2"))
    buffer.seek(0)
    with pytest.raises(UserError, match="must be a directory: /x.txt"):
        copying.copy_tar_in(targets, buffer, "/x.txt")


def test_refusals(web, tmp_path):
    [first, _] = copying.containers(web, "web")
    (tmp_path / "file").write_text("f")
    (tmp_path / "dir").mkdir()
    with pytest.raises(NotFound, match="no such file or directory: /missing"):
        copying.copy_out(first, "/missing", str(tmp_path / "x"))
    with pytest.raises(UserError, match="no such file or directory"):
        copying.copy_in([first], str(tmp_path / "missing"), "/")
    with pytest.raises(UserError, match="the destination directory must exist"):
        copying.copy_in([first], str(tmp_path / "file"), "/nodir/")
    copying.copy_in([first], str(tmp_path / "file"), "/file")
    with pytest.raises(UserError, match="cannot copy a directory to a file"):
        copying.copy_in([first], str(tmp_path / "dir"), "/file")
    copying.copy_in([first], str(tmp_path / "dir"), "/")
    with pytest.raises(UserError, match="cannot copy a directory to a file"):
        copying.copy_out(first, "/dir", str(tmp_path / "file"))
    with pytest.raises(UserError, match='service "web" is not running container #5'):
        copying.containers(web, "web", index=5)


def test_containers_are_found_stopped_too_but_not_nowhere(project):
    p = project(WEB + "db:\n  image: busybox\n")
    p.up(["web"])
    p.stop()
    assert [c.name for c in copying.containers(p, "web")] == ["figtest_web_1"]
    with pytest.raises(UserError, match='no container found for service "db"'):
        copying.containers(p, "db")
