"""`fig pull`, `fig push`, `build --pull`, and `up`/`run` pulling missing images, against a real registry.

The registry is Debian's docker-registry on 127.0.0.1:5001 (the counter example holds 5000), started by
script/registry for this module and stopped after it. Outside CI a registry that cannot be started skips these tests; under CI=true it fails them.
"""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import socket
import subprocess
import tarfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.integration.conftest import FIG, SLEEPER

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = "127.0.0.1:5001"


def _answers() -> bool:
    try:
        with urllib.request.urlopen(f"http://{REGISTRY}/v2/", timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def registry(engine) -> Iterator[str]:
    """The registry, started for this module if it is not running, and stopped again afterwards."""
    started = False
    if not _answers():
        proc = subprocess.run([str(ROOT / "script" / "registry")], capture_output=True, text=True, timeout=600,
                              stdin=subprocess.DEVNULL)
        if proc.returncode != 0 or not _answers():
            message = f"the registry at {REGISTRY} is not available (script/registry: {proc.stderr.strip()[-500:]})"
            if os.environ.get("CI"):
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        started = True
    yield REGISTRY.replace("127.0.0.1", "localhost")
    if started:
        subprocess.run([str(ROOT / "script" / "registry"), "stop"], capture_output=True, timeout=60,
                       stdin=subprocess.DEVNULL)


def tags(repository: str) -> list[str]:
    with urllib.request.urlopen(f"http://{REGISTRY}/v2/{repository}/tags/list", timeout=10) as response:
        return json.loads(response.read())["tags"] or []


def image_exists(client, name: str) -> bool:
    try:
        client.inspect_image(name)
        return True
    except docker.errors.ImageNotFound:
        return False


def build_image(client, tag: str, dockerfile: str) -> str:
    """Build an image from a Dockerfile text (no context files) with the SDK; returns its id."""
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        data = dockerfile.encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    context.seek(0)
    for event in client.build(fileobj=context, custom_context=True, tag=tag, rm=True, decode=True):
        assert "error" not in event, event
    return client.inspect_image(tag)["Id"]


def push(client, image: str) -> None:
    repository, tag = image.rsplit(":", 1)
    for event in client.push(repository, tag=tag, stream=True, decode=True):
        assert "error" not in event, event


@pytest.fixture
def images(project, registry):
    """Unique image names in the registry's namespace; every local tag of them is removed afterwards."""
    made: list[str] = []

    def name(suffix: str = "") -> str:
        made.append(f"{registry}/figtest-{uuid.uuid4().hex[:10]}{suffix}")
        return made[-1]

    yield name
    for image in project.client.images():
        for tag in image.get("RepoTags") or ():
            if any(tag.startswith(m + ":") for m in made) or tag.startswith((f"{project.name}_", f"{project.name}-")):
                try:
                    project.client.remove_image(tag, force=True)
                except docker.errors.APIError:
                    pass


def published(project, images, *, size: int = 0) -> str:
    """An image (with a layer of its own) that exists in the registry and not locally: `image:latest`."""
    image = images()
    extra = f" && head -c {size} /dev/urandom > /blob" if size else ""
    build_image(project.client, f"{image}:latest", f"FROM busybox\nRUN echo {image} > /unique{extra}\n")
    push(project.client, f"{image}:latest")
    project.client.remove_image(f"{image}:latest")
    assert not image_exists(project.client, f"{image}:latest")
    return image


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- pull --------------------------------------------------------------------------------------------------

def test_pull_gets_the_image_back_with_plain_progress_when_piped(project, images):
    image = published(project, images)
    project.write(f"web:\n  image: {image}\n")
    result = project.fig("pull", check=True)
    assert image_exists(project.client, f"{image}:latest")
    assert "\x1b[" not in result.stderr and "[=" not in result.stderr, "no cursor moves or bars when piped"
    lines = result.stderr.splitlines()
    assert "Pulling web ... done" in lines
    completed = [line for line in lines if re.fullmatch(r"web: [0-9a-f]{12}: Pull complete", line)]
    assert completed, result.stderr
    assert len(lines) == len(set(lines)), "each state of each layer is printed once"
    assert project.fig("run", "-T", "web", "cat", "/unique", check=True).stdout == f"{image}\n"


def render(output: bytes) -> list[str]:
    """What a terminal shows after `output`: enough of VT100 for cursor up/down, CR, LF and erase-line."""
    screen: list[list[str]] = [[]]
    row = col = 0
    text = re.sub(rb"\x1b\[[0-9;]*m", b"", output).decode("utf-8", "replace")
    for token in re.findall(r"\x1b\[\d*[A-Za-z]|\r|\n|[^\x1b\r\n]", text):
        if token == "\r":
            col = 0
        elif token == "\n":
            row += 1
        elif token.startswith("\x1b["):
            count = int(token[2:-1] or 1)
            if token.endswith("A"):
                row = max(0, row - count)
            elif token.endswith("B"):
                row += count
            elif token.endswith("K"):
                screen[row] = []
        else:
            line = screen[row]
            line.extend(" " * (col + 1 - len(line)))
            line[col] = token
            col += 1
        while row >= len(screen):
            screen.append([])
    return [rendered for line in screen if (rendered := "".join(line).rstrip())]


def test_pull_on_a_terminal_shows_one_line_per_layer_updated_in_place(project, images):
    image = published(project, images, size=4_000_000)
    project.write(f"web:\n  image: {image}\n")
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.chdir(project.dir)
            os.execv(FIG[0], [*FIG, "-p", project.name, "pull"])
        finally:
            os._exit(127)
    output = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            output += data
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, output
    assert re.search(rb"\x1b\[\d+A", output), "on a terminal, layer lines are updated in place"
    assert b"Downloading [" in output or b"Extracting [" in output, "a progress bar is shown on a terminal"
    screen = render(output)
    layers = [line for line in screen if re.match(r"web: [0-9a-f]{12}: ", line)]
    assert any(line.endswith(": Pull complete") for line in layers), screen
    assert all(line.endswith((": Pull complete", ": Already exists")) for line in layers), screen
    assert len({line[:17] for line in layers}) == len(layers), f"one line per layer: {screen}"
    assert "Pulling web ... done" in screen
    assert image_exists(project.client, f"{image}:latest")


def test_up_pulls_a_missing_image(project, images):
    image = published(project, images)
    project.write(f"web:\n  image: {image}\n  command: {SLEEPER}\n")
    project.fig("up", "-d", check=True)
    container = project.inspect(project.container_name("web"))
    assert container["State"]["Running"] and container["Config"]["Image"] == image


def test_run_pulls_a_missing_image(project, images):
    image = published(project, images)
    project.write(f"web:\n  image: {image}\n")
    assert project.fig("run", "-T", "web", "cat", "/unique", check=True).stdout == f"{image}\n"


def one_error(result) -> str:
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert result.returncode == 1 and len(errors) == 1, result.stderr
    return errors[0]


def test_pull_of_an_unknown_tag_names_the_image_and_the_reason(project, images):
    image = published(project, images)
    project.write(f"web:\n  image: {image}:no-such-tag\n")
    error = one_error(project.fig("pull"))
    assert f"{image}:no-such-tag" in error and "not found" in error


def test_pull_of_an_unknown_image_names_the_image_and_the_reason(project, images):
    image = images("-missing")
    project.write(f"web:\n  image: {image}\n")
    error = one_error(project.fig("pull"))
    assert image in error and ("not found" in error or "unknown" in error)


def test_pull_from_a_registry_that_does_not_answer(project, registry):
    image = f"127.0.0.1:{free_port()}/figtest-nothing"
    project.write(f"web:\n  image: {image}\n")
    error = one_error(project.fig("pull"))
    assert image in error and "connection refused" in error


def test_pull_from_a_registry_that_accepts_but_never_answers(project, registry):
    """The engine gives up (after about 25 s); fig must say so in one line, not hang."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        image = f"127.0.0.1:{silent.getsockname()[1]}/figtest-silent"
        project.write(f"web:\n  image: {image}\n")
        started = time.monotonic()
        error = one_error(project.fig("pull", timeout=110))
    # The engine's words: "context deadline exceeded" or "Client.Timeout exceeded while awaiting headers".
    assert image in error and re.search(r"deadline exceeded|timeout", error, re.IGNORECASE), error
    assert time.monotonic() - started < 100


def test_up_with_an_image_that_cannot_be_pulled_fails_in_one_line(project, images):
    image = images("-missing")
    project.write(f"web:\n  image: {image}\n")
    error = one_error(project.fig("up", "-d"))
    assert image in error
    assert project.containers() == []


def test_pull_ignore_pull_failures_pulls_the_rest(project, images):
    good = published(project, images)
    project.write(f"good:\n  image: {good}\nbad:\n  image: {images('-missing')}\n")
    result = project.fig("pull", "--ignore-pull-failures")
    assert result.returncode == 0, result.stderr
    assert image_exists(project.client, f"{good}:latest")


# -- push ---------------------------------------------------------------------------------------------------

def test_push_sends_a_built_image_to_the_registry_it_names(project, images):
    image = images()
    repository = image.split("/", 1)[1]
    project.write(f"""
        services:  # the compose format: a fig.yml service has either image or build
          web:
            build: app
            image: {image}
          local:
            build: app
          img:
            image: busybox
        """)
    project.write(f"FROM busybox\nRUN echo {image} > /pushed\n", "app/Dockerfile")
    project.fig("build", "web", check=True)
    result = project.fig("push", check=True)
    assert f"Pushing web ({image})" in result.stderr
    assert "local has no image: to push to, skipping" in result.stderr
    assert "img uses an image it does not build, skipping" in result.stderr
    assert "\x1b[" not in result.stderr
    assert tags(repository) == ["latest"]
    # What was pushed is what was built: remove it locally and pull it back.
    project.client.remove_image(f"{image}:latest", force=True)
    project.fig("pull", "web", check=True)
    assert project.fig("run", "-T", "web", "cat", "/pushed", check=True).stdout == f"{image}\n"


def test_push_of_an_image_not_built_yet_is_a_one_line_error(project, images):
    image = images()
    project.write(f"services:\n  web:\n    build: app\n    image: {image}\n")
    project.write("FROM busybox\n", "app/Dockerfile")
    error = one_error(project.fig("push"))
    assert image in error


# -- build --pull ------------------------------------------------------------------------------------------------

def test_build_pull_fetches_a_newer_base_image(project, images):
    base = images("-base")
    old = build_image(project.client, f"{base}:latest", "FROM busybox\nRUN echo v1 > /base\n")
    push(project.client, f"{base}:latest")
    new = build_image(project.client, f"{base}:latest", "FROM busybox\nRUN echo v2 > /base\n")
    push(project.client, f"{base}:latest")  # the registry has v2
    project.client.tag(old, base, tag="latest")  # locally, the base is still v1
    assert new != old

    project.write("web:\n  build: app\n  command: cat /base\n")
    project.write(f"FROM {base}\nRUN true\n", "app/Dockerfile")
    project.fig("build", check=True)
    assert project.fig("run", "-T", "web", check=True).stdout == "v1\n"
    project.fig("build", "--pull", check=True)
    assert project.fig("run", "-T", "web", check=True).stdout == "v2\n"
