"""The keys real-world compose files carry beyond the basics, on the real engine: `deploy` without Swarm, engine
pass-throughs (security_opt, group_add, oom_score_adj, blkio, ...), networks with address pools and driver options,
volumes with driver options, `scale`, `pull_policy` and `attach: false`."""

from __future__ import annotations

import re

from tests.integration.conftest import SLEEPER


def test_deploy_and_engine_options_reach_the_engine(project):
    project.write(f"""\
        services:
          api:
            image: busybox
            command: {SLEEPER}
            platform: linux/amd64
            deploy:
              replicas: 2
              resources:
                limits: {{cpus: "0.25", memory: 48M, pids: 64}}
                reservations: {{memory: 16M}}
              restart_policy: {{condition: on-failure, max_attempts: 2}}
              placement: {{constraints: [node.role == manager]}}
            security_opt: ["no-new-privileges:true"]
            group_add: ["1234"]
            oom_score_adj: 300
            blkio_config: {{weight: 300}}
            ports:
              - target: 80
                name: http
                app_protocol: http
            networks: [backend]
          fixed:
            image: busybox
            command: {SLEEPER}
            mac_address: 02:42:ac:1c:05:0a
            cpu_period: 100ms
            cpu_quota: 20000
            networks:
              backend:
                ipv4_address: 172.28.5.10
            volumes: ["scratch:/scratch"]
        networks:
          backend:
            attachable: true
            driver_opts:
              com.docker.network.driver.mtu: "1400"
            ipam:
              config:
                - subnet: 172.28.0.0/16
                  ip_range: 172.28.5.0/24
                  gateway: 172.28.5.254
        volumes:
          scratch:
            driver_opts: {{type: tmpfs, device: tmpfs, o: "size=8m"}}
        """, "compose.yml")
    result = project.fig("up", "-d", check=True)
    assert "ignores deploy.placement: only Swarm uses it" in result.stderr
    assert project.names(service="api") == [project.container_name("api", n) for n in (1, 2)]
    host = project.inspect(project.container_name("api", 2))["HostConfig"]
    assert (host["NanoCpus"], host["Memory"], host["PidsLimit"], host["MemoryReservation"]) == (
        250_000_000, 48 << 20, 64, 16 << 20)
    assert host["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 2}
    assert host["SecurityOpt"] == ["no-new-privileges:true"] and host["GroupAdd"] == ["1234"]
    assert host["OomScoreAdj"] == 300
    # a kernel without the blkio weight controller makes the engine drop it, with a warning fig passes on
    assert host["BlkioWeight"] == 300 or re.search(r"WARNING: \S+_api_1: .*Weight", result.stderr), result.stderr
    code, groups = project.exec(project.container_name("api"), "id", "-G")
    assert code == 0 and "1234" in groups.split()

    network = project.client.inspect_network(f"{project.name}_backend")
    assert network["Attachable"] and network["Options"] == {"com.docker.network.driver.mtu": "1400"}
    assert network["IPAM"]["Config"] == [{"Subnet": "172.28.0.0/16", "IPRange": "172.28.5.0/24",
                                          "Gateway": "172.28.5.254"}]
    fixed = project.inspect(project.container_name("fixed"))
    assert (fixed["HostConfig"]["CpuPeriod"], fixed["HostConfig"]["CpuQuota"]) == (100000, 20000)
    endpoint = fixed["NetworkSettings"]["Networks"][f"{project.name}_backend"]
    assert endpoint["IPAddress"] == "172.28.5.10" and endpoint["MacAddress"] == "02:42:ac:1c:05:0a"
    volume = project.client.inspect_volume(f"{project.name}_scratch")
    assert volume["Options"] == {"type": "tmpfs", "device": "tmpfs", "o": "size=8m"}
    code, mounts = project.exec(project.container_name("fixed"), "grep", " /scratch ", "/proc/mounts")
    assert code == 0 and mounts.startswith("tmpfs /scratch tmpfs")

    again = project.fig("up", "-d", check=True)  # nothing changed: nothing is recreated
    assert "Recreating" not in again.stderr and "Creating" not in again.stderr


def test_scale_key_sets_how_many_containers_up_makes(project):
    project.write(f"""\
        services:
          worker:
            image: busybox
            command: {SLEEPER}
            scale: 3
        """, "compose.yml")
    project.fig("up", "-d", check=True)
    assert len(project.names(service="worker")) == 3
    project.fig("up", "-d", "--scale", "worker=1", check=True)  # the command line wins
    assert project.names(service="worker") == [project.container_name("worker")]


def test_pull_policy_never_with_a_missing_image_is_one_clear_line(project):
    project.write("""\
        services:
          web:
            image: fig-test-not-here:1
            pull_policy: never
        """, "compose.yml")
    result = project.fig("up", "-d")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "ERROR: Service 'web': image fig-test-not-here:1 is not here, and its pull_policy is never")


