"""`build:`: every key of the compose spec read, checked, rendered and read back; the builder chosen; what each
builder refuses; the bake definition fig writes; BuildKit's progress split per service."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from fig.backend import bake, builders, solvestatus
from fig.backend.specs import BuildRequest, BuildSecretSource
from fig.backend.progress import Splitter, failure
from fig.builds import request
from fig.config import load_project
from fig.errors import ConfigError, UserError

EVERY_KEY = """
services:
  web:
    build:
      context: app
      dockerfile_inline: |
        FROM busybox
      args: {A: "1", B: null}
      ssh: [default, key=./id_key]
      cache_from: [a/b:c, "type=local,src=/tmp/c"]
      cache_to: ["type=local,dest=/tmp/c"]
      additional_contexts: {other: ./other, img: "docker-image://busybox"}
      entitlements: [network.host]
      extra_hosts: ["h:1.2.3.4", "g=::1"]
      isolation: default
      privileged: true
      labels: {l: v}
      no_cache: true
      pull: true
      network: host
      shm_size: 64m
      target: t
      secrets:
        - s1
        - {source: s2, target: t2, uid: "1", gid: "2", mode: 0400}
      tags: ["x/y:1", z]
      ulimits: {nofile: {soft: 1, hard: 2}, nproc: 3}
      platforms: [linux/amd64, linux/arm64]
  git:
    build: https://github.com/o/r.git#ref:dir
  other:
    build:
      context: git@github.com:o/r.git
      dockerfile: sub/Dockerfile
secrets:
  s1:
    file: ./s.txt
  s2:
    environment: S2
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ("app", "other"):
        (tmp_path / name).mkdir()
    (tmp_path / "s.txt").write_text("file secret")
    (tmp_path / "id_key").write_text("key")
    return tmp_path


def write(tree: Path, text: str) -> Path:
    path = tree / "compose.yaml"
    path.write_text(text)
    return path


def test_every_build_key_is_read(tree: Path):
    config = load_project([str(write(tree, EVERY_KEY))], environ={"S2": "env secret"})
    b = config.service("web").build
    assert b is not None
    assert (b.context, b.dockerfile, b.dockerfile_inline) == (str(tree / "app"), None, "FROM busybox\n")
    assert b.args == (("A", "1"),) and b.ssh == ("default", f"key={tree / 'id_key'}")
    assert b.additional_contexts == (("other", str(tree / "other")), ("img", "docker-image://busybox"))
    assert b.extra_hosts == ("g:::1", "h:1.2.3.4") and b.shm_size == 64 << 20  # sorted, as Compose v2 prints them
    assert (b.privileged, b.no_cache, b.pull, b.isolation, b.network, b.target) == (True, True, True, "default",
                                                                                      "host", "t")
    assert [(s.id, s.file, s.environment, s.mode) for s in b.secrets] == [
        ("s1", str(tree / "s.txt"), None, None), ("t2", None, "S2", 0o400)]
    assert b.secrets[1].value is not None and b.secrets[1].value.value == "env secret"
    assert b.tags == ("x/y:1", "z") and b.platforms == ("linux/amd64", "linux/arm64")
    assert [(u.name, u.soft, u.hard) for u in b.ulimits] == [("nofile", 1, 2), ("nproc", 3, 3)]
    assert config.service("git").build.context == "https://github.com/o/r.git#ref:dir"  # type: ignore[union-attr]
    assert config.service("other").build.dockerfile == "sub/Dockerfile"  # type: ignore[union-attr]


def fig(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "FIG_"))}
    proc = subprocess.run([sys.executable, "-m", "fig", *args], cwd=cwd, capture_output=True, text=True,
                          env={**environ, "DOCKER_HOST": "tcp://127.0.0.1:9", **(env or {})}, timeout=60)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_config_json_carries_every_build_key_and_reads_back_to_the_same_project(tree: Path):
    write(tree, EVERY_KEY)
    out = fig("config", "--format", "json", cwd=tree, env={"S2": "env secret"})
    assert out.returncode == 0, out.stderr
    build = json.loads(out.stdout)["services"]["web"]["build"]
    assert set(build) == {
        "context", "dockerfile_inline", "args", "ssh", "cache_from", "cache_to", "additional_contexts",
        "entitlements", "extra_hosts", "isolation", "privileged", "labels", "no_cache", "pull", "network",
        "shm_size", "target", "secrets", "tags", "ulimits", "platforms"}
    assert json.loads(out.stdout)["services"]["other"]["build"] == {
        "context": "git@github.com:o/r.git", "dockerfile": "sub/Dockerfile"}
    assert build["extra_hosts"] == ["g=::1", "h=1.2.3.4"]
    assert build["secrets"][1] == {"source": "s2", "target": "t2", "uid": "1", "gid": "2", "mode": 256}
    (tree / "again.json").write_text(out.stdout)
    first = load_project([str(tree / "compose.yaml")], environ={"S2": "env secret"})
    again = load_project([str(tree / "again.json")], environ={"S2": "env secret"})
    for service in first.services:
        assert again.service(service.name).build == service.build
        assert again.service(service.name).config_hash("x") == service.config_hash("x")


