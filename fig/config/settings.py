"""Reading a service's scalar and small structured settings (healthcheck, ulimits, logging, sizes, durations,
hosts, sysctls, ...) into typed values; every error names file, line, service and key (through `fail`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fig.config import checks
from fig.config.model import Healthcheck, LogConfig, Ulimit
from fig.config.values import pairs, parse_duration, parse_size, strings, words
from fig.errors import ConfigError
from fig.patterns import pattern

if TYPE_CHECKING:
    from fig.config.context import Context

_PROFILE = pattern(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
_PULL_POLICIES = ("always", "never", "missing", "if_not_present", "build")


class SettingsReader:
    """The settings parsers of a service; `raw` is its mapping and `fail(key, message)` makes its errors."""

    name: str
    raw: dict[str, Any]
    ctx: Context

    fail: Callable[[str, str], ConfigError]

    def healthcheck(self) -> Healthcheck | None:
        raw = self.raw.get("healthcheck")
        if raw is None:
            return None
        if raw.get("disable"):
            return Healthcheck(("NONE",))
        test = raw.get("test")
        words_ = ("CMD-SHELL", test) if isinstance(test, str) else tuple(test or ())
        if words_ and words_[0] not in ("CMD", "CMD-SHELL", "NONE"):
            raise self.fail("healthcheck", "'test' must start with CMD, CMD-SHELL or NONE, or be a string")
        if words_[:1] in (("CMD",), ("CMD-SHELL",)) and not any(str(w).strip() for w in words_[1:]):
            raise self.fail("healthcheck", f"'test' {list(words_)} names no command")

        def seconds(key: str) -> float | None:
            try:
                value = parse_duration(raw[key], key) if key in raw else None
            except ConfigError as e:
                raise self.fail("healthcheck", str(e)) from None
            if value and value < 0.001:  # 0 is the engine's default
                raise self.fail("healthcheck", f"{key} {raw[key]!r} is shorter than the engine's minimum of 1ms")
            return value

        retries = raw.get("retries")
        if retries is not None and retries < 0:
            raise self.fail("healthcheck", f"retries {retries} must not be negative")
        return Healthcheck(words_, seconds("interval"), seconds("timeout"), retries, seconds("start_period"),
                           seconds("start_interval"))

    def ulimits(self, raw: Any = None, key: str | tuple[str, ...] = "ulimits") -> tuple[Ulimit, ...]:
        """The service's ulimits, or those of `raw` (a build's, at the key path `key`)."""
        def fail(message: str) -> ConfigError:
            return ConfigError(f"{self.ctx.where(self.name, key)} {message}")

        result = []
        for name, value in ((self.raw.get("ulimits") if raw is None else raw) or {}).items():
            soft, hard = (value, value) if isinstance(value, int) else (value["soft"], value["hard"])
            if name not in checks.ULIMITS:
                raise fail(f"{name!r} is not a resource limit ({', '.join(sorted(checks.ULIMITS))})")
            if min(soft, hard) < -1:
                raise fail(f"{name}: a limit must be -1 (unlimited) or more, not {min(soft, hard)}")
            if hard != -1 and (soft == -1 or soft > hard):
                raise fail(f"{name}: the soft limit {soft} is above the hard limit {hard}")
            result.append(Ulimit(str(name), soft, hard))
        return tuple(result)

    def logging(self) -> LogConfig | None:
        raw = self.raw.get("logging")
        if raw is None:
            return None
        options = tuple((str(k), "" if v is None else str(v)) for k, v in (raw.get("options") or {}).items())
        return LogConfig(raw.get("driver"), options)

    def profiles(self) -> tuple[str, ...]:
        names = strings(self.raw.get("profiles"))
        for name in names:
            if not _PROFILE.match(name):
                raise self.fail("profiles", f"{name!r} is not a valid profile name: use letters, digits, '_', '.', '-'")
        return names

    def extra_hosts(self, raw: Any, key: str | tuple[str, ...] = "extra_hosts") -> list[tuple[str, str]]:
        """HOST:IP or HOST=IP items (the address may be IPv6), or a mapping (at the key path `key`)."""
        def fail(message: str) -> ConfigError:
            return ConfigError(f"{self.ctx.where(self.name, key)} {message}")

        raw = raw or []
        items = list(raw.items()) if isinstance(raw, dict) else [
            str(i).partition("=")[::2] if "=" in str(i) else str(i).partition(":")[::2] for i in raw]
        result = []
        for host, ip in items:
            if ip in (None, ""):
                raise fail(f"{host!r} needs an address: use HOST:IP")
            if not str(host).strip() or any(c.isspace() for c in str(host)):
                raise fail(f"{host!r} is not a host name")
            try:
                if ip != "host-gateway":
                    checks.ip_address(str(ip), "an IP address (or host-gateway)")
            except ConfigError as e:
                raise fail(f"{host}: {e}") from None
            result.append((str(host), str(ip)))
        return result

    def cpus(self) -> float | None:
        raw = self.raw.get("cpus")
        if raw is None:
            return None
        try:
            value = float(raw)
        except ValueError:
            raise self.fail("cpus", f"{raw!r} is not a number of CPUs such as 0.5 or 2") from None
        if value < 0:
            raise self.fail("cpus", f"{raw!r} must not be negative")
        return value

    def size(self, key: str) -> int | None:
        raw = self.raw.get(key)
        if raw is None:
            return None
        if key == "memswap_limit" and raw == -1:
            return -1
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw < 0:
            raise self.fail(key, f"{raw} must not be negative")
        try:
            value = parse_size(raw, "size")
        except ConfigError:
            raise self.fail(key, f"{raw!r} is not a size such as 512m or 1g") from None
        if key == "mem_limit" and 0 < value < checks.MIN_MEMORY:
            raise self.fail(key, f"{raw!r} is below the engine's minimum memory limit of 6m")
        return value

    def swap(self, mem_limit: int | None) -> int | None:
        """memswap_limit, which the engine accepts only with a memory limit it is not below (-1: unlimited)."""
        swap = self.size("memswap_limit")
        if swap in (None, -1, 0):
            return swap
        if mem_limit is None:
            raise self.fail("memswap_limit", "needs 'mem_limit' too: the engine limits swap only with memory")
        if swap is not None and swap < mem_limit:
            raise self.fail("memswap_limit", f"{self.raw['memswap_limit']!r} is below 'mem_limit' (memory and swap "
                                             "together, so at least the memory limit)")
        return swap

    def duration(self, key: str) -> float | None:
        raw = self.raw.get(key)
        if raw is None:
            return None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw < 0:
            raise self.fail(key, f"{raw} must not be negative")
        try:
            return parse_duration(raw, "duration")
        except ConfigError:
            raise self.fail(key, f"{raw!r} is not a duration such as 10s or 1m30s") from None

    def check_values(self) -> None:
        """The scalar values whose syntax the schema cannot check (names, addresses, signals, ...)."""
        for key in sorted(checks.SCALARS.keys() & self.raw.keys()):
            if self.raw[key] is not None:
                try:
                    checks.SCALARS[key](self.raw[key])
                except ConfigError as e:
                    raise self.fail(key, str(e)) from None
        if (self.raw.get("cpu_shares") or 0) < 0:
            raise self.fail("cpu_shares", f"{self.raw['cpu_shares']} must not be negative")

    def words(self, key: str) -> tuple[str, ...] | None:
        try:
            return words(self.raw.get(key))
        except ConfigError as e:
            raise self.fail(key, str(e)) from None

    def sysctls(self) -> tuple[tuple[str, str], ...]:
        items = pairs(self.raw.get("sysctls"), {})
        for name, value in items:
            try:
                if value is None and not isinstance(self.raw["sysctls"], dict):
                    raise ConfigError(f"{name!r} has no value: use NAME=VALUE")
                checks.sysctl(name, self.raw.get("network_mode", self.raw.get("net")))
            except ConfigError as e:
                raise self.fail("sysctls", str(e)) from None
        return tuple((k, v or "") for k, v in items)

    def pull_policy(self) -> str | None:
        policy: str | None = self.raw.get("pull_policy")
        if policy is not None and policy not in _PULL_POLICIES:
            raise self.fail("pull_policy", f"{policy!r} must be one of {', '.join(_PULL_POLICIES)}")
        return "missing" if policy == "if_not_present" else policy
