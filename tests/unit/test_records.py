"""fig.records.record: a dataclass that behaves as `@dataclass` would, without compiling methods at definition."""

from __future__ import annotations

import builtins
import copy
import dataclasses
import pickle
import re
from pathlib import Path

import pytest

from fig.records import record

ROOT = Path(__file__).resolve().parents[2]


@record(frozen=True, slots=True)
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()
    notes: list[str] = dataclasses.field(default_factory=list)
    secret: str = dataclasses.field(default="", repr=False)
    seen: int = dataclasses.field(default=0, compare=False)


@record
class Counter:
    name: str
    hits: dict[str, int] = dataclasses.field(default_factory=dict)


@record(frozen=True, eq=False)
class Handle:
    name: str


@record(frozen=True)
class Shown:
    value: int

    def __repr__(self) -> str:
        return f"<{self.value}>"


# The same classes as plain dataclasses: what `record` must match
@dataclasses.dataclass(frozen=True, slots=True)
class PointDC:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()
    notes: list[str] = dataclasses.field(default_factory=list)
    secret: str = dataclasses.field(default="", repr=False)
    seen: int = dataclasses.field(default=0, compare=False)


def test_arguments_by_position_and_by_name_with_defaults_and_factories():
    p = Point(1, tags=("a",), secret="s")
    assert (p.x, p.y, p.tags, p.notes, p.secret, p.seen) == (1, 0, ("a",), [], "s", 0)
    assert Point(1, 2).y == 2
    assert Point(1).notes is not Point(1).notes  # a fresh list from the factory each time


@pytest.mark.parametrize("call, message", [
    (lambda: Point(), "missing required argument: 'x'"),
    (lambda: Point(1, z=2), "unexpected keyword argument 'z'"),
    (lambda: Point(1, x=2), "multiple values for argument 'x'"),
    (lambda: Point(1, 2, (), [], "", 0, 7), "takes 6 positional arguments but 7 were given"),
])
def test_wrong_arguments_are_a_type_error_as_for_any_class(call, message):
    with pytest.raises(TypeError, match=re.escape(message)):
        call()


def test_repr_equality_and_hash_as_a_dataclass_has_them():
    for cls in (Point, PointDC):
        a, b = cls(1, 2, secret="x", seen=1), cls(1, 2, secret="x", seen=5)
        assert repr(a).replace("PointDC", "Point") == "Point(x=1, y=2, tags=(), notes=[], seen=1)"
        assert a == b  # `seen` is not compared
        assert a != cls(1, 3) and a != (1, 2)
        with pytest.raises(TypeError, match="unhashable type: 'list'"):
            hash(a)  # frozen, so hashed by its compared fields, and one of them is a list
    assert Point(1) != PointDC(1)
    assert hash(Shown(3)) == hash(Shown(3)) and len({Shown(3), Shown(3), Shown(4)}) == 2
    assert Counter("a") == Counter("a") and Counter.__hash__ is None  # mutable and compared: unhashable
    h = Handle("a")
    assert h != Handle("a") and h == h and hash(h) == object.__hash__(h)  # eq=False: identity
    assert repr(Shown(3)) == "<3>" and Shown(3) == Shown(3)  # the class's own method is kept


def test_frozen_refuses_changes_and_mutable_allows_them():
    p = Point(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del p.x  # type: ignore[misc]
    with pytest.raises(AttributeError):
        object.__setattr__(p, "other", 1)  # slots: no attribute beyond the fields
    c = Counter("a")
    c.name = "b"
    assert c == Counter("b")


def test_the_dataclasses_functions_work_on_records():
    p = Point(1, notes=["n"])
    assert dataclasses.is_dataclass(p)
    assert [f.name for f in dataclasses.fields(p)] == ["x", "y", "tags", "notes", "secret", "seen"]
    assert dataclasses.replace(p, y=5) == Point(1, 5, notes=["n"])
    assert dataclasses.asdict(p) == {"x": 1, "y": 0, "tags": (), "notes": ["n"], "secret": "", "seen": 0}
    with pytest.raises(ValueError, match="mutable default"):
        @record
        class Bad:
            items: list[int] = []  # noqa: RUF012 - the mistake dataclasses refuses


def test_copies_and_pickles_of_frozen_records():
    p = Point(1, 2, ("t",), ["n"], "s", 3)
    for twin in (copy.copy(p), copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert twin == p and twin is not p
        assert (twin.secret, twin.seen) == ("s", 3)
    assert copy.deepcopy(p).notes is not p.notes


def test_defining_a_record_compiles_nothing(monkeypatch):
    """The point of records: no source is compiled when the class is defined (dataclass compiles each method)."""
    def refuse(*args, **kwargs):
        raise AssertionError("compiled at definition")

    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(builtins, "compile", refuse)

    @record(frozen=True, slots=True)
    class Defined:
        a: int
        b: str = "x"
        c: list[int] = dataclasses.field(default_factory=list)

    monkeypatch.undo()
    assert Defined(1) == Defined(1, "x", [])


def test_fig_defines_its_dataclasses_as_records():
    """A plain @dataclass costs start-up time on every command that imports it (see fig.records)."""
    plain = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "fig").rglob("*.py"))
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if re.match(r"\s*@(dataclasses\.)?dataclass\b", line)]
    assert plain == []