@pytest.mark.parametrize(("snippet", "message"), [
    ("dockerfile: D\n      dockerfile_inline: FROM x", "'build.dockerfile_inline' and 'dockerfile' are mutually"),
    ("entitlements: [bogus]", "'build.entitlements' 'bogus' is not one of network.host, security.insecure"),
    ("isolation: hyperv", "'build.isolation' 'hyperv' must be 'default' on a Linux engine"),
    ("tags: ['Bad Tag']", "'build.tags'"),
    ("platforms: ['linux//v8']", "'build.platforms' 'linux//v8' is not a platform"),  # any named one is the builder's
    ("secrets: [nope]", "'build.secrets' refers to secret 'nope', which is not declared"),
    ("ssh: [key]", "'build.ssh' 'key' needs the path of a key or an agent socket"),
    ("ulimits: {nofile: {soft: 3, hard: 2}}", "'build.ulimits' nofile: the soft limit 3 is above the hard limit 2"),
    ("extra_hosts: ['h:nope']", "'build.extra_hosts' h:"),
    ("shm_size: lots", "'build.shm_size'"),
    ("network: 5", "'build.network'"),
])
def test_bad_build_values_are_one_line_errors_naming_file_service_and_key(tree: Path, snippet: str, message: str):
    path = write(tree, f"services:\n  web:\n    build:\n      context: app\n      {snippet}\n")
    with pytest.raises(ConfigError) as e:
        load_project([str(path)], environ={})
    assert "compose.yaml" in str(e.value) and "service 'web'" in str(e.value) and message in str(e.value)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize(("snippet", "message"), [
    ("context: ./missing", "'build.context' {tree}/missing is not a directory here"),
    ("context: app\n      additional_contexts: {o: ./missing}",
     "'build.additional_contexts o' {tree}/missing is not a directory here"),
    ("context: app\n      ssh: [key=./missing]", "'build.ssh key' {tree}/missing is not a file or socket here"),
])
def test_missing_build_paths_are_refused_when_built_not_when_read(tree: Path, snippet: str, message: str):
    """As Compose v2: `config` (and `ps`, `down`) of a project whose build directory is gone still work."""
    path = write(tree, f"services:\n  web:\n    build:\n      {snippet}\n")
    web = load_project([str(path)], environ={}).service("web")
    with pytest.raises(UserError) as e:
        request(web, "img")
    assert str(e.value) == f"Service 'web': {message.format(tree=tree)}"


def test_a_missing_build_secret_file_is_refused_when_built_not_when_read(tree: Path):
    path = write(tree, "services:\n  web:\n    build:\n      context: app\n      secrets: [s]\n"
                       "secrets:\n  s: {file: ./missing}\n")
    web = load_project([str(path)], environ={}).service("web")
    with pytest.raises(UserError) as e:
        request(web, "img")
    assert str(e.value) == f"Service 'web': 'build.secrets s' {tree}/missing is not a file here"


def test_build_platform_is_read_as_platforms_with_a_warning(tree: Path, caplog):
    path = write(tree, "services:\n  web:\n    build:\n      context: app\n      platform: linux/arm64\n")
    assert load_project([str(path)], environ={}).service("web").build.platforms == ("linux/arm64",)  # type: ignore
    assert "old spelling of 'platforms'" in caplog.text
    path = write(tree, "services:\n  web:\n    platform: linux/arm64\n    build:\n      context: app\n"
                       "      platforms: [linux/amd64]\n")
    with pytest.raises(ConfigError, match="must include the service's platform 'linux/arm64'"):
        load_project([str(path)], environ={})


