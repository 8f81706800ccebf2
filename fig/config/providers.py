"""What something other than the engine provides: `provider:` services (a plugin binary makes and removes them)
and AI `models` (Docker Model Runner runs them), read from a validated document."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fig.config.values import scalar_text
from fig.errors import ConfigError
from fig.patterns import pattern
from fig.records import record


@record(frozen=True, slots=True)
class ProviderConfig:
    """`provider:` of a service: the plugin `type` names the binary; each option becomes `--name=value` (a list
    repeats the flag), in the file's order."""

    type: str
    options: tuple[tuple[str, tuple[str, ...]], ...] = ()


@record(frozen=True, slots=True)
class ModelConfig:
    """A top-level `models` entry: the model Docker Model Runner pulls and serves."""

    key: str  # the name in the file, which services use
    model: str
    name: str | None = None
    context_size: int | None = None
    runtime_flags: tuple[str, ...] = ()


@record(frozen=True, slots=True)
class ServiceModel:
    """A service's use of a model: the variables that give it the model's endpoint and name (None: Compose's
    `<MODEL>_URL` and `<MODEL>_MODEL`)."""

    key: str
    endpoint_var: str | None = None
    model_var: str | None = None


_VARIABLE = pattern(r"^[A-Za-z_][A-Za-z0-9_]*$")


def read_provider(raw: Mapping[str, Any]) -> ProviderConfig:
    kind = raw["type"]
    if not kind or kind == "compose" or "/" in kind:
        raise ConfigError(f"'type' {kind!r} is not a provider: name a plugin such as 'model' (docker-model)")
    options = []
    for name, value in (raw.get("options") or {}).items():
        values = value if isinstance(value, list) else [value]
        options.append((str(name), tuple(scalar_text(v) for v in values)))
    return ProviderConfig(kind, tuple(options))


def read_models(document: Mapping[str, Any]) -> tuple[ModelConfig, ...]:
    models = []
    for key, raw in (document.get("models") or {}).items():
        models.append(ModelConfig(str(key), raw["model"], raw.get("name"), raw.get("context_size"),
                                  tuple(raw.get("runtime_flags") or ())))
    return tuple(models)


def service_models(raw: Any, declared: frozenset[str], fail: Callable[[str], ConfigError]) -> tuple[ServiceModel, ...]:
    """A service's `models` (a list of names, or names mapped to their variables), each declared at the top level."""
    items = [(name, None) for name in raw] if isinstance(raw, list) else list((raw or {}).items())
    result = []
    for key, options in items:
        if key not in declared:
            raise fail(f"refers to undefined model {key!r}: declare it under the top-level 'models'")
        options = options or {}
        for var in ("endpoint_var", "model_var"):
            if var in options and not _VARIABLE.match(options[var]):
                raise fail(f"{key}: {var} {options[var]!r} is not a variable name")
        result.append(ServiceModel(str(key), options.get("endpoint_var"), options.get("model_var")))
    return tuple(result)
