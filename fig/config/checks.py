"""Checks of a service's scalar values that the schema cannot express: image references, names, addresses,
signals, capabilities, sysctls. Each checker raises ConfigError with a message that completes `'KEY' ...`, so
nothing the engine would refuse reaches it (and nothing is created before the refusal)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any

from fig.errors import ConfigError
from fig.patterns import pattern

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])"
_IMAGE = pattern(rf"^(?:{_DOMAIN}(?::\d+)?/)?{_COMPONENT}(?:/{_COMPONENT})*(?::(?:\w[\w.-]{{0,127}})?)?"
                    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$")
_CONTAINER_NAME = pattern(r"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
_SEARCH_DOMAIN = pattern(r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\.)*"
                            r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\.?$")
_MAC = pattern(r"^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$")
_CPUSET = pattern(r"^\d+(-\d+)?(,\d+(-\d+)?)*$")
_SYSCTL = pattern(r"^[a-zA-Z0-9_][a-zA-Z0-9_./-]*$")
_DRIVER = pattern(r"^[a-zA-Z0-9][a-zA-Z0-9_.:/-]*$")
_RT_SIGNAL = pattern(r"^RT(MIN|MAX)([+-]\d+)?$")
# Namespaced sysctls, the only ones a container may set (runc refuses the rest when it starts the container)
_NAMESPACED = ("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
               "kernel.shmmni", "kernel.shm_rmid_forced", "kernel.domainname", "kernel.hostname")
_CAPABILITIES = frozenset(
    "CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE "
    "NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT "
    "SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL "
    "SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE".split())
ULIMITS = frozenset("as core cpu data fsize locks memlock msgqueue nice nofile nproc rss rtprio rttime sigpending "
                    "stack".split())
_PLATFORM_PART = pattern(r"^[A-Za-z0-9_.-]+$")
_TMPFS_FLAGS = {"ro", "rw", "exec", "noexec", "suid", "nosuid", "dev", "nodev", "sync", "async", "dirsync",
                "atime", "noatime", "diratime", "nodiratime", "relatime", "norelatime", "strictatime",
                "nostrictatime", "mand", "nomand", "remount", "bind", "rbind", "private", "rprivate", "shared",
                "rshared", "slave", "rslave", "unbindable", "runbindable"}
_TMPFS_VALUES = {"size": pattern(r"^\d+[kmgKMG%]?$"), "mode": pattern(r"^[0-7]{1,4}$"),
                 "uid": pattern(r"^\d+$"), "gid": pattern(r"^\d+$"), "nr_inodes": pattern(r"^\d+[kmgKMG]?$"),
                 "nr_blocks": pattern(r"^\d+[kmgKMG]?$")}
_SECURITY_OPTIONS = ("label", "apparmor", "seccomp", "no-new-privileges", "systempaths", "writable-cgroups")
_CGROUP_RULE = pattern(r"^[acb] (\d+|\*):(\d+|\*) [rwm]{1,3}$")
MIN_MEMORY = 6 * 1024 * 1024  # the engine refuses a smaller memory limit


def image(value: str) -> None:
    if not _IMAGE.match(value):
        raise ConfigError(f"{value!r} is not an image reference such as name, name:tag or registry:5000/name:tag "
                          "(lowercase name, no spaces)")


def container_name(value: str) -> None:
    if not _CONTAINER_NAME.match(value):
        raise ConfigError(f"{value!r} is not a valid container name: use two or more of [a-zA-Z0-9_.-], starting "
                          "with a letter or digit")


def host_name(value: str) -> None:
    """Any name the kernel takes: the engine passes a container's host name on as it is (`host-`, `a.b.`, or ''
    for none), and the kernel refuses only one longer than 64 bytes, when the container starts."""
    if len(value.encode()) > 64:
        raise ConfigError(f"{value!r} is not a valid host name: it is longer than the kernel's 64 bytes")


def absolute_path(value: str) -> None:
    if not value.startswith("/"):
        raise ConfigError(f"{value!r} is not an absolute path in the container")


IFNAME_OPTION = "com.docker.network.endpoint.ifname"  # the endpoint driver option interface_name sets
_IFNAME = pattern(r"^[^/:\s]{1,15}$")  # Linux: IFNAMSIZ 16 with the NUL, no slash, no whitespace


def interface_name(value: str) -> None:
    if not _IFNAME.match(value) or value in (".", ".."):
        raise ConfigError(f"{value!r} is not a network interface name (1 to 15 characters, no '/', ':' or spaces)")


def mac_address(value: str) -> None:
    if not _MAC.match(value):
        raise ConfigError(f"{value!r} is not a MAC address such as 02:42:ac:11:00:02")


def cpuset(value: Any) -> None:
    if not _CPUSET.match(str(value)):
        raise ConfigError(f"{value!r} is not a set of CPUs such as 0-3 or 0,1")


def stop_signal(value: Any) -> None:
    text = str(value).upper()
    name = text[3:] if text.startswith("SIG") else text
    if text.isdigit() and 0 < int(text) <= 64:
        return
    import signal  # loaded only for a file that sets stop_signal

    if f"SIG{name}" in signal.Signals.__members__ or _RT_SIGNAL.match(name):
        return
    raise ConfigError(f"{value!r} is not a signal such as SIGTERM, SIGINT or 15")


def ip_address(value: str, what: str = "an IP address", version: int | None = None) -> None:
    try:
        address = ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        raise ConfigError(f"{value!r} is not {what}") from None
    if version not in (None, address.version):
        raise ConfigError(f"{value!r} is not {what}")


def _each(check: Callable[[str], None]) -> Callable[[Any], None]:
    def run(values: Any) -> None:
        for value in [values] if isinstance(values, str) else values or []:
            check(str(value))
    return run


def search_domain(value: str) -> None:
    if value != "." and not _SEARCH_DOMAIN.match(value):
        raise ConfigError(f"{value!r} is not a domain name")


def capability(value: str) -> None:
    name = value.upper()
    if name != "ALL" and (name[4:] if name.startswith("CAP_") else name) not in _CAPABILITIES:
        raise ConfigError(f"{value!r} is not a Linux capability such as NET_ADMIN or SYS_PTRACE")


def sysctl(name: str, network_mode: str | None = None) -> None:
    if not _SYSCTL.match(name):
        raise ConfigError(f"{name!r} is not a sysctl name such as net.core.somaxconn")
    if name.startswith("net."):
        if network_mode == "host":
            raise ConfigError(f"{name} cannot be set in a container on the host's network")
        return
    if name not in _NAMESPACED and not name.startswith(("kernel.msg", "kernel.shm", "fs.mqueue.")):
        raise ConfigError(f"{name} is not namespaced, so no container may set it (only net.*, fs.mqueue.*, "
                          "kernel.shm*, kernel.msg* and kernel.sem are)")


def pair_keys(values: Any) -> None:
    """The keys of KEY=VALUE items (environment, labels) must not be empty."""
    keys = list(values) if isinstance(values, Mapping) else [str(v).partition("=")[0] for v in values or []]
    for key in keys:
        if not str(key).strip():
            raise ConfigError("has an item with an empty name")


def logging(value: Mapping[str, Any]) -> None:
    driver = value.get("driver")
    if driver is not None and not _DRIVER.match(str(driver)):
        raise ConfigError(f"driver {driver!r} is not a log driver name such as json-file or local")


def platform(value: str) -> None:
    """OS[/ARCH[/VARIANT]]: any name the engine may know (wasi/wasm, linux/riscv64, ...); it judges the rest.
    Empty (`${DOCKER_PLATFORM:-}`) is none."""
    parts = value.split("/")
    if not value:
        return
    if len(parts) > 3 or not all(_PLATFORM_PART.match(p) for p in parts):
        raise ConfigError(f"{value!r} is not a platform such as linux/amd64 or linux/arm64/v8")


def tmpfs_options(text: str) -> None:
    """The mount options of a tmpfs entry `PATH[:OPTION,...]`."""
    _, _, options = text.partition(":")
    for option in filter(None, options.split(",")):
        key, eq, value = option.partition("=")
        pattern = _TMPFS_VALUES.get(key)
        if (pattern is None and (eq or key not in _TMPFS_FLAGS)) or (pattern is not None and not pattern.match(value)):
            raise ConfigError(f"has a tmpfs option {option!r} that is not valid (such as size=64m, mode=1777, "
                              "uid=1000, noexec)")


def security_opt(value: str) -> None:
    key = re.split(r"[=:]", value, maxsplit=1)[0]
    if key not in _SECURITY_OPTIONS or (key != "no-new-privileges" and key == value):
        raise ConfigError(f"{value!r} is not a security option such as seccomp=unconfined, label=disable, "
                          "apparmor=PROFILE or no-new-privileges:true")


def device_cgroup_rule(value: str) -> None:
    if not _CGROUP_RULE.match(value):
        raise ConfigError(f"{value!r} is not a device cgroup rule such as 'c 1:3 mr' or 'a *:* rwm'")


def user(value: Any) -> None:
    if str(value).count(":") > 1:
        raise ConfigError(f"{value!r} is not USER or USER:GROUP")


def only(*allowed: str) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if value not in allowed:
            raise ConfigError(f"{value!r} must be {' or '.join(repr(a) for a in allowed if a)} on a Linux engine")
    return check


SCALARS: dict[str, Callable[[Any], None]] = {
    "image": image, "container_name": container_name, "hostname": host_name,
    "working_dir": absolute_path, "mac_address": mac_address, "cpuset": cpuset, "stop_signal": stop_signal,
    "dns": _each(ip_address), "dns_search": _each(search_domain), "cap_add": _each(capability),
    "cap_drop": _each(capability), "environment": pair_keys, "labels": pair_keys, "logging": logging,
    "platform": platform, "userns_mode": only("", "host"), "uts": only("", "host"), "isolation": only("", "default"),
    "security_opt": _each(security_opt), "device_cgroup_rules": _each(device_cgroup_rule), "user": user,
}
