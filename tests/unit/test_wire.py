"""fig.backend.wire: the Engine API JSON fig writes and reads, without an engine.

fig builds the body of POST /containers/create itself so that creating a container needs no SDK import. The
docker SDK's own helpers (create_host_config, create_container_config, create_endpoint_config) are the reference:
for the same spec both must say the same thing to the engine. A JSON null and a missing key mean the same there,
so both sides are compared with their nulls dropped."""

from __future__ import annotations

import json
from typing import Any

import docker
import docker.types
import pytest

from fig.backend import wire
from fig.backend.base import ContainerState
from fig.backend.ports import PortBinding
from fig.backend.specs import ContainerSpec, EndpointSpec, NetworkOptions

SDK = docker.APIClient(base_url="unix:///nonexistent.sock", version="1.41")


def sdk_create_body(spec: ContainerSpec) -> dict[str, Any]:
    """What docker.APIClient.create_container would post for `spec` (its arguments spelled as the SDK wants)."""
    port_bindings: dict[str, list[Any]] = {}
    for p in spec.ports:
        port_bindings.setdefault(f"{p.container_port}/{p.protocol}", []).append(
            (p.host_ip or "", p.host_port) if p.host_ip else p.host_port)
    restart = None
    if spec.restart and spec.restart != "no":
        name, _, count = spec.restart.partition(":")
        restart = {"Name": name, "MaximumRetryCount": int(count or 0)}
    network_mode, networking = spec.network_mode, None
    if spec.networks:
        first = spec.networks[0]
        network_mode = network_mode or first.network
        networking = SDK.create_networking_config({first.network: sdk_endpoint(first)})
    log_config = None
    if spec.log_driver or spec.log_options:
        log_config = docker.types.LogConfig(type=spec.log_driver or "", config=dict(spec.log_options))
    host_config = SDK.create_host_config(
        binds=list(spec.binds) or None, port_bindings=port_bindings or None, links=list(spec.links) or None,
        volumes_from=list(spec.volumes_from) or None, network_mode=network_mode, dns=list(spec.dns) or None,
        dns_search=list(spec.dns_search) or None, extra_hosts=list(spec.extra_hosts) or None,
        mem_limit=spec.mem_limit, privileged=spec.privileged, cap_add=list(spec.cap_add) or None,
        cap_drop=list(spec.cap_drop) or None, restart_policy=restart, auto_remove=spec.auto_remove,
        devices=list(spec.devices) or None, tmpfs=dict(spec.tmpfs) or None,
        ulimits=[docker.types.Ulimit(name=n, soft=s, hard=h) for n, s, h in spec.ulimits] or None,
        sysctls=dict(spec.sysctls) or None, init=spec.init, read_only=spec.read_only or None,
        shm_size=spec.shm_size, pid_mode=spec.pid_mode, ipc_mode=spec.ipc_mode, cpu_shares=spec.cpu_shares,
        nano_cpus=spec.nano_cpus, cpuset_cpus=spec.cpuset_cpus, mem_reservation=spec.mem_reservation,
        memswap_limit=spec.memswap_limit, pids_limit=spec.pids_limit, log_config=log_config,
        **sdk_host_options(spec.host_options),
    )
    exposed = [(p.container_port, p.protocol) for p in (*spec.ports, *spec.expose)]
    config = SDK.create_container_config(
        spec.image, command=list(spec.command) if spec.command is not None else None,
        entrypoint=list(spec.entrypoint) if spec.entrypoint is not None else None,
        environment=dict(spec.environment), labels=dict(spec.labels),
        ports=[p if proto == "tcp" else (p, proto) for p, proto in dict.fromkeys(exposed)] or None,
        volumes=list(spec.volumes) or None, hostname=spec.hostname, domainname=spec.domainname, user=spec.user,
        working_dir=spec.working_dir, stdin_open=spec.stdin_open, tty=spec.tty, host_config=host_config,
        networking_config=networking, healthcheck=dict(spec.healthcheck) if spec.healthcheck else None,
        stop_signal=spec.stop_signal, stop_timeout=spec.stop_timeout, mac_address=spec.mac_address,
    )
    # The SDK spells two fields CPURealtime*, the API reference CpuRealtime*; the engine reads JSON names
    # without regard to case, so both are the same field.
    for name in ("Period", "Runtime"):
        if f"CPURealtime{name}" in config["HostConfig"]:
            config["HostConfig"][f"CpuRealtime{name}"] = config["HostConfig"].pop(f"CPURealtime{name}")
    return dict(config)


