"""The Engine API's JSON for fig's specs, and fig's infos from the engine's JSON. No I/O and no SDK here.

The bodies are what the docker SDK's create_container/create_host_config would send for the same arguments
(tests/unit/test_wire.py holds the two side by side), written out so that creating a container needs no SDK.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fig import errors
from fig.backend import apiversion
from fig.backend.base import ContainerInfo, ContainerState, EngineTraits, Mount
from fig.backend.ports import PortBinding
from fig.patterns import pattern
from fig.records import replace

if TYPE_CHECKING:  # what is asked of the engine, and its answers other than containers: loaded by the calls
    from fig.backend.answers import EngineEvent, ExecInfo, ImageInfo, PathStat, StatsSample
    from fig.backend.specs import ContainerSpec, EndpointSpec, ExecSpec, MountSpec, NetworkOptions

_EXIT_RE = pattern(r"Exited \((-?\d+)\)")
# Podman's states in Docker's words: "configured" is created; "stopping" still runs (Docker says running until the
# process ends); "stopped" has ended, with its exit code, and is not yet cleaned up (then it says exited).
_PODMAN_STATES = {"configured": "created", "stopping": "running", "stopped": "exited"}
_HEALTH_RE = pattern(r"\((healthy|unhealthy|health: starting)\)")


def created_networks(spec: ContainerSpec, version: str) -> Sequence[EndpointSpec]:
    """The networks a container joins at create: all of them from API 1.44, else the first (the others are
    connected after it is made)."""
    return spec.networks if apiversion.at_least(version, apiversion.MULTI_NETWORK_CREATE) else spec.networks[:1]


def create_body(spec: ContainerSpec, version: str) -> dict[str, Any]:
    """The body of POST /containers/create (the name goes in the query) in the Engine API `version`."""
    exposed = dict.fromkeys(f"{p.container_port}/{p.protocol}" for p in (*spec.ports, *spec.expose))
    healthcheck = None
    if spec.healthcheck is not None:
        keys = {"test": "Test", "interval": "Interval", "timeout": "Timeout", "retries": "Retries",
                "start_period": "StartPeriod", "start_interval": "StartInterval"}
        healthcheck = {keys[k]: v for k, v in spec.healthcheck.items() if v is not None}
    network_mode, networking, mac_address = spec.network_mode, None, spec.mac_address
    endpoints = list(created_networks(spec, version))
    if endpoints:
        network_mode = network_mode or endpoints[0].network
        if mac_address and apiversion.at_least(version, apiversion.ENDPOINT_MAC_ADDRESS):
            # From 1.44 a MAC address belongs to an endpoint (1.52 refuses Config.MacAddress), as in Compose v2
            endpoints[0] = replace(endpoints[0], mac_address=endpoints[0].mac_address or mac_address)
            mac_address = None
        networking = {"EndpointsConfig": {e.network: endpoint_config(e) for e in endpoints}}
    body: dict[str, Any] = {
        "Hostname": spec.hostname, "Domainname": spec.domainname, "User": spec.user, "WorkingDir": spec.working_dir,
        "ExposedPorts": {p: {} for p in exposed} or None,
        "Tty": spec.tty, "OpenStdin": spec.stdin_open, "StdinOnce": spec.stdin_open,
        "AttachStdin": spec.stdin_open, "AttachStdout": True, "AttachStderr": True,
        "Env": [k if v is None else f"{k}={v}" for k, v in spec.environment.items()],
        "Cmd": _list(spec.command), "Entrypoint": _list(spec.entrypoint), "Image": spec.image,
        "Volumes": {v: {} for v in spec.volumes} or None, "NetworkDisabled": False, "Labels": dict(spec.labels),
        "StopSignal": spec.stop_signal, "StopTimeout": spec.stop_timeout, "Healthcheck": healthcheck,
        "MacAddress": mac_address,
        "HostConfig": _host_config(spec, network_mode), "NetworkingConfig": networking,
    }
    return _without_none(body)


def _host_config(spec: ContainerSpec, network_mode: str | None) -> dict[str, Any]:
    port_bindings: dict[str, list[dict[str, str]]] = {}
    for p in spec.ports:
        host = "" if p.host_port is None else str(p.host_port)
        if p.host_port_end is not None:
            host += f"-{p.host_port_end}"
        port_bindings.setdefault(f"{p.container_port}/{p.protocol}", []).append(
            {"HostIp": p.host_ip or "", "HostPort": host})
    restart = None
    if spec.restart and spec.restart != "no":
        name, _, count = spec.restart.partition(":")
        restart = {"Name": name, "MaximumRetryCount": int(count or 0)}
    log_config = None
    if spec.log_driver or spec.log_options:
        log_config = {"Type": spec.log_driver or "", "Config": dict(spec.log_options)}
    config: dict[str, Any] = {
        "NetworkMode": network_mode or "default",
        "Binds": list(spec.binds) or None, "PortBindings": port_bindings or None, "Links": _links(spec.links),
        "VolumesFrom": list(spec.volumes_from) or None, "Dns": list(spec.dns) or None,
        "DnsSearch": list(spec.dns_search) or None, "ExtraHosts": list(spec.extra_hosts) or None,
        "CapAdd": list(spec.cap_add) or None, "CapDrop": list(spec.cap_drop) or None, "RestartPolicy": restart,
        "Privileged": spec.privileged or None, "AutoRemove": spec.auto_remove or None,
        "ReadonlyRootfs": spec.read_only or None, "Init": spec.init,
        "Devices": [_device(d) for d in spec.devices] or None, "Tmpfs": dict(spec.tmpfs) or None,
        "Ulimits": [{"Name": n, "Soft": s, "Hard": h} for n, s, h in spec.ulimits] or None,
        "Sysctls": {k: str(v) for k, v in spec.sysctls.items()} or None, "LogConfig": log_config,
        "ShmSize": spec.shm_size, "PidMode": spec.pid_mode or None, "IpcMode": spec.ipc_mode or None,
        "Memory": spec.mem_limit, "MemoryReservation": spec.mem_reservation or None,
        "MemorySwap": spec.memswap_limit, "CpuShares": spec.cpu_shares or None, "NanoCpus": spec.nano_cpus or None,
        "CpusetCpus": spec.cpuset_cpus or None, "PidsLimit": spec.pids_limit or None,
        "Annotations": dict(spec.annotations) or None, "Mounts": [_mount(m) for m in spec.mounts] or None,
    }
    for key, value in spec.host_options.items():
        if key == "blkio_config":
            config.update(_blkio(value))
        elif key == "storage_opt":
            config["StorageOpt"] = dict(value)
        elif key == "gpus":
            config["DeviceRequests"] = [_device_request(dict(request)) for request in value]
        else:
            config[_HOST_OPTIONS[key]] = list(value) if isinstance(value, tuple) else value
    if spec.cdi_devices:  # as Compose asks for them: before the `gpus` requests
        cdi = {"Driver": "cdi", "Count": 0, "DeviceIDs": list(spec.cdi_devices), "Capabilities": None, "Options": None}
        config["DeviceRequests"] = [cdi, *config.get("DeviceRequests", [])]
    return _without_none(config)


# fig.config.runtime's pass-through keys and the HostConfig fields they set (blkio_config sets several)
_HOST_OPTIONS = {
    "security_opt": "SecurityOpt", "group_add": "GroupAdd", "device_cgroup_rules": "DeviceCgroupRules",
    "oom_score_adj": "OomScoreAdj", "oom_kill_disable": "OomKillDisable", "mem_swappiness": "MemorySwappiness",
    "cpu_quota": "CpuQuota", "cpu_period": "CpuPeriod", "cpu_rt_runtime": "CpuRealtimeRuntime",
    "cpu_rt_period": "CpuRealtimePeriod", "cpu_count": "CpuCount", "cpu_percent": "CpuPercent",
    "userns_mode": "UsernsMode", "cgroup_parent": "CgroupParent", "runtime": "Runtime", "uts": "UTSMode",
    "cgroup": "CgroupnsMode", "isolation": "Isolation", "volume_driver": "VolumeDriver",
}
_BLKIO = {"weight_device": ("BlkioWeightDevice", "Weight"), "device_read_bps": ("BlkioDeviceReadBps", "Rate"),
          "device_write_bps": ("BlkioDeviceWriteBps", "Rate"), "device_read_iops": ("BlkioDeviceReadIOps", "Rate"),
          "device_write_iops": ("BlkioDeviceWriteIOps", "Rate")}


def _device_request(request: dict[str, Any]) -> dict[str, Any]:
    """A `gpus` item; without count or device ids it asks for every device, as compose does."""
    count = request.get("count", "all" if "device_ids" not in request else 0)
    return {"Driver": request.get("driver", ""), "Count": -1 if count == "all" else count,
            "DeviceIDs": list(request.get("device_ids", ())), "Capabilities": [list(request["capabilities"])],
            "Options": dict(request.get("options", ()))}


def _blkio(settings: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in settings:
        if key == "weight":
            out["BlkioWeight"] = value
        else:
            field, unit = _BLKIO[key]
            out[field] = [{"Path": path, unit: amount} for path, amount in value]
    return out


def endpoint_config(endpoint: EndpointSpec) -> dict[str, Any]:
    """A container's settings on one network (at create, or when connecting it to a further one)."""
    config: dict[str, Any] = {"Aliases": list(endpoint.aliases) or None, "Links": _links(endpoint.links),
                              "MacAddress": endpoint.mac_address, "GwPriority": endpoint.gw_priority,
                              "DriverOpts": dict(endpoint.driver_opts) or None}
    addresses = _without_none({"IPv4Address": endpoint.ipv4_address or None,
                               "IPv6Address": endpoint.ipv6_address or None})
    if addresses:
        config["IPAMConfig"] = addresses
    return _without_none(config)


