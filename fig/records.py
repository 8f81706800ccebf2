"""fig's value classes: records, which behave as dataclasses do, made without the `dataclasses` module.

Python 3.11's `dataclass` writes a class's `__init__`, `__repr__`, `__eq__` and `__hash__` as source text and compiles
each one when the class is defined, and the module itself loads `inspect` (and with it `ast`, `dis` and `tokenize`).
fig defines dozens of value classes before a short command like `ps` or `port` makes its first request, so both were a
large part of what such a command spent before it did anything. `record` reads a class's fields from its annotations
and gives it methods that read the field list when they run, which costs nothing to define; `field`, `fields`,
`replace` and `asdict` are this module's versions of the `dataclasses` functions of those names.

Supported: `frozen`, `eq`, `slots`, inheritance from another record, and fields with a default, a `default_factory`,
`repr=False` or `compare=False`; every field is an `__init__` argument, positional or by name, in the order declared.
`ClassVar` annotations are not fields."""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any, ClassVar, TypeVar, dataclass_transform, overload

T = TypeVar("T")
_REQUIRED, _VALUE, _FACTORY = range(3)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class FrozenInstanceError(AttributeError):
    """An attempt to set or delete a field of a frozen record."""


class Field:
    """One field of a record: its name, its default (or a factory of defaults), and whether `repr` shows it and `==`
    compares it."""
    __slots__ = ("name", "default", "default_factory", "repr", "compare")

    def __init__(self, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True,
                 compare: bool = True) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare

    def __repr__(self) -> str:
        return (f"Field(name={self.name!r}, default={self.default!r}, default_factory={self.default_factory!r}, "
                f"repr={self.repr}, compare={self.compare})")


def field(*, default: Any = MISSING, default_factory: Callable[[], Any] | Any = MISSING, repr: bool = True,
          compare: bool = True) -> Any:
    """A field's options, given as its value in the class body (as `dataclasses.field`)."""
    return Field(default, default_factory, repr, compare)


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, frozen: bool = False, eq: bool = True, slots: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(field,))
def record(cls: type[T] | None = None, /, *, frozen: bool = False, eq: bool = True,
           slots: bool = False) -> type[T] | Callable[[type[T]], type[T]]:
    """Make `cls` a record, as `@dataclass(frozen=..., eq=..., slots=...)` makes a dataclass."""

    def wrap(cls: type[T]) -> type[T]:
        own = dict(cls.__dict__)  # what the class body defines itself is kept, as dataclass keeps it
        found = _fields(cls)
        if slots:
            cls = _with_slots(cls, found)
        fields = tuple(found.values())
        cls.__record_fields__ = fields  # type: ignore[attr-defined]
        if not own.get("__doc__"):
            cls.__doc__ = f"{cls.__name__}({', '.join(found)})"
        methods: dict[str, Any] = {"__init__": _initializer(cls.__name__, fields),
                                   "__repr__": _representation([f.name for f in fields if f.repr]),
                                   "__match_args__": tuple(found)}
        compared = _values([f.name for f in fields if f.compare])
        if eq:
            methods["__eq__"] = _equality(compared)
            explicit_hash = own.get("__hash__") is not None or ("__hash__" in own and "__eq__" not in own)
            if not explicit_hash:
                methods["__hash__"] = _hashing(compared) if frozen else None
        if frozen:
            methods.update(__setattr__=_refuse_set, __delattr__=_refuse_delete,
                           __reduce__=_rebuilding(_values(list(found))))
        for name, method in methods.items():
            if name not in own or name == "__hash__":
                setattr(cls, name, method)
        return cls

    return wrap if cls is None else wrap(cls)


def _is_class_var(annotation: Any) -> bool:
    if isinstance(annotation, str):
        return annotation.replace("typing.", "", 1).startswith("ClassVar")
    return getattr(annotation, "__origin__", annotation) is ClassVar