def sdk_host_options(options: dict[str, Any]) -> dict[str, Any]:
    """fig's pass-through keys as create_host_config arguments."""
    names = {"uts": "uts_mode", "cgroup": "cgroupns"}
    out: dict[str, Any] = {}
    for key, value in options.items():
        if key == "gpus":
            out["device_requests"] = [docker.types.DeviceRequest(
                driver=r.get("driver", ""), count=-1 if r.get("count") == "all" else r.get("count", 0),
                device_ids=list(r.get("device_ids", [])) or None, capabilities=[list(r["capabilities"])],
                options=dict(r.get("options", ()))) for r in map(dict, value)]
        elif key == "blkio_config":
            for part, items in value:
                if part == "weight":
                    out["blkio_weight"] = items
                else:
                    unit = "Weight" if part == "weight_device" else "Rate"
                    out[{"weight_device": "blkio_weight_device"}.get(part, part)] = [
                        {"Path": path, unit: amount} for path, amount in items]
        else:
            out[names.get(key, key)] = dict(value) if key == "storage_opt" else (
                list(value) if isinstance(value, tuple) else value)
    return out


def sdk_endpoint(endpoint: EndpointSpec) -> dict[str, Any]:
    return dict(SDK.create_endpoint_config(aliases=list(endpoint.aliases) or None,
                                           links=list(endpoint.links) or None, ipv4_address=endpoint.ipv4_address,
                                           ipv6_address=endpoint.ipv6_address))