def _mount(mount: MountSpec) -> dict[str, Any]:
    """A HostConfig.Mounts entry: a named volume (with its subpath, API 1.45) or an image (API 1.48)."""
    options = _without_none({"Subpath": mount.subpath, "NoCopy": mount.nocopy or None}) or None
    return _without_none({"Type": mount.type, "Source": mount.source, "Target": mount.target,
                          "ReadOnly": mount.read_only or None,
                          "VolumeOptions" if mount.type == "volume" else "ImageOptions": options})


def network_body(name: str, driver: str | None, internal: bool, labels: Mapping[str, str],
                 options: NetworkOptions | None = None) -> dict[str, Any]:
    if options is None:
        from fig.backend.specs import NetworkOptions

        options = NetworkOptions()
    ipam = None
    if options.ipam_driver or options.ipam_pools or options.ipam_options:
        pools = [_without_none({"Subnet": p.get("subnet"), "IPRange": p.get("ip_range"), "Gateway": p.get("gateway"),
                                "AuxiliaryAddresses": dict(p.get("aux_addresses") or {}) or None})
                 for p in options.ipam_pools]
        ipam = _without_none({"Driver": options.ipam_driver or "default", "Config": pools,
                              "Options": dict(options.ipam_options) or None})
    return _without_none({"Name": name, "Driver": driver, "CheckDuplicate": True, "Internal": internal or None,
                          "Labels": dict(labels) or None, "Options": dict(options.driver_opts) or None,
                          "Attachable": options.attachable or None, "EnableIPv6": options.enable_ipv6 or None,
                          "IPAM": ipam})