def test_pull_policy_build_builds_on_every_up(project):
    (project.dir / "app").mkdir()
    (project.dir / "app" / "Dockerfile").write_text("FROM busybox\nRUN echo built > /built\n")
    project.write(f"""\
        services:
          app:
            build: ./app
            command: {SLEEPER}
            pull_policy: build
        """, "compose.yml")
    first = project.fig("up", "-d", check=True)
    second = project.fig("up", "-d", check=True)
    assert "Building app" in first.stderr and "Building app" in second.stderr
    assert "Recreating" not in second.stderr  # the same image again: the container is kept


def test_attach_false_services_run_but_are_not_shown(project):
    project.write("""\
        services:
          quiet:
            image: busybox
            command: sh -c 'echo from-quiet'
            attach: false
          loud:
            image: busybox
            command: sh -c 'sleep 1; echo from-loud'
            depends_on: [quiet]
        """, "compose.yml")
    result = project.fig("up", "--no-color", check=True)
    assert re.search(r"^loud_1 +\| from-loud$", result.stdout, re.M)
    assert "from-quiet" not in result.stdout
    logs = project.fig("logs", "--no-color", "quiet", check=True)
    assert "from-quiet" in logs.stdout


def test_gpu_requests_reach_the_engine_and_its_refusal_reaches_the_user(project):
    # no GPU here: the container is made with the request, and the engine's refusal to start it is one line
    project.write("""\
        services:
          ml:
            image: busybox
            command: "true"
            deploy:
              resources:
                reservations:
                  devices:
                    - driver: nvidia
                      count: all
                      capabilities: [gpu]
        """, "compose.yml")
    result = project.fig("up", "-d")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"ERROR: {project.container_name('ml')}: could not select device driver \"nvidia\"")
    requests = project.inspect(project.container_name("ml"))["HostConfig"]["DeviceRequests"]
    assert requests == [{"Driver": "nvidia", "Count": -1, "DeviceIDs": [], "Capabilities": [["gpu"]], "Options": {}}]


def test_cdi_devices_are_asked_for_as_compose_asks_and_the_engines_refusal_is_one_line(project):
    # This engine has no CDI (dockerd 20.10 has none; 25 and newer have it once enabled): the container is made with
    # the request, and the engine's refusal to start it says what the devices need
    project.write("""\
        services:
          gpu:
            image: busybox
            command: "true"
            devices: ["nvidia.com/gpu=all", "vendor.example/fpga=0", "/dev/null:/dev/nothing"]
        """, "compose.yml")
    result = project.fig("up", "-d")
    name = project.container_name("gpu")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"ERROR: {name}: could not select device driver \"cdi\" with capabilities: []: the CDI devices "
        "nvidia.com/gpu=all, vendor.example/fpga=0 need an engine with CDI enabled (Docker Engine 25 or newer: its "
        "daemon.json's \"features\": {\"cdi\": true} up to 28.1, on by default from 28.2)")
    host = project.inspect(name)["HostConfig"]
    assert host["DeviceRequests"] == [{"Driver": "cdi", "Count": 0, "DeviceIDs": ["nvidia.com/gpu=all", "vendor.example/fpga=0"],
                                       "Capabilities": None, "Options": None}]
    assert host["Devices"] == [{"PathOnHost": "/dev/null", "PathInContainer": "/dev/nothing", "CgroupPermissions": "rwm"}]


def test_a_static_ipv6_address_on_a_dual_stack_network(project):
    """Both addresses reach the endpoint (IPAMConfig), without a daemon flag: `enable_ipv6` and an IPv6 subnet on the
    project's network are enough for dockerd 20.10 and 26."""
    project.write(f"""\
        services:
          web:
            image: busybox
            command: {SLEEPER}
            networks:
              dual: {{ipv4_address: 172.31.219.5, ipv6_address: "fd00:f19:6::5"}}
        networks:
          dual:
            enable_ipv6: true
            ipam:
              config: [{{subnet: 172.31.219.0/24}}, {{subnet: "fd00:f19:6::/64"}}]
        """, "compose.yml")
    project.fig("up", "-d", check=True)
    endpoint = project.inspect(project.container_name("web"))["NetworkSettings"]["Networks"][f"{project.name}_dual"]
    assert endpoint["IPAMConfig"] == {"IPv4Address": "172.31.219.5", "IPv6Address": "fd00:f19:6::5"}
    assert (endpoint["IPAddress"], endpoint["GlobalIPv6Address"]) == ("172.31.219.5", "fd00:f19:6::5")
    code, addresses = project.exec(project.container_name("web"), "ip", "-6", "addr")
    assert code == 0 and "fd00:f19:6::5" in addresses