def as_sent(body: Any) -> Any:
    """The JSON the engine receives, nulls dropped (for the engine a null is the same as no key)."""
    def drop(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: drop(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [drop(v) for v in value]
        return value
    return drop(json.loads(json.dumps(body)))


MINIMAL = ContainerSpec(name="p_web_1", image="busybox", labels={"com.docker.compose.project": "p"})

EVERYTHING = ContainerSpec(
    name="p_web_1", image="localhost:5000/app:1.2", labels={"com.docker.compose.project": "p", "com.docker.compose.service": "web"},
    command=["sh", "-c", "echo hi"], entrypoint=["/init", "--"], environment={"A": "1", "EMPTY": "", "B": "x=y"},
    ports=[PortBinding(80, "tcp", None, 8080), PortBinding(80, "tcp", "127.0.0.1", 8081),
           PortBinding(53, "udp", None, None), PortBinding(443, "tcp", "0.0.0.0", None)],
    expose=[PortBinding(9000), PortBinding(80)],
    binds=["/srv/data:/data:rw", "named:/named:ro"], volumes=["/anon", "/cache"],
    volumes_from=["abc123:ro", "def456:rw"], links=[("p_db_1", "db"), ("p_cache_1", "cache"), ("ext_1", "")],
    network_mode=None,
    networks=[EndpointSpec("p_default", ("web", "www"), "172.30.0.5", (("p_db_1", "database"),),
                           ipv6_address="2001:db8::5"),
              EndpointSpec("p_back", ("web",))],
    dns=["8.8.8.8"], dns_search=["example.com"], extra_hosts=["somehost:162.242.195.82"], working_dir="/code",
    user="1000:1000", hostname="web", domainname="example.com", mem_limit=64 * 2**20, privileged=True,
    stdin_open=True, tty=True, cap_add=["NET_ADMIN"], cap_drop=["MKNOD"], restart="on-failure:3",
    healthcheck={"test": ["CMD", "true"], "interval": 10**9, "timeout": 2 * 10**9, "retries": 3,
                 "start_period": 5 * 10**9},
    stop_signal="SIGUSR1", stop_timeout=3, auto_remove=True,
    devices=["/dev/null:/dev/nothing:r", "/dev/zero"], tmpfs={"/run": "size=1m", "/tmp": ""},
    ulimits=[("nofile", 1024, 2048)], sysctls={"net.core.somaxconn": "1024"}, init=True, read_only=True,
    shm_size=2**26, pid_mode="host", ipc_mode="shareable", cpu_shares=512, nano_cpus=500_000_000,
    cpuset_cpus="0", mem_reservation=2**25, memswap_limit=2**27, pids_limit=100, log_driver="json-file",
    log_options={"max-size": "1m"}, mac_address="02:42:ac:11:00:02", platform="linux/amd64",
    host_options={
        "security_opt": ("no-new-privileges:true",), "group_add": ("audio", "1001"), "oom_score_adj": -500,
        "oom_kill_disable": True, "mem_swappiness": 10, "cpu_quota": 50000, "cpu_period": 100000,
        "cpu_rt_runtime": 400000, "cpu_rt_period": 1000000, "cpu_count": 1, "cpu_percent": 50,
        "userns_mode": "host", "cgroup_parent": "/fig", "runtime": "runc", "uts": "host", "cgroup": "private",
        "isolation": "default", "volume_driver": "local", "storage_opt": (("size", "1G"),),
        "device_cgroup_rules": ("c 1:3 mr",),
        "gpus": ((("capabilities", ("gpu",)), ("count", "all")),
                 (("capabilities", ("gpu", "compute")), ("device_ids", ("0", "3")), ("driver", "nvidia"),
                  ("options", (("virtualization", "false"),)))),
        "blkio_config": (("weight", 300), ("weight_device", (("/dev/sda", 400),)),
                         ("device_read_bps", (("/dev/sda", 1 << 20),)), ("device_write_bps", (("/dev/sda", 2 << 20),)),
                         ("device_read_iops", (("/dev/sda", 30),)), ("device_write_iops", (("/dev/sda", 40),))),
    },
)

VARIANTS = {
    "minimal": MINIMAL,
    "everything": EVERYTHING,
    "service network mode": ContainerSpec(name="p_x_1", image="busybox", labels={}, network_mode="container:abc",
                                          restart="always", init=False),
    "restart no, log options only": ContainerSpec(name="p_x_1", image="busybox", labels={}, restart="no",
                                                  log_options={"tag": "x"}, environment={"K": "v"}),
    "healthcheck none": ContainerSpec(name="p_x_1", image="busybox", labels={}, healthcheck={"test": ["NONE"]},
                                      command=[], entrypoint=[]),
    "one-off": ContainerSpec(name="p_web_run_1", image="busybox", labels={}, stdin_open=True, tty=False,
                             expose=[PortBinding(80)], networks=[EndpointSpec("p_default")]),
}


@pytest.mark.parametrize("spec", VARIANTS.values(), ids=VARIANTS.keys())
def test_create_body_says_what_the_sdk_would(spec):
    assert as_sent(wire.create_body(spec, "1.41")) == as_sent(sdk_create_body(spec))


def test_a_further_network_is_joined_with_the_same_endpoint_settings():
    extra = EndpointSpec("p_back", ("web", "api"), "10.0.0.9", (("p_db_1", "db"),))
    assert as_sent(wire.endpoint_config(extra)) == as_sent(sdk_endpoint(extra))


def test_create_body_keeps_what_matters_to_run_and_attach():
    body = wire.create_body(EVERYTHING, "1.41")
    # run -i needs the engine to close stdin when our side does; attached output needs both streams
    assert (body["OpenStdin"], body["StdinOnce"], body["AttachStdin"]) == (True, True, True)
    assert (body["AttachStdout"], body["AttachStderr"]) == (True, True)
    assert body["NetworkingConfig"] == {"EndpointsConfig": {"p_default": {
        "Aliases": ["web", "www"], "Links": ["p_db_1:database"], "IPAMConfig": {"IPv4Address": "172.30.0.5", "IPv6Address": "2001:db8::5"}}}}
    assert body["HostConfig"]["NetworkMode"] == "p_default"
    assert body["HostConfig"]["PortBindings"]["80/tcp"] == [{"HostIp": "", "HostPort": "8080"},
                                                            {"HostIp": "127.0.0.1", "HostPort": "8081"}]
    assert wire.create_body(MINIMAL, "1.41")["HostConfig"] == {"NetworkMode": "default"}


def summary(names: list[str], **extra: Any) -> dict[str, Any]:
    return {"Id": "c1", "Names": names, "State": "running", "Labels": {}, **extra}


def test_summary_name_skips_legacy_link_aliases():
    # the engine lists the names other containers link it by, in any order
    info = wire.from_summary(summary(["/p_db_1/p_web_1", "/p_web_1", "/p_db_1/web"]))
    assert info.name == "p_web_1"


def test_summary_name_without_names():
    assert wire.from_summary(summary([])).name == ""


def test_summary_exit_code_and_health_come_from_the_status_text():
    exited = wire.from_summary(summary(["/a"], State="exited", Status="Exited (137) 2 seconds ago"))
    assert (exited.state, exited.exit_code) == (ContainerState.EXITED, 137)
    starting = wire.from_summary(summary(["/a"], Status="Up 1 second (health: starting)"))
    assert starting.health == "starting"


def test_inspect_ports_keep_unpublished_ones():
    info = wire.from_inspect({"Id": "c1", "Name": "/p_web_1", "State": {"Status": "running"}, "Config": {},
                              "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}],
                                                            "9000/tcp": None}}})
    assert set(info.ports) == {PortBinding(80, "tcp", "0.0.0.0", 8080), PortBinding(9000, "tcp", None, None)}