def volume_body(name: str, driver: str | None, labels: Mapping[str, str],
                driver_opts: Mapping[str, str] | None = None) -> dict[str, Any]:
    return _without_none({"Name": name, "Driver": driver, "Labels": dict(labels) or None,
                          "DriverOpts": dict(driver_opts or {}) or None})


def exec_body(spec: ExecSpec) -> dict[str, Any]:
    """The body of POST /containers/{id}/exec."""
    return _without_none({
        "AttachStdin": spec.stdin, "AttachStdout": True, "AttachStderr": True, "Tty": spec.tty,
        "Env": [f"{k}={v}" for k, v in spec.environment.items()] or None, "Cmd": list(spec.command),
        "Privileged": spec.privileged, "User": spec.user or None, "WorkingDir": spec.working_dir or None,
        "DetachKeys": spec.detach_keys,
    })


def from_exec_inspect(e: dict[str, Any]) -> ExecInfo:
    """An exec from GET /exec/{id}/json: the exit code is null until the command has ended."""
    from fig.backend.answers import ExecInfo

    running = bool(e.get("Running"))
    code = e.get("ExitCode")
    return ExecInfo(running, None if running or code is None else int(code), int(e.get("Pid") or 0))


def path_stat(header: str | None, path: str) -> PathStat:
    """The X-Docker-Container-Path-Stat header of the archive endpoints (base64 of a JSON object)."""
    import base64

    from fig.backend.answers import PathStat

    if not header:
        raise errors.BackendError(f"{path}: the engine sent no description of the path")
    raw = json.loads(base64.b64decode(header))
    return PathStat(raw.get("name", ""), int(raw.get("size") or 0), int(raw.get("mode") or 0),
                    raw.get("mtime") or "", raw.get("linkTarget") or "")


