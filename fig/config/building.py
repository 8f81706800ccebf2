"""Reads a service's `build:` into a BuildSpec: every key of the compose spec, each value checked here so that a
bad one is refused before anything is built, with file, line, service and key."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fig.config import checks
from fig.config.model import BuildSecret, BuildSpec, Ulimit, is_remote
from fig.config.values import pairs, parse_size, strings
from fig.errors import ConfigError, Unresolved
from fig.logs import logger
from fig.patterns import pattern

if TYPE_CHECKING:
    from fig.config.context import Context

log = logger(__name__)

ENTITLEMENTS = ("network.host", "security.insecure")
_CONTEXT_NAME = pattern(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
_SSH_ID = pattern(r"^[a-zA-Z0-9_.-]+$")


class BuildReader:
    """The `build:` parser of a service reader (which gives `raw`, `ctx`, `path`, `extra_hosts` and `ulimits`)."""

    name: str
    raw: dict[str, Any]
    ctx: Context
    path: Callable[[str], str]
    extra_hosts: Callable[..., list[tuple[str, str]]]
    ulimits: Callable[..., tuple[Ulimit, ...]]

    def build_fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.ctx.where(self.name, ('build', key))} {message}")

    def build(self) -> BuildSpec | None:
        raw = self.raw.get("build")
        if raw is None:
            return None
        raw = {"context": raw} if isinstance(raw, str) else dict(raw)
        context = self.build_context(raw)
        if raw.get("dockerfile") is not None and raw.get("dockerfile_inline") is not None:
            raise self.build_fail("dockerfile_inline", "and 'dockerfile' are mutually exclusive: give one of them")
        try:
            shm = None if raw.get("shm_size") is None else parse_size(raw["shm_size"], "shm_size")
        except ConfigError as e:
            raise self.build_fail("shm_size", str(e)) from None
        inline = raw.get("dockerfile_inline")
        return BuildSpec(
            context, None if inline is not None else raw.get("dockerfile") or "Dockerfile",
            tuple((k, v) for k, v in pairs(raw.get("args"), self.ctx.environ) if v is not None), raw.get("target"),
            cache_from=strings(raw.get("cache_from")), network=raw.get("network"),
            labels=tuple((k, v or "") for k, v in pairs(raw.get("labels"), {})), shm_size=shm,
            extra_hosts=tuple(sorted(f"{h}:{ip}" for h, ip in self.extra_hosts(raw.get("extra_hosts"),
                                                                                ("build", "extra_hosts")))),
            platforms=self.build_platforms(raw), dockerfile_inline=inline, ssh=self.build_ssh(raw.get("ssh")),
            cache_to=strings(raw.get("cache_to")), additional_contexts=self.additional_contexts(raw),
            entitlements=self.entitlements(raw), isolation=self.build_isolation(raw.get("isolation")),
            privileged=bool(raw.get("privileged")), no_cache=bool(raw.get("no_cache")), pull=bool(raw.get("pull")),
            secrets=tuple(self.build_secret(i, item) for i, item in enumerate(raw.get("secrets") or ())),
            tags=self.build_tags(raw.get("tags")), ulimits=self.ulimits(raw.get("ulimits"), ("build", "ulimits")),
        )

    def build_context(self, raw: dict[str, Any]) -> str:
        """The context as a URL or an absolute path. Paths that are missing (this one, additional contexts, ssh
        keys) are refused when the service is built (fig.builds), as Compose refuses them, so that `config`, `ps`
        and `down` of the project still work."""
        text = str(raw.get("context", "."))
        return text if is_remote(text) else self.path(text)

    def build_platforms(self, raw: dict[str, Any]) -> tuple[str, ...]:
        platforms = strings(raw.get("platforms"))
        if raw.get("platform") is not None:
            log.warning("%s is fig's old spelling of 'platforms', which the compose spec has: write "
                        "'platforms: [%s]'", self.ctx.where(self.name, ("build", "platform")), raw["platform"])
            if platforms and raw["platform"] not in platforms:
                raise self.build_fail("platform", "is not one of 'platforms': give only 'platforms'")
            platforms = platforms or (str(raw["platform"]),)
        for value in platforms:
            try:
                checks.platform(value)
            except ConfigError as e:
                raise self.build_fail("platforms", str(e)) from None
        service_platform = self.raw.get("platform")
        if platforms and service_platform and service_platform not in platforms:
            raise self.build_fail("platforms", f"must include the service's platform {service_platform!r}")
        return platforms

    def build_ssh(self, raw: Any) -> tuple[str, ...]:
        result = []
        for key, path in pairs(raw, {}):
            if not _SSH_ID.match(key):
                raise self.build_fail("ssh", f"{key!r} is not an id: use default or ID=PATH (letters, digits, "
                                             "'_', '.', '-')")
            if path is None and key != "default":
                raise self.build_fail("ssh", f"{key!r} needs the path of a key or an agent socket: use {key}=PATH")
            if path is None:
                result.append(key)
                continue
            result.append(f"{key}={self.path(path)}")
        return tuple(result)

    def additional_contexts(self, raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        result = []
        for name, value in pairs(raw.get("additional_contexts"), {}):
            if not _CONTEXT_NAME.match(name) or value in (None, ""):
                raise self.build_fail("additional_contexts", f"{name!r} is not NAME=CONTEXT (a directory, or a URL "
                                                             "such as docker-image://busybox)")
            assert value is not None
            result.append((name, value if is_remote(value) else self.path(value)))
        return tuple(result)

    def entitlements(self, raw: dict[str, Any]) -> tuple[str, ...]:
        values = strings(raw.get("entitlements"))
        for value in values:
            if value not in ENTITLEMENTS:
                raise self.build_fail("entitlements", f"{value!r} is not one of {', '.join(ENTITLEMENTS)}")
        return values

    def build_isolation(self, value: str | None) -> str | None:
        if value is not None and value != "default":
            raise self.build_fail("isolation", f"{value!r} must be 'default' on a Linux engine")
        return value

    def build_tags(self, raw: Any) -> tuple[str, ...]:
        tags = strings(raw)
        for tag in tags:
            try:
                checks.image(tag)
            except ConfigError as e:
                raise self.build_fail("tags", str(e)) from None
        return tags

    def build_secret(self, index: int, item: Any) -> BuildSecret:
        spec = {"source": item} if isinstance(item, str) else dict(item)
        source = spec["source"]
        declared = {s: raw or {} for s, raw in (self.ctx.document.get("secrets") or {}).items()}
        where = self.ctx.where(self.name, ("build", "secrets"), line_of_item=index)
        if source not in declared:
            raise Unresolved(f"{where} refers to secret {source!r}, which is not declared in the top-level "
                              "'secrets' section")
        top = declared[source]
        if top.get("file") is None and top.get("environment") is None:
            raise ConfigError(f"{where} {source!r}: a build takes secrets from a file or an environment variable")
        mode = spec.get("mode")
        try:
            mode = None if mode is None else int(mode, 8) if isinstance(mode, str) else int(mode)
        except ValueError:
            raise ConfigError(f"{where} {source!r}: mode {spec['mode']!r} is not an octal number such as 0400") \
                from None
        file = self.ctx.secrets[source].file if top.get("file") is not None else None
        variable = top.get("environment")
        value = self.ctx.secrets[source].content if variable is not None else None
        return BuildSecret(source, spec.get("target"), file, variable, value, spec.get("uid"), spec.get("gid"), mode)
