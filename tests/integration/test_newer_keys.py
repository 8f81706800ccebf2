"""The keys that need a newer Engine API, on the real engine: on one that has them (dockerd 26 speaks 1.45) each does
what it says; on one that does not (dockerd 20.10 speaks 1.41; 26 for the keys of 1.48) fig refuses the file in one
line naming the service, the key and the version it needs, before anything is written. Every test runs on every
engine and checks what that engine must do."""

from __future__ import annotations

import pytest

from fig.backend.apiversion import at_least, docker_release
from tests.integration.conftest import SLEEPER, FigProject, wait_until


@pytest.fixture(scope="module")
def api(engine) -> str:
    """The version fig speaks to this engine (fig's newest is above both engines')."""
    return str(engine.version()["ApiVersion"])


def refused(project: FigProject, service: str, what: str, needed: str, api: str) -> None:
    """`up -d` is one line of error naming the key, and nothing of the project exists afterwards."""
    result = project.fig("up", "-d")
    assert result.returncode == 1
    assert result.stderr == (f"ERROR: compose.yaml: service '{service}': {what} needs Docker Engine API {needed} "
                             f"({docker_release(needed)}); this engine speaks {api}\n")
    assert project.containers() == []
    assert project.client.networks(filters={"label": f"com.docker.compose.project={project.name}"}) == []


def test_healthcheck_start_interval(project, api):
    project.write("""\
        services:
          web:
            image: busybox
            command: %s
            healthcheck: {test: [CMD, "true"], interval: 1m, start_period: 1m, start_interval: 1s}
        """ % SLEEPER, "compose.yaml")
    if not at_least(api, "1.44"):
        return refused(project, "web", "'healthcheck' 'start_interval'", "1.44", api)
    project.fig("up", "-d", check=True)
    name = f"{project.name}_web_1"
    assert project.inspect(name)["Config"]["Healthcheck"]["StartInterval"] == 10**9
    # checked every second during the start period, not after the minute of `interval`
    wait_until(lambda: project.inspect(name)["State"]["Health"]["Status"] == "healthy", timeout=30,
               message="healthy within seconds")


def test_annotations(project, api):
    project.write("""\
        services:
          web:
            image: busybox
            command: %s
            annotations: {com.example.team: web, com.example.tier: "1"}
        """ % SLEEPER, "compose.yaml")
    if not at_least(api, "1.43"):
        return refused(project, "web", "'annotations'", "1.43", api)
    project.fig("up", "-d", check=True)
    annotations = project.inspect(f"{project.name}_web_1")["HostConfig"]["Annotations"]
    assert annotations == {"com.example.team": "web", "com.example.tier": "1"}


NETWORKS = """\
    services:
      web:
        image: busybox
        command: %s
        networks:
          front: {%s}
          back:
            driver_opts: {com.example.note: "kept"}
    networks: {front: {}, back: {}}
    """


def test_every_network_is_joined_at_create(project, api, proxy):
    """From 1.44 one create request joins both networks; before it, the second is connected after the create.
    Either way the container is on both, with each network's settings."""
    project.write(NETWORKS % (SLEEPER, ""), "compose.yaml")
    project.fig("up", "-d", env={"DOCKER_HOST": proxy.url}, check=True)
    assert len(proxy.requests("POST", r"/containers/create")) == 1
    connects = proxy.requests("POST", r"/networks/[^/]+/connect")
    assert connects == ([] if at_least(api, "1.44") else [f"/v{api}/networks/{project.name}_back/connect"])
    networks = project.inspect(f"{project.name}_web_1")["NetworkSettings"]["Networks"]
    assert sorted(networks) == [f"{project.name}_back", f"{project.name}_front"]
    assert networks[f"{project.name}_back"]["DriverOpts"] == {"com.example.note": "kept"}


def test_a_networks_mac_address(project, api):
    project.write(NETWORKS % (SLEEPER, 'mac_address: "02:42:ac:11:00:42"'), "compose.yaml")
    if not at_least(api, "1.44"):
        return refused(project, "web", "'networks' 'front' 'mac_address'", "1.44", api)
    project.fig("up", "-d", check=True)
    networks = project.inspect(f"{project.name}_web_1")["NetworkSettings"]["Networks"]
    assert networks[f"{project.name}_front"]["MacAddress"] == "02:42:ac:11:00:42"


