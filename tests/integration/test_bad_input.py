"""Bad input through the real CLI on the real engine: one line naming what is wrong, exit 1, no traceback, and
nothing of the project on the engine (no container, network or volume): everything is checked before the first
write."""

from __future__ import annotations

import pytest

from tests.integration.conftest import SLEEPER

# The service `db` comes first and is well-formed: with a check missing, `up` would make it (and the network)
# before the engine refused `web`.
MALFORMED = [
    ("command", "\"echo 'unclosed\"", "cannot be split into words"),
    ("links", "['db:a:b']", "is not NAME or NAME:ALIAS"),
    ("external_links", "[nosuchcontainer]", "refers to container 'nosuchcontainer', which does not exist"),
    ("volumes_from", "[nosuchcontainer]", "refers to container 'nosuchcontainer', which does not exist"),
    ("ports", "['myhost:8080:80']", "where an IP address of the host belongs"),
    ("ports", "['8000-8002:80-81']", "is not a valid port"),
    ("volumes", "['/a:/b:xyz']", "unknown mode 'xyz'"),
    ("devices", "['/dev/null:/dev/x:q']", "is not a device"),
    ("extra_hosts", "['h:notanip']", "is not an IP address"),
    ("ulimits", "{bogus: 5}", "is not a resource limit"),
    ("sysctls", "['vm.swappiness=1']", "is not namespaced"),
    ("tmpfs", "['/run:size=abc']", "tmpfs option 'size=abc'"),
    ("mem_limit", "1k", "minimum memory limit"),
    ("stop_grace_period", "-3", "must not be negative"),
    ("healthcheck", "{test: 'true', retries: -1}", "must not be negative"),
    ("cpu_shares", "-1", "must not be negative"),
    ("cpuset", "abc", "is not a set of CPUs"),
    ("stop_signal", "NOTASIGNAL", "is not a signal"),
    ("environment", "['=x']", "empty name"),
    ("working_dir", "rel/dir", "is not an absolute path"),
    ("container_name", "'bad name!'", "is not a valid container name"),
    ("mac_address", "zz", "is not a MAC address"),
    ("cap_add", "[NOT_A_CAP]", "is not a Linux capability"),
    ("platform", "linux//v8", "is not a platform"),
]


def _file(key: str, value: str, *, compose: bool) -> str:
    lines = ["db:", "  image: busybox", f"  command: {SLEEPER}", "web:", "  image: busybox"]
    lines += [f"  {key}: {value}"] if key == "command" else [f"  command: {SLEEPER}", f"  {key}: {value}"]
    if compose:
        return "services:\n" + "".join(f"  {line}\n" for line in lines)
    return "".join(f"{line}\n" for line in lines)


