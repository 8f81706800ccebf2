"""fig's value classes: dataclasses whose `__init__`, `__repr__`, `__eq__` and `__hash__` are shared functions.

Python 3.11's `dataclass` writes those methods as source text and compiles each one when its class is defined:
about a millisecond a class, and fig defines dozens of classes before a command's first request, so it was a large
part of what a short command like `ps` or `build` spends before it does anything. `record` leaves the fields to
`dataclasses` (so `fields()`, `replace()` and `asdict()` work as on any dataclass) and gives the class methods that
read its list of fields when they run, which costs nothing to define.

Supported: `frozen`, `eq`, `slots`, and fields with a default, a `default_factory`, `repr=False` or
`compare=False`; every field is an `__init__` argument, positional or by name, in the order declared."""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")
_REQUIRED, _VALUE, _FACTORY = range(3)


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, frozen: bool = False, eq: bool = True, slots: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(dataclasses.field,))
def record(cls: type[T] | None = None, /, *, frozen: bool = False, eq: bool = True,
           slots: bool = False) -> type[T] | Callable[[type[T]], type[T]]:
    """Make `cls` a dataclass, as `@dataclass(frozen=..., eq=..., slots=...)` would."""

    def wrap(cls: type[T]) -> type[T]:
        own = dict(cls.__dict__)  # what the class body defines itself is kept, as dataclass keeps it
        undocumented = not cls.__doc__
        if undocumented:  # else dataclass documents it with the signature of object(), parsed from text
            cls.__doc__ = cls.__name__
        made = dataclasses.dataclass(cls, init=False, repr=False, eq=False, slots=slots)
        fields = dataclasses.fields(made)  # type: ignore[arg-type]
        if undocumented:
            made.__doc__ = f"{made.__name__}({', '.join(f.name for f in fields)})"
        methods: dict[str, Any] = {"__init__": _initializer(made.__name__, fields),
                                   "__repr__": _representation([f.name for f in fields if f.repr])}
        compared = _values([f.name for f in fields if f.compare])
        if eq:
            methods["__eq__"] = _equality(compared)
            explicit_hash = own.get("__hash__") is not None or ("__hash__" in own and "__eq__" not in own)
            if not explicit_hash:
                methods["__hash__"] = _hashing(compared) if frozen else None
        if frozen:
            methods.update(__setattr__=_refuse_set, __delattr__=_refuse_delete,
                           __reduce__=_rebuilding(_values([f.name for f in fields])))
        for name, method in methods.items():
            if name not in own or name == "__hash__":
                setattr(made, name, method)
        return made

    return wrap if cls is None else wrap(cls)


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The values of these attributes of an object, as a tuple."""
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)  # type: ignore[return-value]


def _initializer(class_name: str, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    names = tuple(f.name for f in fields)
    known = frozenset(names)
    plan = tuple((f.name, _VALUE, f.default) if f.default is not dataclasses.MISSING else
                 (f.name, _FACTORY, f.default_factory) if f.default_factory is not dataclasses.MISSING else
                 (f.name, _REQUIRED, None) for f in fields)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if args:
            if len(args) > len(names):
                raise TypeError(f"{class_name}() takes {len(names)} positional arguments but {len(args)} were given")
            for name in names[:len(args)]:
                if name in kwargs:
                    raise TypeError(f"{class_name}() got multiple values for argument '{name}'")
            kwargs.update(zip(names, args))
        if not known.issuperset(kwargs):
            unknown = next(k for k in kwargs if k not in known)
            raise TypeError(f"{class_name}() got an unexpected keyword argument '{unknown}'")
        put = object.__setattr__
        for name, kind, default in plan:
            if name in kwargs:
                put(self, name, kwargs[name])
            elif kind == _VALUE:
                put(self, name, default)
            elif kind == _FACTORY:
                put(self, name, default())
            else:
                raise TypeError(f"{class_name}() missing required argument: '{name}'")

    return __init__


def _representation(names: list[str]) -> Callable[[Any], str]:
    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__qualname__}({shown})"

    return __repr__


def _equality(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hashing(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _rebuilding(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], tuple[Any, ...]]:
    """Copies and pickles of a frozen record are made by calling the class, as setting attributes is refused."""
    def __reduce__(self: Any) -> tuple[Any, ...]:
        return type(self), values(self)

    return __reduce__


def _refuse_set(self: Any, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field '{name}'")


def _refuse_delete(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field '{name}'")