def from_image_inspect(i: dict[str, Any]) -> ImageInfo:
    """An image from GET /images/{name}/json."""
    from fig.backend.answers import ImageInfo

    platform = "/".join(p for p in (i.get("Os"), i.get("Architecture"), i.get("Variant")) if p)
    last_tag = (i.get("Metadata") or {}).get("LastTagTime") or ""
    return ImageInfo(i["Id"], tuple(i.get("RepoTags") or ()), int(i.get("Size") or 0), i.get("Created") or "",
                     platform, "" if last_tag.startswith("0001-") else last_tag)


def from_stats(s: dict[str, Any]) -> StatsSample:
    """A sample from GET /containers/{id}/stats, its memory and I/O added up as docker stats adds them."""
    from fig.backend.answers import StatsSample

    cpu, precpu = s.get("cpu_stats") or {}, s.get("precpu_stats") or {}
    memory = s.get("memory_stats") or {}
    usage, extra = int(memory.get("usage") or 0), memory.get("stats") or {}
    inactive = extra.get("total_inactive_file", extra.get("inactive_file", 0))  # cgroup v1, else v2
    blkio = (s.get("blkio_stats") or {}).get("io_service_bytes_recursive") or ()
    networks = (s.get("networks") or {}).values()
    return StatsSample(
        read=s.get("read") or "", cpu_total=int((cpu.get("cpu_usage") or {}).get("total_usage") or 0),
        precpu_total=int((precpu.get("cpu_usage") or {}).get("total_usage") or 0),
        system_cpu=int(cpu.get("system_cpu_usage") or 0), presystem_cpu=int(precpu.get("system_cpu_usage") or 0),
        online_cpus=int(cpu.get("online_cpus") or len((cpu.get("cpu_usage") or {}).get("percpu_usage") or ())),
        memory=usage - inactive if inactive < usage else usage, memory_limit=int(memory.get("limit") or 0),
        net_rx=sum(int(n.get("rx_bytes") or 0) for n in networks),
        net_tx=sum(int(n.get("tx_bytes") or 0) for n in networks),
        block_read=sum(int(b.get("value") or 0) for b in blkio if str(b.get("op")).lower() == "read"),
        block_write=sum(int(b.get("value") or 0) for b in blkio if str(b.get("op")).lower() == "write"),
        pids=int((s.get("pids_stats") or {}).get("current") or 0),
    )


def from_event(e: dict[str, Any]) -> EngineEvent:
    """An event from GET /events."""
    from fig.backend.answers import EngineEvent

    actor = e.get("Actor") or {}
    stamp = int(e.get("timeNano") or int(e.get("time") or 0) * 1_000_000_000)
    return EngineEvent(e.get("Type") or "", e.get("Action") or e.get("status") or "", actor.get("ID") or e.get("id")
                       or "", dict(actor.get("Attributes") or {}), stamp)


def _list(items: Any) -> list[str] | None:
    return None if items is None else list(items)


def _links(links: Any) -> list[str] | None:
    return [f"{name}:{alias}" if alias else name for name, alias in sorted(links)] or None


def _device(device: str) -> dict[str, str]:
    host, _, rest = device.partition(":")
    inside, _, permissions = rest.partition(":")
    return {"PathOnHost": host, "PathInContainer": inside or host, "CgroupPermissions": permissions or "rwm"}


def _without_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


# -- from the engine ---------------------------------------------------------------------------------------


def from_summary(c: dict[str, Any]) -> ContainerInfo:
    """A container from GET /containers/json."""
    status = c.get("Status") or ""
    exit_match = _EXIT_RE.search(status)
    health = _HEALTH_RE.search(status)
    ports = tuple(
        PortBinding(p["PrivatePort"], p.get("Type", "tcp"), p.get("IP"), p.get("PublicPort"))
        for p in c.get("Ports") or ()
    )
    return ContainerInfo(
        id=c["Id"], name=own_name(c.get("Names") or []), image=c.get("Image", ""),
        image_id=c.get("ImageID", ""), labels=c.get("Labels") or {},
        state=_state(c.get("State")), exit_code=int(exit_match[1]) if exit_match else 0,
        command=c.get("Command", ""), ports=ports, mounts=_mounts(c),
        health=health[1].replace("health: ", "") if health else None, created=str(c.get("Created", "")),
        ip_addresses=_addresses(c.get("NetworkSettings")), status=status,
        names=tuple(n.lstrip("/") for n in c.get("Names") or ()), networks=_networks(c.get("NetworkSettings")),
    )