def assert_refused(project, result, *expected: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR: "), result.stderr
    for part in expected:
        assert part in lines[0], result.stderr
    assert project.containers() == [], "a container was made"
    label = {"label": f"com.docker.compose.project={project.name}"}
    assert project.client.networks(filters=label) == [], "a network was made"
    assert (project.client.volumes(filters=label) or {}).get("Volumes") in (None, []), "a volume was made"


@pytest.mark.parametrize("compose", [True, False], ids=["compose", "fig"])
@pytest.mark.parametrize("key, value, expected", MALFORMED, ids=[f"{k}={v}" for k, v, _ in MALFORMED])
def test_a_malformed_value_is_refused_before_anything_is_made(project, key, value, expected, compose):
    project.write(_file(key, value, compose=compose))
    assert_refused(project, project.fig("up", "-d"), "fig.yml", "service 'web'", f"'{key}'", expected)


def test_the_control_without_a_malformed_value_is_made(project):
    project.write(_file("labels", "{a: b}", compose=True))
    project.fig("up", "-d", check=True)
    assert project.names() == [project.container_name("db"), project.container_name("web")]


@pytest.mark.parametrize("args, expected", [
    (("up", "-d", "--scale", "web=-1"), "Invalid scale argument 'web=-1'"),
    (("up", "-d", "--scale", "web=x"), "Invalid scale argument 'web=x'"),
    (("up", "-d", "--scale", "nope=2"), "No such service: nope"),
    (("scale", "web=-2"), "cannot be negative"),
    (("up", "-d", "db", "nope"), "No such service: nope"),
    (("run", "--rm", "nope", "true"), "No such service: nope"),
    (("start", "nope"), "No such service: nope"),
    (("stop", "nope"), "No such service: nope"),
    (("restart", "nope"), "No such service: nope"),
    (("kill", "nope"), "No such service: nope"),
    (("rm", "-f", "nope"), "No such service: nope"),
    (("logs", "nope"), "No such service: nope"),
    (("ps", "nope"), "No such service: nope"),
    (("pull", "nope"), "No such service: nope"),
    (("build", "nope"), "No such service: nope"),
    (("push", "nope"), "No such service: nope"),
    (("port", "nope", "80"), "No such service: nope"),
    (("config", "nope"), "No such service: nope"),
    (("--parallel", "x", "up", "-d"), "--parallel must be a whole number, not 'x'"),
    (("--parallel", "0", "up", "-d"), "--parallel must be 1 or more"),
    (("up", "-d", "-t", "-5"), "--timeout must be 0 or more"),
    (("up", "-d", "--wait", "--wait-timeout", "x"), "--wait-timeout must be a whole number"),
    (("kill", "-s", "BOGUS"), "--signal must be a signal such as SIGTERM"),
    (("port", "--index", "0", "web", "80"), "--index must be 1 or more"),
])
def test_bad_command_line_arguments(project, args, expected):
    project.write(_file("labels", "{a: b}", compose=True))
    assert_refused(project, project.fig(*args), expected)


@pytest.mark.parametrize("setup, args, expected", [
    (lambda d: None, ("-f", "missing.yml"), "missing.yml: no such file"),
    (lambda d: (d / "adir").mkdir(), ("-f", "adir"), "adir: is a directory, not a file"),
    (lambda d: (d / "empty.yml").write_text(""), ("-f", "empty.yml"), "empty.yml: the file is empty"),
    (lambda d: (d / "list.yml").write_text("- web\n- db\n"), ("-f", "list.yml"), "must be a mapping"),
    (lambda d: (d / ".env").mkdir(), (), ".env: is a directory, not an env file"),
    (lambda d: (d / "web.env").mkdir(), ("-f", "envdir.yml"), "'env_file' \"web.env\" is not a file"),
])
def test_bad_files_around_the_project(project, setup, args, expected):
    project.write(_file("labels", "{a: b}", compose=True))
    project.write("web:\n  image: busybox\n  env_file: web.env\n", "envdir.yml")
    setup(project.dir)
    assert_refused(project, project.fig(*args, "up", "-d"), expected)


def test_a_project_name_with_nothing_left_after_normalising(project):
    project.write(_file("labels", "{a: b}", compose=True))
    result = project.raw("-p", "___", "up", "-d")
    assert result.returncode == 1 and "has no letters or digits" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_file_that_starts_with_a_byte_order_mark_is_read_as_docker_compose_reads_it(project):
    (project.dir / "fig.yml").write_bytes(b"\xef\xbb\xbf" + _file("labels", "{a: b}", compose=True).encode())
    (project.dir / ".env").write_bytes(b"\xef\xbb\xbfGREETING=hello # a comment\n")
    project.write("services:\n  web:\n    image: busybox\n    labels: {greeting: '${GREETING}'}\n", "bom.yml")
    (project.dir / "bom.yml").write_bytes(b"\xef\xbb\xbf" + (project.dir / "bom.yml").read_bytes())
    project.fig("up", "-d", check=True)
    result = project.fig("-f", "bom.yml", "config", check=True)
    assert "greeting: hello" in result.stdout, result.stdout


@pytest.mark.parametrize("args, expected", [
    (("-e", "=x"), "Invalid -e '=x'"),
    (("--entrypoint", "sh -c 'x"), "--entrypoint \"sh -c 'x\" cannot be split into words"),
    (("-w", "rel"), "--workdir 'rel' is not an absolute path"),
    (("--name", "bad!name"), "--name 'bad!name' is not a valid container name"),
    (("-u", "a:b:c"), "--user 'a:b:c' is not USER or USER:GROUP"),
])
def test_bad_run_options_are_refused_before_the_dependencies_are_started(project, args, expected):
    project.write(f"services:\n  db:\n    image: busybox\n    command: {SLEEPER}\n"
                  "  web:\n    image: busybox\n    depends_on: [db]\n")
    assert_refused(project, project.fig("run", "--rm", *args, "web", "true"), expected)