def test_a_services_mac_address_on_every_engine(project, api):
    """Before 1.44 the container's MacAddress, from 1.44 its first network's (Docker 29 refuses the former)."""
    project.write("""\
        services:
          web:
            image: busybox
            command: %s
            mac_address: "02:42:ac:11:00:43"
        """ % SLEEPER, "compose.yaml")
    project.fig("up", "-d", check=True)
    networks = project.inspect(f"{project.name}_web_1")["NetworkSettings"]["Networks"]
    assert networks[f"{project.name}_default"]["MacAddress"] == "02:42:ac:11:00:43"


@pytest.mark.parametrize("key,value", [("gw_priority", "10"), ("interface_name", "front0")])
def test_keys_of_1_48(project, api, key, value):
    project.write(NETWORKS % (SLEEPER, f"{key}: {value}"), "compose.yaml")
    if not at_least(api, "1.48"):
        return refused(project, "web", f"'networks' 'front' '{key}'", "1.48", api)
    project.fig("up", "-d", check=True)
    networks = project.inspect(f"{project.name}_web_1")["NetworkSettings"]["Networks"]
    front = networks[f"{project.name}_front"]
    assert front["GwPriority"] == 10 if key == "gw_priority" else \
        front["DriverOpts"] == {"com.docker.network.endpoint.ifname": "front0"}


def test_a_volumes_subpath(project, api):
    project.write("""\
        services:
          seed:
            image: busybox
            command: sh -c 'mkdir -p /data/sub && echo from the subpath > /data/sub/f && echo beside > /data/g'
            volumes: [data:/data]
          web:
            image: busybox
            command: %s
            volumes:
              - {type: volume, source: data, target: /mnt, read_only: true, volume: {subpath: sub}}
        volumes: {data: {}}
        """ % SLEEPER, "compose.yaml")
    if not at_least(api, "1.45"):
        return refused(project, "web", "'volumes' item 1 'volume.subpath'", "1.45", api)
    project.fig("run", "--rm", "seed", check=True)
    project.fig("up", "-d", "web", check=True)
    assert project.fig("exec", "-T", "web", "cat", "/mnt/f", check=True).stdout == "from the subpath\n"
    assert project.fig("exec", "-T", "web", "ls", "/mnt", check=True).stdout == "f\n"  # not the volume's root


def test_an_image_volume(project, api):
    project.write("""\
        services:
          web:
            image: busybox
            command: %s
            volumes:
              - {type: image, source: "debian:bookworm-slim", target: /deb, image: {subpath: etc}}
        """ % SLEEPER, "compose.yaml")
    if not at_least(api, "1.48"):
        return refused(project, "web", "'volumes' item 1 'type: image'", "1.48", api)
    project.fig("up", "-d", check=True)
    assert "bookworm" in project.fig("exec", "-T", "web", "cat", "/deb/debian_version", check=True).stdout


def test_docker_api_version_is_what_the_keys_are_checked_against(project, engine):
    """A pinned version is the version fig speaks: a key newer than it is refused whatever the engine has (an
    engine that does not speak the pinned version refuses every request itself, in one line too)."""
    project.write("""\
        services:
          web:
            image: busybox
            healthcheck: {test: [CMD, "true"], start_interval: 1s}
        """, "compose.yaml")
    result = project.fig("up", "-d", env={"DOCKER_API_VERSION": "1.43"})
    versions = engine.version()
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    refused_key = result.stderr.endswith("needs Docker Engine API 1.44 (Docker 25.0); this engine speaks 1.43\n")
    if at_least("1.43", versions["MinAPIVersion"]) and at_least(versions["ApiVersion"], "1.43"):
        assert refused_key
    else:  # the key, if fig checks it before its first request, else the engine's refusal of the version
        assert refused_key or "client version 1.43 is too" in result.stderr
    assert project.containers() == []