def test_a_request_carries_the_file_and_the_command_line(tree: Path):
    config = load_project([str(write(tree, EVERY_KEY))], environ={"S2": "env secret"})
    r = request(config.service("web"), "p_web", args={"A": "2"})
    assert r.tags == ("p_web", "x/y:1", "z") and r.args == {"A": "2"} and r.no_cache and r.pull
    assert r.secrets == (BuildSecretSource("s1", str(tree / "s.txt")), BuildSecretSource("t2", None, "S2",
                                                                                           "env secret"))
    assert "env secret" not in repr(r)
    unset = load_project([str(write(tree, EVERY_KEY))], environ={})
    with pytest.raises(UserError, match="the S2 variable is not set: it is the source of build secret 's2'"):
        request(unset.service("web"), "p_web")


def plugin(directory: Path) -> None:
    directory.mkdir(parents=True)
    (directory / "docker-buildx").write_text("#!/bin/sh\n")
    (directory / "docker-buildx").chmod(stat.S_IRWXU)


def test_the_builder_is_chosen_by_buildx_docker_buildkit_and_the_engine(tmp_path: Path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text("#!/bin/sh\n")
    (bin_dir / "docker").chmod(stat.S_IRWXU)
    plugin(tmp_path / "config/cli-plugins")
    env = {"PATH": str(bin_dir), "DOCKER_CONFIG": str(tmp_path / "config"), "HOME": str(tmp_path)}
    empty = {**env, "DOCKER_CONFIG": str(tmp_path / "empty")}
    linux, old = {"ostype": "linux"}, {"ostype": "linux", "builder-version": "1"}

    def choose(environ: dict[str, str], ping: dict[str, str], misses: list = []) -> str:  # noqa: B006
        return builders.choose(environ, lambda: ping, [], lambda _: misses)[0]

    if any(os.path.exists(os.path.join(d, "docker-buildx")) for d in builders.SYSTEM_PLUGIN_DIRS):
        pytest.fail("a system plugin directory has buildx: the without-buildx cases cannot be told apart")
    assert choose(env, linux) == builders.BAKE
    assert choose({**env, "DOCKER_BUILDKIT": "0"}, linux) == builders.CLASSIC
    assert choose({**env, "PATH": str(tmp_path)}, linux) == builders.BUILDKIT  # no docker CLI
    assert choose(empty, linux) == builders.BUILDKIT
    assert choose(empty, {"ostype": "windows"}) == builders.CLASSIC
    assert choose(empty, old) == builders.CLASSIC
    assert choose({**empty, "DOCKER_BUILDKIT": "1"}, old) == builders.BUILDKIT
    assert choose(env, linux, [("web", "network")]) == builders.BUILDKIT  # this buildx's bake would drop it
    assert choose(env, {"libpod-api-version": "4.3.1", "builder-version": ""}) == builders.BUILDKIT  # Podman's /build
    assert builders.find_buildx(env) == builders.Buildx(str(bin_dir / "docker"),
                                                       str(tmp_path / "config/cli-plugins/docker-buildx"))


def test_each_builder_refuses_what_it_cannot_do_naming_service_and_key(tmp_path: Path):
    secret = BuildRequest("web", str(tmp_path), ("p_web",), secrets=(BuildSecretSource("s", "/f"),))
    with pytest.raises(UserError, match="^Service 'web': build key 'secrets' needs buildx"):
        builders.check([secret], builders.BUILDKIT, session=False)
    builders.check([secret], builders.BAKE)
    builders.check([secret], builders.BUILDKIT, session=True)  # served by fig's BuildKit session
    with pytest.raises(UserError, match="^Service 'web': build key 'secrets' needs BuildKit, and the classic"):
        builders.check([secret], builders.CLASSIC)
    key = BuildRequest("web", str(tmp_path), ("p_web",), ssh=(f"id={tmp_path}",))  # a file, not an agent
    with pytest.raises(UserError, match=r"build key 'ssh \(a key file rather than an agent's socket\)' needs"):
        builders.check([key], builders.BUILDKIT)
    contexts = BuildRequest("web", str(tmp_path), ("p_web",), additional_contexts={"o": "/o"})
    with pytest.raises(UserError, match="build key 'additional_contexts' needs buildx"):
        builders.check([contexts], builders.BUILDKIT)
    for line in ("RUN --mount=type=cache,target=/c true", "COPY --chown=1 --chmod=0755 a /a", "RUN <<EOF\n",
                 "ADD --link a /a"):
        inline = BuildRequest("web", str(tmp_path), ("p_web",), dockerfile_inline=f"FROM busybox\n{line}\n")
        builders.check([inline], builders.BUILDKIT)
        with pytest.raises(UserError, match=r"^Service 'web': the Dockerfile's '(RUN --mount|COPY --chmod|"
                                            r"RUN <<' \(a heredoc\)|ADD --link)'? \(line 2\) needs BuildKit, and "
                                            "the classic builder builds this run"):
            builders.check([inline], builders.CLASSIC)
    builders.check([BuildRequest("web", str(tmp_path), ("p_web",), dockerfile_inline="FROM x\nCOPY --chown=1 a /a\n")],
                   builders.CLASSIC)


def test_the_bake_definition_has_a_target_per_service():
    requests = [
        BuildRequest("web", "/src", ("p_web", "x:1"), dockerfile="D", args={"A": "1"}, no_cache=True,
                     secrets=(BuildSecretSource("s", "/f"), BuildSecretSource("e", env="E", value="v")),
                     ulimits=(("nofile", 1, 2),), additional_contexts={"o": "/o"}, privileged=True, shm_size=64),
        BuildRequest("my.api", "https://g/r.git", ("p_api",), dockerfile_inline="FROM x\n"),
    ]
    d = bake.definition(requests)
    assert d["group"]["default"]["targets"] == ["web", "my_api"]
    assert d["target"]["web"] == {
        "context": "/src", "tags": ["p_web", "x:1"], "dockerfile": "D", "args": {"A": "1"}, "no-cache": True,
        "secret": ["id=s,src=/f", "id=e,env=E"], "ulimits": ["nofile=1:2"], "contexts": {"o": "/o"},
        "entitlements": ["security.insecure"], "shm-size": "64"}
    assert d["target"]["my_api"] == {"context": "https://g/r.git", "tags": ["p_api"], "dockerfile-inline": "FROM x\n"}


def test_progress_is_split_per_service_and_a_failure_names_its_step():
    seen: list[tuple[str, dict]] = []
    splitter = Splitter({"web": "web", "my_api": "my.api"}, lambda s, e: seen.append((s, dict(e))))
    splitter.feed({"vertexes": [{"digest": "d1", "name": "[web 2/3] RUN make"},
                                {"digest": "d2", "name": "[my_api internal] load .dockerignore"},
                                {"digest": "d0", "name": "[internal] load local bake definitions"}]})
    splitter.feed({"logs": [{"vertex": "d1", "data": base64.b64encode(b"compiling\n").decode()}],
                   "vertexes": [{"digest": "d1", "name": "[web 2/3] RUN make", "error": "exit code: 2"}]})
    assert [(s, [v["name"] for v in e.get("vertexes", [])]) for s, e in seen] == [
        ("web", ["[web 2/3] RUN make"]), ("my.api", ["[my.api internal] load .dockerignore"]),
        ("web", ["[web 2/3] RUN make"])]
    error = failure(splitter, ["ERROR: failed to solve: exit code: 2"], ["web", "my.api"])
    assert (error.service, error.step, str(error)) == ("web", "[2/3] RUN make", "exit code: 2")
    assert splitter.output_of("[web 2/3] RUN make") == "compiling\n"


def test_the_engines_trace_reads_as_buildx_rawjson():
    def field(number: int, data: bytes) -> bytes:
        return bytes([number << 3 | 2, len(data)]) + data
    stamp = bytes([8, 100])  # seconds=100
    vertex = field(1, b"sha256:a") + field(3, b"[1/2] FROM x") + bytes([4 << 3, 1]) + field(5, stamp)
    log = field(1, b"sha256:a") + field(4, b"hello\n")
    aux = base64.b64encode(field(1, vertex) + field(3, log)).decode()
    assert solvestatus.decode(aux) == {
        "vertexes": [{"digest": "sha256:a", "name": "[1/2] FROM x", "cached": True,
                      "started": "1970-01-01T00:01:40.000000000Z"}],
        "logs": [{"vertex": "sha256:a", "data": base64.b64encode(b"hello\n").decode()}]}