def from_inspect(c: dict[str, Any]) -> ContainerInfo:
    """A container from GET /containers/{id}/json."""
    state = c.get("State") or {}
    ports = []
    for key, bindings in ((c.get("NetworkSettings") or {}).get("Ports") or {}).items():
        number, _, proto = key.partition("/")
        for b in bindings or [None]:
            ports.append(PortBinding(int(number), proto, b and b.get("HostIp"),
                                     int(b["HostPort"]) if b and b.get("HostPort") else None))
    config = c.get("Config") or {}
    command = " ".join((config.get("Entrypoint") or []) + (config.get("Cmd") or []))
    return ContainerInfo(
        id=c["Id"], name=c.get("Name", "").lstrip("/"), image=config.get("Image", ""), image_id=c.get("Image", ""),
        labels=config.get("Labels") or {}, state=_state(state.get("Status")),
        exit_code=int(state.get("ExitCode") or 0), command=command, ports=tuple(ports), mounts=_mounts(c),
        health=_health((state.get("Health") or {}).get("Status")), created=c.get("Created", ""),
        ip_addresses=_addresses(c.get("NetworkSettings")), finished_at=state.get("FinishedAt") or "",
        names=(c.get("Name", "").lstrip("/"),), networks=_networks(c.get("NetworkSettings")),
        tty=bool(config.get("Tty")), health_interval=_health_interval(config.get("Healthcheck")),
    )


def _health_interval(check: dict[str, Any] | None) -> float:
    """Seconds between a container's healthchecks: its Interval (ns), 30 when unset as the engines default it."""
    check = check or {}
    test = check.get("Test") or []
    if not test or test[0] == "NONE":
        return 0.0
    return int(check.get("Interval") or 30_000_000_000) / 1e9


def engine_traits(version: dict[str, Any]) -> EngineTraits:
    """What the engine of GET /version lacks: Podman names itself among the Components ("Podman Engine")."""
    podman = any("podman" in str(c.get("Name") or "").lower() for c in version.get("Components") or ())
    return EngineTraits(links=not podman, healthchecks=not podman)


def _state(text: str | None) -> ContainerState:
    """The engine's word for a container's state; one it may add later is kept as it is (ContainerState)."""
    text = (text or "created").lower()
    return ContainerState(_PODMAN_STATES.get(text, text))


def _health(text: str | None) -> str | None:
    """None for a container without a healthcheck: Podman says "", Docker may say "none"."""
    return None if text in (None, "", "none") else text


def _mounts(c: dict[str, Any]) -> tuple[Mount, ...]:
    return tuple(Mount(m["Destination"], m.get("Type", ""), m.get("Name"), m.get("Source"), not m.get("RW", True))
                 for m in c.get("Mounts") or ())


def _addresses(settings: dict[str, Any] | None) -> tuple[str, ...]:
    settings = settings or {}
    found = [settings.get("IPAddress")] + [n.get("IPAddress") for n in (settings.get("Networks") or {}).values()]
    return tuple(dict.fromkeys(a for a in found if a))


def _networks(settings: dict[str, Any] | None) -> tuple[str, ...]:
    return tuple((settings or {}).get("Networks") or {})


def own_name(names: list[str]) -> str:
    """A container's own name: legacy links add `/linker/alias` names to the engine's list, in any order."""
    names = [n.lstrip("/") for n in names]
    return next((n for n in names if "/" not in n), names[0] if names else "")


def unix_time(stamp: str) -> str:
    """RFC 3339 (as the engine writes it) to the "seconds.nanoseconds" form its API reads."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$", stamp)
    if not m:
        raise errors.BackendError(f"not a timestamp: {stamp!r}")
    import datetime

    zone = "+00:00" if m[3] == "Z" else m[3]
    seconds = int(datetime.datetime.fromisoformat(m[1] + zone).timestamp())
    return f"{seconds}.{(m[2] or '0')[:9].ljust(9, '0')}"


def split_image(image: str) -> tuple[str, str | None]:
    """(repository, tag) as pull and push take them; a digest reference keeps its digest."""
    if "@" in image:
        return image, None
    name, _, tag = image.rpartition(":")
    if name and "/" not in tag:
        return name, tag
    return image, "latest"