def _fields(cls: type) -> dict[str, Field]:
    """The fields of `cls` by name, in order: its record bases' first, then those its own body annotates. A field's
    default stays a class attribute (none is left for a field without a default), as dataclass leaves it."""
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in base.__dict__.get("__record_fields__", ()):
            found[f.name] = f
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if _is_class_var(annotation):
            continue
        value = cls.__dict__.get(name, MISSING)
        made = value if isinstance(value, Field) else Field(default=value)  # each `field()` is one class's own
        made.name = name
        if made.default is MISSING:
            if name in cls.__dict__:
                delattr(cls, name)
        else:
            if type(made.default).__hash__ is None:
                raise ValueError(f"mutable default {type(made.default)} for field {name} is not allowed: "
                                 "use default_factory")
            setattr(cls, name, made.default)
        found[name] = made
    defaulted = ""
    for f in found.values():
        if f.default is MISSING and f.default_factory is MISSING:
            if defaulted:
                raise TypeError(f"non-default argument '{f.name}' follows default argument")
        else:
            defaulted = f.name
    return found


def _with_slots(cls: type[T], found: dict[str, Field]) -> type[T]:
    """`cls` made again with a slot for each of its own fields (a class's slots can only be set when it is made)."""
    inherited = {name for base in cls.__mro__[1:] for name in base.__dict__.get("__slots__", ())}
    body = dict(cls.__dict__)
    for name in found:
        body.pop(name, None)  # a default would hide the slot; __init__ sets it
    body.pop("__dict__", None)
    body.pop("__weakref__", None)
    body["__slots__"] = tuple(name for name in found if name not in inherited)
    made = type(cls)(cls.__name__, cls.__bases__, body)
    made.__qualname__ = cls.__qualname__
    return made


def fields(obj: Any) -> tuple[Field, ...]:
    """The fields of a record, or of a record class, in order."""
    try:
        return obj.__record_fields__  # type: ignore[no-any-return]
    except AttributeError:
        raise TypeError("must be called with a record or a record class") from None


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of the record `obj` with some fields changed (as `dataclasses.replace`)."""
    for f in fields(obj):
        if f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


def asdict(obj: Any) -> dict[str, Any]:
    """A record as a dict of its fields, the records, lists, tuples and dicts in them converted too (as
    `dataclasses.asdict`)."""
    fields(obj)
    return _plain(obj)  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    if hasattr(type(value), "__record_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in value.__record_fields__}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*[_plain(v) for v in value])
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return type(value)((_plain(k), _plain(v)) for k, v in value.items())
    import copy
    return copy.deepcopy(value)


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The values of these attributes of an object, as a tuple."""
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)  # type: ignore[return-value]


def _initializer(class_name: str, fields: tuple[Field, ...]) -> Callable[..., None]:
    names = tuple(f.name for f in fields)
    known = frozenset(names)
    plan = tuple((f.name, _VALUE, f.default) if f.default is not MISSING else
                 (f.name, _FACTORY, f.default_factory) if f.default_factory is not MISSING else
                 (f.name, _REQUIRED, None) for f in fields)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        put = object.__setattr__
        if not kwargs and len(args) <= len(names):  # all by position (a log line, say): the quick way
            for name, value in zip(names, args):
                put(self, name, value)
            for name, kind, default in plan[len(args):]:
                _default(self, class_name, name, kind, default)
            return
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
        for name, kind, default in plan:
            if name in kwargs:
                put(self, name, kwargs[name])
            else:
                _default(self, class_name, name, kind, default)

    return __init__


def _default(obj: Any, class_name: str, name: str, kind: int, default: Any) -> None:
    """Set a field that was not given to its default (or one its factory makes)."""
    if kind == _VALUE:
        object.__setattr__(obj, name, default)
    elif kind == _FACTORY:
        object.__setattr__(obj, name, default())
    else:
        raise TypeError(f"{class_name}() missing required argument: '{name}'")


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
    raise FrozenInstanceError(f"cannot assign to field '{name}'")


def _refuse_delete(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field '{name}'")
