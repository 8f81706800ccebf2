"""`fig build`, and `up`/`run` building a missing image, against a real engine."""

from __future__ import annotations

import re
import select
import subprocess
import time

import docker
import pytest

from tests.integration.conftest import FIG


@pytest.fixture
def built(project):
    """The project, with every image tagged <project>_* removed afterwards."""
    yield project
    for image in project.client.images():
        for tag in image.get("RepoTags") or ():
            if tag.rsplit("/", 1)[-1].startswith(f"{project.name}_"):  # Podman's are docker.io/library/<name>
                try:
                    project.client.remove_image(tag, force=True)
                except docker.errors.APIError:
                    pass


def image_exists(client, name: str) -> bool:
    try:
        client.inspect_image(name)
        return True
    except docker.errors.ImageNotFound:
        return False


def write_app(project, dockerfile: str, directory: str = "app", **files: str) -> None:
    project.write(dockerfile, f"{directory}/Dockerfile")
    for name, text in files.items():
        project.write(text, f"{directory}/{name.replace('__', '.')}")


APP = """
    web:
      build: app
      command: ls /src
    img:
      image: busybox
    """


@pytest.mark.podman
def test_build_tags_the_image_and_honours_dockerignore(built):
    project = built
    project.write(APP)
    write_app(project, "FROM busybox\nCOPY . /src\n", keep__txt="keep\n", secret__txt="secret\n",
              __dockerignore="secret.txt\n")
    result = project.fig("build", check=True)
    assert "Building web" in result.stderr
    assert "img uses an image, skipping" in result.stderr
    assert image_exists(project.client, f"{project.name}_web")
    listing = project.fig("run", "-T", "web", check=True).stdout.split()
    assert "keep.txt" in listing and "Dockerfile" in listing
    assert "secret.txt" not in listing, ".dockerignore must keep the file out of the build context"


def test_build_of_an_image_only_service_says_it_skips(built):
    project = built
    project.write(APP)
    write_app(project, "FROM busybox\n")
    result = project.fig("build", "img", check=True)
    assert result.stderr.strip() == "img uses an image, skipping"
    assert not image_exists(project.client, f"{project.name}_web")


def test_build_streams_output_while_it_runs(built):
    project = built
    project.write(APP)
    write_app(project, f"FROM busybox\nENV NONCE={project.name}\n"  # not a step BuildKit has in its cache
                       "RUN echo marker-before-sleep && sleep 4 && echo marker-after-sleep\n")
    proc = subprocess.Popen([*FIG, "-p", project.name, "build", "web"], cwd=project.dir, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if select.select([proc.stdout], [], [], 0.2)[0]:
            line = proc.stdout.readline()
            seen.append(line)
            if "marker-before-sleep" in line and "RUN" not in line and not line.startswith("Step"):
                break
    assert any("marker-before-sleep" in line and "RUN" not in line for line in seen), seen
    assert proc.poll() is None, "the first output of the step was shown only after the build had finished"
    rest = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0
    assert re.search(r"^#\d+ [\d.]+ marker-after-sleep$", rest, re.MULTILINE), rest


def test_a_failing_step_of_the_classic_builder_is_a_one_line_error_naming_service_and_step(built):
    project = built
    project.write("bad:\n  build: bad\n")
    write_app(project, "FROM busybox\nRUN echo before\nRUN exit 3\n", directory="bad")
    result = project.fig("build", "bad", env={"DOCKER_BUILDKIT": "0"})
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == ("ERROR: Service 'bad' failed to build at Step 3/3 (RUN exit 3): "
                    "The command '/bin/sh -c exit 3' returned a non-zero code: 3")
    assert sum(line.startswith("ERROR") for line in result.stderr.splitlines()) == 1
    assert not image_exists(project.client, f"{project.name}_bad")


def test_build_no_cache_of_the_classic_builder_runs_every_step_again(built):
    project = built
    project.write(APP)
    write_app(project, "FROM busybox\nRUN echo ran-the-step\n")
    classic = {"DOCKER_BUILDKIT": "0"}
    project.fig("build", check=True, env=classic)
    cached = project.fig("build", check=True, env=classic).stderr
    assert "Using cache" in cached and "ran-the-step\n" not in cached.replace("RUN echo ran-the-step", "")
    fresh = project.fig("build", "--no-cache", check=True, env=classic).stderr
    assert "Using cache" not in fresh
    assert "\nran-the-step\n" in fresh


def test_build_of_an_unknown_service_is_an_error(built):
    project = built
    project.write(APP)
    write_app(project, "FROM busybox\n")
    result = project.fig("build", "nope")
    assert result.returncode == 1
    assert result.stderr.strip() == "ERROR: No such service: nope"


def test_up_builds_a_missing_image_first_and_only_once(built):
    project = built
    project.write("""
        web:
          build: app
          command: sh -c 'trap "exit 0" TERM; while :; do sleep 1; done'
        """)
    write_app(project, "FROM busybox\nRUN touch /built-marker\n")
    first = project.fig("up", "-d", check=True)
    assert "Building web" in first.stderr
    container = project.inspect(project.container_name("web"))
    assert container["Config"]["Image"] == f"{project.name}_web"
    assert container["State"]["Running"]
    again = project.fig("up", "-d", check=True)
    assert "Building" not in again.stderr
    assert project.inspect(project.container_name("web"))["Id"] == container["Id"]


@pytest.mark.podman
def test_run_builds_a_missing_image_first(built):
    project = built
    project.write("web:\n  build: app\n")
    write_app(project, "FROM busybox\nRUN echo built-in > /marker\n")
    result = project.fig("run", "-T", "web", "cat", "/marker", check=True)
    assert "Building web" in result.stderr
    assert result.stdout == "built-in\n"


@pytest.mark.podman
def test_up_with_a_failing_build_stops_with_the_build_error(built):
    project = built
    project.write("web:\n  build: app\n")
    write_app(project, "FROM busybox\nRUN exit 4\n")
    result = project.fig("up", "-d")
    assert result.returncode == 1
    # BuildKit names the step "[2/2] RUN exit 4"; Podman's Buildah says "STEP 2/2: ...", read as the classic builder's
    assert re.match(r"ERROR: Service 'web' failed to build at (\[2/2\] RUN exit 4|Step 2/2 \(RUN exit 4\)): ",
                    result.stderr.strip().splitlines()[-1]), result.stderr
    assert project.containers() == []
