"""A published port: parsed from the short syntax ("127.0.0.1:8000:80/udp", ranges too) and printed back.

A range of host ports for one container port ("6005-6015:80") stays one port: the engine binds it to one free
host port of the range, as Compose v2 and docker-compose read it."""

from __future__ import annotations

import ipaddress

from fig.errors import ConfigError
from fig.patterns import pattern
from fig.records import record

_PORT_RE = pattern(
    r"^(?:(?:(?P<ip>\[[0-9a-fA-F:.]+\]|[0-9.]+|[a-zA-Z0-9.-]*):)?(?P<host>\d+(?:-\d+)?)?:)?"
    r"(?P<container>\d+(?:-\d+)?)(?:/(?P<proto>tcp|udp|sctp))?$"
)

_EXPOSE_RE = pattern(r"^(\d+)(?:-(\d+))?(?:/(tcp|udp|sctp))?$")


def exposed_ports(text: str) -> list[tuple[int, str]]:
    """The (port, protocol) pairs an `expose` item such as "80", "53/udp" or "8000-8010" stands for."""
    m = _EXPOSE_RE.match(text)
    if not m or not 0 < int(m[1]) <= int(m[2] or m[1]) <= 65535:
        raise ConfigError("is not a port or a range of ports such as 80, 80/udp or 8000-8010")
    return [(port, m[3] or "tcp") for port in range(int(m[1]), int(m[2] or m[1]) + 1)]


def _port_range(text: str, what: str, spec: str) -> list[int]:
    first, _, last = text.partition("-")
    lo, hi = int(first), int(last or first)
    if not (0 < lo <= hi <= 65535):
        raise ConfigError(f"{what} {spec!r} is not a valid port")
    return list(range(lo, hi + 1))


@record(frozen=True, slots=True)
class PortSpec:
    container: int
    host: int | None = None
    host_ip: str | None = None
    protocol: str = "tcp"
    host_end: int | None = None  # the last of a range of host ports the engine picks one free port from

    @classmethod
    def parse_many(cls, text: str | int) -> list[PortSpec]:
        """Parse a port entry; a range such as "8000-8001:80-81" gives one spec per port."""
        spec = str(text).strip()
        m = _PORT_RE.match(spec)
        if not m:
            raise ConfigError(f"port {spec!r} is not a valid port")
        containers = _port_range(m["container"], "port", spec)
        hosts: list[int | None] = [None] * len(containers)
        host_end = None
        if m["host"]:
            hosts = list(_port_range(m["host"], "port", spec))
            if len(hosts) == 1 and len(containers) > 1:
                raise ConfigError(f"port {spec!r} maps a range to a single host port")
            if len(containers) == 1 and len(hosts) > 1:
                hosts, host_end = hosts[:1], hosts[-1]
            elif len(hosts) != len(containers):
                raise ConfigError(f"port {spec!r} has host and container ranges of different sizes")
        ip = (m["ip"] or "").strip("[]") or None
        if ip is not None:
            try:
                ipaddress.ip_address(ip)
            except ValueError:
                raise ConfigError(f"port {spec!r} has {ip!r} where an IP address of the host belongs") from None
        proto = m["proto"] or "tcp"
        return [cls(c, h, ip, proto, host_end) for c, h in zip(containers, hosts)]

    @classmethod
    def parse(cls, text: str | int) -> PortSpec:
        specs = cls.parse_many(text)
        if len(specs) != 1:
            raise ConfigError(f"port {text!r} is a range, not a single port")
        return specs[0]

    @property
    def published(self) -> str | None:
        """The host side as Compose v2 prints it: "8000", or a range "6005-6015"."""
        if self.host is None:
            return None
        return str(self.host) if self.host_end is None else f"{self.host}-{self.host_end}"

    @property
    def host_count(self) -> int:
        """How many containers can publish this port at once: one per host port of the range (0: unlimited)."""
        if self.host is None:
            return 0
        return (self.host_end or self.host) - self.host + 1

    @property
    def key(self) -> str:
        """The engine's name for the container side, e.g. "80/tcp"."""
        return f"{self.container}/{self.protocol}"

    def __str__(self) -> str:
        proto = "" if self.protocol == "tcp" else f"/{self.protocol}"
        if self.host_ip is not None:
            ip = f"[{self.host_ip}]" if ":" in self.host_ip else self.host_ip
            return f"{ip}:{self.published or ''}:{self.container}{proto}"
        if self.host is not None:
            return f"{self.published}:{self.container}{proto}"
        return f"{self.container}{proto}"
