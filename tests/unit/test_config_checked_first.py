"""Nothing is written before everything is checked: every key with a malformed value is refused with a message that
names the file, the service and the key, and the engine (a FakeBackend) sees no write at all, although the
well-formed service `db` comes first and would otherwise be made before `web` is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from fig.config import load_project
from fig.errors import FigError
from fig.project import Project
from tests.fakes import FakeBackend

# (key, malformed value as YAML, a part of the message); each is tried in both file formats unless marked
MALFORMED = [
    ("command", "\"echo 'unclosed\"", "cannot be split into words"),
    ("entrypoint", "\"sh -c 'x\"", "cannot be split into words"),
    ("links", "['db:a:b']", "is not NAME or NAME:ALIAS"),
    ("links", "['db:bad alias']", "'bad alias' is not a name"),
    ("links", "[nosuch]", "undefined service 'nosuch'"),
    ("external_links", "['other:a:b']", "is not NAME or NAME:ALIAS"),
    ("external_links", "['bad name!:x']", "'bad name!' is not a name"),
    ("external_links", "[nosuchcontainer]", "refers to container 'nosuchcontainer', which does not exist"),
    ("volumes_from", "['db:xx']", "is not valid"),
    ("volumes_from", "[nosuchcontainer]", "refers to container 'nosuchcontainer', which does not exist"),
    ("ports", "[abc]", "is not a valid port"),
    ("ports", "['8000-8002:80-81']", "is not a valid port"),
    ("ports", "['70000:80']", "is not a valid port"),
    ("ports", "['999.1.1.1:80:80']", "where an IP address of the host belongs"),
    ("ports", "['myhost:80:80']", "where an IP address of the host belongs"),
    ("expose", "['80-70']", "is not a port or a range of ports"),
    ("volumes", "['relative/path']", "the container path must be absolute"),
    ("volumes", "['/a:/b:xyz']", "unknown mode 'xyz'"),
    ("volumes", "['a:b:c:d']", "is not a valid volume"),
    ("devices", "[nodev]", "is not a device"),
    ("devices", "['/dev/null:/dev/x:q']", "is not a device"),
    ("extra_hosts", "[noaddress]", "needs an address"),
    ("extra_hosts", "['h:notanip']", "is not an IP address"),
    ("extra_hosts", "['bad host:1.2.3.4']", "is not a host name"),
    ("ulimits", "{nofile: -5}", "-1 (unlimited) or more"),
    ("ulimits", "{bogus: 5}", "'bogus' is not a resource limit"),
    ("ulimits", "{nofile: {soft: 20, hard: 10}}", "above the hard limit"),
    ("sysctls", "[noeq]", "has no value"),
    ("sysctls", "['=1']", "is not a sysctl name"),
    ("sysctls", "['vm.swappiness=1']", "is not namespaced"),
    ("tmpfs", "['relative']", "must be absolute"),
    ("tmpfs", "relative", "must be absolute"),
    ("tmpfs", "['/run:size=abc']", "tmpfs option 'size=abc'"),
    ("mem_limit", "12q", "is not a size"),
    ("mem_limit", "-5", "must not be negative"),
    ("mem_limit", "1k", "minimum memory limit"),
    ("shm_size", "abc", "is not a size"),
    ("memswap_limit", "x", "is not a size"),
    ("mem_reservation", "-1", "must not be negative"),
    ("stop_grace_period", "10x", "is not a duration"),
    ("stop_grace_period", "-3", "must not be negative"),
    ("healthcheck", "{test: 'true', interval: 5x}", "is not a duration"),
    ("healthcheck", "{test: 'true', retries: -1}", "must not be negative"),
    ("healthcheck", "{test: 'true', interval: 10us}", "minimum of 1ms"),
    ("cpus", "abc", "is not a number of CPUs"),
    ("cpu_shares", "-1", "must not be negative"),
    ("cpuset", "abc", "is not a set of CPUs"),
    ("user", "'a:b:c'", "is not USER or USER:GROUP"),
    ("restart", "sometimes", "must be no, always"),
    ("stop_signal", "NOTASIGNAL", "is not a signal"),
    ("environment", "['=x']", "empty name"),
    ("labels", "{'': x}", "empty name"),
    ("dns", "[notanip]", "is not an IP address"),
    ("dns_search", "['bad domain']", "is not a domain name"),
    ("working_dir", "rel/dir", "is not an absolute path"),
    ("hostname", "h" * 65, "is not a valid host name"),  # the kernel's limit: the engine passes anything shorter
    ("container_name", "'bad name!'", "is not a valid container name"),
    ("mac_address", "zz", "is not a MAC address"),
    ("cap_add", "[NOT_A_CAP]", "is not a Linux capability"),
    ("cap_drop", "[NOT_A_CAP]", "is not a Linux capability"),
    ("logging", "{driver: ''}", "is not a log driver name"),
    ("platform", "linux//v8", "is not a platform"),
    ("image", "'Bad Image!'", "is not an image reference"),
    ("pid", "bogus", "must be one of"),
    ("ipc", "bogus", "must be one of"),
    ("net", "'container:'", "names no container"),
    ("env_file", "nosuch.env", "is not a file"),
    ("env_file", "adir", "is not a file"),
    ("secrets", "[undeclared]", "not declared"),
    ("configs", "[undeclared]", "not declared"),
]
COMPOSE_ONLY = [
    ("network_mode", "nosuchnetwork", "refers to network 'nosuchnetwork', which does not exist"),
    ("networks", "[undeclared]", "undefined network 'undeclared'"),
    ("networks", "{default: {ipv4_address: 10.0.0.300}}", "is not an IPv4 address"),
    ("volumes", "['undeclared:/data']", "not declared in the top-level 'volumes'"),
    ("depends_on", "[nosuch]", "undefined service 'nosuch'"),
    ("userns_mode", "private", "must be 'host'"),
    ("uts", "bogus", "must be 'host'"),
    ("isolation", "hyperv", "must be 'default'"),
    ("security_opt", "[bogus]", "is not a security option"),
    ("device_cgroup_rules", "[bogus]", "is not a device cgroup rule"),
    ("memswap_limit", "1g", "needs 'mem_limit'"),
    ("healthcheck", "{test: [CMD]}", "names no command"),
    ("deploy", "{resources: {limits: {memory: x}}}", "is not a size"),
]
FIG_ONLY = [("networks", "[front]", "needs a compose file")]


def _text(key: str, value: str, *, compose: bool) -> str:
    image = "" if key == "image" else "image: busybox\n"
    web = f"{image}command: sleep 1\n{key}: {value}\n" if key != "command" else f"{image}{key}: {value}\n"
    db = "image: busybox\ncommand: sleep 1\n"
    indent = "    " if compose else "  "
    body = "".join(f"{name}:\n" + "".join(indent + line + "\n" for line in text.splitlines())
                   for name, text in (("db", db), ("web", web)))
    if compose:
        return "services:\n" + "".join(f"  {line}\n" for line in body.splitlines())
    return body


def _up(tmp_path: Path, text: str) -> tuple[str, FakeBackend]:
    (tmp_path / "fig.yml").write_text(text)
    (tmp_path / "adir").mkdir()
    backend = FakeBackend()
    with pytest.raises(FigError) as info:
        config = load_project((), project_name="figtest", environ={}, cwd=str(tmp_path))
        Project(config, backend).up()
    return str(info.value), backend


CASES = ([pytest.param(k, v, m, True, id=f"compose-{k}-{v}") for k, v, m in MALFORMED + COMPOSE_ONLY] +
         [pytest.param(k, v, m, False, id=f"fig-{k}-{v}") for k, v, m in MALFORMED + FIG_ONLY])


@pytest.mark.parametrize("key, value, expected, compose", CASES)
def test_a_malformed_value_names_its_key_and_nothing_is_written(tmp_path, key, value, expected, compose):
    message, backend = _up(tmp_path, _text(key, value, compose=compose))
    assert message.startswith("fig.yml"), message
    assert f"service 'web': '{key}" in message, message
    assert expected in message, message
    assert "\n" not in message
    assert backend.writes() == []


@pytest.mark.parametrize("compose", [True, False], ids=["compose", "fig"])
def test_the_same_project_without_the_bad_value_is_made(tmp_path, compose):
    """The control: the two services above, well-formed, do reach the engine."""
    (tmp_path / "fig.yml").write_text(_text("labels", "{a: b}", compose=compose))
    backend = FakeBackend()
    Project(load_project((), project_name="figtest", environ={}, cwd=str(tmp_path)), backend).up()
    assert sorted(backend.names("create")) == ["figtest_db_1", "figtest_web_1"]


@pytest.mark.parametrize("pool, expected", [
    ("{subnet: 10.0.0/33}", "ipam subnet '10.0.0/33' is not a network"),
    ("{subnet: 10.0.0.0/24, gateway: 10.0.1.1}", "ipam gateway '10.0.1.1' is outside the subnet 10.0.0.0/24"),
    ("{subnet: 10.0.0.0/24, gateway: nope}", "'nope' is not an IP address"),
])
def test_a_malformed_network_pool_names_the_network(tmp_path, pool, expected):
    (tmp_path / "fig.yml").write_text("services:\n  db:\n    image: busybox\n    networks: [front]\n"
                                      f"networks:\n  front:\n    ipam:\n      config: [{pool}]\n")
    message, backend = _up(tmp_path, (tmp_path / "fig.yml").read_text())
    assert message.startswith("fig.yml:") and "'front'" in message and expected in message, message
    assert backend.writes() == []


@pytest.mark.parametrize("resources, expected", [
    ("networks: {outside: {external: true}}", "External network outside not found"),
    ("volumes: {outside: {external: true}}", "External volume outside not found"),
])
def test_a_missing_external_resource_is_found_before_anything_is_made(tmp_path, resources, expected):
    uses = "networks: [outside]" if resources.startswith("networks") else "volumes: ['outside:/data']"
    (tmp_path / "fig.yml").write_text(
        f"services:\n  db:\n    image: busybox\n  web:\n    image: busybox\n    {uses}\n{resources}\n")
    backend = FakeBackend()
    with pytest.raises(FigError, match=expected):
        Project(load_project((), project_name="figtest", environ={}, cwd=str(tmp_path)), backend).up()
    assert backend.writes() == []


# Values seen in real-world compose files: the checks above must let every one of them through.
WELL_FORMED = """\
services:
  web:
    image: ghcr.io/owner/app:v1.2.3-slim
    container_name: my-web_1.example
    hostname: web_1
    domainname: example.com
    working_dir: /var/www/html/
    mac_address: 02:42:ac:11:00:02
    cpuset: 0-3,5
    cpu_shares: 512
    stop_signal: SIGRTMIN+3
    dns: [8.8.8.8, "2001:4860:4860::8888"]
    dns_search: [example.com, .]
    cap_add: [SYS_ADMIN, CAP_NET_ADMIN, ALL]
    cap_drop: [mknod]
    environment: {EMPTY: "", A: 1}
    labels: [com.example.a=b]
    logging: {driver: grafana/loki-docker-driver:latest}
    platform: Linux/ARM64/v8
    userns_mode: host
    ports: ["127.0.0.1:8080:80", "[::1]:8443:443", "9000-9001:9000-9001/udp"]
    extra_hosts: ["host.docker.internal:host-gateway", "v6=::1", "other:162.242.195.82"]
    ulimits: {nproc: 65535, nofile: {soft: 20000, hard: 40000}, memlock: {soft: -1, hard: -1}, core: 0}
    sysctls: {net.core.somaxconn: 1024, kernel.shmmax: 68719476736, fs.mqueue.msg_max: 100}
    tmpfs: ["/run:rw,noexec,nosuid,size=65536k", "/tmp:mode=1777,uid=1000"]
    mem_limit: 512m
    stop_grace_period: 1m30s
    healthcheck: {test: ["CMD", "true"], interval: 0s, retries: 0}
    links: ["db:database"]
    external_links: [other_redis_1]
  db:
    image: postgres@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    stop_signal: "2"
    network_mode: host
  cache:
    image: localhost:5000/cache