@pytest.mark.parametrize("image, expected", [
    ("busybox", ("busybox", "latest")), ("busybox:1.36", ("busybox", "1.36")),
    ("localhost:5000/app", ("localhost:5000/app", "latest")), ("localhost:5000/app:2", ("localhost:5000/app", "2")),
    ("app@sha256:abcd", ("app@sha256:abcd", None)),
])
def test_split_image(image, expected):
    assert wire.split_image(image) == expected


def test_unix_time_reads_the_engines_timestamps():
    assert wire.unix_time("2024-01-02T03:04:05.123456789Z") == "1704164645.123456789"
    assert wire.unix_time("2024-01-02T04:04:05+01:00") == "1704164645.000000000"


def test_every_pass_through_key_of_the_config_is_sent():
    from fig.config.runtime import PASSTHROUGH

    assert set(EVERYTHING.host_options) == set(PASSTHROUGH)  # so the comparison above covers each of them
    host = wire.create_body(EVERYTHING, "1.41")["HostConfig"]
    assert host["SecurityOpt"] == ["no-new-privileges:true"] and host["StorageOpt"] == {"size": "1G"}
    assert host["BlkioDeviceReadBps"] == [{"Path": "/dev/sda", "Rate": 1 << 20}]


def test_network_body_with_address_pools_and_driver_options():
    options = NetworkOptions({"com.docker.network.driver.mtu": "1400"}, attachable=True, ipam_pools=[
        {"subnet": "172.28.0.0/16", "ip_range": None, "gateway": "172.28.0.1", "aux_addresses": {"h": "172.28.1.5"}}])
    assert wire.network_body("p_back", "bridge", False, {"a": "b"}, options) == {
        "Name": "p_back", "Driver": "bridge", "CheckDuplicate": True, "Labels": {"a": "b"},
        "Options": {"com.docker.network.driver.mtu": "1400"}, "Attachable": True,
        "IPAM": {"Driver": "default", "Config": [{"Subnet": "172.28.0.0/16", "Gateway": "172.28.0.1",
                                                  "AuxiliaryAddresses": {"h": "172.28.1.5"}}]}}
    assert wire.network_body("p_default", None, False, {}) == {"Name": "p_default", "CheckDuplicate": True}


def test_cdi_devices_are_one_device_request_of_driver_cdi_before_the_gpus():
    spec = ContainerSpec(name="p_x_1", image="busybox", labels={}, devices=("/dev/null:/dev/n:rwm",),
                         cdi_devices=("nvidia.com/gpu=all", "amd.com/gpu=0"),
                         host_options={"gpus": ((("capabilities", ("gpu",)), ("count", "all")),)})
    host = wire.create_body(spec, "1.41")["HostConfig"]
    assert host["DeviceRequests"] == [
        {"Driver": "cdi", "Count": 0, "DeviceIDs": ["nvidia.com/gpu=all", "amd.com/gpu=0"], "Capabilities": None,
         "Options": None},
        {"Driver": "", "Count": -1, "DeviceIDs": [], "Capabilities": [["gpu"]], "Options": {}}]
    assert host["Devices"] == [{"PathOnHost": "/dev/null", "PathInContainer": "/dev/n", "CgroupPermissions": "rwm"}]
