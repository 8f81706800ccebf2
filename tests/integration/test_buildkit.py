"""Builds with BuildKit on the real engine, each test twice: through buildx bake (a DOCKER_CONFIG with the buildx
plugin) and through the engine's own BuildKit (an empty DOCKER_CONFIG). `--verbose` says which builder ran, and
every test checks it, so a buildx that leaks in from a system plugin directory fails the second case."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import signal
import subprocess
import tarfile
import uuid
from pathlib import Path

import docker
import pytest

from tests.integration.conftest import FigProject

ROOT = Path(__file__).resolve().parents[2]
BAKE, ENGINE = "buildx bake", "the engine's BuildKit"


def peers_config() -> str:
    path = subprocess.run([str(ROOT / "script/peers"), "--path", "config"], capture_output=True, text=True,
                          check=True).stdout.strip()
    if not (Path(path) / "cli-plugins/docker-buildx").exists():
        pytest.fail(f"no buildx plugin in {path}: run script/peers", pytrace=False)
    return path


class Builds(FigProject):
    """A project whose fig runs see one DOCKER_CONFIG: the peers' (buildx) or an empty one (no buildx)."""

    builder: str
    env: dict[str, str]

    def fig(self, *args: str, env: dict[str, str] | None = None, **kwargs):  # type: ignore[override]
        return super().fig(*args, env={**self.env, **(env or {})}, **kwargs)

    def build(self, *args: str, env: dict[str, str] | None = None, ok: bool = True, progress: str = "auto"):
        """`fig --verbose build ARGS`, checked to have used this case's builder (not `--verbose` when it is to
        fail: that prints the traceback)."""
        result = self.fig(*(["--verbose"] if ok else []), "--progress", progress, "build", *args, env=env)
        if ok and not result.ok:
            pytest.fail(f"fig build {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
        ran = re.findall(r"DEBUG: building .* with (buildx bake|the engine's BuildKit|the classic builder)",
                         result.stderr)
        if result.ok:
            assert ran == [self.builder], f"expected {self.builder} to build, saw {ran}:\n{result.stderr}"
        return result

    def image(self, name: str) -> dict:
        return self.client.inspect_image(name)

    def run(self, image: str, *command: str) -> str:
        container = self.client.create_container(image, list(command))
        try:
            self.client.start(container)
            self.client.wait(container, timeout=60)
            return self.client.logs(container).decode()
        finally:
            self.client.remove_container(container, force=True)


def remove_images(client: docker.APIClient, prefix: str) -> None:
    for image in client.images():
        for tag in image.get("RepoTags") or ():
            if tag.startswith(prefix):
                try:
                    client.remove_image(tag, force=True)
                except docker.errors.APIError:
                    pass


@pytest.fixture(params=[BAKE, ENGINE], ids=["buildx", "engine"])
def builds(request, engine, tmp_path):
    project = Builds(tmp_path / "project", engine)
    project.dir.mkdir()
    project.builder = request.param
    empty = tmp_path / "docker-config"
    empty.mkdir()
    project.env = {"DOCKER_CONFIG": peers_config() if request.param == BAKE else str(empty)}
    try:
        yield project
    finally:
        remove_images(engine, project.name)


def app(project: FigProject, dockerfile: str, directory: str = "app", **files: str) -> None:
    project.write(dockerfile, f"{directory}/Dockerfile")
    for name, text in files.items():
        project.write(text, f"{directory}/{name}")


def compose(project: FigProject, services: str, extra: str = "") -> None:
    project.write(f"services:\n{services}{extra}", "compose.yaml")


def test_a_cache_mount_is_found_filled_by_the_next_build(builds):
    marker = uuid.uuid4().hex
    app(builds, f"FROM busybox\nARG RUN=1\nRUN --mount=type=cache,id={marker},target=/cache "
                "sh -c 'ls /cache > /seen; echo $RUN > /cache/run-$RUN'\n")
    compose(builds, "  web:\n    build: app\n")
    builds.build()
    assert builds.run(f"{builds.name}-web", "cat", "/seen") == ""
    builds.build("--build-arg", "RUN=2")
    assert builds.run(f"{builds.name}-web", "cat", "/seen") == "run-1\n"


def test_copy_chmod(builds):
    app(builds, "FROM busybox\nCOPY --chmod=0751 tool /tool\n", tool="#!/bin/sh\n")
    compose(builds, "  web:\n    build: app\n")
    builds.build()
    assert builds.run(f"{builds.name}-web", "stat", "-c", "%a", "/tool") == "751\n"


def test_dockerfile_inline_and_every_tag(builds):
    tags = [f"{builds.name}-extra:1", f"{builds.name}/other:two"]
    builds.write("ignored\n", "app/.keep")
    compose(builds, f"  web:\n    build:\n      context: app\n      tags: {json.dumps(tags)}\n"
                    "      dockerfile_inline: |\n        FROM busybox\n        RUN echo inline > /made\n")
    builds.build()
    ids = {builds.image(name)["Id"] for name in [f"{builds.name}-web", *tags]}
    assert len(ids) == 1
    assert builds.run(tags[1], "cat", "/made") == "inline\n"


def test_no_cache_runs_every_step_again(builds):
    app(builds, "FROM busybox\nRUN date +%s%N > /stamp\n")
    compose(builds, "  web:\n    build: app\n")
    builds.build()
    first = builds.image(f"{builds.name}-web")["Id"]
    builds.build()
    assert builds.image(f"{builds.name}-web")["Id"] == first, "a second build without changes is cached"
    compose(builds, "  web:\n    build:\n      context: app\n      no_cache: true\n")
    again = builds.build(progress="plain")
    assert builds.image(f"{builds.name}-web")["Id"] != first
    step = re.search(r"^#(\d+) \[web 2/2\] RUN date", again.stderr, re.MULTILINE)
    assert step and f"#{step[1]} DONE" in again.stderr and f"#{step[1]} CACHED" not in again.stderr
    assert builds.build("--no-cache").ok


def test_pull_false_builds_from_a_local_base_image(builds):
    base = f"{builds.name}-base:local"
    builds.client.tag("busybox:latest", base.split(":")[0], "local")
    app(builds, f"FROM {base}\nRUN echo on-local-base > /made\n")
    compose(builds, "  web:\n    build:\n      context: app\n      pull: false\n")
    builds.build()
    assert builds.run(f"{builds.name}-web", "cat", "/made") == "on-local-base\n"
    compose(builds, "  web:\n    build:\n      context: app\n      pull: true\n")
    pulled = builds.build(ok=False)
    assert pulled.returncode == 1, "pull: true must look for the base image in a registry"
    assert pulled.stderr.strip().splitlines()[-1].startswith("ERROR: Service 'web' failed to build")


def test_target_and_args(builds):
    app(builds, "FROM busybox AS base\nARG GREETING=default\nRUN echo $GREETING > /greeting\n"
                "FROM base AS final\nRUN echo final > /final\n")
    compose(builds, "  web:\n    build:\n      context: app\n      target: base\n      args:\n"
                    "        GREETING: from-args\n")
    builds.build()
    assert builds.run(f"{builds.name}-web", "cat", "/greeting") == "from-args\n"
    assert "No such file" in builds.run(f"{builds.name}-web", "cat", "/final")


def test_two_services_are_built_in_one_call(builds):
    app(builds, "FROM busybox\nRUN echo one > /made\n", directory="one")
    app(builds, "FROM busybox\nRUN echo two > /made\n", directory="two")
    compose(builds, "  one:\n    build: one\n  two:\n    build: two\n")
    result = builds.build()
    assert re.findall(r"DEBUG: building (.*) with", result.stderr) == ["one, two"]
    assert builds.run(f"{builds.name}-one", "cat", "/made") == "one\n"
    assert builds.run(f"{builds.name}-two", "cat", "/made") == "two\n"


def test_a_failing_build_names_service_and_step_and_shows_its_output_once(builds):
    app(builds, "FROM busybox\nRUN echo before\nRUN echo the-output-of-the-step && exit 3\n")
    compose(builds, "  bad:\n    build: app\n")
    for progress in ("plain", "tty"):
        result = builds.fig("--progress", progress, "build")
        assert result.returncode == 1
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("ERROR: Service 'bad' failed to build at [3/3] RUN echo the-output-of-the-step")
        assert last.endswith("exit code: 3"), last
        assert sum(line.startswith("ERROR:") for line in result.stderr.splitlines()) == 1
        assert result.stderr.count("the-output-of-the-step\n") == 1, result.stderr
    with pytest.raises(docker.errors.ImageNotFound):
        builds.image(f"{builds.name}-bad")


def test_quiet_prints_nothing_but_errors_and_json_is_json(builds):
    app(builds, "FROM busybox\nRUN echo hello\n")
    compose(builds, "  web:\n    build: app\n")
    assert builds.fig("build", "--quiet", check=True).stderr == ""
    lines = builds.fig("--progress", "json", "build", check=True).stderr.splitlines()
    events = [json.loads(line) for line in lines if line.startswith("{")]
    assert events and all(e["service"] == "web" for e in events)
    assert any(v["name"].startswith("[web ") for e in events for v in e.get("vertexes", ()))


def test_a_git_context_goes_to_the_builder_and_its_failure_is_reported(builds):
    url = "https://git.invalid/o/r.git#main:dir"
    compose(builds, f"  web:\n    build: {url}\n")
    assert json.loads(builds.fig("config", "--format", "json", check=True).stdout)["services"]["web"]["build"][
        "context"] == url
    result = builds.build(ok=False)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ERROR: Service 'web' failed to build") and "git.invalid" in last, last


SECRET_FILE = """
FROM busybox
ENV NONCE={nonce}
RUN --mount=type=secret,id=token --mount=type=secret,id=password \\
    sh -c 'md5sum /run/secrets/token /run/secrets/password > /sums'
"""


def test_secrets_from_a_file_and_the_environment(builds):
    token, password = f"token-{uuid.uuid4().hex}", f"password-{uuid.uuid4().hex}"
    builds.write(token, "token.txt")
    app(builds, SECRET_FILE.format(nonce=uuid.uuid4().hex))  # BuildKit's cache does not know a secret's content
    compose(builds, "  web:\n    build:\n      context: app\n      secrets: [token, password]\n",
            "secrets:\n  token:\n    file: ./token.txt\n  password:\n    environment: FIG_TEST_PASSWORD\n")
    builds.build(env={"FIG_TEST_PASSWORD": password})  # the engine's BuildKit: through fig's session
    image = f"{builds.name}-web"
    sums = builds.run(image, "cat", "/sums")
    assert hashlib.md5(token.encode()).hexdigest() in sums
    assert hashlib.md5(password.encode()).hexdigest() in sums
    saved = b"".join(builds.client.get_image(image))
    layers = tarfile.open(fileobj=io.BytesIO(saved))
    content = b"".join(layers.extractfile(m).read() for m in layers if m.isfile())
    for inner in (m for m in layers if m.name.endswith(".tar")):
        with tarfile.open(fileobj=layers.extractfile(inner)) as layer:
            content += b"".join(layer.extractfile(m).read() for m in layer if m.isfile())
    history = json.dumps(builds.client.history(image))
    for secret in (token, password):
        assert secret.encode() not in content and secret not in history


AGENT_CLIENT = ("perl -MIO::Socket::UNIX -e '$s = IO::Socket::UNIX->new(Peer => $ENV{SSH_AUTH_SOCK}) or die; "
                "print $s pack(\"NC\", 1, 11); read($s, $h, 4); read($s, $b, unpack(\"N\", $h)); "
                "printf(\"agent answered %d with %d keys\\n\", unpack(\"CN\", $b))' > /agent")


@pytest.fixture
def agent(tmp_path):
    """An ssh agent holding one key: its socket."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "key")], check=True)
    sock = tmp_path / "agent.sock"
    out = subprocess.run(["ssh-agent", "-a", str(sock)], check=True, capture_output=True, text=True).stdout
    pid = int(re.search(r"SSH_AGENT_PID=(\d+)", out)[1])
    try:
        subprocess.run(["ssh-add", "-q", str(tmp_path / "key")], check=True, env={"SSH_AUTH_SOCK": str(sock)},
                       capture_output=True)
        yield str(sock)
    finally:
        os.kill(pid, signal.SIGTERM)


def test_ssh_forwards_the_agent(builds, agent):
    app(builds, f"FROM debian:bookworm-slim\nENV NONCE={uuid.uuid4().hex}\n"
                f"RUN --mount=type=ssh,required=true {AGENT_CLIENT}\n")
    compose(builds, "  web:\n    build:\n      context: app\n      ssh: [default]\n")
    builds.build(env={"SSH_AUTH_SOCK": agent})
    assert builds.run(f"{builds.name}-web", "cat", "/agent") == "agent answered 12 with 1 keys\n"


def test_the_classic_builder_refuses_run_mount_in_one_line(builds):
    app(builds, "FROM busybox\nRUN echo fine\nRUN --mount=type=cache,target=/c true\n")
    compose(builds, "  web:\n    build: app\n")
    result = builds.fig("build", env={"DOCKER_BUILDKIT": "0"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Building web",
        "ERROR: Service 'web': the Dockerfile's 'RUN --mount' (line 3) needs BuildKit, and "
        "the classic builder builds this run (DOCKER_BUILDKIT=0, or an engine without BuildKit)"]


@pytest.mark.engine26
def test_heredocs(builds):
    app(builds, "FROM busybox\nRUN <<EOF\necho from-a-heredoc > /made\necho second-line >> /made\nEOF\n")
    compose(builds, "  web:\n    build: app\n")
    builds.build()
    assert builds.run(f"{builds.name}-web", "cat", "/made") == "from-a-heredoc\nsecond-line\n"


@pytest.mark.engine26
def test_additional_contexts(builds):
    builds.write("from the other context\n", "other/note.txt")
    app(builds, "FROM busybox\nCOPY --from=extra note.txt /note.txt\n")
    compose(builds, "  web:\n    build:\n      context: app\n      additional_contexts:\n        extra: ./other\n")
    if builds.builder == ENGINE:
        result = builds.build(ok=False)
        assert result.returncode == 1
        assert result.stderr.strip().splitlines()[-1] == (
            "ERROR: Service 'web': build key 'additional_contexts' needs buildx (the docker CLI's plugin), and the "
            "engine's BuildKit builds this run (no docker CLI with the buildx plugin was found)")
        return
    builds.build()
    assert builds.run(f"{builds.name}-web", "cat", "/note.txt") == "from the other context\n"


def test_extra_hosts_and_network_reach_the_build_whatever_this_buildx_carries(builds):
    app(builds, f"FROM busybox\nENV NONCE={uuid.uuid4().hex}\nRUN grep myhost /etc/hosts > /hosts\n")
    compose(builds, "  web:\n    build:\n      context: app\n      network: host\n"
                    "      extra_hosts: ['myhost:10.1.2.3']\n")
    result = builds.fig("build", check=True)
    if builds.builder == BAKE and "this buildx's bake cannot set" in result.stderr:  # buildx 0.13 drops them
        assert "building with the engine's BuildKit instead" in result.stderr
    assert builds.run(f"{builds.name}-web", "cat", "/hosts").split() == ["10.1.2.3", "myhost"]