"""


def test_well_formed_real_world_values_are_accepted(tmp_path):
    (tmp_path / "fig.yml").write_text(WELL_FORMED)
    config = load_project((), project_name="figtest", environ={}, cwd=str(tmp_path))
    assert config.service("web").working_dir == "/var/www/html"


@pytest.mark.parametrize("db, web, expected", [
    ("ports: ['8080:80']", "ports: ['8080:81']", "'ports' host port 8080/tcp is published by service 'db' already"),
    ("ports: ['127.0.0.1:8080:80']", "ports: ['8080:80']", "host port 8080/tcp is published by service 'db'"),
    ("container_name: same", "container_name: same", "'container_name' 'same' is the container name of service 'db'"),
])
def test_two_containers_made_together_that_would_clash_are_refused_before_either_is_made(tmp_path, db, web, expected):
    (tmp_path / "fig.yml").write_text(f"db:\n  image: busybox\n  {db}\nweb:\n  image: busybox\n  {web}\n")
    backend = FakeBackend()
    project = Project(load_project((), project_name="figtest", environ={}, cwd=str(tmp_path)), backend)
    with pytest.raises(FigError) as info:
        project.up()
    assert str(info.value).startswith("fig.yml: service 'web': ") and expected in str(info.value)
    assert backend.writes() == []
    project.up(["db"])  # alone, each is fine
    assert len(backend.names("create")) == 1


@pytest.mark.parametrize("db, web", [
    ("ports: ['8080:80/udp']", "ports: ['8080:80']"),
    ("ports: ['8080:80']", "ports: ['8081:80']"),
])
def test_host_ports_that_do_not_clash_are_made(tmp_path, db, web):
    (tmp_path / "fig.yml").write_text(f"db:\n  image: busybox\n  {db}\nweb:\n  image: busybox\n  {web}\n")
    backend = FakeBackend()
    Project(load_project((), project_name="figtest", environ={}, cwd=str(tmp_path)), backend).up()
    assert sorted(backend.names("create")) == ["figtest_db_1", "figtest_web_1"]


def test_the_same_host_port_on_two_addresses_does_not_clash():
    from fig.config.model import PortSpec, ServiceConfig
    from fig.preflight import check_unique

    check_unique("fig.yml", [ServiceConfig("db", ports=(PortSpec(80, 8080, "127.0.0.1"),)),
                             ServiceConfig("web", ports=(PortSpec(80, 8080, "127.0.0.2"),))])
    with pytest.raises(FigError, match="published by service 'db'"):
        check_unique("fig.yml", [ServiceConfig("db", ports=(PortSpec(80, 8080, "::"),)),
                                 ServiceConfig("web", ports=(PortSpec(80, 8080, "127.0.0.2"),))])


@pytest.mark.parametrize("web", ["image: nosuch/image:1", "build: {context: ., dockerfile: Nope}"])
def test_an_image_that_cannot_be_had_leaves_no_network_or_container(tmp_path, web):
    (tmp_path / "fig.yml").write_text(f"services:\n  db:\n    image: busybox\n  web:\n    {web}\n")
    backend = FakeBackend()
    if "build" in web:
        backend.build_failures["figtest-web"] = "Cannot locate specified Dockerfile: Nope"  # Compose v2's name
    with pytest.raises(FigError):
        Project(load_project((), project_name="figtest", environ={}, cwd=str(tmp_path)), backend).up()
    assert [call for call in backend.writes() if call[0] not in ("pull", "build")] == []
